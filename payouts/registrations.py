"""What ``payouts`` registers with lower layers at app start."""

from members.services.cooperatives import cooperative_founding_hook_register

from . import tasks  # noqa: F401  (outbox handler and beat schedule)
from .services.rulesets import found_rule_set

cooperative_founding_hook_register(found_rule_set)

from jobs.providers import earnings_this_year_provider_register  # noqa: E402

from .services.settlement import earnings_this_year  # noqa: E402

earnings_this_year_provider_register(earnings_this_year)
