"""The rules themselves, on plain data: may this member take this shift, and if not, why.

Pure: no ORM, no settings. ``sql.py`` states the same rules as SQL for the feed, with the
same arithmetic in the same order, so that a shift the feed shows is one the claim check
accepts, to the last bit (``tests/jobs/test_eligibility.py`` checks both directions on
random worlds).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from jobs.dispatch.model import TOL, merge_windows
from werkstation.geo import plane_scale

if TYPE_CHECKING:
    from datetime import date

DAY_MINUTES = 24 * 60

# Why a member may not take a shift, in the order the claim check tells them.
COOPERATIVE = "cooperative"  # not an active member of the shift's cooperative
CLOSED = "shift_closed"  # the shift or its job is not open
STARTED = "started"
SKILL = "skill_required"
CERTIFICATE = "certificate_expired"
NO_HOME = "no_home_location"
AVAILABILITY = "outside_availability"
RADIUS = "outside_radius"
CLIENT_BLOCKED = "client_blocked"
CLAIMED = "already_claimed"  # a claim on this shift that is not withdrawn or rejected
OVERLAP = "overlap"  # clashes with one of their slot-holding claims, travel included

Window = tuple[int, int]  # minutes after local midnight
Exception_ = tuple[bool, int | None, int | None]  # (available, start, end); None: all day


@dataclass(frozen=True)
class MemberFacts:
    """What a member said about their work: home, radius, cooperatives, availability and
    skills. Changes rarely, so the feed reads it from the cache (``context.member_facts``)."""

    user_id: int
    latitude: float | None
    longitude: float | None
    radius_km: float
    cooperatives: dict[int, int]  # cooperative id → travel speed (km/h), active memberships
    weekly: dict[int, tuple[Window, ...]]  # weekday → merged windows
    exceptions: dict[date, tuple[Exception_, ...]]  # dated exceptions (from a day on)
    skills: dict[int, tuple[bool, date | None]]  # skill → (needs a certificate, valid until)
    target_minutes_per_week: int = 0

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def home(self) -> tuple[float, float]:
        assert self.latitude is not None, "no home"
        assert self.longitude is not None, "no home"
        return self.latitude, self.longitude

    @cached_property
    def plane(self) -> Plane:
        """The plane around the member's home, on which the rules measure distance."""
        return Plane(*self.home)


@dataclass(frozen=True)
class Commitment:
    """A slot-holding claim of the member, with its shift's times and place."""

    shift_id: int
    start_minute: int  # minutes since the epoch
    end_minute: int
    latitude: float
    longitude: float


@dataclass(frozen=True)
class WorkContext:
    """Everything that decides what a member may take: their facts, the clients they
    blocked, the shifts they already claimed, their commitments and their earnings room."""

    facts: MemberFacts
    blocked_clients: frozenset[int] = frozenset()
    claimed: frozenset[int] = frozenset()  # shifts with a claim not withdrawn or rejected
    commitments: tuple[Commitment, ...] = ()
    earnings_cap_cents: int | None = None
    earned_cents: int = 0  # gross earned this calendar year
    # The smallest room under the member's other limits this month (volunteer maximums,
    # bijstand); None: none apply.
    other_room_cents: int | None = None

    @property
    def user_id(self) -> int:
        return self.facts.user_id

    @property
    def earnings_room_cents(self) -> int | None:
        """The smallest room left: of the yearly earnings cap, the volunteer maximums and the
        bijstand room this month (None: no limit)."""
        rooms = [] if self.other_room_cents is None else [max(0, self.other_room_cents)]
        if self.earnings_cap_cents is not None:
            rooms.append(max(0, self.earnings_cap_cents - self.earned_cents))
        return min(rooms) if rooms else None


@dataclass(frozen=True)
class ShiftFacts:
    """What the rules read of a shift (a row of ``jobs_shift``, or one a tender would bring)."""

    id: int | None  # None: not in the database (yet)
    cooperative_id: int
    client_id: int
    is_open: bool  # the shift is open and its job open or in progress
    start_minute: int  # minutes since the epoch
    end_minute: int
    local_date: date
    local_start: int  # minutes after local midnight
    local_end: int  # may pass 1440 for a night shift
    latitude: float
    longitude: float
    required_skill_id: int | None = None


# --- Distance: the dispatch contract's, on the plane around the member's home ----------


@dataclass(frozen=True)
class Plane:
    """The local plane around a member's home (``werkstation.geo.plane_scale``)."""

    latitude: float
    longitude: float
    kx: float = field(init=False)
    ky: float = field(init=False)

    def __post_init__(self) -> None:
        kx, ky = plane_scale(self.latitude)
        object.__setattr__(self, "kx", kx)
        object.__setattr__(self, "ky", ky)

    def distance2(self, lat_a: float, lon_a: float, lat_b: float, lon_b: float) -> float:
        """The squared planar distance in km² between two places. The feed's SQL computes
        ``((a.lon - b.lon) * kx) * (…) + ((a.lat - b.lat) * ky) * (…)`` the same way."""
        x = (lon_a - lon_b) * self.kx
        y = (lat_a - lat_b) * self.ky
        return x * x + y * y

    def from_home2(self, latitude: float, longitude: float) -> float:
        return self.distance2(latitude, longitude, self.latitude, self.longitude)


def distance_from_home_km(home: tuple[float, float], latitude: float, longitude: float) -> float:
    """How far a place is from a member's home, as the rules measure it."""
    return math.sqrt(Plane(*home).from_home2(latitude, longitude))


def plane_of(facts: MemberFacts) -> Plane:
    return facts.plane


def radius_bound2(radius_km: float) -> float:
    """Squared distances up to this are within ``radius_km`` (the contract's tolerance)."""
    reach = radius_km + TOL
    return reach * reach


def per_km(speed_kmh: float) -> float:
    """Travel minutes per kilometre."""
    return 60.0 / speed_kmh


def clashes(first: tuple[int, int], second: tuple[int, int], travel: float) -> bool:
    """Whether one member cannot work both spans (epoch minutes): the one that starts
    first must end, plus the travel between the places, by the other's start (the
    contract's no-overlap rule, with its tolerance)."""
    if first[0] <= second[0]:
        return (first[1] - second[0]) + travel > TOL
    return (second[1] - first[0]) + travel > TOL


# --- Availability --------------------------------------------------------------------


def day_windows(facts: MemberFacts, day: date) -> tuple[Window, ...]:
    """The member's windows on ``day`` in minutes after local midnight, merged: the
    weekly windows of that weekday, plus the day's extra availability, minus the times
    they said they are away (a whole day away leaves nothing)."""
    exceptions = facts.exceptions.get(day)
    if not exceptions:
        return facts.weekly.get(day.weekday(), ())
    spans: list[Window] = list(facts.weekly.get(day.weekday(), ()))
    away: list[Window] = []
    for available, start, end in exceptions:
        if available:
            spans.append((0 if start is None else start, DAY_MINUTES if end is None else end))
        elif start is None or end is None:
            return ()
        else:
            away.append((start, end))
    for away_start, away_end in away:
        kept: list[Window] = []
        for start, end in spans:
            if start < away_start:
                kept.append((start, min(end, away_start)))
            if end > away_end:
                kept.append((max(start, away_end), end))
        spans = [(start, end) for start, end in kept if start < end]
    return merge_windows(spans)


def available(facts: MemberFacts, shift: ShiftFacts) -> bool:
    return any(
        start <= shift.local_start and shift.local_end <= end
        for start, end in day_windows(facts, shift.local_date)
    )


def skill_refusal(facts: MemberFacts, skill_id: int | None, day: date) -> str | None:
    """No skill needed, or one the member holds with a certificate valid on ``day``."""
    if skill_id is None:
        return None
    held = facts.skills.get(skill_id)
    if held is None:
        return SKILL
    needs_certificate, valid_until = held
    if needs_certificate and (valid_until is None or day > valid_until):
        return CERTIFICATE
    return None


# --- The rule ------------------------------------------------------------------------


def clash(context: WorkContext, shift: ShiftFacts, now_minute: int) -> Commitment | None:
    """The member's slot-holding claim (on another shift, not yet ended) that ``shift``
    overlaps, travel time included at the speed of the shift's cooperative."""
    facts = context.facts
    plane = plane_of(facts)
    minutes_per_km = per_km(facts.cooperatives[shift.cooperative_id])
    for held in context.commitments:
        if held.shift_id == shift.id or held.end_minute <= now_minute:
            continue
        d2 = plane.distance2(shift.latitude, shift.longitude, held.latitude, held.longitude)
        travel = math.sqrt(d2) * minutes_per_km
        if clashes(
            (held.start_minute, held.end_minute), (shift.start_minute, shift.end_minute), travel
        ):
            return held
    return None


def refusal(
    context: WorkContext,
    shift: ShiftFacts,
    *,
    now_minute: int,
    radius_km: float | None = None,
) -> str | None:
    """Why the member may not take ``shift`` (one of the reasons above), or None.

    A full shift is not refused here: claiming it puts the member on its waitlist.
    ``radius_km`` narrows the member's own radius (the feed's distance filter).
    """
    facts = context.facts
    if shift.cooperative_id not in facts.cooperatives:
        return COOPERATIVE
    if not shift.is_open:
        return CLOSED
    if shift.start_minute <= now_minute:
        return STARTED
    reason = skill_refusal(facts, shift.required_skill_id, shift.local_date)
    if reason is not None:
        return reason
    if not facts.has_location:
        return NO_HOME
    if not available(facts, shift):
        return AVAILABILITY
    radius = facts.radius_km if radius_km is None else min(facts.radius_km, radius_km)
    if plane_of(facts).from_home2(shift.latitude, shift.longitude) > radius_bound2(radius):
        return RADIUS
    if shift.client_id in context.blocked_clients:
        return CLIENT_BLOCKED
    if shift.id is not None and shift.id in context.claimed:
        return CLAIMED
    if clash(context, shift, now_minute) is not None:
        return OVERLAP
    return None
