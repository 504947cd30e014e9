"""Seeded generator of realistic dispatch instances (the contract's JSON shape).

The picture is a federation of neighbourhood cooperatives: about 100 members per
neighbourhood, neighbourhoods grouped into cities (adjacent neighbourhoods share some
members' reach), cities far apart. One week of work, mostly daytime, with evening shifts,
night shifts that run across midnight, and team shifts with many slots. Demand exceeds
what members can take, so hour and earnings caps bind; members have availability of
several kinds (office days, many short windows, nights), income targets, blocked shifts
(certificates, clients they may not work for) and commitments (already confirmed claims,
generated so that they can all hold together).

``generate(shifts=N, members=M, seed=S)`` is deterministic for a given (N, M, S).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Any

from werkstation.money import pay_for_minutes

SKILLS = ("groen", "vca", "schoonmaak", "zorg", "verhuis", "isolatie")
DAY = 24 * 60
DAYS = 7
TRAVEL_SPEED_KMH = 15
MAX_HOME_KM = 2.5
KM_COST_CENTS = 20
SHORTFALL_CENTS_PER_MINUTE = 4
MEMBERS_PER_NEIGHBOURHOOD = 100
NEIGHBOURHOOD_SPACING_KM = 4.5
CITY_SPACING_KM = 60.0


def _neighbourhoods(count: int, rng: random.Random) -> list[tuple[float, float]]:
    """Neighbourhood centres: cities of 1-8 neighbourhoods on a grid, cities far apart."""
    centres: list[tuple[float, float]] = []
    city = 0
    while len(centres) < count:
        size = min(count - len(centres), rng.randint(1, 8))
        side = math.ceil(math.sqrt(size))
        cx = (city % 10) * CITY_SPACING_KM
        cy = (city // 10) * CITY_SPACING_KM
        for k in range(size):
            jitter = rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5)
            centres.append(
                (
                    cx + (k % side) * NEIGHBOURHOOD_SPACING_KM + jitter[0],
                    cy + (k // side) * NEIGHBOURHOOD_SPACING_KM + jitter[1],
                )
            )
        city += 1
    return centres


def _around(centre: tuple[float, float], sigma: float, rng: random.Random) -> list[float]:
    return [round(centre[0] + rng.gauss(0, sigma), 3), round(centre[1] + rng.gauss(0, sigma), 3)]


def _windows(rng: random.Random) -> list[list[int]]:
    kind = rng.choices(("office", "many", "night", "weekend", "flexible"), (4, 3, 1, 1, 2))[0]
    windows: list[list[int]] = []
    for day in range(DAYS):
        base = day * DAY
        if kind == "office" and day < 5 and rng.random() < 0.8:
            start = rng.choice((7, 8, 9)) * 60
            windows.append([base + start, base + start + rng.choice((6, 8, 9, 10)) * 60])
        elif kind == "many" and rng.random() < 0.85:
            # School hours, a few hours here and there: many short windows.
            hour = rng.choice((7, 8, 9))
            for _ in range(rng.randint(2, 4)):
                length = rng.choice((2, 3, 4, 5))
                if hour + length > 23:
                    break
                windows.append([base + hour * 60, base + (hour + length) * 60])
                hour += length + rng.choice((0, 1, 1, 2))
        elif kind == "night" and rng.random() < 0.7:
            windows.append([base + 20 * 60, base + DAY + 8 * 60])  # across midnight
        elif kind == "weekend" and (day >= 5 or rng.random() < 0.2):
            windows.append([base + 7 * 60, base + 21 * 60])
        elif kind == "flexible" and rng.random() < 0.6:
            windows.append([base + 6 * 60, base + 22 * 60])
    return windows


def _shift_times(rng: random.Random) -> tuple[int, int, int]:
    """(start, end, slots) of one shift."""
    day = rng.randrange(DAYS) * DAY
    kind = rng.choices(("day", "evening", "night", "team"), (76, 10, 8, 6))[0]
    if kind == "night":
        start = day + rng.choice((21, 22, 23)) * 60
        return start, start + rng.choice((6, 7, 8)) * 60, rng.choice((1, 1, 2))
    if kind == "evening":
        start = day + rng.choice((17, 18, 19)) * 60 + rng.choice((0, 30))
        return start, start + rng.choice((2, 3, 4)) * 60, 1
    length = rng.choice((2, 2, 3, 3, 4, 4, 6, 8)) * 60
    start = day + rng.randrange(7 * 2, 17 * 2) * 30
    if kind == "team":
        return start, start + max(length, 240), rng.randint(4, 12)
    return start, start + length, rng.choices((1, 2, 3), (70, 20, 10))[0]


def generate(*, shifts: int, members: int, seed: int, family: str | None = None) -> dict[str, Any]:
    """A deterministic instance with ``shifts`` shifts and ``members`` members; with
    ``family``, one of the named families (``FAMILIES``)."""
    if family is not None:
        return generate_family(shifts=shifts, members=members, seed=seed, family=family)
    rng = random.Random(f"werkstation-dispatch-{shifts}-{members}-{seed}")
    centres = _neighbourhoods(max(1, round(members / MEMBERS_PER_NEIGHBOURHOOD)), rng)

    shift_list: list[dict[str, Any]] = []
    by_hood: list[list[int]] = [[] for _ in centres]
    for i in range(shifts):
        hood = rng.randrange(len(centres))
        start, end, slots = _shift_times(rng)
        skill = None if rng.random() < 0.35 else rng.choice(SKILLS)
        rate = rng.choice((1400, 1500, 1600, 1750, 1900, 2100, 2400))  # cents per hour
        if skill in ("zorg", "isolatie"):
            rate += 300
        if end - start > 6 * 60 and start % DAY >= 20 * 60:
            rate += 400  # night allowance
        shift_list.append(
            {
                "id": f"s{i + 1}",
                "start": start,
                "end": end,
                "location": _around(centres[hood], 1.3, rng),
                "slots": slots,
                "skill": skill,
                "pay_cents": pay_for_minutes(rate, end - start),
            }
        )
        by_hood[hood].append(i)

    member_list: list[dict[str, Any]] = []
    member_hood: list[int] = []
    for i in range(members):
        hood = rng.randrange(len(centres))
        member: dict[str, Any] = {
            "id": f"m{i + 1}",
            "home": _around(centres[hood], 1.2, rng),
            "skills": sorted(s for s in SKILLS if rng.random() < 0.35),
            "windows": _windows(rng),
        }
        if rng.random() < 0.65:
            member["max_minutes"] = rng.choice((480, 960, 1200, 1440, 1920))
        if rng.random() < 0.15:
            # What is left of a yearly earnings cap (benefits, volunteer allowance).
            member["max_pay_cents"] = rng.choice((25000, 30000, 40000, 50000, 60000))
        if rng.random() < 0.3:
            member["max_home_km"] = rng.choice((1.5, 2, 3, 4))
        if rng.random() < 0.5:
            target = rng.randrange(4, 31) * 60
            member["target_minutes"] = min(target, member.get("max_minutes", target))
        if rng.random() < 0.1 and by_hood[hood]:
            member["blocked"] = sorted(
                {shift_list[rng.choice(by_hood[hood])]["id"] for _ in range(rng.randint(1, 3))}
            )
        member_list.append(member)
        member_hood.append(hood)

    _add_commitments(member_list, member_hood, shift_list, by_hood, rng)
    return {
        "travel_speed_kmh": TRAVEL_SPEED_KMH,
        "max_home_km": MAX_HOME_KM,
        "km_cost_cents": KM_COST_CENTS,
        "shortfall_cents_per_minute": SHORTFALL_CENTS_PER_MINUTE,
        "members": member_list,
        "shifts": shift_list,
    }


def _add_commitments(
    member_list: list[dict[str, Any]],
    member_hood: list[int],
    shift_list: list[dict[str, Any]],
    by_hood: list[list[int]],
    rng: random.Random,
    *,
    share: float = 0.1,
    most: int = 2,
) -> None:
    """Give about ``share`` of the members one to ``most`` confirmed shifts that can all
    hold together."""
    from .model import parse_instance

    # Parse once (without commitments) to reuse the contract's own eligibility rules.
    instance = parse_instance(
        {
            "travel_speed_kmh": TRAVEL_SPEED_KMH,
            "max_home_km": MAX_HOME_KM,
            "members": member_list,
            "shifts": shift_list,
        }
    )
    taken = [0] * len(shift_list)
    for i, raw in enumerate(member_list):
        if rng.random() >= share:
            continue
        member = instance.members[i]
        pool = [
            j
            for j in by_hood[member_hood[i]]
            if taken[j] < shift_list[j]["slots"]
            and instance.ineligibility(member, instance.shifts[j]) is None
        ]
        rng.shuffle(pool)
        chosen: list[int] = []
        wanted = rng.randint(1, most)
        for j in pool[: wanted * 3]:
            shift = instance.shifts[j]
            minutes = shift.minutes + sum(instance.shifts[c].minutes for c in chosen)
            pay = shift.pay_cents + sum(instance.shifts[c].pay_cents for c in chosen)
            if (
                all(instance.compatible(shift, instance.shifts[c]) for c in chosen)
                and minutes <= raw.get("max_minutes", minutes)
                and pay <= raw.get("max_pay_cents", pay)
            ):
                chosen.append(j)
            if len(chosen) == most:
                break
        for j in chosen:
            taken[j] += 1
        if chosen:
            raw["commitments"] = [shift_list[j]["id"] for j in chosen]


# Named families ------------------------------------------------------------------------
#
# ``generate(..., family=NAME)`` draws a week as a real city's cooperative sees it (the
# default, ``family=None``, keeps the federation above, which older measurements use).
# The common base ("utrecht"): neighbourhoods clustered in one city, about 5 % of shifts
# at an address another shift uses too (a flat being greened), about 5 % night shifts
# across midnight (21:00-23:00 starts, 3-6 h), durations of 30 min to 8 h and starts on
# any quarter hour, 60 % single-slot shifts (else 2-8 slots), a third of the shifts
# without skill and the others over 12 skills with long-tailed popularity, availability
# of four kinds (wide 06:00-23:00 every day; school hours on weekdays; evenings and nights
# 17:00-02:00; scattered windows on about half the days), weekly caps of 8-60 h,
# commitments and unpaid (volunteer) shifts. Each family turns one dial further.

FAMILY_SKILLS = tuple(f"skill{i + 1:02d}" for i in range(12))
QUARTER = 15


@dataclass(frozen=True)
class Family:
    """The dials of a family (shares are of shifts or members)."""

    night: float = 0.05  # shifts across midnight
    single_slot: float = 0.6  # shifts with one slot (else 2-8)
    shared_address: float = 0.05  # shifts at another shift's address
    hood_sigma_km: float = 0.9  # spread of a neighbourhood's addresses
    school_days: float = 0.0  # extra share of shifts in school hours on weekdays
    availability: tuple[float, float, float, float] = (0.15, 0.15, 0.10, 0.60)
    # wide, school hours, evenings and nights, scattered
    shortfall_cents_per_minute: int = 4
    target_share: float = 0.5  # members with an income target
    commitment_share: float = 0.1  # members with commitments
    commitments_max: int = 2
    unpaid: float = 0.03  # shifts without pay


FAMILIES: dict[str, Family] = {
    "utrecht": Family(),
    # Tight neighbourhoods, many flats with several shifts at one address.
    "clustered": Family(shared_address=0.2, hood_sigma_km=0.5),
    # A night service: a fifth of the shifts across midnight, more members for nights.
    "night": Family(night=0.2, availability=(0.15, 0.1, 0.3, 0.45)),
    # Team shifts dominate: most shifts have 2-8 slots.
    "team-heavy": Family(single_slot=0.25),
    # Parents' cooperative: school-hours availability and work in school hours.
    "school-hours": Family(school_days=0.5, availability=(0.1, 0.45, 0.05, 0.4)),
    # The policy puts fairness first: the shortfall weight dominates pay (2.5 EUR an hour
    # of pay is 25-40 cents a minute; a minute short costs 60).
    "fairness-heavy": Family(shortfall_cents_per_minute=60, target_share=0.85),
    # A week already half planned: many confirmed shifts, more volunteer work.
    "commitment-heavy": Family(commitment_share=0.35, commitments_max=4, unpaid=0.1),
}


def _family_windows(kind: int, rng: random.Random) -> list[list[int]]:
    windows: list[list[int]] = []
    for day in range(DAYS):
        base = day * DAY
        if kind == 0:  # wide
            windows.append([base + 6 * 60, base + 23 * 60])
        elif kind == 1:  # school hours on weekdays
            if day < 5:
                windows.append([base + 8 * 60 + 30, base + 14 * 60 + 45])
        elif kind == 2:  # evenings and nights
            windows.append([base + 17 * 60, base + DAY + 2 * 60])
        elif rng.random() < 0.5:  # scattered
            at = base + rng.randrange(6 * 4, 16 * 4) * QUARTER
            for _ in range(rng.randint(1, 3)):
                end = at + rng.randrange(2 * 4, 7 * 4) * QUARTER
                if end > base + DAY:
                    break
                windows.append([at, end])
                at = end + rng.randrange(1 * 4, 4 * 4) * QUARTER
    return windows


def _family_shift_times(f: Family, rng: random.Random) -> tuple[int, int]:
    day = rng.randrange(DAYS)
    base = day * DAY
    if rng.random() < f.night:
        start = base + rng.randrange(21 * 4, 23 * 4 + 1) * QUARTER
        return start, start + rng.randrange(3 * 4, 6 * 4 + 1) * QUARTER
    # Durations: 30 min to 8 h on quarter hours, mostly 2-4 h.
    quarters = min(32, max(2, round(rng.lognormvariate(math.log(11), 0.55))))
    if rng.random() < f.school_days:
        day = rng.randrange(5)
        base = day * DAY
        quarters = min(quarters, 20)
        start = base + rng.randrange(8 * 4 + 2, 14 * 4 + 3 - quarters) * QUARTER
    else:
        start = base + rng.randrange(6 * 4, 22 * 4 - min(quarters, 16)) * QUARTER
    return start, start + quarters * QUARTER


def generate_family(*, shifts: int, members: int, seed: int, family: str) -> dict[str, Any]:
    """A deterministic instance of the named family (see ``FAMILIES``)."""
    f = FAMILIES[family]
    rng = random.Random(f"werkstation-dispatch-{family}-{shifts}-{members}-{seed}")
    # One city: neighbourhoods on a jittered grid 2.2 km apart (Utrecht is about 10 km
    # across); larger instances are several such cities, far apart.
    n_hoods = max(1, round(members / MEMBERS_PER_NEIGHBOURHOOD))
    centres = []
    for k in range(n_hoods):
        city, i = divmod(k, 25)
        centres.append(
            (
                (city % 10) * CITY_SPACING_KM + (i % 5) * 2.2 + rng.uniform(-0.4, 0.4),
                (city // 10) * CITY_SPACING_KM + (i // 5) * 2.2 + rng.uniform(-0.4, 0.4),
            )
        )
    popularity = [1.0 / (k + 1) ** 1.1 for k in range(len(FAMILY_SKILLS))]
    shift_list: list[dict[str, Any]] = []
    by_hood: list[list[int]] = [[] for _ in centres]
    for i in range(shifts):
        hood = rng.randrange(len(centres))
        start, end = _family_shift_times(f, rng)
        slots = 1 if rng.random() < f.single_slot else rng.randint(2, 8)
        skill = None if rng.random() < 1 / 3 else rng.choices(FAMILY_SKILLS, popularity)[0]
        if by_hood[hood] and rng.random() < f.shared_address:
            location = list(shift_list[rng.choice(by_hood[hood])]["location"])
        else:
            location = _around(centres[hood], f.hood_sigma_km, rng)
        rate = rng.choice((1400, 1500, 1600, 1750, 1900, 2100, 2400))
        if start % DAY >= 21 * 60 and end - start >= 3 * 60:
            rate += 400
        pay = 0 if rng.random() < f.unpaid else rate * (end - start) // 60
        shift_list.append(
            {
                "id": f"s{i + 1}",
                "start": start,
                "end": end,
                "location": location,
                "slots": slots,
                "skill": skill,
                "pay_cents": pay,
            }
        )
        by_hood[hood].append(i)

    member_list: list[dict[str, Any]] = []
    member_hood: list[int] = []
    for i in range(members):
        hood = rng.randrange(len(centres))
        count = min(len(FAMILY_SKILLS), int(rng.expovariate(0.6)))
        skills: set[str] = set()
        while len(skills) < count:
            skills.add(rng.choices(FAMILY_SKILLS, popularity)[0])
        kind = rng.choices(range(4), f.availability)[0]
        cap_hours = rng.randint(8, 60)
        member: dict[str, Any] = {
            "id": f"m{i + 1}",
            "home": _around(centres[hood], 0.9, rng),
            "skills": sorted(skills),
            "windows": _family_windows(kind, rng),
            "max_minutes": cap_hours * 60,
        }
        if rng.random() < 0.15:
            member["max_pay_cents"] = rng.choice((25000, 30000, 40000, 50000, 60000))
        if rng.random() < 0.3:
            member["max_home_km"] = rng.choice((1.5, 2, 3, 4))
        if rng.random() < f.target_share:
            member["target_minutes"] = min(rng.randrange(4 * 4, 40 * 4) * QUARTER, cap_hours * 60)
        if rng.random() < 0.1 and by_hood[hood]:
            member["blocked"] = sorted(
                {shift_list[rng.choice(by_hood[hood])]["id"] for _ in range(rng.randint(1, 3))}
            )
        member_list.append(member)
        member_hood.append(hood)
    header = {
        "travel_speed_kmh": TRAVEL_SPEED_KMH,
        "max_home_km": MAX_HOME_KM,
        "km_cost_cents": KM_COST_CENTS,
        "shortfall_cents_per_minute": f.shortfall_cents_per_minute,
    }
    _add_commitments(
        member_list,
        member_hood,
        shift_list,
        by_hood,
        rng,
        share=f.commitment_share,
        most=f.commitments_max,
    )
    return {**header, "members": member_list, "shifts": shift_list}
