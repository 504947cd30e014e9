"""An e-mail backend for worker tests: waits, then writes each message to its own file."""

import os
import time
import uuid
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class SlowFileEmailBackend(BaseEmailBackend):
    def send_messages(self, messages):
        time.sleep(float(os.environ.get("WERKSTATION_TEST_MAIL_DELAY", "0")))
        directory = Path(os.environ["WERKSTATION_TEST_MAIL_DIR"])
        for message in messages:
            path = directory / f"{uuid.uuid4().hex}.eml"
            path.write_bytes(message.message().as_bytes())
        return len(messages)
