"""What ``payouts`` registers with lower layers at app start."""

from members.services.cooperatives import cooperative_founding_hook_register

from . import tasks  # noqa: F401  (outbox handler and beat schedule)
from .services.rulesets import found_rule_set

cooperative_founding_hook_register(found_rule_set)
