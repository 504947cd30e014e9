"""The restricted master: the weeks met so far, combined by HiGHS."""

from __future__ import annotations

import time

import numpy as np
import pytest

from jobs.dispatch import check, generate, parse_instance
from jobs.dispatch.heuristics import greedy, objective_of
from jobs.dispatch.lagrange import Relaxation
from jobs.dispatch.master import ColumnPool, _dive, best_of_each
from jobs.dispatch.milp import build_model, load_highs, solve_highs
from jobs.dispatch.pairs import build_pairs


@pytest.fixture(scope="module")
def small():
    instance = parse_instance(generate(shifts=80, members=16, seed=5))
    return instance, build_pairs(instance)


def pairs_of(instance, P, mask):
    return [
        (instance.members[m].id, instance.shifts[s].id)
        for m, s in zip(P.p_member[mask], P.p_shift[mask], strict=True)
    ]


def members_with_weeks(P, mask):
    return set(P.p_member[mask & ~P.p_forced].tolist())


def test_pool_keeps_each_distinct_week_once_and_finds_them_again(small):
    _, P = small
    n_m = len(P.m_target)
    mask = greedy(P, np.arange(len(P.p_member)))
    pool = ColumnPool(P, n_m)
    pool.add(mask)
    assert len(pool) == len(members_with_weeks(P, mask))
    pool.add(mask)
    assert len(pool) == len(members_with_weeks(P, mask))
    cols = pool.columns_of(mask)
    rebuilt = P.p_forced.copy()
    for j in cols.tolist():
        rebuilt[pool.pairs[j]] = True
    assert (rebuilt == mask).all()


def test_a_full_pool_drops_its_oldest_weeks_and_still_finds_the_rest(small):
    """Over its cap the pool drops its oldest columns (until a quarter of the room is
    free), keeps the newest, and finds every week it still holds under its new index."""
    _, P = small
    n_m = len(P.m_target)
    relax = Relaxation(P, n_m)
    weeks = []
    for _ in range(12):
        weeks.append(relax.evaluate()[1])
        relax.step(0.9 * relax.best_bound)
    everything = ColumnPool(P, n_m)
    for mask in weeks:
        everything.add(mask)
    cap = len(everything) // 2
    pool = ColumnPool(P, n_m, max_columns=cap)
    for mask in weeks:
        pool.trim()
        pool.add(mask)
    assert len(pool) <= cap + n_m
    # Trimmed before each addition, the pool holds the last evaluation's weeks, whole.
    cols = pool.columns_of(weeks[-1])
    rebuilt = P.p_forced.copy()
    for j in cols.tolist():
        rebuilt[pool.pairs[j]] = True
    assert (rebuilt == weeks[-1]).all()
    pool.trim()
    assert len(pool) == (3 * cap) // 4
    # Each column kept is one of the weeks met, found again under its new index.
    for j, (m, pairs) in enumerate(zip(pool.member, pool.pairs, strict=True)):
        fingerprint = int(pool.key[pairs].sum(dtype=np.uint64))
        assert pool.known[(m, fingerprint)] == j
        assert (m, fingerprint) in everything.known
    assert len(pool.known) == len(pool)


def test_pool_leaves_out_weeks_over_the_earnings_cap(small):
    _, P = small
    n_m = len(P.m_target)
    mask = greedy(P, np.arange(len(P.p_member)))
    member = sorted(members_with_weeks(P, mask))[0]
    pay = P.s_pay[P.p_shift[mask & (P.p_member == member)]].sum()
    capped = build_pairs(small[0])
    capped.m_cap_pay = capped.m_cap_pay.astype(np.float64).copy()
    capped.m_cap_pay[member] = pay - 1
    pool = ColumnPool(capped, n_m)
    pool.add(mask)
    assert member not in pool.member
    assert len(pool) == len(members_with_weeks(P, mask)) - 1


def test_master_combines_weeks_from_different_answers_into_the_optimum(small):
    """The optimum's weeks arrive split over two partial answers, next to the greedy
    answer; neither holds the optimum, the master puts it together."""
    instance, P = small
    n_m = len(P.m_target)
    idx = np.arange(len(P.p_member))
    model = build_model(P, idx)
    x, _, _, status = solve_highs(model, time_limit=60, mip_rel_gap=0)
    assert status == "Optimal"
    optimum = x[: model.n_x] > 0.5
    best = objective_of(P, optimum, n_m)
    start = greedy(P, idx)
    assert objective_of(P, start, n_m) < best - 1
    members = sorted(members_with_weeks(P, optimum))
    halves = [np.isin(P.p_member, members[0::2]), np.isin(P.p_member, members[1::2])]
    pool = ColumnPool(P, n_m)
    for half in halves:
        part = optimum & (half | P.p_forced)
        assert objective_of(P, part, n_m) < best - 1
        pool.add(part)
    combined = pool.solve(start, time.monotonic() + 30)
    report = check(instance, pairs_of(instance, P, combined))
    assert report.feasible, report.violations[:5]
    assert report.objective == pytest.approx(best, rel=1e-9)


def _greedy_and_priced_weeks(P, evaluations: int, target=None):
    """The greedy answer and a pool of the priced weeks of a few price iterations
    (Polyak steps towards ``target``, by default 0.9 of the bound)."""
    n_m = len(P.m_target)
    start = greedy(P, np.arange(len(P.p_member)))
    pool = ColumnPool(P, n_m)
    relax = Relaxation(P, n_m)
    for _ in range(evaluations):
        pool.add(relax.evaluate()[1])
        relax.step(0.9 * relax.best_bound if target is None else target)
    return start, pool


@pytest.mark.parametrize("near", [0, 2])
def test_master_never_returns_worse_than_the_incumbent(small, near):
    instance, P = small
    n_m = len(P.m_target)
    start, pool = _greedy_and_priced_weeks(P, 5)  # far from converged prices
    combined = pool.solve(start, time.monotonic() + 30, near=near)
    report = check(instance, pairs_of(instance, P, combined))
    assert report.feasible, report.violations[:5]
    assert report.objective >= objective_of(P, start, n_m) - 1e-6


def test_best_of_each_keeps_every_owners_highest_scores():
    """Each member's best columns (by price, or by the LP's reduced cost), however the
    columns are ordered; a member with fewer columns keeps them all."""
    owner = np.array([2, 0, 2, 1, 0, 2, 0])
    score = np.array([5.0, 1.0, 7.0, 3.0, 4.0, 6.0, 2.0])
    assert best_of_each(owner, score, 2).tolist() == [2, 3, 4, 5, 6]
    assert best_of_each(owner, score, 1).tolist() == [2, 3, 4]
    assert best_of_each(owner, score, 5).tolist() == list(range(7))


def odd_cycles(cycles):
    """``cycles`` odd cycles: three members, three one-slot shifts, each member's one
    week takes two of them; one week per cycle is the optimum. Its LP puts every week at
    one half."""
    from jobs.dispatch.matrix import Matrix
    from jobs.dispatch.milp import Model

    rows, cols = [], []
    for c in range(cycles):
        for k in range(3):  # member row, then two of the cycle's three shifts
            j = 3 * c + k
            rows += [j, 3 * cycles + 3 * c + k, 3 * cycles + 3 * c + (k + 1) % 3]
            cols += [j, j, j]
    n = 3 * cycles
    # Three entries per column, in column order: a matrix by columns as it stands.
    A = Matrix(np.arange(0, len(rows) + 1, 3), np.array(rows), np.ones(len(rows)), (6 * cycles, n))
    return Model(
        c=np.ones(n),
        A=A,
        row_lo=np.full(6 * cycles, -np.inf),
        row_hi=np.ones(6 * cycles),
        lb=np.zeros(n),
        ub=np.ones(n),
        integrality=np.ones(n, dtype=np.int8),
        n_x=n,
        constant=0.0,
    )


def test_dive_keeps_every_slot():
    """Diving fixes several weeks at a time, so it must check that a week's rows still
    have room (else it would give two weeks the same slot)."""
    cycles = 30
    model = odd_cycles(cycles)
    A = model.A
    h = load_highs(model, time_limit=30, relax=True)
    h.run()
    assert np.allclose(h.getSolution().col_value, 0.5)
    x = np.array(h.getSolution().col_value)
    for by_value in (False, True):  # the bounds are restored: the same LP dives again
        fixed = _dive(h, model, x, time.monotonic() + 30, share=0.1, by_value=by_value)
        assert fixed is not None
        used = A.scipy()[:, fixed] @ np.ones(len(fixed))
        assert (used <= 1 + 1e-9).all()
        assert len(fixed) == cycles


def test_a_dive_after_a_long_lp_still_dives():
    """HiGHS's time limit counts a Highs object's run time over all its runs: a dive
    that gave its re-solves only the time left stopped at once, as out of time, once the
    LP before it had taken longer than that (the masters' dives then found nothing)."""
    model = odd_cycles(30)
    h = load_highs(model, time_limit=30, relax=True)
    while h.getRunTime() < 0.5:  # the master's LP, as if it had taken half a second
        h.clearSolver()
        h.run()
    x = np.array(h.getSolution().col_value)
    fixed = _dive(h, model, x, time.monotonic() + 0.3, share=0.1, by_value=False)
    assert fixed is not None
    assert len(fixed) == 30


def test_master_by_region_keeps_the_others_weeks_and_never_loses(small):
    """A region's master changes only its members' weeks, within the slots the others
    leave, and its answer is feasible and at least as good as the weeks it started from."""
    instance, P = small
    n_m = len(P.m_target)
    start = greedy(P, np.arange(len(P.p_member)))
    start, pool = _greedy_and_priced_weeks(P, 20, objective_of(P, start, n_m))
    region = np.arange(0, n_m, 2)
    combined = pool.solve(start, time.monotonic() + 30, members=region)
    assert combined is not None
    report = check(instance, pairs_of(instance, P, combined))
    assert report.feasible, report.violations[:5]
    assert report.objective >= objective_of(P, start, n_m) - 1e-6
    others = ~np.isin(P.p_member, region)
    assert (combined[others] == start[others]).all()
    # The whole pool for everyone can only do better than a region of it.
    everyone = pool.solve(start, time.monotonic() + 30)
    assert objective_of(P, everyone, n_m) >= report.objective - 1e-6


@pytest.mark.parametrize("highs_fails", [False, True])
def test_a_large_component_gets_the_master_by_regions(monkeypatch, highs_fails):
    """Above MASTER_MAX_PAIRS the component gets regions of the master (here forced on a
    small instance): the answer is feasible, kept within its bound, never below the
    greedy's, and the regions ran. Also when HiGHS finds nothing in any region (the
    prices run alone before them, so the answer then rests on the last rounding and the
    re-planning after the regions)."""
    from jobs.dispatch import master, search, solve
    from jobs.dispatch import tuning as T

    if highs_fails:
        monkeypatch.setattr(master.ColumnPool, "solve", lambda *a, **k: None)
    ran = []
    real = search.regional_masters
    monkeypatch.setattr(T, "MASTER_MAX_PAIRS", 100)
    monkeypatch.setattr(T, "SMALL_COMPONENT", 100)  # not HiGHS alone
    monkeypatch.setattr(T, "LNS_MIN_BUDGET", 1e9)  # nor neighbourhood search
    monkeypatch.setattr(T, "REGION_MIN_BUDGET", 1.0)
    monkeypatch.setattr(T, "REGION_MEMBERS", 20)
    monkeypatch.setattr(search, "regional_masters", lambda *a, **k: ran.append(1) or real(*a, **k))
    instance = parse_instance(generate(shifts=400, members=80, seed=4))
    result = solve(instance, time_limit=4.0, workers=1)
    report = check(instance, result.pairs)
    assert ran
    assert report.feasible, report.violations[:5]
    assert report.objective == pytest.approx(result.objective, rel=1e-9)
    assert result.objective >= solve(instance, use_milp=False).objective - 1e-6
    assert result.bound is None or result.objective <= result.bound + 1e-6 * abs(result.bound)
