"""Settings shared by every environment. Everything comes from the environment.

The defaults need nothing: a SQLite file under ``var/``, e-mail to the console, Stripe
off and Celery on an embedded SQLite broker. ``DATABASE_URL`` switches to PostgreSQL and
``REDIS_URL`` switches the Celery broker and results to Redis, and the cache to Redis
too: on ``CACHE_URL`` if set, else on the broker's server one database up.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("WERKSTATION_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, *, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", default=False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "djmoney",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_htmx",
    "werkstation.apps.WerkstationConfig",
    "members.apps.MembersConfig",
    "jobs.apps.JobsConfig",
    "jobs.challenges.apps.ChallengesConfig",
    "payouts.apps.PayoutsConfig",
]

MIDDLEWARE = [
    "werkstation.middleware.RequestIdMiddleware",
    "werkstation.middleware.RequestSizeLimitMiddleware",
    "werkstation.middleware.DatabaseDeadlineMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "members.middleware.LanguageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "members.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "werkstation.confirm.ConfirmSlotMiddleware",
    "werkstation.csp.WerkstationCSPMiddleware",
    # Last: turns a lock-out noticed during sign-in into the lock-out answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "werkstation.urls"
WSGI_APPLICATION = "werkstation.wsgi.application"
AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out account or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "members:home"
LOGOUT_REDIRECT_URL = "members:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "werkstation" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "werkstation.navigation.navigation",  # the apps' menu data
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'werkstation.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}

# --- Database timeouts, chosen on purpose (docs/operations.md) -----------------------
# A web request must get an answer within 5 s even while the database stalls:
# - connect: libpq gives up on a server that does not complete the connection in 2 s
#   (libpq's smallest value);
# - statement_timeout 3 s: the server cancels a web query that runs longer (a worker's
#   bulk settlement may take minutes: workers get their own limit, see celery.py);
# - the client waits at most WERKSTATION_DB_WAIT_SECONDS for one call (the server's
#   timeout cannot fire when the server or the network is what stalls);
# - idle_in_transaction_session_timeout 30 s: a process that hangs inside a transaction
#   (a stuck outside call) loses its session, and with it every lock it held;
# - TCP keepalives (idle 30 s, then 3 probes 10 s apart) and tcp_user_timeout 10 s find a
#   dead peer on an idle or a sending connection in under a minute.
DB_CONNECT_TIMEOUT_SECONDS = int(os.environ.get("DB_CONNECT_TIMEOUT_SECONDS", "2"))
DB_STATEMENT_TIMEOUT_MS = int(os.environ.get("DB_STATEMENT_TIMEOUT_MS", "3000"))
DB_WORKER_STATEMENT_TIMEOUT_MS = int(os.environ.get("DB_WORKER_STATEMENT_TIMEOUT_MS", "900000"))
DB_IDLE_IN_TRANSACTION_TIMEOUT_MS = int(
    os.environ.get("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", "30000")
)
WERKSTATION_DB_WAIT_SECONDS = float(os.environ.get("WERKSTATION_DB_WAIT_SECONDS", "4"))
# After a request found the database not answering, the process answers 503 at once for
# this long, so requests queued behind it do not each wait their own few seconds.
WERKSTATION_DATABASE_DOWN_SECONDS = float(os.environ.get("WERKSTATION_DATABASE_DOWN_SECONDS", "2"))


def postgres_options(
    *,
    statement_timeout_ms: int,
    application_name: str,
    idle_in_transaction_ms: int = DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
) -> dict[str, str | int]:
    """libpq options of a PostgreSQL connection: the timeouts above."""
    server = (
        f"-c statement_timeout={statement_timeout_ms}"
        f" -c idle_in_transaction_session_timeout={idle_in_transaction_ms}"
    )
    return {
        "connect_timeout": DB_CONNECT_TIMEOUT_SECONDS,
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
        "tcp_user_timeout": 10000,
        "application_name": application_name,
        "options": server,
    }


if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        postgres_options(
            statement_timeout_ms=DB_STATEMENT_TIMEOUT_MS, application_name="werkstation-web"
        )
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout keep the web process and the worker from tripping over
    # each other on the embedded default.
    # IMMEDIATE: a transaction takes the write lock when it begins, waiting up to the
    # busy timeout for it. A deferred one reads first and fails at once ("database is
    # locked") when it then tries to write while the worker writes: SQLite cannot wait
    # there without risking a deadlock, so it does not.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "werkstation" / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "werkstation" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Where the file backend writes (``make run`` uses it, so the terminal is not flooded).
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Werkstation <noreply@werkstation.local>")
if os.environ.get("EMAIL_URL"):
    # smtp://user:password@host:587
    from urllib.parse import unquote, urlparse

    _mail = urlparse(os.environ["EMAIL_URL"])
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _mail.hostname or "localhost"
    EMAIL_PORT = _mail.port or 587
    EMAIL_HOST_USER = unquote(_mail.username or "")
    EMAIL_HOST_PASSWORD = unquote(_mail.password or "")
    EMAIL_USE_TLS = True

# --- Redis / Celery ---------------------------------------------------------------


def redis_neighbour_db(url: str) -> str:
    """The same Redis server, the next database: the cache's default place, apart from
    the broker's queues (``CACHE_URL`` puts it elsewhere, e.g. on its own server)."""
    from urllib.parse import urlparse

    parsed = urlparse(url)
    db = int(parsed.path.strip("/") or 0)
    return parsed._replace(path=f"/{(db + 1) % 16}").geturl()


REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CACHES = {
        "default": {
            "BACKEND": "werkstation.cache.ResilientRedisCache",
            "LOCATION": os.environ.get("CACHE_URL") or redis_neighbour_db(REDIS_URL),
            "KEY_PREFIX": "werkstation",
        }
    }
else:
    # Embedded broker: kombu's SQLAlchemy transport on its own SQLite file (WAL mode is
    # switched on in werkstation/celery.py), so the worker and beat really run without
    # Redis and never lock the application's database.
    CELERY_BROKER_URL = f"sqla+sqlite:///{VAR_DIR / 'celery-broker.sqlite3'}"
    CELERY_RESULT_BACKEND = f"db+sqlite:///{VAR_DIR / 'celery-results.sqlite3'}"
    # The results file is written by every worker process at once (a dispatch run's
    # parts finish together and its chord reads them): wait for its lock as the broker
    # does, instead of SQLite's default 5 s (WAL is switched on in werkstation/celery.py).
    CELERY_DATABASE_ENGINE_OPTIONS = {"connect_args": {"timeout": 20}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# No task runs longer than this (the worker kills it); the broker's visibility timeout
# below must stay above it, or a running task would be delivered a second time.
CELERY_TASK_TIME_LIMIT = 3600
CELERY_TASK_SOFT_TIME_LIMIT = 3300
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
# Redis redelivers an unacknowledged task after the visibility timeout. The longest
# task (a settlement or payout run) stays well under an hour, so two hours never
# redelivers a task that is still running.
# Publishing gives up quickly when Redis is down (the outbox keeps the event and beat
# publishes it later), so a web request is never held up by a broker outage.
REDIS_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * 3600,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "socket_keepalive": True,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
# The embedded broker's SQLite file is written by the web process (publishing) and the
# worker (taking tasks) at once: wait up to 20 s for its lock instead of failing.
SQLITE_BROKER_TRANSPORT_OPTIONS = {"connect_args": {"timeout": 20}}
CELERY_BROKER_TRANSPORT_OPTIONS = (
    REDIS_TRANSPORT_OPTIONS if REDIS_URL else SQLITE_BROKER_TRANSPORT_OPTIONS
)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# An outbox event whose handler has not finished this long after it was handed out (the
# broker lost it, or its worker died) is handed out again. Longer than any handler runs
# (a dispatch run's solve is limited to a minute), short enough that a dead worker's
# work is done again within minutes of a worker coming back.
WERKSTATION_OUTBOX_REDELIVER_SECONDS = int(
    os.environ.get("WERKSTATION_OUTBOX_REDELIVER_SECONDS", "300")
)

# --- Limits on what a request may carry ----------------------------------------------
# No body over 10 MiB is read at all (413); a JSON body over 1 MiB is refused by the API's
# parser; a bank statement over 5 MiB by the import (payouts.formats.camt).
WERKSTATION_MAX_REQUEST_BYTES = int(os.environ.get("WERKSTATION_MAX_REQUEST_BYTES", "10485760"))
WERKSTATION_MAX_JSON_BYTES = int(os.environ.get("WERKSTATION_MAX_JSON_BYTES", "1048576"))

# --- API --------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous call is answered 401 with "WWW-Authenticate: Token".
        "members.api.authentication.ApiTokenAuthentication",
        "members.api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "werkstation.api.schema.WerkstationAutoSchema",
    "EXCEPTION_HANDLER": "werkstation.api.exception_handler.api_exception_handler",
    # Lists page with werkstation.api.pagination (the feed's envelope), not DRF's paginators.
    "DEFAULT_PARSER_CLASSES": [
        "werkstation.api.parsers.StrictJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "werkstation.api.parsers.SafeJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Werkstation API",
    "DESCRIPTION": "API of Werkstation, the platform for neighbourhood work cooperatives.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Request bodies are documented as JSON (forms are still parsed, for the browsable API);
    # one media type a body gives generated clients one body type. The bank-statement
    # upload documents its multipart body itself.
    "PARSER_WHITELIST": ["werkstation.api.parsers.StrictJSONParser"],
    "ENUM_NAME_OVERRIDES": {
        "BidOutputStatusEnum": "jobs.challenges.models.Bid.Status",
        "ClaimOutputStatusEnum": "jobs.models.work.Claim.Status",
        "ContractStatusEnum": "jobs.challenges.models.Contract.Status",
        "JobStatusEnum": "jobs.models.work.Job.Status",
        "MembershipStatusEnum": "members.models.cooperatives.Membership.Status",
        "OfferOutputStatusEnum": "jobs.models.dispatching.Offer.Status",
        "ProposalStatusEnum": "members.models.governance.Proposal.Status",
        "RuleSetStatusEnum": "payouts.models.rules.RuleSet.Status",
        "TenderOutputStatusEnum": "jobs.challenges.models.Tender.Status",
        "VoteChoiceEnum": "members.models.governance.Vote.Choice",
        "EngagementEnum": "werkstation.engagements.Engagement",
    },
}

# API tokens (django-rest-knox, stored as digests): a token expires after TOKEN_IDLE_DAYS
# without use and TOKEN_MAX_DAYS after it was made, whatever its use.
from datetime import timedelta  # noqa: E402

KNOX_TOKEN_MODEL = "members.ApiToken"
# Knox's own migrations create its default token table even when the model is swapped;
# without them Django creates no table for the swapped-out model.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=int(os.environ.get("TOKEN_IDLE_DAYS", "30"))),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=int(os.environ.get("TOKEN_MAX_DAYS", "90"))),
    "MIN_REFRESH_INTERVAL": 3600,
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_PREFIX": "ws_",
}
# The API schema and its docs need a signed-in user unless this is on (production
# default off; local and test settings open them).
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", default=False)

# --- Sign-in protection -------------------------------------------------------------
# django-axes locks an account, and separately an address, after AXES_FAILURE_LIMIT
# failed sign-ins (web, API token, admin); it unlocks after AXES_COOLOFF_MINUTES or
# when staff remove the attempts in the admin. Password-reset requests and wrong reset
# links are counted per account and per address by ``members.services.ratelimit``.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "members.lockout.axes_username"
AXES_LOCKOUT_CALLABLE = "members.lockout.lockout_response"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0")) or None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)
AXES_VERBOSE = False
PASSWORD_RESET_LIMIT_PER_ACCOUNT = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ACCOUNT", "5"))
PASSWORD_RESET_LIMIT_PER_ADDRESS = int(os.environ.get("PASSWORD_RESET_LIMIT_PER_ADDRESS", "20"))
PASSWORD_RESET_LIMIT_WINDOW_MINUTES = int(
    os.environ.get("PASSWORD_RESET_LIMIT_WINDOW_MINUTES", "60")
)

# Two-factor sign-in: first devices are enrolled through an e-mailed one-time link.
TWO_FACTOR_LINK_HOURS = int(os.environ.get("TWO_FACTOR_LINK_HOURS", "48"))
TWO_FACTOR_RECOVERY_CODES = 10
# django-otp's throttle: after n wrong codes a device waits FACTOR * 2**(n-1) seconds.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Four eyes: a new cooperative bank account is used only after this hold.
COOPERATIVE_IBAN_HOLD_DAYS = int(os.environ.get("COOPERATIVE_IBAN_HOLD_DAYS", "3"))
# Links in e-mails point here when no request names the site (beat, the outbox,
# management commands; see werkstation.notify.site_link). The default is `make run`'s.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Content Security Policy (django-csp) -------------------------------------------
# Scripts only from this site or with the response's nonce; no inline event handlers.
# htmx runs with its indicator styles switched off (see base.html), so no inline
# styles are needed either.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF, "https://checkout.stripe.com", "https://connect.stripe.com"],
    }
}

# --- Money, payments --------------------------------------------------------------
CURRENCIES = ("EUR",)
DEFAULT_CURRENCY = "EUR"
STRIPE_SECRET_KEY = os.environ.get("STRIPE_SECRET_KEY", "")
STRIPE_WEBHOOK_SECRET = os.environ.get("STRIPE_WEBHOOK_SECRET", "")
STRIPE_API_BASE = os.environ.get("STRIPE_API_BASE", "")
# Key for encrypting per-cooperative secrets (Stripe credentials) at rest.
FIELD_ENCRYPTION_KEY = os.environ.get("FIELD_ENCRYPTION_KEY", "")

# --- Werkstation ------------------------------------------------------------------
WERKSTATION_REQUIRE_2FA = True  # not switchable: roles that need 2FA always need it
OTP_TOTP_ISSUER = "Werkstation"
PDOK_LOCATIESERVER_URL = os.environ.get("PDOK_LOCATIESERVER_URL", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "werkstation.middleware.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
LOGIN_URL_2FA_VERIFY = "/account/2fa/verify/"
# The Dutch statutory minimum hourly wage (21+), the floor of the founding rule set.
# It is indexed every 1 January and 1 July: check it then.
WERKSTATION_MINIMUM_HOURLY_WAGE_CENTS = int(
    os.environ.get("WERKSTATION_MINIMUM_HOURLY_WAGE_CENTS", "1471")
)
# The volunteer allowance maximums of the Belastingdienst (EUR 210 a month, EUR 2,100 a year in
# 2025 and 2026): the defaults of a cooperative's money settings. Check them every January.
WERKSTATION_VOLUNTEER_MONTH_MAX_CENTS = int(
    os.environ.get("WERKSTATION_VOLUNTEER_MONTH_MAX_CENTS", "21000")
)
WERKSTATION_VOLUNTEER_YEAR_MAX_CENTS = int(
    os.environ.get("WERKSTATION_VOLUNTEER_YEAR_MAX_CENTS", "210000")
)
