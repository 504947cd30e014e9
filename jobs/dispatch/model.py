"""Plain data for the dispatcher: instances, members, shifts, and their validation.

The file contract lives in ``shared/dispatch-format.md``; this module is its only reader.
``parse_instance`` turns the JSON shape (a ``dict``) into frozen dataclasses and raises
``InstanceError`` naming the offending field (``shifts[12].end: must be greater than start``).
Everything downstream (check, stapel, solve) trusts an ``Instance`` to be valid, including
that the members' commitments can all hold together.

Geometry helpers (distance, travel time, the no-overlap test, eligibility) are defined here
once so that the checker and the optimisers agree to the last bit on what is allowed.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

TOL = 1e-6


class DispatchError(ValueError):
    """Base class of the dispatcher's input errors (a bad file: exit status 2)."""

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}" if field else message)


class InstanceError(DispatchError):
    """The instance is malformed, or its commitments cannot all hold together."""


class AssignmentError(DispatchError):
    """The assignment file is malformed (not: infeasible, which ``check`` reports)."""


def merge_windows(windows: Iterable[Sequence[int]]) -> tuple[tuple[int, int], ...]:
    """Sort windows and merge those that touch or overlap into one."""
    merged: list[list[int]] = []
    for start, end in sorted((int(a), int(b)) for a, b in windows):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((a, b) for a, b in merged)


@dataclass(frozen=True, slots=True)
class Member:
    id: str
    home: tuple[float, float]
    skills: frozenset[str] = frozenset()
    windows: tuple[tuple[int, int], ...] = ()
    max_minutes: int | None = None
    max_pay_cents: int | None = None
    max_home_km: float | None = None
    target_minutes: int = 0
    blocked: frozenset[str] = frozenset()
    commitments: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Normalise so that directly constructed members (from the database) behave the
        # same as parsed ones: merged windows, sets, de-duplicated commitments.
        object.__setattr__(self, "home", (float(self.home[0]), float(self.home[1])))
        object.__setattr__(self, "skills", frozenset(self.skills))
        object.__setattr__(self, "windows", merge_windows(self.windows))
        object.__setattr__(self, "blocked", frozenset(self.blocked))
        object.__setattr__(self, "commitments", tuple(dict.fromkeys(self.commitments)))

    def available(self, start: int, end: int) -> bool:
        """Whether [start, end] lies inside one of the (merged) windows."""
        starts = [w[0] for w in self.windows]
        i = bisect.bisect_right(starts, start + TOL) - 1
        return i >= 0 and self.windows[i][0] <= start + TOL and end <= self.windows[i][1] + TOL


@dataclass(frozen=True, slots=True)
class Shift:
    id: str
    start: int
    end: int
    location: tuple[float, float]
    slots: int = 1
    skill: str | None = None
    pay_cents: int = 0

    def __post_init__(self) -> None:
        object.__setattr__(self, "location", (float(self.location[0]), float(self.location[1])))

    @property
    def minutes(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class Instance:
    travel_speed_kmh: float
    max_home_km: float
    members: tuple[Member, ...]
    shifts: tuple[Shift, ...]
    km_cost_cents: float = 0.0
    shortfall_cents_per_minute: float = 0.0
    member_by_id: dict[str, Member] = field(init=False, repr=False, compare=False)
    shift_by_id: dict[str, Shift] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "members", tuple(self.members))
        object.__setattr__(self, "shifts", tuple(self.shifts))
        object.__setattr__(self, "member_by_id", {m.id: m for m in self.members})
        object.__setattr__(self, "shift_by_id", {s.id: s for s in self.shifts})

    @cached_property
    def shift_index(self) -> dict[str, int]:
        return {s.id: i for i, s in enumerate(self.shifts)}

    @cached_property
    def arrays(self) -> ShiftArrays:
        """The shifts as numpy arrays (computed once per instance)."""
        names = sorted({s.skill for s in self.shifts if s.skill is not None})
        code = {name: i for i, name in enumerate(names)}
        return ShiftArrays(
            start=np.array([s.start for s in self.shifts], dtype=np.float64),
            end=np.array([s.end for s in self.shifts], dtype=np.float64),
            x=np.array([s.location[0] for s in self.shifts], dtype=np.float64),
            y=np.array([s.location[1] for s in self.shifts], dtype=np.float64),
            pay=np.array([s.pay_cents for s in self.shifts], dtype=np.float64),
            skill=np.array(
                [-1 if s.skill is None else code[s.skill] for s in self.shifts], dtype=np.int64
            ),
            skill_names=tuple(names),
        )

    # -- geometry -------------------------------------------------------------------------

    def radius(self, member: Member) -> float:
        return self.max_home_km if member.max_home_km is None else member.max_home_km

    def travel(self, a: Shift, b: Shift) -> float:
        """Travel minutes between two shift locations."""
        return distance(a.location, b.location) / self.travel_speed_kmh * 60.0

    def compatible(self, a: Shift, b: Shift) -> bool:
        """Whether one member can work both shifts (no overlap, travel included)."""
        if b.start < a.start:
            a, b = b, a
        return a.end + self.travel(a, b) <= b.start + TOL

    def value(self, member: Member, shift: Shift) -> float:
        """What assigning shift to member adds, before the fairness term."""
        return shift.pay_cents - self.km_cost_cents * distance(member.home, shift.location)

    def ineligibility(self, member: Member, shift: Shift) -> str | None:
        """The first eligibility rule that member fails for shift, or None if eligible.

        Commitments are eligible by definition; callers exempt them.
        """
        if shift.skill is not None and shift.skill not in member.skills:
            return "skill"
        if not member.available(shift.start, shift.end):
            return "window"
        if distance(member.home, shift.location) > self.radius(member) + TOL:
            return "radius"
        if shift.id in member.blocked:
            return "blocked"
        return None

    def shortfall(self, member: Member, minutes: float) -> float:
        return self.shortfall_cents_per_minute * max(0.0, member.target_minutes - minutes)

    def objective(self, pairs: Iterable[tuple[str, str]]) -> float:
        """The contract's objective of a set of (member id, shift id) pairs.

        Unknown ids are skipped; a pair listed twice counts once.
        """
        minutes: dict[str, int] = {}
        total = 0.0
        for member_id, shift_id in dict.fromkeys(pairs):
            member = self.member_by_id.get(member_id)
            shift = self.shift_by_id.get(shift_id)
            if member is None or shift is None:
                continue
            total += self.value(member, shift)
            minutes[member_id] = minutes.get(member_id, 0) + shift.minutes
        for member in self.members:
            total -= self.shortfall(member, minutes.get(member.id, 0))
        return total


@dataclass(frozen=True)
class ShiftArrays:
    start: np.ndarray
    end: np.ndarray
    x: np.ndarray
    y: np.ndarray
    pay: np.ndarray
    skill: np.ndarray  # index into skill_names, -1 for anyone
    skill_names: tuple[str, ...]


def distance(p: Sequence[float], q: Sequence[float]) -> float:
    return math.hypot(p[0] - q[0], p[1] - q[1])


@dataclass(frozen=True)
class Assignment:
    """A solution: (member id, shift id) pairs and its objective."""

    pairs: tuple[tuple[str, str], ...]
    objective: float
    bound: float | None = None  # a proven upper bound on the optimum, when known
    status: str = "feasible"  # "optimal" when proven, "feasible" otherwise

    def to_json(self) -> dict[str, Any]:
        return {
            "assignments": [{"member": m, "shift": s} for m, s in self.pairs],
            "objective": round(self.objective, 3),
        }


# -- parsing ----------------------------------------------------------------------------


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(
    value: Any, path: str, *, minimum: float | None = None, positive: bool = False
) -> float:
    if not _is_number(value) or not math.isfinite(value):
        raise InstanceError(path, "must be a number")
    if positive and value <= 0:
        raise InstanceError(path, "must be greater than 0")
    if minimum is not None and value < minimum:
        raise InstanceError(path, f"must be at least {minimum:g}")
    return float(value)


def _integer(value: Any, path: str, *, minimum: int | None = None) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise InstanceError(path, "must be an integer")
    if minimum is not None and value < minimum:
        raise InstanceError(path, f"must be at least {minimum}")
    return value


def _point(value: Any, path: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise InstanceError(path, "must be a pair of numbers [x_km, y_km]")
    return (_number(value[0], f"{path}[0]"), _number(value[1], f"{path}[1]"))


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise InstanceError(path, "must be a non-empty string")
    return value


def _list(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list | tuple):
        raise InstanceError(path, "must be a list")
    return list(value)


def _object(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InstanceError(path, "must be an object")
    return value


def _required(obj: Mapping[str, Any], key: str, path: str) -> Any:
    if key not in obj:
        raise InstanceError(f"{path}.{key}" if path else key, "is required")
    return obj[key]


def _optional_int(obj: Mapping[str, Any], key: str, path: str) -> int | None:
    value = obj.get(key)
    return None if value is None else _integer(value, f"{path}.{key}", minimum=0)


def _parse_shift(raw: Any, path: str) -> Shift:
    obj = _object(raw, path)
    start = _integer(_required(obj, "start", path), f"{path}.start")
    end = _integer(_required(obj, "end", path), f"{path}.end")
    if end <= start:
        msg = f"{path}.end"
        raise InstanceError(msg, "must be greater than start")
    skill = obj.get("skill")
    if skill is not None:
        skill = _string(skill, f"{path}.skill")
    return Shift(
        id=_string(_required(obj, "id", path), f"{path}.id"),
        start=start,
        end=end,
        location=_point(_required(obj, "location", path), f"{path}.location"),
        slots=_integer(_required(obj, "slots", path), f"{path}.slots", minimum=1),
        skill=skill,
        pay_cents=_integer(_required(obj, "pay_cents", path), f"{path}.pay_cents", minimum=0),
    )


def _parse_member(raw: Any, path: str) -> Member:
    obj = _object(raw, path)
    windows = []
    for i, window in enumerate(_list(obj.get("windows", []), f"{path}.windows")):
        wpath = f"{path}.windows[{i}]"
        if not isinstance(window, list | tuple) or len(window) != 2:
            raise InstanceError(wpath, "must be a pair of integers [start_min, end_min]")
        start = _integer(window[0], f"{wpath}[0]")
        end = _integer(window[1], f"{wpath}[1]")
        if end < start:
            msg = f"{wpath}[1]"
            raise InstanceError(msg, "must not be less than the window's start")
        windows.append((start, end))
    radius = obj.get("max_home_km")
    return Member(
        id=_string(_required(obj, "id", path), f"{path}.id"),
        home=_point(_required(obj, "home", path), f"{path}.home"),
        skills=frozenset(
            _string(s, f"{path}.skills[{i}]")
            for i, s in enumerate(_list(obj.get("skills", []), f"{path}.skills"))
        ),
        windows=tuple(windows),
        max_minutes=_optional_int(obj, "max_minutes", path),
        max_pay_cents=_optional_int(obj, "max_pay_cents", path),
        max_home_km=None if radius is None else _number(radius, f"{path}.max_home_km", minimum=0),
        target_minutes=_optional_int(obj, "target_minutes", path) or 0,
        blocked=frozenset(
            _string(s, f"{path}.blocked[{i}]")
            for i, s in enumerate(_list(obj.get("blocked", []), f"{path}.blocked"))
        ),
        commitments=tuple(
            _string(s, f"{path}.commitments[{i}]")
            for i, s in enumerate(_list(obj.get("commitments", []), f"{path}.commitments"))
        ),
    )


def parse_instance(data: Any) -> Instance:
    """Validate the contract's JSON shape and build an ``Instance``.

    Raises ``InstanceError`` naming the field on the first problem found, including
    commitments that cannot all hold together.
    """
    obj = _object(data, "instance")
    raw_members = _list(_required(obj, "members", ""), "members")
    raw_shifts = _list(_required(obj, "shifts", ""), "shifts")
    shifts = [_parse_shift(raw, f"shifts[{i}]") for i, raw in enumerate(raw_shifts)]
    members = [_parse_member(raw, f"members[{i}]") for i, raw in enumerate(raw_members)]
    ids: tuple[tuple[str, list[str]], ...] = (
        ("shifts", [s.id for s in shifts]),
        ("members", [m.id for m in members]),
    )
    for kind, item_ids in ids:
        seen: set[str] = set()
        for i, item_id in enumerate(item_ids):
            if item_id in seen:
                msg = f"{kind}[{i}].id"
                raise InstanceError(msg, f"duplicate id {item_id!r}")
            seen.add(item_id)
    instance = Instance(
        travel_speed_kmh=_number(
            _required(obj, "travel_speed_kmh", ""), "travel_speed_kmh", positive=True
        ),
        max_home_km=_number(_required(obj, "max_home_km", ""), "max_home_km", minimum=0),
        km_cost_cents=_number(obj.get("km_cost_cents", 0), "km_cost_cents", minimum=0),
        shortfall_cents_per_minute=_number(
            obj.get("shortfall_cents_per_minute", 0), "shortfall_cents_per_minute", minimum=0
        ),
        members=tuple(members),
        shifts=tuple(shifts),
    )
    validate_commitments(instance)
    return instance


def validate_commitments(instance: Instance) -> None:
    """Raise ``InstanceError`` unless all members' commitments can hold together."""
    committed: dict[str, int] = {}
    index = {m.id: i for i, m in enumerate(instance.members)}
    for member in instance.members:
        path = f"members[{index[member.id]}].commitments"
        shifts = []
        for i, shift_id in enumerate(member.commitments):
            shift = instance.shift_by_id.get(shift_id)
            if shift is None:
                msg = f"{path}[{i}]"
                raise InstanceError(msg, f"unknown shift {shift_id!r}")
            shifts.append(shift)
            committed[shift_id] = committed.get(shift_id, 0) + 1
        shifts.sort(key=lambda s: (s.start, s.end))
        for a_pos, a in enumerate(shifts):
            for b in shifts[a_pos + 1 :]:
                if not instance.compatible(a, b):
                    raise InstanceError(
                        path, f"committed shifts {a.id!r} and {b.id!r} overlap (travel included)"
                    )
        minutes = sum(s.minutes for s in shifts)
        if member.max_minutes is not None and minutes > member.max_minutes + TOL:
            raise InstanceError(path, f"committed shifts take {minutes} minutes, above max_minutes")
        pay = sum(s.pay_cents for s in shifts)
        if member.max_pay_cents is not None and pay > member.max_pay_cents + TOL:
            raise InstanceError(path, f"committed shifts pay {pay} cents, above max_pay_cents")
    for i, shift in enumerate(instance.shifts):
        if committed.get(shift.id, 0) > shift.slots:
            msg = f"shifts[{i}].slots"
            raise InstanceError(
                msg,
                f"{committed[shift.id]} members are committed to {shift.id!r}"
                f" but it has {shift.slots} slots",
            )


def parse_assignment(data: Any) -> list[tuple[str, str]]:
    """The (member id, shift id) pairs of an assignment file, in file order."""
    if not isinstance(data, Mapping):
        msg = "assignment"
        raise AssignmentError(msg, "must be a JSON object")
    if "assignments" not in data:
        msg = "assignments"
        raise AssignmentError(msg, "is required")
    raw = data["assignments"]
    if not isinstance(raw, list):
        msg = "assignments"
        raise AssignmentError(msg, "must be a list")
    pairs = []
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            msg = f"assignments[{i}]"
            raise AssignmentError(msg, "must be an object")
        for key in ("member", "shift"):
            if not isinstance(item.get(key), str) or not item[key]:
                msg = f"assignments[{i}].{key}"
                raise AssignmentError(msg, "must be a non-empty string")
        pairs.append((item["member"], item["shift"]))
    return pairs
