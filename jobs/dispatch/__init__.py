"""Dispatch optimiser: pure Python, no Django (file contract: ``shared/dispatch-format.md``,
design and measurements: ``docs/dispatch.md``).

Public API::

    parse_instance(data: dict) -> Instance        # raises InstanceError naming the field
    check(instance, pairs) -> Report              # pairs: iterable of (member id, shift id)
    stapel(instance, member_id: str) -> Assignment  # exact best week of one member
    solve(instance, *, time_limit: float = 30.0, workers: int = 1) -> Assignment
                                                  # all members; always feasible
    generate(*, shifts: int, members: int, seed: int) -> dict  # contract-shaped instance

``Assignment`` has ``pairs``, ``objective``, ``bound`` (proven upper bound or None) and
``status``; ``Assignment.to_json()`` and ``Report.to_json()`` give the contract's output.
``solve(workers=N > 1)`` forks N processes: use it in workers (Celery), not in web
requests or threads.
"""

from .check import Report, Violation, check
from .generate import generate
from .model import (
    Assignment,
    AssignmentError,
    DispatchError,
    Instance,
    InstanceError,
    Member,
    Shift,
    parse_assignment,
    parse_instance,
)
from .solve import solve
from .stapel import stapel

__all__ = [
    "Assignment",
    "AssignmentError",
    "DispatchError",
    "Instance",
    "InstanceError",
    "Member",
    "Report",
    "Shift",
    "Violation",
    "check",
    "generate",
    "parse_assignment",
    "parse_instance",
    "solve",
    "stapel",
]
