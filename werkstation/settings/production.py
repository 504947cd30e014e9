"""Production: refuses to start without SECRET_KEY, ALLOWED_HOSTS and FIELD_ENCRYPTION_KEY.

``wsgi.py``, ``asgi.py`` and the Celery app default to these settings, so a forgotten
``DJANGO_SETTINGS_MODULE`` can never serve DEBUG pages. ``manage.py check --deploy`` is
clean with them.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool

for _name in ("SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEY"):
    if not os.environ.get(_name):
        msg = f"{_name} must be set in the environment for production."
        raise ImproperlyConfigured(msg)
if os.environ["SECRET_KEY"].startswith("dev-only") or len(os.environ["SECRET_KEY"]) < 50:
    msg = "SECRET_KEY must be a long random value in production."
    raise ImproperlyConfigured(msg)

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
# /healthz is asked over plain HTTP by load balancers and probes on the private network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", default=False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
