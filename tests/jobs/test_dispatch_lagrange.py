"""The vectorised all-members week DP of ``lagrange`` against stapel, member by member."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from jobs.dispatch import generate, parse_instance
from jobs.dispatch.lagrange import Relaxation, WeekDP
from jobs.dispatch.model import TOL
from jobs.dispatch.pairs import build_pairs
from jobs.dispatch.stapel import Problem

from .test_dispatch_stapel import random_instance


@pytest.fixture(params=["compiled", "numpy"])
def kernel(request, monkeypatch):
    """Both versions of the week DP: the compiled kernel (``make install``) and numpy."""
    from jobs.dispatch import lagrange

    if request.param == "numpy":
        monkeypatch.setattr(lagrange, "KERNEL", None)
    elif lagrange.KERNEL is None:
        pytest.skip("the compiled week DP is not built (make install)")
    return request.param


def _compare(P, n_members: int, values: np.ndarray, kernel: str) -> None:
    """WeekDP's value and week per member equal stapel's optimum of the same member
    (commitments taken out, caps and target reduced by them, earnings caps priced)."""
    dp = WeekDP(P, n_members)
    assert (dp.native is not None) == (kernel == "compiled" and dp.n > 0)
    value, week = dp.run(values)
    mpk = P.minutes_per_km
    for m in range(n_members):
        mine = np.flatnonzero(dp.pm == m)
        forced = np.flatnonzero(P.p_forced & (P.p_member == m))
        used = float((P.s_end - P.s_start)[P.p_shift[forced]].sum())
        res_cap = P.m_cap_min[m] - used
        s = dp.ps[mine]
        problem = Problem(
            P.s_start[s],
            P.s_end[s],
            P.s_x[s],
            P.s_y[s],
            values[mine],
            P.s_pay[s].astype(np.float64),
            np.zeros(len(mine), dtype=bool),
            max_minutes=None if np.isinf(res_cap) else float(res_cap),
            max_pay=None,
            target=float(dp.res_T[m]),
            weight=P.weight,
            speed=60.0 / mpk,
        )
        _, best = problem.best_path(problem.value)
        assert value[m] == pytest.approx(max(0.0, best), rel=1e-9, abs=1e-6), m
        # The traced week is a week of the member worth that value.
        chosen = mine[week[mine]]
        chosen = chosen[np.argsort(dp.start[chosen], kind="stable")]
        minutes = float((dp.end[chosen] - dp.start[chosen]).sum())
        assert minutes <= res_cap + TOL
        a, b = chosen[:-1], chosen[1:]
        travel = np.hypot(dp.x[a] - dp.x[b], dp.y[a] - dp.y[b]) * mpk
        assert (dp.end[a] + travel <= dp.start[b] + TOL).all()
        worth = values[chosen].sum() + P.weight * min(minutes, dp.res_T[m]) if len(chosen) else 0
        assert worth == pytest.approx(value[m], rel=1e-9, abs=1e-6), m


@pytest.mark.parametrize("seed", range(4))
def test_week_dp_matches_stapel_on_generated_instances(seed, kernel):
    instance = parse_instance(generate(shifts=300, members=60, seed=seed))
    P = build_pairs(instance)
    dp = WeekDP(P, len(instance.members))
    base = P.p_value[dp.free][dp.order]
    rng = np.random.default_rng(seed)
    for scale in (0.0, 0.5, 1.5):
        values = base - scale * rng.uniform(0, 1, len(base)) * np.abs(base)
        _compare(P, len(instance.members), values, kernel)


def test_week_dp_matches_stapel_on_random_members(kernel):
    # Odd durations, many windows, binding hour caps, commitments (stapel's test set).
    for seed in range(120):
        instance = parse_instance(random_instance(seed))
        P = build_pairs(instance)
        dp = WeekDP(P, len(instance.members))
        base = P.p_value[dp.free][dp.order]
        rng = np.random.default_rng(seed)
        values = base - rng.uniform(0, 1, len(base)) * np.abs(base) * (seed % 2)
        _compare(P, len(instance.members), values, kernel)


@pytest.mark.parametrize("budget", [0, 20_000, 60_000, 1e9])
def test_the_exact_table_keeps_within_its_cells_and_prices_the_widest_axes(budget, kernel):
    """Within ``exact_cells`` (the compiled DP's table is ragged, numpy's dense), the
    members priced linearly are the ones with the widest minutes axes, and a budget that
    holds every member leaves none priced."""
    instance = parse_instance(generate(shifts=300, members=40, seed=2, family="fairness-heavy"))
    P = build_pairs(instance)
    n_m = len(instance.members)
    full = WeekDP(P, n_m, exact_cells=1e12)
    dp = WeekDP(P, n_m, exact_cells=budget)
    table = dp.cells if kernel == "compiled" else dp.n * dp.K1
    assert table <= max(budget, dp.n)
    assert not full.linear.any()
    if budget >= 1e9:
        assert not dp.linear.any()
    if dp.linear.any() and (~dp.linear).any():
        assert full.K_m[dp.linear].min() >= full.K_m[~dp.linear].max()
    # Exact members never loosen the bound: at the same prices, each member's part of
    # the bound is no larger exact than priced linearly.
    exact, relaxed = Relaxation(P, n_m, exact_cells=1e12), Relaxation(P, n_m, exact_cells=budget)
    exact.evaluate()
    relaxed.evaluate()
    ours, theirs = exact.last_parts[0], relaxed.last_parts[0]
    assert (ours <= theirs + 1e-6 * np.maximum(1.0, np.abs(theirs))).all()
    assert (np.isclose(ours, theirs) | dp.linear).all()


@pytest.mark.parametrize("seed", range(3))
def test_polish_is_feasible_and_a_local_optimum(seed):
    from jobs.dispatch import check
    from jobs.dispatch.heuristics import Planner, greedy, objective_of, polish, to_assignment
    from jobs.dispatch.lagrange import WeekDP as _DP

    instance = parse_instance(generate(shifts=300, members=60, seed=seed))
    P = build_pairs(instance)
    n_m = len(instance.members)
    idx = np.arange(len(P.p_member))
    start = greedy(P, idx, priority=np.random.default_rng(seed).uniform(size=len(idx)))
    start_obj = objective_of(P, start, n_m)
    planner = Planner(P, n_m, lazy=True)
    chosen, obj = polish(P, _DP(P, n_m), planner, start, start_obj, float("inf"))
    assert obj > start_obj
    assert obj == pytest.approx(objective_of(P, chosen, n_m))
    report = check(instance, to_assignment(instance, P, np.flatnonzero(chosen), status="x").pairs)
    assert report.feasible, report.violations[:5]
    assert report.objective == pytest.approx(obj, rel=1e-9)
    # No member alone can do better (what re-planning one at a time would find).
    again = planner.best_response(chosen, list(range(len(planner.groups))), float("inf"))
    assert objective_of(P, again, n_m) <= obj + 1e-6 * abs(obj)


def _week_is_feasible(dp: WeekDP, week: np.ndarray) -> bool:
    """Each member's chosen pairs, in start order, leave room for the travel between."""
    for m in np.unique(dp.pm[week]):
        mine = np.flatnonzero(week & (dp.pm == m))
        for a, b in itertools.pairwise(mine):
            travel = np.hypot(dp.x[a] - dp.x[b], dp.y[a] - dp.y[b]) * dp.P.minutes_per_km
            if dp.end[a] + travel > dp.start[b] + TOL:
                return False
    return True


def _native_against_numpy(instance, seed: int) -> None:
    """The compiled week DP gives every member the same best value as the numpy one, and
    a week that is feasible and worth exactly that value."""
    from jobs.dispatch import lagrange

    P = build_pairs(instance)
    n_m = len(instance.members)
    # exact_cells=0: every member's minutes axis is priced, as under a short time limit.
    native = WeekDP(P, n_m, exact_cells=0)
    if not native.n:
        return  # commitments only
    assert native.native is not None
    kernel, lagrange.KERNEL = lagrange.KERNEL, None
    try:
        plain = WeekDP(P, n_m, exact_cells=0)
    finally:
        lagrange.KERNEL = kernel
    assert plain.native is None
    base = P.p_value[native.free][native.order]
    rng = np.random.default_rng(seed)
    for scale in (0.0, 0.7, 2.0):
        values = base - scale * rng.uniform(0, 1, len(base)) * np.abs(base)
        values[rng.uniform(size=len(values)) < 0.1] = -np.inf  # shifts already full
        value, week = native.run(values)
        expected, _ = plain.run(values)
        np.testing.assert_allclose(value, expected, rtol=1e-12, atol=1e-9)
        worth = np.bincount(native.pm[week], weights=values[week], minlength=n_m)
        np.testing.assert_allclose(worth, value, rtol=1e-12, atol=1e-9)
        assert _week_is_feasible(native, week)


def test_the_compiled_dp_never_reads_what_an_earlier_evaluation_left():
    """Its work arrays are reused from one evaluation to the next: garbage in them must
    not change a member's value or week."""
    from jobs.dispatch.native import KERNEL

    if KERNEL is None:
        pytest.skip("the compiled week DP is not built (make install)")
    for family in ("school-hours", "fairness-heavy"):
        instance = parse_instance(generate(shifts=400, members=80, seed=3, family=family))
        P = build_pairs(instance)
        dp = WeekDP(P, len(instance.members), exact_cells=3e4)  # some members exact
        assert dp.linear.any()
        assert (~dp.linear & (dp.K_m > 0)).any()
        values = 0.7 * P.p_value[dp.free][dp.order]
        value, week = dp.run(values)
        assert dp._work is not None
        for work in dp._work:
            work[:] = np.nan if work.dtype.kind == "f" else 12345
        again, same_week = dp.run(values)
        np.testing.assert_array_equal(again, value)
        assert (same_week == week).all()


def test_native_week_dp_is_built_in_ci():
    # make install builds it; CI must run the kernel it ships, not silently the fallback.
    import os

    from jobs.dispatch.native import KERNEL

    if os.environ.get("CI") == "true":
        assert KERNEL is not None, "jobs/dispatch/native/_weekdp.so missing: make install"


@pytest.mark.parametrize("family", ["utrecht", "night", "team-heavy", "fairness-heavy"])
def test_native_week_dp_equals_numpy_on_families(family):
    from jobs.dispatch.native import KERNEL

    if KERNEL is None:
        pytest.skip("the compiled week DP is not built (make install)")
    instance = parse_instance(generate(shifts=400, members=80, seed=3, family=family))
    _native_against_numpy(instance, 3)


def test_native_week_dp_equals_numpy_on_random_members():
    from jobs.dispatch.native import KERNEL

    if KERNEL is None:
        pytest.skip("the compiled week DP is not built (make install)")
    for seed in range(60):
        _native_against_numpy(parse_instance(random_instance(seed)), seed)


def test_a_library_built_from_another_source_is_not_used(tmp_path):
    # A library left from an older weekdp.c (make install not run after a pull) may take
    # other arguments: it must not be called; the numpy DP runs instead.
    from jobs.dispatch import native

    if native.KERNEL is None:
        pytest.skip("the compiled week DP is not built (make install)")
    changed = tmp_path / "weekdp.c"
    changed.write_text(native.SOURCE.read_text() + "\n/* another version */\n")
    assert native._load(native.LIBRARY, native.SOURCE) is not None
    assert native._load(native.LIBRARY, changed) is None


@pytest.mark.parametrize("seed", range(3))
def test_the_pools_weeks_are_the_priced_weeks_cut_back_within_every_cap(seed):
    """Under a short budget most members' hours are priced, and their priced weeks often
    break their hour or earnings cap; ``feasible_weeks`` keeps each week's pairs that fit
    (a subset of the priced week, its least valuable pairs per unit dropped), so the
    column pool gets a feasible week of every member instead of none."""
    instance = parse_instance(generate(shifts=400, members=50, seed=seed, family="fairness-heavy"))
    P = build_pairs(instance)
    n_m = len(instance.members)
    relax = Relaxation(P, n_m, exact_cells=0)
    assert relax.has_linear
    broke = 0
    for _ in range(30):
        bound, priced = relax.evaluate()
        kept = relax.feasible_weeks()
        assert not (kept & ~priced).any()
        assert (kept | ~P.p_forced).all()  # commitments stay
        minutes = np.bincount(P.p_member[kept], weights=P.s_minutes[P.p_shift[kept]], minlength=n_m)
        pay = np.bincount(P.p_member[kept], weights=P.s_pay[P.p_shift[kept]], minlength=n_m)
        assert (minutes <= P.m_cap_min + TOL).all()
        assert (pay <= P.m_cap_pay + TOL).all()
        # Only members over a cap lose pairs.
        lost = np.unique(P.p_member[priced & ~kept])
        hours = np.bincount(
            P.p_member[priced], weights=P.s_minutes[P.p_shift[priced]], minlength=n_m
        )
        euros = np.bincount(P.p_member[priced], weights=P.s_pay[P.p_shift[priced]], minlength=n_m)
        over = (hours > P.m_cap_min + TOL) | (euros > P.m_cap_pay + TOL)
        assert over[lost].all()
        broke += len(lost)
        relax.step(0.9 * bound)
    assert broke  # the case is exercised


def test_the_exact_relaxation_starts_from_the_best_prices_and_keeps_their_bound():
    """``Relaxation.exact`` swaps the linear members for exact ones where the compiled
    table fits: it starts at the best prices so far and its bound never rises above the
    bound already proven; a table that does not fit keeps the relaxation as it is."""
    from jobs.dispatch import lagrange

    if lagrange.KERNEL is None:
        pytest.skip("the compiled week DP is not built (make install)")
    instance = parse_instance(generate(shifts=400, members=50, seed=1, family="school-hours"))
    P = build_pairs(instance)
    n_m = len(instance.members)
    relax = Relaxation(P, n_m, exact_cells=0)
    for _ in range(40):
        bound, _ = relax.evaluate()
        relax.step(0.9 * bound)
    assert relax.exact(relax.dp.all_exact_cells - 1) is relax
    exact = relax.exact(relax.dp.all_exact_cells)
    assert exact is not relax
    assert not exact.has_linear
    np.testing.assert_array_equal(exact.mu, relax.best_mu)
    assert exact.best_bound == relax.best_bound
    bound, _ = exact.evaluate()
    # At the same prices the exact members' part of the bound is no larger.
    assert bound <= relax.best_bound + 1e-6 * abs(relax.best_bound)
    assert exact.best_bound == min(bound, relax.best_bound)
    assert exact.exact(1e12) is exact
