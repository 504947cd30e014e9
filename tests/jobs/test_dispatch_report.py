"""Why a shift stayed open, and the objective in its terms (pure: ``jobs.dispatch.report``)."""

from __future__ import annotations

import pytest

from jobs.dispatch import generate, parse_instance, solve
from jobs.dispatch.report import (
    CAP,
    CAP_OR_TRAVEL,
    LEFT_OPEN,
    NO_ELIGIBLE,
    REFUSED,
    SKILL,
    TRAVEL,
    WORKING_TIME,
    open_reasons,
    part_report,
)


def _instance(members: list[dict], shifts: list[dict], **weights) -> dict:
    return {
        "travel_speed_kmh": 15,
        "max_home_km": 5,
        "km_cost_cents": weights.get("km", 10),
        "shortfall_cents_per_minute": weights.get("fair", 0),
        "members": members,
        "shifts": shifts,
    }


def _member(mid: str, **extra) -> dict:
    return {"id": mid, "home": [0, 0], "windows": [[0, 1440]], **extra}


def _shift(sid: str, start: int, end: int, **extra) -> dict:
    return {
        "id": sid,
        "start": start,
        "end": end,
        "location": [1, 0],
        "slots": 1,
        "pay_cents": 3000,
        **extra,
    }


def test_structural_reasons_tell_skill_window_working_time_and_other_refusals_apart():
    data = _instance(
        [
            _member("m1", skills=["vca"], blocked=["wt", "said_no"]),
            _member("m2", blocked=["wt", "said_no"]),
        ],
        [
            _shift("nobody_has_it", 60, 120, skill="bhv"),
            _shift("too_far", 60, 120, location=[30, 0]),
            _shift("at_night", 1500, 1560),  # outside every window
            _shift("only_m2_lacks_skill", 60, 120, skill="vca"),
            _shift("wt", 200, 260),
            _shift("said_no", 300, 360),
        ],
    )
    reasons = open_reasons(parse_instance(data), {"m1": ["wt"], "m2": ["wt"]})
    assert reasons == {
        "nobody_has_it": SKILL,
        "too_far": NO_ELIGIBLE,
        "at_night": NO_ELIGIBLE,
        "wt": WORKING_TIME,
        "said_no": REFUSED,
    }


def test_a_shift_refused_by_working_time_to_some_and_otherwise_to_others_is_refused():
    data = _instance(
        [_member("m1", blocked=["s"]), _member("m2", blocked=["s"])], [_shift("s", 60, 120)]
    )
    assert open_reasons(parse_instance(data), {"m1": ["s"]}) == {"s": REFUSED}


def test_open_slots_after_the_solve_are_cap_travel_or_left_open():
    data = _instance(
        [
            _member("capped", max_pay_cents=3500),
            _member("busy"),
        ],
        [
            _shift("held_capped", 0, 60),  # capped takes it: its room is then spent
            _shift("held_busy", 100, 200),  # busy takes it
            _shift("needs_room", 300, 360),  # only capped fits: at its cap
            _shift("overlaps", 110, 190, location=[1, 0]),  # busy works held_busy then
            _shift("costly", 500, 560, pay_cents=10, location=[4, 0]),  # travel > pay
        ],
    )
    instance = parse_instance(data)
    pairs = [("capped", "held_capped"), ("busy", "held_busy")]
    report = part_report(instance, pairs)
    # "needs_room": capped has no room, busy is free at 300: someone could take it.
    assert report["open"]["costly"] == LEFT_OPEN
    assert report["open"]["needs_room"] == LEFT_OPEN
    # With busy away, the only candidate of needs_room is at its cap.
    away = _instance(data["members"][:1], data["shifts"][:3])
    assert part_report(parse_instance(away), pairs[:1])["open"]["needs_room"] == CAP
    # overlaps: capped is at its cap, busy works an overlapping shift.
    assert report["open"]["overlaps"] == CAP_OR_TRAVEL
    only_busy = _instance(data["members"][1:], data["shifts"][1:4])
    assert part_report(parse_instance(only_busy), pairs[1:])["open"]["overlaps"] == TRAVEL
    assert "held_capped" not in report["open"]
    assert "held_busy" not in report["open"]


def test_travel_between_shifts_counts_as_overlap():
    # Two shifts 30 minutes apart, 10 km apart at 15 km/h: 40 minutes of travel.
    data = _instance(
        [_member("m", max_home_km=20)],
        [_shift("a", 0, 60), _shift("b", 90, 150, location=[11, 0])],
        km=0,
    )
    report = part_report(parse_instance(data), [("m", "a")])
    assert report["open"] == {"b": TRAVEL}


@pytest.mark.parametrize("family", [None, "team-heavy", "fairness-heavy"])
def test_the_terms_add_up_to_the_objective(family):
    kwargs = {"family": family} if family else {}
    data = generate(shifts=120, members=40, seed=7, **kwargs)
    instance = parse_instance(data)
    answer = solve(instance, time_limit=2)
    report = part_report(instance, answer.pairs)
    total = report["pay_cents"] - report["km_cents"] - report["shortfall_cents"]
    assert abs(total - answer.objective) < 0.01
    assert abs(total - instance.objective(answer.pairs)) < 0.01
    committed = sum(
        instance.shift_by_id[s].pay_cents for m in instance.members for s in m.commitments
    )
    assert report["committed_pay_cents"] == committed
    assert sum(report["minutes"].values()) == sum(
        instance.shift_by_id[s].minutes for _m, s in answer.pairs
    )
    # Every shift with an open slot that some member could take has its reason.
    taken: dict[str, int] = {}
    for _m, s in answer.pairs:
        taken[s] = taken.get(s, 0) + 1
    structural = open_reasons(instance, {})
    for shift in instance.shifts:
        if taken.get(shift.id, 0) < shift.slots:
            assert shift.id in report["open"] or shift.id in structural
