"""Stapel is exact: it matches an independent MILP (HiGHS via scipy) on random instances."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from jobs.dispatch import check, parse_instance, stapel


def random_instance(seed: int, n_max: int = 60) -> dict:
    """One member (and a decoy) facing up to ``n_max`` shifts, with binding caps."""
    rng = random.Random(seed)
    n = rng.randint(0, n_max)
    days = rng.randint(1, 4)
    shifts = []
    for i in range(n):
        start = rng.randrange(0, days * 1440 - 60, rng.choice((15, 30, 60)))
        length = rng.choice((30, 60, 90, 120, 180, 240, 360, 480, 600))
        shifts.append(
            {
                "id": f"s{i}",
                "start": start,
                "end": start + length,
                "location": [round(rng.uniform(0, 6), 2), round(rng.uniform(0, 6), 2)],
                "slots": rng.randint(1, 3),
                "skill": rng.choice((None, None, "groen", "vca")),
                "pay_cents": rng.choice((0, 1, 7)) * rng.randint(0, 40) * length // 7
                if rng.random() < 0.1
                else rng.randint(10, 45) * length,
            }
        )
    windows = []
    t = 0
    while t < days * 1440:
        length = rng.choice((120, 300, 600, 1440, 3000))
        if rng.random() < 0.75:
            windows.append([t, t + length])
        t += length + rng.choice((0, 0, 30, 60, 240))
    member = {
        "id": "m1",
        "home": [rng.uniform(0, 6), rng.uniform(0, 6)],
        "skills": rng.sample(["groen", "vca", "zorg"], rng.randint(0, 3)),
        "windows": windows,
        "max_home_km": rng.choice((2, 4, 8)),
        "blocked": [f"s{i}" for i in range(n) if rng.random() < 0.05],
    }
    if rng.random() < 0.7:
        member["max_minutes"] = rng.randrange(0, 2400, rng.choice((1, 30)))
    if rng.random() < 0.5:
        member["max_pay_cents"] = rng.randint(0, 60000)
    if rng.random() < 0.6:
        member["target_minutes"] = rng.randint(0, 2400)
    data = {
        "travel_speed_kmh": rng.choice((5, 15, 30)),
        "max_home_km": 5,
        "km_cost_cents": rng.choice((0, 10, 200)),
        "shortfall_cents_per_minute": rng.choice((0, 0.5, 5, 40)),
        "members": [member, {"id": "m2", "home": [0, 0], "commitments": []}],
        "shifts": shifts,
    }
    # Commitments that hold together (validated by parse_instance; retried if not).
    if n and rng.random() < 0.4:
        commitments = rng.sample([s["id"] for s in shifts], rng.randint(1, min(3, n)))
        member["commitments"] = commitments
        try:
            parse_instance(data)
        except ValueError:
            member["commitments"] = commitments[:1]
            try:
                parse_instance(data)
            except ValueError:
                del member["commitments"]
    return data


def reference_optimum(instance, member_id: str) -> float:
    """The optimum by a plain MILP: pairwise conflicts, caps, fairness variable."""
    member = instance.member_by_id[member_id]
    cands = [
        s
        for s in instance.shifts
        if s.id in member.commitments or instance.ineligibility(member, s) is None
    ]
    n = len(cands)
    w = instance.shortfall_cents_per_minute
    fixed = -w * member.target_minutes
    if n == 0:
        return fixed
    c = np.array([instance.value(member, s) for s in cands] + [-w])
    rows, lo, hi = [], [], []
    for i in range(n):
        for j in range(i + 1, n):
            if not instance.compatible(cands[i], cands[j]):
                r = np.zeros(n + 1)
                r[i] = r[j] = 1
                rows.append(r)
                lo.append(-np.inf)
                hi.append(1)
    minutes = np.array([s.minutes for s in cands] + [0.0])
    pay = np.array([s.pay_cents for s in cands] + [0.0])
    if member.max_minutes is not None:
        rows.append(minutes)
        lo.append(-np.inf)
        hi.append(member.max_minutes)
    if member.max_pay_cents is not None:
        rows.append(pay)
        lo.append(-np.inf)
        hi.append(member.max_pay_cents)
    r = minutes.copy()
    r[n] = 1
    rows.append(r)  # y + minutes >= target
    lo.append(member.target_minutes)
    hi.append(np.inf)
    lb = np.array([1.0 if s.id in member.commitments else 0.0 for s in cands] + [0.0])
    ub = np.array([1.0] * n + [np.inf])
    res = milp(
        -c,
        integrality=np.array([1] * n + [0]),
        bounds=Bounds(lb, ub),
        constraints=[LinearConstraint(np.array(rows), lo, hi)],
        options={"mip_rel_gap": 0, "presolve": True},
    )
    assert res.status == 0, res.message
    return -res.fun


def _assert_exact(seed: int) -> None:
    data = random_instance(seed)
    instance = parse_instance(data)
    result = stapel(instance, "m1")
    report = check(instance, result.pairs)
    assert report.feasible, (seed, report.violations)
    assert abs(report.objective - result.objective) < 1e-6 * max(1, abs(result.objective))
    best = reference_optimum(instance, "m1")
    assert result.objective == pytest.approx(best, rel=1e-7, abs=1e-5), seed


@pytest.mark.parametrize("seed", range(40))
def test_stapel_matches_milp_quick(seed):
    _assert_exact(seed)


def test_stapel_matches_milp_on_1000_instances():
    # About 10 s: below the ~20 s that would call for the ``slow`` mark.
    for seed in range(1000, 2000):
        _assert_exact(seed)


def _subset_sum_like(seed: int):
    """A week problem whose pay cap behaves like a subset sum (value equal to pay): a
    maker of fresh problems, the pay and the cap."""
    from jobs.dispatch.stapel import Problem

    rng = np.random.default_rng(seed)
    n = 14
    start = np.sort(rng.integers(0, 7 * 24 * 60, n)).astype(np.float64)
    end = start + rng.choice([60, 90, 120, 180], n)
    pay = rng.integers(20, 200, n).astype(np.float64) * 100
    cap = float(pay.sum() * 0.4)

    def problem():
        return Problem(
            start, end, np.zeros(n), np.zeros(n), pay.copy(), pay.copy(),
            np.zeros(n, dtype=bool),
            max_minutes=None, max_pay=cap, target=0.0, weight=0.0, speed=15.0,
        )  # fmt: skip

    return problem, pay, cap


@pytest.mark.parametrize("seed", range(6))
def test_the_subset_sum_fallback_finds_the_label_searchs_week(seed):
    """A pay cap with value equal to pay (the case that can need too many labels) gets the
    same best week from HiGHS (``week/exact.py``) as from the exact label search."""
    from jobs.dispatch.week.exact import subset_sum_week

    problem, pay, cap = _subset_sum_like(seed)

    exact = problem().solve()
    p = problem()
    week = subset_sum_week(p, incumbent=[])
    assert week is not None
    assert pay[p.order[week]].sum() <= cap + 1e-6
    assert p.objective(week) == pytest.approx(exact.objective)


@pytest.mark.parametrize("seed", range(6))
def test_a_week_cut_short_by_its_label_limit_still_bounds_the_best(seed):
    """With ``max_labels`` too small for the exact search, the week is the multiplier
    search's best (no better than the exact one) and its bound is the pay cap's
    Lagrangian bound: never below the exact best, which the bench's column bound relies
    on. A proved week's bound is its objective."""
    problem, _, _ = _subset_sum_like(seed)

    exact = problem().solve()
    assert exact.bound == pytest.approx(exact.objective)
    short = problem().solve(max_labels=1)
    assert short.objective <= exact.objective + 1e-6
    assert short.bound >= exact.objective - 1e-6
    assert short.bound >= short.objective
