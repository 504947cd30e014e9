"""Cutting an instance into independent parts (for several workers) and merging them."""

from __future__ import annotations

import pytest

from jobs.dispatch import check, generate, parse_instance, solve
from jobs.dispatch.split import merge_parts, split_instance


def two_cities(shifts: int, members: int, seeds=(5, 6)) -> dict:
    """Two generated instances side by side, 500 km apart: at least two components."""
    first, second = (generate(shifts=shifts, members=members, seed=s) for s in seeds)
    for prefix, data, dx in (("a-", first, 0.0), ("b-", second, 500.0)):
        for member in data["members"]:
            member["id"] = prefix + member["id"]
            member["home"] = [member["home"][0] + dx, member["home"][1]]
            member["blocked"] = [prefix + s for s in member.get("blocked", [])]
            member["commitments"] = [prefix + s for s in member.get("commitments", [])]
        for shift in data["shifts"]:
            shift["id"] = prefix + shift["id"]
            shift["location"] = [shift["location"][0] + dx, shift["location"][1]]
    first["members"] += second["members"]
    first["shifts"] += second["shifts"]
    # A member nobody can use still counts in the objective (shortfall against a target).
    first["shortfall_cents_per_minute"] = max(1, first.get("shortfall_cents_per_minute", 0))
    first["members"].append(
        {"id": "nowhere", "home": [9000.0, 0.0], "windows": [[0, 60]], "target_minutes": 90}
    )
    return first


def test_parts_are_disjoint_valid_instances_covering_everyone_with_work():
    data = two_cities(120, 30)
    instance = parse_instance(data)
    split = split_instance(data, instance, parts=4)
    assert len(split.parts) >= 2
    assert len(split.parts) == len(split.pairs)
    members = [m["id"] for part in split.parts for m in part["members"]]
    shifts = [s["id"] for part in split.parts for s in part["shifts"]]
    assert len(members) == len(set(members))
    assert len(shifts) == len(set(shifts))
    assert "nowhere" not in members
    idle = [m for m in instance.members if m.id not in set(members)]
    assert split.constant == pytest.approx(
        -instance.shortfall_cents_per_minute * sum(m.target_minutes for m in idle)
    )
    assert split.constant <= -90 * instance.shortfall_cents_per_minute
    for part in split.parts:
        sub = parse_instance(part)  # blocked lists only name the part's own shifts
        assert sub.travel_speed_kmh == instance.travel_speed_kmh
        assert {m.id for m in sub.members} | {"nowhere"} <= {m.id for m in instance.members}
    # One part: everyone with work in a single instance.
    one = split_instance(data, instance, parts=1)
    assert len(one.parts) == 1
    assert sorted(m["id"] for m in one.parts[0]["members"]) == sorted(members)


def test_merged_greedy_equals_the_whole_greedy():
    data = two_cities(300, 60, seeds=(2, 3))
    instance = parse_instance(data)
    split = split_instance(data, instance, parts=3)
    merged = merge_parts(
        [solve(parse_instance(p), use_milp=False) for p in split.parts], split.constant
    )
    whole = solve(instance, use_milp=False)
    assert set(merged.pairs) == set(whole.pairs)
    assert merged.objective == pytest.approx(whole.objective, rel=1e-9)


def test_merged_optimum_is_feasible_and_equals_the_single_part_optimum():
    data = two_cities(40, 8)
    instance = parse_instance(data)
    split = split_instance(data, instance, parts=2)
    assert len(split.parts) == 2
    answers = [solve(parse_instance(p), time_limit=20) for p in split.parts]
    merged = merge_parts(answers, split.constant)
    report = check(instance, merged.pairs)
    assert report.feasible, report.violations[:5]
    assert report.objective == pytest.approx(merged.objective, abs=1e-6)
    for member in instance.members:
        for shift_id in member.commitments:
            assert (member.id, shift_id) in set(merged.pairs)
    whole = solve(instance, time_limit=20)
    assert whole.status == merged.status == "optimal"
    assert merged.objective == pytest.approx(whole.objective, rel=1e-6)
    assert merged.bound is not None
    assert merged.bound >= merged.objective - 1e-6


def test_nothing_to_split():
    data = {"travel_speed_kmh": 15, "max_home_km": 5, "members": [], "shifts": []}
    split = split_instance(data, parse_instance(data), parts=4)
    assert split.parts == []
    assert split.constant == 0
    merged = merge_parts([], split.constant)
    assert merged.pairs == ()
    assert merged.objective == 0
