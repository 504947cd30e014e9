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


def generate(*, shifts: int, members: int, seed: int) -> dict[str, Any]:
    """A deterministic instance with ``shifts`` shifts and ``members`` members."""
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
) -> None:
    """Give about one member in ten one or two confirmed shifts that can all hold."""
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
        if rng.random() >= 0.1:
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
        for j in pool[: rng.randint(1, 2) * 3]:
            shift = instance.shifts[j]
            minutes = shift.minutes + sum(instance.shifts[c].minutes for c in chosen)
            pay = shift.pay_cents + sum(instance.shifts[c].pay_cents for c in chosen)
            if (
                all(instance.compatible(shift, instance.shifts[c]) for c in chosen)
                and minutes <= raw.get("max_minutes", minutes)
                and pay <= raw.get("max_pay_cents", pay)
            ):
                chosen.append(j)
            if len(chosen) == 2:
                break
        for j in chosen:
            taken[j] += 1
        if chosen:
            raw["commitments"] = [shift_list[j]["id"] for j in chosen]
