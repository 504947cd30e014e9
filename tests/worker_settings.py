"""Settings of the real Celery workers that tests start (tests/werkstation/test_worker_faults.py).

The production base, with e-mail written to files (one message a file, counted by the
test) after a pause that keeps a message in flight long enough to kill its worker.
"""

import os

from werkstation.settings.base import *  # noqa: F403

EMAIL_BACKEND = "tests.worker_settings_mail.SlowFileEmailBackend"
EMAIL_FILE_PATH = os.environ["WERKSTATION_TEST_MAIL_DIR"]
WERKSTATION_REQUIRE_2FA = False
