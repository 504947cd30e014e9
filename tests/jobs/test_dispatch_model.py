"""Parsing and validation of dispatch instances (no database)."""

from __future__ import annotations

import copy

import pytest

from jobs.dispatch import InstanceError, generate, parse_instance


def base() -> dict:
    return {
        "travel_speed_kmh": 15,
        "max_home_km": 5,
        "km_cost_cents": 10,
        "shortfall_cents_per_minute": 1,
        "members": [
            {
                "id": "m1",
                "home": [0, 0],
                "skills": ["groen"],
                "windows": [[0, 600], [600, 1000], [2000, 3000]],
                "max_minutes": 600,
                "max_pay_cents": 20000,
                "target_minutes": 300,
                "blocked": ["s3"],
                "commitments": ["s1"],
            },
            {"id": "m2", "home": [1, 1]},
        ],
        "shifts": [
            {
                "id": "s1",
                "start": 60,
                "end": 180,
                "location": [1, 0],
                "slots": 1,
                "skill": "groen",
                "pay_cents": 3000,
            },
            {
                "id": "s2",
                "start": 300,
                "end": 480,
                "location": [0, 1],
                "slots": 2,
                "skill": None,
                "pay_cents": 4500,
            },
            {
                "id": "s3",
                "start": 2100,
                "end": 2200,
                "location": [0, 0],
                "slots": 1,
                "pay_cents": 0,
            },
        ],
    }


def test_parses_defaults_and_merges_windows():
    instance = parse_instance(base())
    m1, m2 = instance.members
    assert m1.windows == ((0, 1000), (2000, 3000))  # touching windows count as one
    assert m2.skills == frozenset()
    assert m2.windows == ()
    assert m2.max_minutes is None
    assert m2.target_minutes == 0
    assert m2.commitments == ()
    assert m2.blocked == frozenset()
    assert instance.radius(m2) == 5
    assert instance.shifts[2].skill is None
    data = base()
    del data["km_cost_cents"], data["shortfall_cents_per_minute"]
    data["unknown"] = {"ignored": True}
    data["shifts"][0]["extra"] = 1
    instance = parse_instance(data)
    assert instance.km_cost_cents == 0
    assert instance.shortfall_cents_per_minute == 0


def test_window_eligibility_uses_merged_windows():
    instance = parse_instance(base())
    m1 = instance.members[0]
    s = instance.shift_by_id
    assert instance.ineligibility(m1, s["s2"]) is None
    assert instance.ineligibility(m1, s["s3"]) == "blocked"


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda d: d["shifts"][1].update(end=300), "shifts[1].end: must be greater than start"),
        (lambda d: d["shifts"][1].update(end=200), "shifts[1].end: must be greater than start"),
        (lambda d: d["shifts"][0].update(slots=0), "shifts[0].slots"),
        (lambda d: d["shifts"][0].update(pay_cents=-1), "shifts[0].pay_cents"),
        (lambda d: d["shifts"][0].update(start=1.5), "shifts[0].start: must be an integer"),
        (lambda d: d["shifts"][0].update(start="60"), "shifts[0].start"),
        (lambda d: d["shifts"][0].update(slots=True), "shifts[0].slots"),
        (lambda d: d["shifts"][0].pop("location"), "shifts[0].location: is required"),
        (lambda d: d["shifts"][0].update(location=[1]), "shifts[0].location"),
        (lambda d: d["shifts"][0].update(location=[1, "x"]), "shifts[0].location[1]"),
        (lambda d: d["shifts"][0].update(id=""), "shifts[0].id"),
        (lambda d: d["shifts"][1].update(id="s1"), "shifts[1].id: duplicate id"),
        (lambda d: d["members"][1].update(id="m1"), "members[1].id: duplicate id"),
        (lambda d: d["members"][0].pop("home"), "members[0].home: is required"),
        (lambda d: d["members"][0].update(windows=[[5, 1]]), "members[0].windows[0][1]"),
        (lambda d: d["members"][0].update(windows=[[5]]), "members[0].windows[0]"),
        (lambda d: d["members"][0].update(max_minutes=-5), "members[0].max_minutes"),
        (lambda d: d["members"][0].update(max_pay_cents=1.25), "members[0].max_pay_cents"),
        (lambda d: d["members"][0].update(target_minutes="a"), "members[0].target_minutes"),
        (lambda d: d["members"][0].update(skills="groen"), "members[0].skills: must be a list"),
        (lambda d: d["members"][0].update(max_home_km=-1), "members[0].max_home_km"),
        (lambda d: d.pop("travel_speed_kmh"), "travel_speed_kmh: is required"),
        (lambda d: d.update(travel_speed_kmh=0), "travel_speed_kmh: must be greater than 0"),
        (lambda d: d.pop("max_home_km"), "max_home_km: is required"),
        (lambda d: d.update(km_cost_cents="1"), "km_cost_cents: must be a number"),
        (lambda d: d.update(members={}), "members: must be a list"),
        (lambda d: d.pop("shifts"), "shifts: is required"),
        (lambda d: d["members"].append(3), "members[2]: must be an object"),
        (lambda d: d["members"][0].update(commitments=["nope"]), "members[0].commitments[0]"),
    ],
)
def test_bad_fields_are_named(mutate, field):
    data = copy.deepcopy(base())
    mutate(data)
    with pytest.raises(InstanceError) as excinfo:
        parse_instance(data)
    assert str(excinfo.value).startswith(field)


def test_not_an_object():
    with pytest.raises(InstanceError, match="instance: must be an object"):
        parse_instance([1, 2])


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        # Overlapping commitments of one member.
        (lambda d: d["members"][0].update(commitments=["s1", "s2x"]), "overlap"),
        # Travel makes them clash: 10 km at 15 km/h is 40 minutes, only 20 available.
        (lambda d: d["members"][0].update(commitments=["s1", "s4"]), "overlap"),
        # Caps.
        (lambda d: d["members"][0].update(max_minutes=100), "max_minutes"),
        (lambda d: d["members"][0].update(max_pay_cents=100), "max_pay_cents"),
        # More committed members than slots.
        (lambda d: d["members"][1].update(commitments=["s1"]), "slots"),
    ],
)
def test_commitments_that_cannot_hold_are_a_bad_file(mutate, message):
    data = copy.deepcopy(base())
    data["shifts"].append(
        {"id": "s2x", "start": 120, "end": 240, "location": [0, 0], "slots": 1, "pay_cents": 1}
    )
    data["shifts"].append(
        {"id": "s4", "start": 200, "end": 300, "location": [11, 0], "slots": 1, "pay_cents": 1}
    )
    mutate(data)
    with pytest.raises(InstanceError, match=message):
        parse_instance(data)


def test_commitments_are_eligible_by_definition():
    data = base()
    data["members"][0]["commitments"] = ["s3"]  # blocked, yet committed: allowed
    data["members"][0]["max_home_km"] = 0.1
    parse_instance(data)


def test_generate_is_deterministic_and_valid():
    a = generate(shifts=300, members=60, seed=7)
    b = generate(shifts=300, members=60, seed=7)
    c = generate(shifts=300, members=60, seed=8)
    assert a == b
    assert a != c
    instance = parse_instance(a)
    assert len(instance.shifts) == 300
    assert len(instance.members) == 60
    assert any(m.commitments for m in instance.members)
    assert any(s.end % 1440 < s.start % 1440 for s in instance.shifts)  # across midnight
    assert max(s.slots for s in instance.shifts) >= 4  # team shifts
    assert any(len(m.windows) >= 10 for m in instance.members)
    assert any(m.max_pay_cents is not None for m in instance.members)
    assert any(m.blocked for m in instance.members)
    assert any(m.target_minutes for m in instance.members)
