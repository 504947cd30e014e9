"""Development on one machine: ``make run``."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
# The demo logins must work without an authenticator app; set WERKSTATION_REQUIRE_2FA=1
# to try two-factor sign-in locally.
WERKSTATION_REQUIRE_2FA = env_bool("WERKSTATION_REQUIRE_2FA", False)
