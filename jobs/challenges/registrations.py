"""What the right-to-challenge app registers with ``jobs`` at app start."""

from ..services.jobs import shift_guard_register
from .services.contracts import contract_shift_guard

shift_guard_register(contract_shift_guard)

# Load the tasks so every process (web, worker, beat, tests) knows the beat schedule.
from . import tasks  # noqa: E402,F401
