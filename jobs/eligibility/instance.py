"""The one builder of dispatch instances (``shared/dispatch-format.md``) from work contexts.

Dispatch (the cooperative's run), plan my week (one member) and the tender capacity
check (shifts a contract would bring) all describe members the same way:

* ``home`` and every shift's ``location`` projected onto one plane (around the first
  member's home); ``max_home_km`` the member's radius;
* ``skills`` the skills they hold; ``windows`` their availability over the days, dated
  exceptions applied, minus the time their claims outside the instance take;
* ``commitments`` their slot-holding claims on the instance's shifts;
* ``max_pay_cents`` what is left of their yearly earnings cap;
* ``blocked`` the shifts the caller names (e.g. offers they declined) and every shift
  the dispatcher would otherwise let them take but ``rules.refusal`` refuses: a
  certificate not valid on the day, a blocked client, a claim already there, a clash
  with a claim outside the instance, or the edge of the radius, which the rules measure
  on the plane around the member's own home.

So the dispatcher proposes only what the claim check accepts. (The converse can fail
only at the edges: a shift the rules allow a few centimetres inside the radius may lie
just outside it on the instance's shared plane.)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import numpy as np

from jobs.dispatch.model import TOL, merge_windows
from werkstation.geo import project_km

from .context import epoch_minute, horizon_of, local_minute_at
from .rules import MemberFacts, ShiftFacts, WorkContext, day_windows, refusal

# Half the dispatcher's tolerance: what this builder keeps together the contract's check keeps.
COMMITMENT_TOL = TOL / 2

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping, Sequence

DEFAULT_ORIGIN = (52.09, 5.12)  # a plane needs an origin even without members
DEFAULT_RADIUS_KM = 5


@dataclass(frozen=True)
class InstanceShift:
    """A shift of the instance: its id there, what the rules read, its free slots and pay."""

    key: str
    facts: ShiftFacts
    slots: int
    pay_cents: int


@dataclass(frozen=True)
class DispatchWeights:
    travel_speed_kmh: float
    km_cost_cents: float = 0
    shortfall_cents_per_minute: float = 0


def skill_key(skill_id: int | None) -> str | None:
    return None if skill_id is None else f"skill-{skill_id}"


def member_windows(
    facts: MemberFacts, first_day: date, days: int, horizon_minute: int
) -> list[list[int]]:
    """The member's windows day by day (``rules.day_windows``), in minutes from the
    horizon (local midnight of ``first_day``)."""
    windows = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for start, end in day_windows(facts, day):
            windows.append(
                [
                    epoch_minute(local_minute_at(day, start)) - horizon_minute,
                    epoch_minute(local_minute_at(day, end)) - horizon_minute,
                ]
            )
    return windows


def subtract(windows: list[list[int]], busy: list[tuple[int, int]]) -> list[list[int]]:
    """The parts of ``windows`` outside the ``busy`` spans."""
    result = []
    for start, end in windows:
        pieces = [(start, end)]
        for b_start, b_end in busy:
            next_pieces = []
            for p_start, p_end in pieces:
                if b_end <= p_start or b_start >= p_end:
                    next_pieces.append((p_start, p_end))
                    continue
                if p_start < b_start:
                    next_pieces.append((p_start, b_start))
                if b_end < p_end:
                    next_pieces.append((b_end, p_end))
            pieces = next_pieces
        result.extend([list(p) for p in pieces if p[1] > p[0]])
    return result


def dispatch_instance(
    *,
    contexts: Sequence[WorkContext],
    shifts: Sequence[InstanceShift],
    first_day: date,
    days: int,
    weights: DispatchWeights,
    now_minute: int,
    refused: Mapping[int, Collection[str]] | None = None,
    targets: Mapping[int, int] | None = None,
    max_minutes: Mapping[int, int] | None = None,
) -> dict[str, Any]:
    """The instance for ``contexts`` (members, ids ``str(user_id)``) and ``shifts`` over
    ``days`` days from ``first_day``. Members without a home are left out, and so are
    members with neither a window nor a commitment. ``refused``: shifts a member may not
    be given besides what the rules refuse; ``targets`` and ``max_minutes``: the
    contract's per-member target and hour cap, where the caller has them."""
    refused, targets, max_minutes = refused or {}, targets or {}, max_minutes or {}
    horizon_minute = epoch_minute(horizon_of(first_day))
    placed = [c for c in contexts if c.facts.has_location]
    origin = placed[0].facts.home if placed else DEFAULT_ORIGIN
    keys = {s.facts.id: s.key for s in shifts if s.facts.id is not None}
    instance_shifts: list[dict[str, Any]] = [
        {
            "id": s.key,
            "start": s.facts.start_minute - horizon_minute,
            "end": s.facts.end_minute - horizon_minute,
            "location": list(project_km(s.facts.latitude, s.facts.longitude, origin)),
            "slots": s.slots,
            "skill": skill_key(s.facts.required_skill_id),
            "pay_cents": s.pay_cents,
        }
        for s in shifts
    ]
    by_key = {s["id"]: s for s in instance_shifts}
    held_outside: dict[str, int] = {}  # slots held by commitments the instance cannot carry
    members = []
    for context in placed:
        facts = context.facts
        committed, clashing = _holding_together(
            list(
                dict.fromkeys(keys[c.shift_id] for c in context.commitments if c.shift_id in keys)
            ),
            by_key,
            weights.travel_speed_kmh,
        )
        busy = [
            (c.start_minute - horizon_minute, c.end_minute - horizon_minute)
            for c in context.commitments
            if c.shift_id not in keys and c.end_minute > now_minute
        ]
        for key in clashing:
            busy.append((by_key[key]["start"], by_key[key]["end"]))
            held_outside[key] = held_outside.get(key, 0) + 1
        windows = subtract(member_windows(facts, first_day, days, horizon_minute), busy)
        if not windows and not committed:
            continue
        member: dict[str, Any] = {
            "id": str(facts.user_id),
            "home": list(project_km(*facts.home, origin)),
            "skills": [skill_key(skill_id) for skill_id in facts.skills],
            "windows": windows,
            "max_home_km": facts.radius_km,
            "blocked": list(dict.fromkeys([*refused.get(facts.user_id, ()), *clashing])),
            "commitments": committed,
            "target_minutes": targets.get(facts.user_id, 0),
        }
        # Caps never below what the member already holds: a claim beyond a limit is allowed
        # after a warning, and the contract refuses commitments above a cap. At the cap the
        # member is given nothing more (the benefit room already counts these claims, so a
        # member near it is treated cautiously, not given more).
        held_minutes = sum(by_key[k]["end"] - by_key[k]["start"] for k in committed)
        held_pay = sum(by_key[k]["pay_cents"] for k in committed)
        if facts.user_id in max_minutes:
            member["max_minutes"] = max(max_minutes[facts.user_id], held_minutes)
        if context.earnings_room_cents is not None:
            member["max_pay_cents"] = max(context.earnings_room_cents, held_pay)
        members.append(member)
    _block_refusals(members, instance_shifts, shifts, contexts, now_minute)
    if held_outside:
        instance_shifts = _without_held_slots(members, instance_shifts, held_outside)
    return {
        "travel_speed_kmh": weights.travel_speed_kmh,
        "max_home_km": DEFAULT_RADIUS_KM,
        "km_cost_cents": weights.km_cost_cents,
        "shortfall_cents_per_minute": weights.shortfall_cents_per_minute,
        "members": members,
        "shifts": instance_shifts,
    }


def _holding_together(
    committed: list[str], by_key: Mapping[str, dict[str, Any]], speed_kmh: float
) -> tuple[list[str], list[str]]:
    """A member's commitments split into those that hold together (in start order, each
    reachable from the earlier ones with travel, as the dispatcher measures it) and those
    that clash. Claims that were fine when made can clash later (the board lowered the
    travel speed, a job moved); the clashing claims stay the member's, outside the instance."""
    kept: list[dict[str, Any]] = []
    clashing: list[str] = []
    for key in sorted(committed, key=lambda k: (by_key[k]["start"], by_key[k]["end"])):
        shift = by_key[key]
        if all(
            earlier["end"] + math.dist(earlier["location"], shift["location"]) / speed_kmh * 60.0
            <= shift["start"] + COMMITMENT_TOL
            for earlier in kept
        ):
            kept.append(shift)
        else:
            clashing.append(key)
    keep = {s["id"] for s in kept}
    return [k for k in committed if k in keep], clashing


def _without_held_slots(
    members: list[dict[str, Any]],
    instance_shifts: list[dict[str, Any]],
    held_outside: Mapping[str, int],
) -> list[dict[str, Any]]:
    """The shifts with the slots of clashing commitments taken off (those slots stay held);
    a shift left without a slot leaves the instance (no commitment can name it then)."""
    kept = []
    for shift in instance_shifts:
        slots = shift["slots"] - held_outside.get(shift["id"], 0)
        if slots >= 1:
            kept.append({**shift, "slots": slots})
    gone = {s["id"] for s in instance_shifts} - {s["id"] for s in kept}
    if gone:
        for member in members:
            member["blocked"] = [k for k in member["blocked"] if k not in gone]
    return kept


def _block_refusals(
    members: list[dict[str, Any]],
    instance_shifts: list[dict[str, Any]],
    shifts: Sequence[InstanceShift],
    contexts: Sequence[WorkContext],
    now_minute: int,
) -> None:
    """Add to each member's ``blocked`` the shifts the rules refuse among those the
    dispatcher could give them: within their radius on the instance's plane and inside
    one of their windows, computed as the dispatcher computes them (a hair wider), with
    a skill they hold or none. Commitments stay."""
    if not instance_shifts:
        return
    by_user = {c.facts.user_id: c for c in contexts}
    locations = np.array([s["location"] for s in instance_shifts], dtype=np.float64)
    starts = np.array([s["start"] for s in instance_shifts], dtype=np.float64)
    ends = np.array([s["end"] for s in instance_shifts], dtype=np.float64)
    for member in members:
        context = by_user[int(member["id"])]
        home = member["home"]
        distance = np.hypot(locations[:, 0] - home[0], locations[:, 1] - home[1])
        possible = distance <= member["max_home_km"] + 2 * TOL
        windows = merge_windows(member["windows"])
        if windows:
            w_start = np.array([w[0] for w in windows], dtype=np.float64)
            w_end = np.array([w[1] for w in windows], dtype=np.float64)
            window = np.searchsorted(w_start, starts + 2 * TOL, side="right") - 1
            possible &= (window >= 0) & (ends <= w_end[np.maximum(window, 0)] + 2 * TOL)
        else:
            possible[:] = False
        keep = set(member["commitments"]) | set(member["blocked"])
        skills = set(member["skills"])
        for index in np.flatnonzero(possible).tolist():
            shift = shifts[index]
            skill = instance_shifts[index]["skill"]
            if shift.key in keep or (skill is not None and skill not in skills):
                continue  # committed, blocked already, or refused by the dispatcher itself
            if refusal(context, shift.facts, now_minute=now_minute):
                member["blocked"].append(shift.key)
