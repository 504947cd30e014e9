"""Dispatch optimiser: pure Python, no Django (see ``shared/dispatch-format.md``).

Public API::

    parse_instance(data: dict) -> Instance            # raises InstanceError naming the field
    check(instance, pairs) -> Report                  # pairs: iterable of (member id, shift id)
    stapel(instance, member_id) -> Assignment         # exact best week for one member
    solve(instance, *, time_limit=30.0) -> Assignment # all members; always feasible
    generate(shifts=N, members=M, seed=S) -> dict     # seeded instance in the contract's shape

``Assignment.to_json()`` and ``Report.to_json()`` give the contract's output shapes.
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
