"""Test settings.

PostgreSQL and Redis are used when they answer (``DATABASE_URL``/``REDIS_URL`` or the
local defaults), SQLite and an in-memory broker otherwise. Under ``CI=true`` both are
required: a missing service fails the run instead of silently narrowing it.
"""

import os
import socket
from urllib.parse import urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    DB_WORKER_STATEMENT_TIMEOUT_MS,
    REDIS_TRANSPORT_OPTIONS,
    VAR_DIR,
    env_bool,
    postgres_options,
)

CI = env_bool("CI", default=False)
DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/werkstation"
DEFAULT_TEST_REDIS_URL = "redis://127.0.0.1:6379/15"


def _answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


_db_url = os.environ.get("DATABASE_URL", DEFAULT_TEST_DATABASE_URL)
if _db_url.startswith("postgres") and _answers(_db_url, 5432):
    DATABASES = {"default": dj_database_url.parse(_db_url)}
    # The production options, with a worker's statement limit (tests run bulk work) and
    # no idle-in-transaction limit (a test's own transaction may wait on a subprocess).
    DATABASES["default"]["OPTIONS"] = postgres_options(
        statement_timeout_ms=DB_WORKER_STATEMENT_TIMEOUT_MS,
        application_name="werkstation-test",
        idle_in_transaction_ms=0,
    )
elif CI:
    msg = f"CI=true: PostgreSQL is required but {_db_url} does not answer."
    raise ImproperlyConfigured(msg)
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "test.sqlite3"),
            "TEST": {"NAME": str(VAR_DIR / "test.sqlite3")},
        }
    }

REDIS_URL = os.environ.get("REDIS_URL", DEFAULT_TEST_REDIS_URL)
REDIS_AVAILABLE = _answers(REDIS_URL, 6379)
if not REDIS_AVAILABLE and CI:
    msg = f"CI=true: Redis is required but {REDIS_URL} does not answer."
    raise ImproperlyConfigured(msg)
if REDIS_AVAILABLE:
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_TRANSPORT_OPTIONS
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    REDIS_URL = ""
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Tasks run inline in tests; the outbox tests drive publishing explicitly.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
API_DOCS_PUBLIC = True
# Sign-in lock-outs count as in production; a test that needs more wrong passwords
# lowers or raises the limit itself.
AXES_FAILURE_LIMIT = 10
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "nl"
# The client-side wait on the database needs the main thread of a one-request-at-a-time
# server; tests that stall the database run gunicorn for it (tests/werkstation/test_faults.py).
WERKSTATION_DB_WAIT_SECONDS = 0
# One test's database error must not answer the next tests 503 (tests that want the
# fail-fast window set it themselves).
WERKSTATION_DATABASE_DOWN_SECONDS = 0
# A lock taken against the documented order (werkstation/locks.py) fails the test.
WERKSTATION_LOCK_ORDER_STRICT = True
WERKSTATION_AUDIT_STRICT = True  # audit_record refuses an action no app registered
