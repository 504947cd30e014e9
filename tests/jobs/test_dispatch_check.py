"""The checker: every rule, and the objective formula (no database)."""

from __future__ import annotations

import math

import pytest

from jobs.dispatch import check, parse_instance


def instance(**overrides):
    data = {
        "travel_speed_kmh": 15,  # 1 km = 4 minutes
        "max_home_km": 5,
        "km_cost_cents": 10,
        "shortfall_cents_per_minute": 2,
        "members": [
            {
                "id": "m1",
                "home": [0, 0],
                "skills": ["groen"],
                "windows": [[0, 1440]],
                "max_minutes": 400,
                "max_pay_cents": 10000,
                "target_minutes": 300,
                "blocked": ["sb"],
            },
            {"id": "m2", "home": [3, 4], "windows": [[0, 1440]], "commitments": ["sc"]},
            {"id": "m3", "home": [0, 0], "windows": [[0, 1440]], "max_home_km": 1},
        ],
        "shifts": [
            {
                "id": "s1",
                "start": 60,
                "end": 180,
                "location": [0, 0],
                "slots": 1,
                "pay_cents": 3000,
            },
            # 4 km from s1: 16 minutes of travel, 20 available: fine.
            {
                "id": "s2",
                "start": 200,
                "end": 320,
                "location": [4, 0],
                "slots": 2,
                "pay_cents": 3600,
            },
            # 3 km from s2 (12 minutes) but only 10 minutes after it: travel clash.
            {
                "id": "s3",
                "start": 330,
                "end": 400,
                "location": [4, 3],
                "slots": 1,
                "pay_cents": 2000,
            },
            {
                "id": "sg",
                "start": 500,
                "end": 560,
                "location": [0, 0],
                "slots": 1,
                "skill": "groen",
                "pay_cents": 1000,
            },
            {
                "id": "sb",
                "start": 600,
                "end": 660,
                "location": [0, 0],
                "slots": 1,
                "pay_cents": 1000,
            },
            {
                "id": "sc",
                "start": 700,
                "end": 760,
                "location": [0, 0],
                "slots": 1,
                "pay_cents": 5000,
            },
            {
                "id": "sl",
                "start": 1400,
                "end": 1500,
                "location": [0, 0],
                "slots": 1,
                "pay_cents": 1000,
            },
            {
                "id": "sx",
                "start": 800,
                "end": 900,
                "location": [2, 0],
                "slots": 1,
                "pay_cents": 9000,
            },
        ],
    }
    data.update(overrides)
    return parse_instance(data)


def rules(report):
    return sorted((v.rule, v.member, v.shift) for v in report.violations)


def test_feasible_assignment_and_objective_formula():
    inst = instance()
    report = check(inst, [("m1", "s1"), ("m1", "s2"), ("m2", "sc"), ("m2", "s2")])
    assert report.feasible
    assert report.violations == ()
    d_m2_s2 = math.hypot(3 - 4, 4 - 0)
    expected = (
        3000
        - 0
        + 3600
        - 10 * 4
        + 5000
        - 10 * 5
        + 3600
        - 10 * d_m2_s2
        - 2 * (300 - 240)  # m1 worked 240 of a 300 minute target; m2, m3 have no target
    )
    assert report.objective == pytest.approx(expected)
    out = report.to_json()
    assert out["feasible"] is True
    assert out["violations"] == []
    assert out["objective"] == round(expected, 3)


def test_empty_assignment_misses_commitments_and_pays_shortfall():
    report = check(instance(), [])
    assert rules(report) == [("commitment", "m2", "sc")]
    assert report.objective == pytest.approx(-2 * 300)
    assert not report.feasible


def test_each_eligibility_reason():
    inst = instance()
    report = check(
        inst,
        [("m2", "sc"), ("m2", "sg"), ("m1", "sl"), ("m3", "s2"), ("m1", "sb")],
    )
    reasons = {(v.member, v.shift): v.detail.get("reason") for v in report.violations}
    assert reasons == {
        ("m2", "sg"): "skill",
        ("m1", "sl"): "window",
        ("m3", "s2"): "radius",
        ("m1", "sb"): "blocked",
    }
    assert {v.rule for v in report.violations} == {"eligibility"}


def test_slots_duplicate_unknown():
    report = check(
        instance(),
        [("m2", "sc"), ("m1", "s1"), ("m3", "s1"), ("m1", "s1"), ("mx", "s1"), ("m1", "zz")],
    )
    assert rules(report) == [
        ("duplicate", "m1", "s1"),
        ("slots", "m3", "s1"),
        ("unknown_member", "mx", "s1"),
        ("unknown_shift", "m1", "zz"),
    ]


def test_overlap_with_travel():
    report = check(instance(), [("m2", "sc"), ("m1", "s2"), ("m1", "s3")])
    assert rules(report) == [("overlap", "m1", "s3")]
    assert report.violations[0].to_json()["other"] == "s2"
    # Plain overlap, regardless of order in the file.
    report = check(instance(), [("m2", "sc"), ("m2", "s1"), ("m3", "s1")])
    assert ("overlap", "m2", "s1") not in rules(report)


def test_caps():
    inst = instance()
    report = check(inst, [("m2", "sc"), ("m1", "s1"), ("m1", "s2"), ("m1", "s3"), ("m1", "sx")])
    assert ("max_minutes", "m1", None) in rules(report)
    assert ("max_pay", "m1", None) in rules(report)


def test_commitment_may_be_ineligible_and_counts_toward_caps():
    inst = instance()
    data_report = check(inst, [("m2", "sc")])
    assert data_report.feasible  # m2 lacks no skill here, and sc is committed anyway


def test_tolerance_allows_exact_touching():
    inst = instance()
    # s1 ends at 180, travel 0 to a shift at the same place starting at 180 is fine.
    data = {
        "travel_speed_kmh": 15,
        "max_home_km": 5,
        "members": [{"id": "m", "home": [0, 0], "windows": [[0, 500]]}],
        "shifts": [
            {"id": "a", "start": 0, "end": 100, "location": [0, 0], "slots": 1, "pay_cents": 1},
            {"id": "b", "start": 100, "end": 200, "location": [0, 0], "slots": 1, "pay_cents": 1},
            {"id": "c", "start": 204, "end": 300, "location": [1, 0], "slots": 1, "pay_cents": 1},
        ],
    }
    assert check(parse_instance(data), [("m", "a"), ("m", "b"), ("m", "c")]).feasible
    assert inst is not None
