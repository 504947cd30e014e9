"""The rules of ``rules.py`` as a WHERE clause over ``jobs_shift s``, for the feed.

Every fragment is a fixed string of this module and every value a parameter. Each
fragment computes what its Python rule computes, in the same order of operations, so
PostgreSQL (and SQLite) come to the same answer to the last bit: squared distances on the
plane around the member's home, compared with the same squared bound; travel minutes as
``SQRT(d²) × minutes per km``; the no-overlap test on integer epoch minutes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from jobs.models import SLOT_HOLDING

from .rules import (
    TOL,
    MemberFacts,
    Plane,
    day_windows,
    per_km,
    plane_of,
    radius_bound2,
)

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

SLOT_HOLDING_SQL = "(" + ", ".join(f"'{status}'" for status in SLOT_HOLDING) + ")"


class Sql:
    """A WHERE clause built from fixed fragments; every value travels as a parameter."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list[Any] = []

    def add(self, fragment: str, *params: Any) -> None:
        self.parts.append(fragment)
        self.params.extend(params)

    @property
    def where(self) -> str:
        return " AND ".join(f"({part})" for part in self.parts)


def distance2_sql(plane: Plane, table: str = "s") -> tuple[str, list[Any]]:
    """``Plane.from_home2`` of a shift row: its squared distance from the member's home."""
    x, y = f"(({table}.longitude - %s) * %s)", f"(({table}.latitude - %s) * %s)"
    return (
        f"{x} * {x} + {y} * {y}",
        [plane.longitude, plane.kx] * 2 + [plane.latitude, plane.ky] * 2,
    )


def _windows_sql(windows: Sequence[tuple[int, int]]) -> tuple[str, list[int]]:
    return (
        " OR ".join(["(s.local_start >= %s AND s.local_end <= %s)"] * len(windows)),
        [bound for window in windows for bound in window],
    )


def availability_sql(facts: MemberFacts, sql: Sql, *, today: date) -> bool:
    """``rules.available``: inside one of the day's windows — the weekday's, or on a
    day with exceptions, that day's own (``rules.day_windows``). False when the member
    has no window at all from today on."""
    dated = sorted(day for day in facts.exceptions if day >= today)
    options, params = [], []
    weekly, weekly_params = [], []
    for weekday, windows in sorted(facts.weekly.items()):
        fragment, values = _windows_sql(windows)
        weekly.append(f"(s.local_weekday = %s AND ({fragment}))")
        weekly_params += [weekday, *values]
    if weekly:
        if dated:
            options.append(
                "(s.local_date NOT IN (" + ", ".join(["%s"] * len(dated)) + ")"
                " AND (" + " OR ".join(weekly) + "))"
            )
            params += [*dated, *weekly_params]
        else:
            options += weekly
            params += weekly_params
    for day in dated:
        windows = day_windows(facts, day)
        if windows:
            fragment, values = _windows_sql(windows)
            options.append(f"(s.local_date = %s AND ({fragment}))")
            params += [day, *values]
    if not options:
        return False
    sql.add(" OR ".join(options), *params)
    return True


def skills_sql(facts: MemberFacts, sql: Sql) -> None:
    """``rules.skill_refusal``: no skill needed, or one held with a certificate valid
    on the day."""
    options: list[str] = ["s.required_skill_id IS NULL"]
    params: list[Any] = []
    for skill_id, (needs_certificate, valid_until) in sorted(facts.skills.items()):
        if not needs_certificate:
            options.append("s.required_skill_id = %s")
            params.append(skill_id)
        elif valid_until is not None:
            options.append("(s.required_skill_id = %s AND s.local_date <= %s)")
            params += [skill_id, valid_until]
    sql.add(" OR ".join(options), *params)


def _per_km_sql(facts: MemberFacts) -> tuple[str, list[Any]]:
    """Minutes per km at the speed of the shift's cooperative."""
    speeds = {coop_id: per_km(speed) for coop_id, speed in sorted(facts.cooperatives.items())}
    if len(set(speeds.values())) == 1:
        return "%s", [next(iter(speeds.values()))]
    return (
        "(CASE s.cooperative_id " + "WHEN %s THEN %s " * len(speeds) + "END)",
        [value for item in speeds.items() for value in item],
    )


def clash_sql(
    facts: MemberFacts, sql: Sql, *, user_id: int, now_minute: int, radius: float
) -> None:
    """``rules.clash``: no slot-holding claim of the member, on a shift not yet ended,
    that the shift overlaps with the travel between the two places.

    A shift within the radius is at most (home→claim + radius) from the claim, which
    bounds the travel time: that cheap bound (a minute wider than needed) settles most
    pairs before the exact test takes a square root."""
    plane = plane_of(facts)
    minutes_per_km, speed_params = _per_km_sql(facts)
    slowest = max(per_km(speed) for speed in facts.cooperatives.values())
    home2, home2_params = distance2_sql(plane, "cs")
    reach = f"((SQRT({home2}) + %s) * %s + 1)"
    reach_params = [*home2_params, radius, slowest]
    x = "((s.longitude - cs.longitude) * %s)"
    y = "((s.latitude - cs.latitude) * %s)"
    travel = f"SQRT({x} * {x} + {y} * {y}) * {minutes_per_km}"
    travel_params = [plane.kx, plane.kx, plane.ky, plane.ky, *speed_params]
    sql.add(
        "NOT EXISTS (SELECT 1 FROM jobs_claim c JOIN jobs_shift cs ON cs.id = c.shift_id"  # noqa: S608
        f" WHERE c.user_id = %s AND c.status IN {SLOT_HOLDING_SQL} AND cs.end_minute > %s"
        f" AND s.start_minute < cs.end_minute + {reach} AND s.end_minute + {reach} > cs.start_minute"
        " AND ((cs.start_minute <= s.start_minute"
        f" AND (cs.end_minute - s.start_minute) + {travel} > %s)"
        " OR (cs.start_minute > s.start_minute"
        f" AND (s.end_minute - cs.start_minute) + {travel} > %s)))",
        user_id,
        now_minute,
        *reach_params,
        *reach_params,
        *travel_params,
        TOL,
        *travel_params,
        TOL,
    )


def eligible_sql(
    facts: MemberFacts, sql: Sql, *, user_id: int, now_minute: int, radius: float, today: date
) -> bool:
    """Every rule of ``rules.refusal`` for one member with a home, as SQL over
    ``jobs_shift s``; ``radius`` may narrow theirs. False when the member has no
    availability at all from ``today`` on (then nothing can be shown)."""
    if not facts.cooperatives:
        sql.add("1 = 0")
    else:
        coop_ids = sorted(facts.cooperatives)
        sql.add("s.cooperative_id IN (" + ", ".join(["%s"] * len(coop_ids)) + ")", *coop_ids)
    sql.add("s.status = 'open' AND s.job_status IN ('open', 'in_progress')")
    sql.add("s.start_minute > %s", now_minute)
    skills_sql(facts, sql)
    if not availability_sql(facts, sql, today=today):
        return False
    dist2, dist2_params = distance2_sql(plane_of(facts))
    sql.add(f"{dist2} <= %s", *dist2_params, radius_bound2(radius))
    sql.add(
        "NOT EXISTS (SELECT 1 FROM jobs_job bj JOIN jobs_blockedclient b ON b.client_id = bj.client_id"
        " WHERE bj.id = s.job_id AND b.user_id = %s)",
        user_id,
    )
    sql.add(
        "NOT EXISTS (SELECT 1 FROM jobs_claim c WHERE c.shift_id = s.id AND c.user_id = %s"
        " AND c.status NOT IN ('withdrawn', 'rejected'))",
        user_id,
    )
    if facts.cooperatives:
        clash_sql(facts, sql, user_id=user_id, now_minute=now_minute, radius=radius)
    return True
