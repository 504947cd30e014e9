"""Dispatch for all members: always feasible, keeps commitments, near the bound."""

from __future__ import annotations

import pytest

from jobs.dispatch import check, generate, parse_instance, solve
from jobs.dispatch.heuristics import first_come


@pytest.fixture(scope="module")
def instances():
    return [
        parse_instance(generate(shifts=n, members=m, seed=s))
        for n, m, s in [(120, 30, 1), (300, 60, 2), (400, 90, 3)]
    ]


def assert_feasible(instance, result):
    report = check(instance, result.pairs)
    assert report.feasible, report.violations[:5]
    assert report.objective == pytest.approx(result.objective, abs=1e-6)
    return report


def test_solve_is_feasible_and_keeps_commitments(instances):
    for instance in instances:
        result = solve(instance, time_limit=3)
        assert_feasible(instance, result)
        pairs = set(result.pairs)
        for member in instance.members:
            for shift_id in member.commitments:
                assert (member.id, shift_id) in pairs
        if result.bound is not None:
            assert result.objective <= result.bound + 1e-6 * abs(result.bound) + 1e-6


def test_solve_beats_the_baselines(instances):
    for instance in instances:
        result = solve(instance, time_limit=3)
        assert result.objective >= first_come(instance).objective - 1e-6
        assert result.objective >= solve(instance, use_milp=False).objective - 1e-6


def test_tiny_time_limit_still_feasible(instances):
    for instance in instances:
        assert_feasible(instance, solve(instance, time_limit=0.001))


def test_two_workers(instances):
    instance = parse_instance(generate(shifts=600, members=150, seed=9))
    assert_feasible(instance, solve(instance, time_limit=4, workers=2))


def test_small_instance_solved_to_optimality():
    instance = parse_instance(generate(shifts=40, members=8, seed=5))
    result = solve(instance, time_limit=20)
    assert_feasible(instance, result)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(result.bound, rel=2e-4)


def test_degenerate_instances():
    empty = parse_instance({"travel_speed_kmh": 15, "max_home_km": 5, "members": [], "shifts": []})
    assert solve(empty, time_limit=1).pairs == ()
    data = {
        "travel_speed_kmh": 15,
        "max_home_km": 5,
        "shortfall_cents_per_minute": 1,
        "members": [
            {"id": "idle", "home": [0, 0], "target_minutes": 60},
            {"id": "busy", "home": [0, 0], "windows": [[0, 2000]], "commitments": ["far"]},
        ],
        "shifts": [
            # Committed although far away and without a matching skill.
            {
                "id": "far",
                "start": 0,
                "end": 60,
                "location": [50, 0],
                "slots": 1,
                "skill": "zorg",
                "pay_cents": 100,
            },
            {
                "id": "near",
                "start": 100,
                "end": 200,
                "location": [0, 0],
                "slots": 1,
                "pay_cents": 5000,
            },
            # Too soon after "far": 50 km at 15 km/h takes 200 minutes.
            {
                "id": "clash",
                "start": 70,
                "end": 90,
                "location": [0, 0],
                "slots": 3,
                "pay_cents": 9000,
            },
        ],
    }
    instance = parse_instance(data)
    result = solve(instance, time_limit=2)
    assert_feasible(instance, result)
    assert set(result.pairs) == {("busy", "far")}
    assert result.objective == pytest.approx(100 - 60)


@pytest.mark.parametrize("budget", [0.0, 0.02, 0.3, 1.5, 4.0])
def test_component_search_is_feasible_whenever_it_is_cut_short(budget):
    """The Lagrangian search with LP-guided rounding: whatever the time it gets, the
    component's answer passes the check, keeps commitments and is never worse than the
    greedy start it was given."""
    import numpy as np

    from jobs.dispatch.heuristics import component_objective, components, greedy
    from jobs.dispatch.pairs import build_pairs
    from jobs.dispatch.search import lagrange_component

    instance = parse_instance(generate(shifts=500, members=100, seed=4))
    P = build_pairs(instance)
    groups = components(P, len(instance.members), len(instance.shifts))
    start = greedy(P, np.arange(len(P.p_member)))
    chosen = start.copy()
    for g in groups:
        mask, bound = lagrange_component(P, g, start[g], budget)
        assert mask[P.p_forced[g]].all()
        obj = component_objective(P, g, mask)
        assert obj >= component_objective(P, g, start[g]) - 1e-6
        if bound is not None:
            assert obj <= bound + 1e-6 * abs(bound) + 1e-6
        chosen[g] = mask
    pairs = [
        (instance.members[m].id, instance.shifts[s].id)
        for m, s in zip(P.p_member[chosen], P.p_shift[chosen], strict=True)
    ]
    report = check(instance, pairs)
    assert report.feasible, report.violations[:5]


def test_neighbourhood_search_keeps_every_rule_and_never_loses():
    """Several members re-solved at once with HiGHS (others fixed): every step passes the
    check with commitments kept, is never worse, and the steps together gain on the
    greedy start."""
    import numpy as np

    from jobs.dispatch.heuristics import greedy, objective_of
    from jobs.dispatch.pairs import build_pairs
    from jobs.dispatch.search import Neighbourhoods

    instance = parse_instance(generate(shifts=300, members=60, seed=5))
    P = build_pairs(instance)
    n_m = len(instance.members)
    chosen = greedy(P, np.arange(len(P.p_member)))
    start = current = objective_of(P, chosen, n_m)
    search = Neighbourhoods(P, n_m, np.random.default_rng(0))
    for _ in range(15):
        new = search.improve(chosen, 8, 5.0)
        if new is None:
            continue
        pairs = [
            (instance.members[m].id, instance.shifts[s].id)
            for m, s in zip(P.p_member[new], P.p_shift[new], strict=True)
        ]
        report = check(instance, pairs)
        assert report.feasible, report.violations[:5]
        assert report.objective >= current - 1e-6
        chosen, current = new, report.objective
    assert current > start


def test_highs_then_neighbourhood_search_on_a_large_component():
    """An idle worker's HiGHS on a large component, with time for neighbourhood search
    afterwards: the answer passes the check and is never worse than its start."""
    import numpy as np

    from jobs.dispatch.heuristics import component_objective, components, greedy
    from jobs.dispatch.pairs import build_pairs
    from jobs.dispatch.search import highs_component
    from jobs.dispatch.tuning import SMALL_COMPONENT

    instance = parse_instance(generate(shifts=500, members=100, seed=4))
    P = build_pairs(instance)
    g = components(P, len(instance.members), len(instance.shifts))[0]
    assert len(g) > SMALL_COMPONENT
    start = greedy(P, np.arange(len(P.p_member)))
    mask, _ = highs_component(P, g, start[g], 4.0)
    assert component_objective(P, g, mask) >= component_objective(P, g, start[g]) - 1e-6
    chosen = start.copy()
    chosen[g] = mask
    pairs = [
        (instance.members[m].id, instance.shifts[s].id)
        for m, s in zip(P.p_member[chosen], P.p_shift[chosen], strict=True)
    ]
    report = check(instance, pairs)
    assert report.feasible, report.violations[:5]


def test_an_idle_worker_also_works_on_the_largest_component():
    """Two workers, one large component and one small: the worker with the small one
    also takes the large one, by HiGHS under a long limit, else by a second run of the
    prices and the master with another seed."""
    import numpy as np

    from jobs.dispatch.solve import _pack

    groups = [np.arange(10_000), np.arange(261)]
    assert _pack(groups, 2, idle_highs=False) == [
        [(0, "lagrange")],
        [(1, "highs"), (0, "again")],
    ]
    assert _pack(groups, 2, idle_highs=True)[1] == [(1, "highs"), (0, "highs")]
    assert _pack(groups, 1, idle_highs=False) == [[(0, "lagrange"), (1, "highs")]]


def test_the_second_run_on_the_largest_component_keeps_its_prices_linear(monkeypatch):
    """The idle worker's second run of the prices and the master is a hedge, not a copy:
    it runs its prices before the master with the linear members as they are
    (``AGAIN_SWITCH_SHARE``), where the first run turns exact halfway (at 1k under load,
    school-hours' exact table costs so much that the first run fell to Q 0.987-0.988 in
    three runs of four; the linear one kept 0.996-0.998)."""
    import importlib
    import time

    import numpy as np

    from jobs.dispatch import tuning as T
    from jobs.dispatch.deadline import SharedAnswers
    from jobs.dispatch.pairs import build_pairs

    instance = parse_instance(generate(shifts=120, members=30, seed=1))
    P = build_pairs(instance)
    g = np.arange(len(P.p_member))
    start = np.zeros(len(g), dtype=bool)
    seen = {}

    def fake(P, g, start, budget, *, seed=0, switch_share=None, capped_share, region_capped_share):
        seen[seed] = (switch_share, capped_share, region_capped_share)
        return start, None

    solve_module = importlib.import_module("jobs.dispatch.solve")  # the package exports solve()
    monkeypatch.setattr(solve_module, "lagrange_component", fake)
    monkeypatch.setattr(T, "SMALL_COMPONENT", 10)  # this component counts as large
    jobs = [(0, 0, "lagrange", g, start), (1, 0, "again", g, start)]
    answers = SharedAnswers([len(g), len(g)])
    short = T.CAPPED_MIN_BUDGET - 1
    solve_module._run_bin(jobs, solve_module.Shared(P, time.monotonic() + short, 0, answers))
    assert seen == {0: (None, 0.0, 0.0), T.AGAIN_SEED: (T.AGAIN_SWITCH_SHARE, 0.0, 0.0)}
    assert T.AGAIN_SWITCH_SHARE < T.EXACT_SWITCH_SHARE
    # With seconds to spare, both runs price the capped members exactly (and the second
    # one needs no hedge).
    long = 2 * T.CAPPED_MIN_BUDGET + 3  # the two share the bin's time
    solve_module._run_bin(jobs, solve_module.Shared(P, time.monotonic() + long, 0, answers))
    assert seen == {
        0: (None, T.CAPPED_SHARE, T.REGION_CAPPED_SHARE),
        T.AGAIN_SEED: (None, T.AGAIN_CAPPED_SHARE, T.AGAIN_REGION_CAPPED_SHARE),
    }
    assert min(T.CAPPED_SHARE, T.AGAIN_CAPPED_SHARE, T.REGION_CAPPED_SHARE) > 0


@pytest.mark.parametrize("seed", [0, 1])
def test_capped_members_get_their_best_week_within_the_cap(seed):
    """A member whose earnings cap binds gets, at the prices, their best week within the
    cap (stapel's exact search), never worse than the priced week cut back within the cap
    that the pool gets otherwise, and better for some member: the weeks the master needs."""
    import time

    import numpy as np

    from jobs.dispatch.heuristics import Planner, component_objective, components, greedy
    from jobs.dispatch.lagrange import Relaxation
    from jobs.dispatch.pairs import build_pairs
    from jobs.dispatch.search import capped_weeks, subset

    instance = parse_instance(generate(shifts=150, members=30, seed=seed, family="fairness-heavy"))
    P = build_pairs(instance)
    g = components(P, len(instance.members), len(instance.shifts))[0]
    sub = subset(P, g)
    Q, n_m = sub.P, len(sub.members)
    relax = Relaxation(Q, n_m)
    lower = component_objective(P, g, greedy(P, np.arange(len(P.p_member)))[g])
    for _ in range(60):
        relax.evaluate()
        relax.step(lower)
    relax.mu = relax.best_mu.copy()
    relax.evaluate()
    trimmed = relax.feasible_weeks()
    planner = Planner(Q, n_m, lazy=True)
    weeks = capped_weeks(Q, planner, relax, time.monotonic() + 60)
    capped = planner.capped(relax.dp.pay_dual)
    assert capped
    priced = Q.p_value - np.where(Q.p_forced, 0.0, relax.best_mu[Q.p_shift])
    minutes = (Q.s_end - Q.s_start)[Q.p_shift]

    def worth(mask: np.ndarray, m: int) -> float:
        mine = mask & (Q.p_member == m)
        short = max(0.0, Q.m_target[m] - minutes[mine].sum())
        return float(priced[mine].sum() - Q.weight * short)

    gains = []
    for m in capped:
        mine = weeks & (Q.p_member == m)
        assert Q.s_pay[Q.p_shift[mine]].sum() <= Q.m_cap_pay[m] + 1e-6
        exact = planner.problem(planner.slot[m]).solve_with(priced[planner.groups[planner.slot[m]]])
        assert worth(weeks, m) == pytest.approx(exact.objective, abs=1e-6)
        assert worth(weeks, m) >= worth(trimmed, m) - 1e-6
        gains.append(worth(weeks, m) - worth(trimmed, m))
    assert max(gains) > 1.0


def test_solves_running_at_once_in_threads_keep_their_answers_apart():
    """The embedded stack's Celery worker runs tasks in threads of one process, so the
    board's dispatch runs can solve at the same time. Each solve publishes its answers per
    component; those of one solve must never reach another (it raised IndexError: a
    choice over one component's pairs measured against another's)."""
    import threading

    from jobs.dispatch import check, generate, parse_instance, solve

    instances = [
        parse_instance(generate(shifts=240, members=60, seed=seed, family=family))
        for seed, family in ((11, "clustered"), (12, "night"), (13, "team-heavy"), (14, None))
    ]
    errors: list[BaseException] = []
    answers: dict[int, object] = {}

    def run(k: int) -> None:
        try:
            answers[k] = solve(instances[k], time_limit=1.5, workers=1)
        except BaseException as exc:  # collected: a thread's error must fail the test
            errors.append(exc)

    for _round in range(2):
        threads = [threading.Thread(target=run, args=(k,)) for k in range(len(instances))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not any(thread.is_alive() for thread in threads)
        assert errors == []
        for k, instance in enumerate(instances):
            report = check(instance, answers[k].pairs)
            assert report.feasible, report.violations
            assert answers[k].objective >= solve(instance, use_milp=False).objective - 1e-6


def test_the_whole_model_counts_the_shortfall_of_members_without_candidates():
    """The bench's HiGHS bounds solve the compact model of the whole instance: with every
    member listed, a member who can take no shift at all still counts their whole
    shortfall, so the model's objective of an answer is the checker's (without them it
    was higher by that shortfall, and HiGHS's bound looser)."""
    import numpy as np

    from jobs.dispatch.heuristics import to_assignment
    from jobs.dispatch.milp import build_model, solve_highs
    from jobs.dispatch.pairs import build_pairs

    instance = parse_instance(generate(shifts=150, members=30, seed=0, family="night"))
    P = build_pairs(instance)
    n_m = len(instance.members)
    lonely = np.setdiff1d(np.arange(n_m), P.p_member)
    assert len(lonely)  # the case is exercised
    assert (P.m_target[lonely] > 0).any()
    whole = build_model(P, np.arange(len(P.p_member)), members=np.arange(n_m))
    x, obj, bound, _ = solve_highs(whole, time_limit=30)
    report = check(
        instance, to_assignment(instance, P, np.flatnonzero(x[: whole.n_x] > 0.5), status="x").pairs
    )
    assert report.feasible
    assert obj + whole.constant == pytest.approx(report.objective, abs=1e-6)
    assert bound + whole.constant >= report.objective - 1e-6
    without = build_model(P, np.arange(len(P.p_member)))
    assert without.constant - whole.constant == pytest.approx(P.weight * P.m_target[lonely].sum())
