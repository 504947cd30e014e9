"""Development on one machine: ``make run``.

Two-factor sign-in stays on: the demo's board, treasurer, auditor and staff have demo
authenticators with fixed secrets (README), and ``manage.py demo_code EMAIL`` prints the
current code.
"""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", default=True)
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", default=True)
