"""What a dispatch answer means for the people who read it (pure: no Django).

The optimiser answers with pairs and one number. The board needs to know why a shift
stayed open and what the number is made of. Both are computed here from the instance the
optimiser solved, so the explanation is about the same facts the optimiser saw:

- ``open_reasons`` (before the solve, on the whole instance): for each shift that no
  member may take at all, why not — nobody holds the skill (``skill``); nobody with the
  skill has the shift inside their availability and radius (``no_eligible``); members fit,
  but the Working Time Act check refused every one of them (``working_time``); members
  fit, but each was refused for another reason (``refused``: they declined it before, the
  job does not allow how they work, a certificate or a client's block).
- ``part_report`` (after the solve, on one part): the objective taken apart (pay, travel
  cost, shortfall), the minutes each member got, and for each shift with an open slot
  the reason the eligible members were not given it — every one of them would pass an
  hour or pay cap (``cap``), or each who has room already works a shift that overlaps it
  with the travel between them (``travel``), or each is one or the other
  (``cap_or_travel``), or someone could have taken it and the
  optimiser left it because it costs more than it brings or a better use of the member
  existed (``left_open``); where every member who fits works it already, no other
  member is eligible (``no_eligible``).

A shift with an open slot and no eligible member in its part takes its reason from
``open_reasons``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

import numpy as np

from .model import TOL, Instance, Shift, distance

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

SKILL = "skill"
NO_ELIGIBLE = "no_eligible"
WORKING_TIME = "working_time"
REFUSED = "refused"
CAP = "cap"
TRAVEL = "travel"
CAP_OR_TRAVEL = "cap_or_travel"
LEFT_OPEN = "left_open"
REASONS = (SKILL, NO_ELIGIBLE, WORKING_TIME, REFUSED, CAP, TRAVEL, CAP_OR_TRAVEL, LEFT_OPEN)


class _Reach:
    """Which members a shift's location and skill let in, vectorised over the members."""

    def __init__(self, instance: Instance) -> None:
        members = instance.members
        self.members = members
        self.homes = np.array([m.home for m in members], dtype=np.float64).reshape(-1, 2)
        self.radii = np.array([instance.radius(m) for m in members], dtype=np.float64) + TOL
        self.skilled: dict[str, np.ndarray] = {}

    def __call__(self, shift: Shift) -> list[int]:
        ok = np.hypot(*(self.homes - shift.location).T) <= self.radii
        if shift.skill is not None:
            if shift.skill not in self.skilled:
                self.skilled[shift.skill] = np.array(
                    [shift.skill in m.skills for m in self.members], dtype=bool
                )
            ok &= self.skilled[shift.skill]
        return np.flatnonzero(ok).tolist()


def open_reasons(instance: Instance, working_time: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """For each shift without a single eligible member, the reason (see the module).

    ``working_time``: per member id, the blocked shifts that the Working Time Act check
    refused (the rest of ``blocked`` counts as other refusals). Commitments do not count
    as eligible members here: a shift held only by commitments has no one to offer it to."""
    members = instance.members
    if not members:
        return {s.id: NO_ELIGIBLE for s in instance.shifts}
    reach = _Reach(instance)
    skills_held = set().union(*(m.skills for m in members))
    by_rule = {m_id: set(keys) for m_id, keys in working_time.items()}
    reasons: dict[str, str] = {}
    for shift in instance.shifts:
        if shift.skill is not None and shift.skill not in skills_held:
            reasons[shift.id] = SKILL
            continue
        fits = wt_refused = 0
        for i in reach(shift):
            member = members[i]
            if not member.available(shift.start, shift.end) or shift.id in member.commitments:
                continue
            fits += 1
            if shift.id not in member.blocked:
                break  # someone may take it: not a structural gap
            if shift.id in by_rule.get(member.id, ()):
                wt_refused += 1
        else:
            if not fits:
                reasons[shift.id] = NO_ELIGIBLE
            elif wt_refused == fits:
                reasons[shift.id] = WORKING_TIME
            else:
                reasons[shift.id] = REFUSED
    return reasons


def part_report(instance: Instance, pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """The objective's terms, each member's minutes and the open shifts' reasons for one
    solved part (JSON, see the module). ``pay_cents - km_cents - shortfall_cents`` is the
    part's objective."""
    pairs = list(dict.fromkeys(pairs))
    committed = {(m.id, s) for m in instance.members for s in m.commitments}
    of_member: dict[str, list[str]] = defaultdict(list)
    taken: dict[str, int] = defaultdict(int)
    pay = committed_pay = km = 0.0
    minutes: dict[str, int] = defaultdict(int)
    earned: dict[str, int] = defaultdict(int)
    for member_id, shift_id in pairs:
        member = instance.member_by_id.get(member_id)
        shift = instance.shift_by_id.get(shift_id)
        if member is None or shift is None:
            continue
        of_member[member_id].append(shift_id)
        taken[shift_id] += 1
        minutes[member_id] += shift.minutes
        earned[member_id] += shift.pay_cents
        pay += shift.pay_cents
        if (member_id, shift_id) in committed:
            committed_pay += shift.pay_cents
        km += instance.km_cost_cents * distance(member.home, shift.location)
    shortfall = sum(instance.shortfall(m, minutes.get(m.id, 0)) for m in instance.members)
    return {
        "pay_cents": pay,
        "committed_pay_cents": committed_pay,
        "km_cents": km,
        "shortfall_cents": shortfall,
        "minutes": {m.id: minutes.get(m.id, 0) for m in instance.members},
        "open": _open_shift_reasons(instance, of_member, taken, minutes, earned),
    }


def _open_shift_reasons(
    instance: Instance,
    of_member: Mapping[str, list[str]],
    taken: Mapping[str, int],
    minutes: Mapping[str, int],
    earned: Mapping[str, int],
) -> dict[str, str]:
    """For each shift with an open slot that some member was eligible for, why the
    optimiser did not give it to one of them (``cap``, ``travel`` or ``left_open``)."""
    members = instance.members
    if not members:
        return {}
    reach = _Reach(instance)
    reasons: dict[str, str] = {}
    for shift in instance.shifts:
        if taken.get(shift.id, 0) >= shift.slots:
            continue
        eligible = capped = clashing = working = 0
        for i in reach(shift):
            member = members[i]
            mine = of_member.get(member.id, ())
            if shift.id in mine:
                working += 1
                continue
            if instance.ineligibility(member, shift) is not None:
                continue
            eligible += 1
            over_hours = (
                member.max_minutes is not None
                and minutes.get(member.id, 0) + shift.minutes > member.max_minutes + TOL
            )
            over_pay = (
                member.max_pay_cents is not None
                and earned.get(member.id, 0) + shift.pay_cents > member.max_pay_cents + TOL
            )
            if over_hours or over_pay:
                capped += 1
                continue
            other = instance.shift_by_id
            if any(not instance.compatible(shift, other[s]) for s in mine):
                clashing += 1
                continue
            break  # free to take it: the optimiser chose not to
        else:
            if eligible:
                reasons[shift.id] = (
                    CAP if capped == eligible else TRAVEL if not capped else CAP_OR_TRAVEL
                )
            elif working:  # every member who fits works it already
                reasons[shift.id] = NO_ELIGIBLE
            continue
        reasons[shift.id] = LEFT_OPEN
    return reasons
