"""Feasibility check and objective recomputation of an assignment.

The checker is deliberately simple and independent of the optimisers: it re-reads every
rule of the contract from the plain data, so that it can judge their output.

Violation rules: ``unknown_member``, ``unknown_shift``, ``duplicate`` (a member twice on
one shift), ``eligibility`` (with ``reason`` skill | window | radius | blocked), ``slots``,
``overlap`` (with ``other``, the earlier shift), ``max_minutes``, ``max_pay`` and
``commitment`` (a commitment missing from the assignment).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .model import TOL, Instance, Shift

if TYPE_CHECKING:
    from collections.abc import Iterable


@dataclass(frozen=True)
class Violation:
    rule: str
    member: str | None
    shift: str | None
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"rule": self.rule, "member": self.member, "shift": self.shift, **self.detail}


@dataclass(frozen=True)
class Report:
    feasible: bool
    objective: float
    violations: tuple[Violation, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "feasible": self.feasible,
            "objective": round(self.objective, 3),
            "violations": [v.to_json() for v in self.violations],
        }


def check(instance: Instance, assignment: Iterable[tuple[str, str]]) -> Report:
    """Check (member id, shift id) pairs against every rule and recompute the objective."""
    pairs = list(assignment)
    violations: list[Violation] = []
    seen: set[tuple[str, str]] = set()
    by_member: dict[str, list[Shift]] = {}
    by_shift: dict[str, list[str]] = {}
    for member_id, shift_id in pairs:
        member = instance.member_by_id.get(member_id)
        shift = instance.shift_by_id.get(shift_id)
        if member is None:
            violations.append(Violation("unknown_member", member_id, shift_id))
            continue
        if shift is None:
            violations.append(Violation("unknown_shift", member_id, shift_id))
            continue
        if (member_id, shift_id) in seen:
            violations.append(Violation("duplicate", member_id, shift_id))
            continue
        seen.add((member_id, shift_id))
        if shift_id not in member.commitments:
            reason = instance.ineligibility(member, shift)
            if reason is not None:
                violations.append(Violation("eligibility", member_id, shift_id, {"reason": reason}))
        by_member.setdefault(member_id, []).append(shift)
        by_shift.setdefault(shift_id, []).append(member_id)

    for shift_id, member_ids in by_shift.items():
        slots = instance.shift_by_id[shift_id].slots
        for member_id in member_ids[slots:]:
            violations.append(
                Violation("slots", member_id, shift_id, {"slots": slots, "taken": len(member_ids)})
            )

    for member in instance.members:
        shifts = sorted(by_member.get(member.id, []), key=lambda s: (s.start, s.end))
        for a_pos, a in enumerate(shifts):
            for b in shifts[a_pos + 1 :]:
                if a.end + instance.travel(a, b) > b.start + TOL:
                    violations.append(Violation("overlap", member.id, b.id, {"other": a.id}))
        minutes = sum(s.minutes for s in shifts)
        if member.max_minutes is not None and minutes > member.max_minutes + TOL:
            violations.append(
                Violation(
                    "max_minutes", member.id, None, {"minutes": minutes, "max": member.max_minutes}
                )
            )
        pay = sum(s.pay_cents for s in shifts)
        if member.max_pay_cents is not None and pay > member.max_pay_cents + TOL:
            violations.append(
                Violation(
                    "max_pay", member.id, None, {"pay_cents": pay, "max": member.max_pay_cents}
                )
            )
        for shift_id in member.commitments:
            if (member.id, shift_id) not in seen:
                violations.append(Violation("commitment", member.id, shift_id))

    return Report(
        feasible=not violations,
        objective=instance.objective(seen),
        violations=tuple(violations),
    )
