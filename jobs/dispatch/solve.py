"""Dispatch: assign shifts to all members at once.

Design overview
---------------
1. *Candidates* (``pairs.py``): every eligible (member, shift) pair, vectorised;
   commitments are forced pairs, pairs that clash with them are dropped.
2. *Decomposition.* Members and shifts form a bipartite graph through their candidate
   pairs; its connected components (cities, groups of neighbourhoods whose members'
   radii overlap) are independent problems. They are packed into one bin per worker
   process (largest first, least loaded bin); each bin shares its time among its
   components in proportion to their size.
3. *Construction.* A greedy pass, always feasible: commitments first, then pairs by
   decreasing value per minute (fairness gain included), each taken if the shift has a
   slot left, the member's caps hold and it fits between the member's other shifts with
   travel. This is the answer whenever the time limit leaves no room for more.
4. *Per component* (``lagrange.py``): the slots and earnings caps are priced, every
   member's best week under the prices is solved exactly for all members at once (a
   vectorised form of the stapel DP), giving an upper bound; prices follow subgradient
   steps. Assignments come from LP-guided rounding (greedy in the order of the running
   average of the priced weeks) and from the current priced weeks, repaired and filled
   greedily; the best roundings are polished by rounds of all members' best responses
   at once (one DP run each). Every priced week and every week of a feasible answer
   joins a column pool; the *restricted master* (``master.py``) then picks one week per
   member within the slots (HiGHS: interior-point LP, a dive, a MILP on the LP's
   columns), which finds combinations that rounding and one-member moves miss; with a
   master to follow, the prices skip the roundings and run twice as many iterations.
   Then members re-plan, exactly, with the others fixed (never
   worse); time left after a local optimum goes back to the prices or, on components
   with a few seconds, to a neighbourhood search: groups of members competing for the
   same shifts are re-solved together as one small HiGHS MILP (the master runs again
   now and then on the weeks it finds). Small
   components go to HiGHS (``milp.py``), which usually closes them; when a worker would
   otherwise idle, it also works on the largest component (HiGHS, warm-started, under
   long limits; a second run of all the above with another seed under short ones), and
   the better answer wins.
5. The bound reported is, per component, the smaller of the Lagrangian and HiGHS's
   bound. The answer is the best feasible assignment found; its objective is recomputed
   with the contract's formula.
"""

from __future__ import annotations

import bisect
import functools
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .deadline import (
    COLLECT_SECONDS,
    EXIT_SECONDS,
    OutOfTime,
    SharedAnswers,
    alarm,
    output_seconds,
    promise_end,
    reap,
    run_forked,
)
from .model import TOL, Assignment, Instance
from .pairs import Pairs, build_pairs

if TYPE_CHECKING:
    from .master import ColumnPool

SMALL_COMPONENT = 2_500  # pairs: HiGHS closes these quickly
SMALL_LAGRANGE = 0.3  # of a small component's time, first, for the prices
SMALL_LAGRANGE_MAX = 0.1  # seconds, at most
LAGRANGE_SHARE = 0.85  # of a component's budget; the rest goes to re-planning
SIZE_POWER = 1.0
AVERAGE = 0.1  # weight of the newest priced weeks in their running average
# Share of the Lagrangian phase's time, at most, for LP-guided rounding (the rest: the
# repaired priced weeks). With the faster week DP a rounding costs about as much as an
# evaluation and gains far more than a repair, so every iteration rounds.
PRIMAL_SHARE = 1.0
SAFETY = 0.95  # share of the time limit planned for work (the rest: set-up and output)
MARGIN = 0.15  # seconds, at least, kept for collecting the parts' answers and the output
# Below this time limit an idle worker does not start HiGHS on the largest component:
# HiGHS needs seconds of root-node work before it helps, and building its model on a
# large component alone can overrun a short limit.
IDLE_HIGHS_SECONDS = 10.0
# Nor on a component this large: HiGHS's model alone takes a minute to build and its
# root node longer (the 10k "utrecht" component has 331,000 pairs); a second run with
# another seed does better there.
IDLE_HIGHS_MAX_PAIRS = 100_000
# Neighbourhood search (``Neighbourhoods``): components with at least LNS_MIN_BUDGET
# seconds spend what is left after re-planning re-solving LNS_SIZE members at once with
# HiGHS, at most LNS_LIMIT seconds each.
LNS_MIN_BUDGET = 3.0
LNS_MIN_SECONDS_PER_PAIR = 5e-4  # 1k and 10k get 1-2 ms per pair, 100k about 0.2 ms
# When neighbourhood search follows, the prices get LNS_LAGRANGE_SHARE of the budget, but
# at least LNS_LAGRANGE_SECONDS (or LNS_LAGRANGE_MAX_SHARE of the budget, if less): on the
# largest 10k component the rounding stops improving and the bound moves by 0.002 % after
# about 20-30 s, while the neighbourhood search still gains.
LNS_LAGRANGE_SHARE = 0.2
LNS_LAGRANGE_SECONDS = 10.0
LNS_LAGRANGE_MAX_SHARE = 0.5
LNS_SIZE = 20
LNS_LIMIT = 0.5
HIGHS_LNS_SHARE = 0.3  # of HiGHS's time on a large component, for neighbourhood search
# Re-planning by rounds of all members' best responses at once (``polish``), also on
# each rounding that beats the roundings before it.
FAST_POLISH = True
POLISH_SHARE = 0.25  # of the time so far, at most, for polishing roundings
GUIDED = 1.0  # share of neighbourhoods seeded where the duality gap is (else at random)
# Restricted master (``master.py``): the weeks met so far are combined by HiGHS. Without
# neighbourhood search the prices get MASTER_LAGRANGE_SHARE of the budget first (they
# generate the columns); each master run gets at most MASTER_SHARE of the budget, its LP
# at most MASTER_LP_SHARE of that, on each member's MASTER_COLUMNS best weeks under the
# prices. During neighbourhood search the master runs again, on all the weeks, every
# MASTER_EVERY of the budget for at most MASTER_AGAIN_SHARE of it.
MASTER = True
MASTER_LAGRANGE_SHARE = 0.5
MASTER_SHARE = 0.45
MASTER_LP_SHARE = 0.5
MASTER_COLUMNS = 10
MASTER_EVERY = 0.2
MASTER_AGAIN_SHARE = 0.05
MASTER_MAX_PAIRS = 100_000  # larger components go without the master
# With the master, the prices do not round in every iteration, only in the last one
# before the master: the master combines their weeks far better than rounding does, and
# without the roundings twice as many iterations give it more and better weeks.
ROUND_WITH_MASTER = False
# Below this much time left after the greedy, nothing else starts.
MIN_WORK = 0.02
# With this much time left after the greedy, HiGHS and scipy are imported (about 0.3 s,
# a second on a loaded machine); with less, the prices and re-planning work alone.
HEAVY_SECONDS = 1.5
# Labels of stapel's exact search for one member's re-planning, at most (on the 1k
# "utrecht" instance one member's exact week took 3.4 s).
PLANNER_LABELS = 20_000
# Seed offset of a second run on the largest component by an idle worker (``_pack``).
AGAIN_SEED = 7919


def components(P: Pairs, n_members: int, n_shifts: int) -> list[np.ndarray]:
    """Pair indices of each connected component, largest first."""
    return component_labels(P, n_members, n_shifts)[0]


def component_labels(
    P: Pairs, n_members: int, n_shifts: int
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
    """(pair indices per component, largest first; component of each member and each
    shift, -1 for those without candidate pairs), numbered in the order of the list."""
    n = n_members + n_shifts
    if not len(P.p_member):
        return [], np.full(n_members, -1), np.full(n_shifts, -1)
    labels = _connected(P.p_member, n_members + P.p_shift, n)
    comp = labels[P.p_member]
    order = np.argsort(comp, kind="stable")
    cuts = np.flatnonzero(np.diff(comp[order])) + 1
    groups = np.split(order, cuts)
    groups.sort(key=len, reverse=True)
    rename = np.full(labels.max() + 1, -1)
    for i, g in enumerate(groups):
        rename[comp[g[0]]] = i
    m_label = np.full(n_members, -1)
    s_label = np.full(n_shifts, -1)
    m_label[P.p_member] = rename[comp]
    s_label[P.p_shift] = rename[comp]
    return groups, m_label, s_label


def _heavy_loaded() -> bool:
    """Whether HiGHS and scipy are imported (``solve`` imports them when there is time)."""
    return "jobs.dispatch.master" in sys.modules and "jobs.dispatch.milp" in sys.modules


def _connected(u: np.ndarray, v: np.ndarray, n: int) -> np.ndarray:
    """Component label (its smallest node) of each of ``n`` nodes, edges ``u``-``v``:
    hooking each edge's larger root onto its smaller one, then pointer jumping, until
    no edge joins two trees. Numpy alone: scipy's import costs the command line up to a
    second of its promise on a loaded machine."""
    parent = np.arange(n)
    while True:
        pu, pv = parent[u], parent[v]
        join = pu != pv
        if not join.any():
            return parent
        np.minimum.at(parent, np.maximum(pu[join], pv[join]), np.minimum(pu[join], pv[join]))
        while True:
            jumped = parent[parent]
            if (jumped == parent).all():
                break
            parent = jumped


def greedy(
    P: Pairs,
    pair_idx: np.ndarray,
    priority: np.ndarray | None = None,
    initial: np.ndarray | None = None,
    deadline: float = math.inf,
) -> np.ndarray:
    """A feasible choice (boolean over ``pair_idx``): forced pairs and ``initial`` (a
    feasible choice to extend, trusted as is) first, then the others by decreasing
    priority, each taken if its shift has a slot left, the member's caps hold and it fits
    between the member's other shifts with travel. At ``deadline`` it stops where it is:
    what it has taken so far is feasible too."""
    pair_idx = np.asarray(pair_idx, dtype=np.int64)
    pm = P.p_member[pair_idx]
    ps = P.p_shift[pair_idx]
    minutes = (P.s_end - P.s_start)[ps]
    if priority is None:
        target_gain = P.weight * np.minimum(minutes, P.m_target[pm])
        priority = (P.p_value[pair_idx] + target_gain) / minutes
    first = P.p_forced[pair_idx].copy()
    if initial is not None:
        first |= initial
    chosen = first.copy()
    n_s, n_m = len(P.s_slots), len(P.m_target)
    left = P.s_slots - np.bincount(ps[first], minlength=n_s)
    used_min = np.bincount(pm[first], weights=minutes[first], minlength=n_m)
    used_pay = np.bincount(pm[first], weights=P.s_pay[ps[first]], minlength=n_m)
    # Members' timelines from the trusted part: sorted (start, end, shift).
    timeline: dict[int, list[tuple[int, int, int]]] = {}
    f = np.flatnonzero(first)
    f = f[np.lexsort((P.s_start[ps[f]], pm[f]))]
    for m, st, en, s in zip(
        pm[f].tolist(),
        P.s_start[ps[f]].tolist(),
        P.s_end[ps[f]].tolist(),
        ps[f].tolist(),
        strict=True,
    ):
        timeline.setdefault(m, []).append((st, en, s))
    cand = np.flatnonzero(
        ~first
        & (left[ps] > 0)
        & (used_min[pm] + minutes <= P.m_cap_min[pm] + TOL)
        & (used_pay[pm] + P.s_pay[ps] <= P.m_cap_pay[pm] + TOL)
    )
    cand = cand[np.argsort(-priority[cand], kind="stable")]
    left_l = left.tolist()
    used_min_l, used_pay_l = used_min.tolist(), used_pay.tolist()
    cap_min, cap_pay = P.m_cap_min.tolist(), P.m_cap_pay.tolist()
    s_start, s_end = P.s_start.tolist(), P.s_end.tolist()
    s_x, s_y, s_pay = P.s_x.tolist(), P.s_y.tolist(), P.s_pay.tolist()
    mpk = P.minutes_per_km
    for n, (p, m, s) in enumerate(
        zip(cand.tolist(), pm[cand].tolist(), ps[cand].tolist(), strict=True)
    ):
        if not n % 4096 and n and time.monotonic() > deadline:
            break
        if left_l[s] <= 0:
            continue
        st, en = s_start[s], s_end[s]
        mm = used_min_l[m] + (en - st)
        mp = used_pay_l[m] + s_pay[s]
        if mm > cap_min[m] + TOL or mp > cap_pay[m] + TOL:
            continue
        line = timeline.setdefault(m, [])
        pos = bisect.bisect_left(line, (st, en, s))
        if pos > 0:
            a = line[pos - 1][2]
            if s_end[a] + math.hypot(s_x[a] - s_x[s], s_y[a] - s_y[s]) * mpk > st + TOL:
                continue
        if pos < len(line):
            b = line[pos][2]
            if en + math.hypot(s_x[b] - s_x[s], s_y[b] - s_y[s]) * mpk > s_start[b] + TOL:
                continue
        line.insert(pos, (st, en, s))
        used_min_l[m] = mm
        used_pay_l[m] = mp
        left_l[s] -= 1
        chosen[p] = True
    return chosen


def first_come(instance: Instance) -> Assignment:
    """Baseline: shifts in order of start, each filled by the first members who can."""
    P = build_pairs(instance)
    idx = np.arange(len(P.p_member))
    priority = -(P.p_shift.astype(np.float64) * len(instance.members) + P.p_member)
    priority = -P.s_start[P.p_shift] * 1e6 + priority * 1e-3
    chosen = greedy(P, idx, priority=priority)
    return _assignment(instance, P, idx[chosen], status="feasible")


def _assignment(
    instance: Instance, P: Pairs, pair_idx: np.ndarray, *, status: str, bound: float | None = None
) -> Assignment:
    members, shifts = instance.members, instance.shifts
    order = np.lexsort((P.p_member[pair_idx], P.s_start[P.p_shift[pair_idx]]))
    pair_idx = pair_idx[order]
    pairs = tuple(
        (members[m].id, shifts[s].id)
        for m, s in zip(P.p_member[pair_idx].tolist(), P.p_shift[pair_idx].tolist(), strict=True)
    )
    return Assignment(pairs=pairs, objective=instance.objective(pairs), bound=bound, status=status)


def solve(
    instance: Instance,
    *,
    time_limit: float = 30.0,
    workers: int = 1,
    use_milp: bool = True,
    seed: int = 0,
    started: float | None = None,
    guard: bool = False,
) -> Assignment:
    """The best assignment found within about ``time_limit`` seconds; always feasible.

    ``workers`` > 1 works on components in that many forked processes. ``bound`` of the
    result is a proven upper bound on the optimum; ``status`` is "optimal" when met.
    ``use_milp=False`` returns the greedy construction alone.

    With ``guard`` (the command line) the time limit is a promise (``deadline.py``): the
    answer is back within ``1.02 * time_limit + 1`` seconds of ``started`` (a
    ``time.monotonic()`` value, by default now), the improvement runs in forked workers
    even with ``workers=1`` so that it can be stopped, and an alarm stops the rest.
    """
    t0 = time.monotonic()
    n_m, n_s = len(instance.members), len(instance.shifts)
    deadline = t0 + max(0.0, min(SAFETY * time_limit, time_limit - MARGIN))
    kill_at = math.inf
    if guard:
        promise = promise_end(t0 if started is None else started, time_limit)
        kill_at = promise - output_seconds(n_s, n_m) - EXIT_SECONDS
        deadline = min(deadline, kill_at - COLLECT_SECONDS - 0.01 * time_limit)
    state = _Run(instance)
    try:
        with alarm(kill_at):
            _construct(state, deadline)
    except OutOfTime:
        return state.answer()
    if use_milp:
        _improve(state, deadline, kill_at, workers=workers, seed=seed)
    answer = state.answer()
    reap()
    return answer


class _Run:
    """What a run has so far; ``answer`` gives the best feasible assignment in it."""

    def __init__(self, instance: Instance):
        self.instance = instance
        self.P: Pairs | None = None
        self.best: np.ndarray | None = None  # the greedy, then better per component
        self.groups: list[np.ndarray] = []
        self.m_label: np.ndarray | None = None
        self.answers: SharedAnswers | None = None
        self.jobs: list[tuple[int, str]] = []  # (component, kind) per published job

    def answer(self) -> Assignment:
        instance, P, best = self.instance, self.P, self.best
        if P is None or best is None:
            # Out of time before the greedy finished: the commitments alone.
            pairs = tuple((m.id, c) for m in instance.members for c in m.commitments)
            return Assignment(
                pairs=pairs, objective=instance.objective(pairs), bound=None, status="feasible"
            )
        if self.answers is None:
            return _assignment(instance, P, np.flatnonzero(best), status="feasible")
        groups = self.groups
        comp_bound = np.full(len(groups), np.inf)
        comp_best = [component_objective(P, g, best[g]) for g in groups]
        for job, (i, _) in enumerate(self.jobs):
            g = groups[i]
            mask, _ = self.answers.best(job)
            if mask is not None:
                obj = component_objective(P, g, mask)
                if obj > comp_best[i]:
                    best[g] = mask
                    comp_best[i] = obj
            comp_bound[i] = min(comp_bound[i], float(self.answers.bound[job]))
        if not feasible_weeks(P, best, np.arange(len(P.m_target))):  # never expected
            best = greedy(P, np.arange(len(P.p_member)))
        # Members without any candidate pair only pay their shortfall: a constant.
        lonely = float(-P.weight * P.m_target[self.m_label < 0].sum())
        bound = lonely + float(comp_bound.sum())
        result = objective_of(P, best, len(P.m_target))
        optimal = bool(np.isfinite(bound)) and result >= bound - 1e-6 * max(1.0, abs(bound))
        return _assignment(
            instance,
            P,
            np.flatnonzero(best),
            status="optimal" if optimal else "feasible",
            bound=bound if np.isfinite(bound) else None,
        )


def _construct(state: _Run, deadline: float) -> None:
    """Candidates, components and the greedy, recorded in ``state`` as they come."""
    instance = state.instance
    n_m, n_s = len(instance.members), len(instance.shifts)
    P = build_pairs(instance)
    groups, m_label, _ = component_labels(P, n_m, n_s)
    best = greedy(P, np.arange(len(P.p_member)), deadline=deadline)
    state.P, state.groups, state.m_label, state.best = P, groups, m_label, best


def _improve(state: _Run, deadline: float, kill_at: float, *, workers: int, seed: int) -> None:
    """The components' improvement (in forked workers when there are several bins or a
    kill time), every answer published to ``state.answers`` as it comes."""
    P, groups, best = state.P, state.groups, state.best
    if P is None or best is None or not groups or time.monotonic() > deadline - MIN_WORK:
        return
    if math.isinf(kill_at) or deadline - time.monotonic() >= HEAVY_SECONDS:
        # HiGHS and scipy (the master, the small components' MILP) are imported once,
        # here, before the workers fork: not at start-up, where they would cost a short
        # limit up to a second of a loaded machine before the greedy could even start.
        from . import master, milp  # noqa: F401
    idle_highs = (
        deadline - time.monotonic() >= IDLE_HIGHS_SECONDS and len(groups[0]) <= IDLE_HIGHS_MAX_PAIRS
    )
    bins = _pack(groups, max(1, workers), idle_highs=idle_highs)
    state.jobs = [job for b in bins for job in b]
    state.answers = answers = SharedAnswers([len(groups[i]) for i, _ in state.jobs])
    numbered, k = [], 0
    for b in bins:
        numbered.append(
            [(k + j, i, kind, groups[i], best[groups[i]]) for j, (i, kind) in enumerate(b)]
        )
        k += len(b)
    global _SHARED
    _SHARED = (P, deadline, seed, answers)
    try:
        if len(numbered) > 1 or math.isfinite(kill_at):
            run_forked([functools.partial(_run_bin, jobs) for jobs in numbered], kill_at)
        else:
            _run_bin(numbered[0])
    finally:
        _SHARED = None


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def _pack(
    groups: list[np.ndarray], workers: int, *, idle_highs: bool = True
) -> list[list[tuple[int, str]]]:
    """Components into one bin per worker: largest first into the least loaded bin.
    A bin left much lighter than the others also works on the largest component: with
    ``idle_highs`` by HiGHS, else by a second run of the prices and the master with
    another seed (under a short limit the master's answer varies from run to run, so
    the better of two is safer)."""
    loads = [0] * workers
    bins: list[list[tuple[int, str]]] = [[] for _ in range(workers)]
    for i, g in enumerate(groups):  # already largest first
        k = loads.index(min(loads))
        bins[k].append((i, "highs" if len(g) <= SMALL_COMPONENT else "lagrange"))
        loads[k] += len(g)
    if workers > 1 and len(groups[0]) > SMALL_COMPONENT:
        k = loads.index(min(loads))
        if loads[k] < 0.5 * max(loads):
            bins[k].append((0, "highs" if idle_highs else "again"))
            loads[k] += len(groups[0])
    return [b for b in bins if b]


_SHARED: tuple[Pairs, float, int, SharedAnswers] | None = None  # inherited by workers
_PUBLISH: Callable[[np.ndarray, float | None], None] | None = None  # the current job's


_PUBLISHED_AT = -math.inf


def _publish(mask: np.ndarray, bound: float | None = None, *, every: float = 0.0) -> None:
    """Offer a feasible choice over the current component's pairs (and perhaps a bound)
    to the parent: it keeps the best, and uses it if this worker is stopped. With
    ``every``, only if the last offer is at least that many seconds old."""
    global _PUBLISHED_AT
    now = time.monotonic()
    if _PUBLISH is not None and now - _PUBLISHED_AT >= every:
        _PUBLISH(mask, bound)
        _PUBLISHED_AT = now


def _run_bin(jobs: list[tuple[int, int, str, np.ndarray, np.ndarray]]) -> None:
    """Work through one bin's components, sharing the time left by size; every answer
    goes to the shared answers as soon as it is found."""
    global _PUBLISH
    P, deadline, seed, answers = _SHARED
    # Time in proportion to size ** SIZE_POWER: larger components need more iterations
    # as well as longer ones. Small components still get a moment (HiGHS's root node).
    # Small components go first: they seldom need their moment, and what they leave goes
    # to the large ones (last, a small one would get only what the large ones left).
    remaining = sum(len(g) ** SIZE_POWER for _, _, _, g, _ in jobs)
    jobs = sorted(jobs, key=lambda job: len(job[3]) > SMALL_COMPONENT)
    for job, i, kind, g, start in jobs:

        def publish(mask, bound, job=job, g=g):
            answers.put(job, mask, component_objective(P, g, mask))
            answers.put_bound(job, bound)

        _PUBLISH = publish
        publish(start, None)
        left = max(0.0, deadline - time.monotonic())
        weight = len(g) ** SIZE_POWER
        budget = min(left, max(left * weight / remaining, min(0.5, 0.1 * left)))
        remaining -= weight
        if kind == "highs" and len(g) <= SMALL_COMPONENT and SMALL_LAGRANGE > 0:
            # The prices often close a small component in milliseconds; HiGHS, which
            # needs longer, then starts from their answer (and proves optimality).
            t = time.monotonic()
            first = min(SMALL_LAGRANGE * budget, SMALL_LAGRANGE_MAX)
            mask, bound = lagrange_component(P, g, start, first, seed=seed + i, master=False)
            publish(mask, bound)
            closed = bound is not None and component_objective(P, g, mask) >= bound - 1e-7 * max(
                1.0, abs(bound)
            )
            rest = budget - (time.monotonic() - t)
            if not closed and rest > 0.05 and _heavy_loaded():
                mask2, bound2 = highs_component(P, g, mask, rest, seed=seed + i)
                if component_objective(P, g, mask2) > component_objective(P, g, mask):
                    mask = mask2
                if bound2 is not None:
                    bound = bound2 if bound is None else min(bound, bound2)
        elif kind == "highs" and _heavy_loaded():
            mask, bound = highs_component(P, g, start, budget, seed=seed + i)
        else:
            again = AGAIN_SEED if kind in ("again", "highs") else 0
            mask, bound = lagrange_component(P, g, start, budget, seed=seed + i + again)
        publish(mask, bound)
        if bound is None and time.monotonic() < deadline:
            publish(mask, quick_bound(P, g))
    _PUBLISH = None


@dataclass
class _Sub:
    """One component as a ``Pairs`` of its own (members and shifts renumbered)."""

    P: Pairs
    members: np.ndarray
    shifts: np.ndarray


def subset(P: Pairs, g: np.ndarray) -> _Sub:
    members, pm = np.unique(P.p_member[g], return_inverse=True)
    shifts, ps = np.unique(P.p_shift[g], return_inverse=True)
    sub = Pairs(
        s_start=P.s_start[shifts],
        s_end=P.s_end[shifts],
        s_x=P.s_x[shifts],
        s_y=P.s_y[shifts],
        s_slots=P.s_slots[shifts],
        s_pay=P.s_pay[shifts],
        m_cap_min=P.m_cap_min[members],
        m_cap_pay=P.m_cap_pay[members],
        m_target=P.m_target[members],
        p_member=pm.astype(np.int64),
        p_shift=ps.astype(np.int64),
        p_value=P.p_value[g],
        p_forced=P.p_forced[g],
        weight=P.weight,
        minutes_per_km=P.minutes_per_km,
    )
    return _Sub(sub, members, shifts)


def lagrange_component(
    P: Pairs,
    g: np.ndarray,
    start: np.ndarray,
    budget: float,
    *,
    seed: int = 0,
    master: bool = True,
) -> tuple[np.ndarray, float | None]:
    """Lagrangian bound and heuristic on one component, then re-planning.

    Returns (choice over ``g``, upper bound on the component's optimum or None)."""
    from .lagrange import Relaxation, repair

    t0 = time.monotonic()
    end = t0 + budget
    # With time enough, what is left after the first local optimum of re-planning goes
    # to neighbourhood search rather than back to the prices (it gains more per second).
    # Not when the time per pair is short (100k): there the prices are far from converged
    # and need all the time they can get.
    lns = budget >= LNS_MIN_BUDGET and budget >= LNS_MIN_SECONDS_PER_PAIR * len(g)
    sub = subset(P, g)
    Q = sub.P
    n_m = len(sub.members)
    idx = np.arange(len(g))
    best = start.copy()
    best_obj = objective_of(Q, best, n_m)
    bound = None
    relax = Relaxation(Q, n_m)
    # LP-guided rounding: the running average of the priced weeks approximates the LP's
    # fractional solution (as in the volume algorithm); greedy in the order of that
    # average, ties by value per minute, makes an assignment. It costs about as much as
    # an evaluation, so it runs while it has had less than PRIMAL_SHARE of the time; the
    # plain repair of the current weeks fills the other iterations. A rounding better than
    # all before it is polished (``polish``: rounds of all members' best responses at
    # once) while polishing has had at most POLISH_SHARE of the time.
    minutes = (Q.s_end - Q.s_start)[Q.p_shift]
    rate = (Q.p_value + Q.weight * np.minimum(minutes, Q.m_target[Q.p_member])) / minutes
    tie = 1e-4 * rate / max(1e-9, float(np.abs(rate).max()))
    xbar = None
    spent_dual = spent_primal = 0.0
    planner = Planner(Q, n_m, lazy=True)
    rng = np.random.default_rng(seed)
    # The master's LP grows with the pairs: on the 10k "utrecht" component (331,000
    # pairs, 26,000-43,000 columns) it took 25 s of a minute and found nothing better.
    master = master and MASTER and relax.usable and len(g) <= MASTER_MAX_PAIRS and _heavy_loaded()
    if master:
        from .master import ColumnPool
    pool = ColumnPool(Q, n_m, seed) if master else None
    if lns:
        lag_end = t0 + max(
            LNS_LAGRANGE_SHARE * budget,
            min(LNS_LAGRANGE_MAX_SHARE * budget, LNS_LAGRANGE_SECONDS),
        )
    else:
        lag_end = t0 + (MASTER_LAGRANGE_SHARE if pool is not None else LAGRANGE_SHARE) * budget
    closed = not relax.usable
    polished_obj = -math.inf  # objective of the last local optimum of re-planning
    took = 0.0  # longest re-planning round so far
    fast = FAST_POLISH and relax.usable
    raw_best = -math.inf  # best rounding before polishing
    spent_polish = 0.0
    while True:
        while not closed and time.monotonic() < lag_end:
            t = time.monotonic()
            _, relaxed = relax.evaluate()
            if pool is not None:
                pool.add(relaxed)
            xbar = relaxed.astype(np.float64) if xbar is None else xbar
            xbar += AVERAGE * (relaxed - xbar)
            spent_dual += time.monotonic() - t
            if pool is not None and not ROUND_WITH_MASTER and time.monotonic() < lag_end:
                relax.step(best_obj)
                continue
            t = time.monotonic()
            if spent_primal <= PRIMAL_SHARE * (spent_primal + spent_dual):
                primal = greedy(Q, idx, priority=xbar + tie)
            else:
                primal = greedy(Q, idx, initial=repair(Q, relaxed))
            obj = objective_of(Q, primal, n_m)
            spent_primal += time.monotonic() - t
            if fast and obj > raw_best and spent_polish <= POLISH_SHARE * (time.monotonic() - t0):
                raw_best = obj
                t = time.monotonic()
                primal, obj = polish(Q, relax.dp, planner, primal, obj, lag_end, exact=False)
                spent_polish += time.monotonic() - t
            if pool is not None:
                pool.add(primal)
            if obj > best_obj:
                best, best_obj = primal, obj
                _publish(best, every=0.2)
            if best_obj >= relax.best_bound - 1e-7 * max(1.0, abs(relax.best_bound)):
                closed = True
                break
            relax.step(best_obj)
        if pool is not None and pool.added_since and not closed:
            # The master combines the weeks met so far; re-planning follows.
            stop = min(end - 0.1 * budget, time.monotonic() + MASTER_SHARE * budget)
            prices = relax.best_mu[Q.p_shift] + relax.lam[Q.p_member] * (
                Q.s_pay[Q.p_shift] / relax.pay_unit
            )
            combined = pool.solve(
                best,
                stop,
                lp_share=MASTER_LP_SHARE,
                prices=prices,
                per_member=MASTER_COLUMNS,
            )
            if combined is not None:
                obj = objective_of(Q, combined, n_m)
                if os.environ.get("TL"):
                    print(
                        f"  [{seed}] master at {time.monotonic() - t0:.3f} cols {len(pool)} {best_obj:.0f} -> {obj:.0f}",
                        flush=True,
                    )
                if obj > best_obj + 1e-6:
                    best, best_obj = combined, obj
        _publish(best, relax.best_bound if relax.usable else None)
        # Re-planning, exactly, others fixed, until nobody gains: in rounds for all
        # members at once (``polish``), or else one member at a time.
        t = time.monotonic()
        if fast and best_obj > polished_obj:
            best, best_obj = polish(Q, relax.dp, planner, best, best_obj, end)
            polished_obj = best_obj
        while time.monotonic() < end and best_obj > polished_obj:
            order = list(rng.permutation(len(planner.groups)))
            polished = planner.best_response(best, order, end)
            obj = objective_of(Q, polished, n_m)
            if obj <= best_obj + 1e-6:
                polished_obj = best_obj  # a local optimum: no pass from here gains
                break
            best, best_obj = polished, obj
        took = max(took, time.monotonic() - t)
        _publish(best)
        if os.environ.get("TL"):
            print(
                f"  [{seed}] replanned at {time.monotonic() - t0:.3f} {best_obj:.0f} bound {relax.best_bound:.0f}",
                flush=True,
            )
        # Time left after a local optimum goes back to the prices (a better bound, and
        # perhaps a rounding that re-planning can take further), keeping enough for one
        # more round of re-planning.
        left = end - time.monotonic()
        if closed or lns or left < 0.02 or (left < 2 * took + 0.05 and not fast):
            break
        # With fast re-planning, a rest too short for another round of it still goes
        # to the prices and polished roundings.
        lag_end = end if left < 2 * took + 0.05 else end - max(1.2 * took, 0.15 * left)
    if lns and not closed:
        best, best_obj = neighbourhood_search(Q, n_m, rng, best, best_obj, relax, end, budget, pool)
    if relax.usable and np.isfinite(relax.best_bound):
        bound = relax.best_bound
    return best, bound


def polish(Q, dp, planner, chosen, obj, deadline, *, exact: bool = True):
    """Re-planning to a local optimum, fast: rounds of all members' best responses at
    once (``lagrange.best_responses``, one week-DP run each); then, with ``exact``, the
    members who would gain but not within their earnings cap (those rounds ignore the
    cap) re-plan exactly one at a time with ``planner``. Returns (choice, objective),
    never worse."""
    from .lagrange import best_responses

    n_m = len(Q.m_target)
    replanned = False  # the blocked members have re-planned since the last fast move
    while time.monotonic() < deadline:
        new, moved, blocked = best_responses(Q, dp, chosen)
        if moved:
            value = objective_of(Q, new, n_m)
            if value > obj + 1e-6:
                chosen, obj = new, value
                replanned = False
                continue
        if not exact or not len(blocked) or replanned:
            break
        replanned = True
        # One member at a time is slow (a stapel run each): a fifth of the time left.
        stop = min(deadline, time.monotonic() + max(0.05, 0.2 * (deadline - time.monotonic())))
        new = planner.best_response(chosen, [planner.slot[m] for m in blocked.tolist()], stop)
        value = objective_of(Q, new, n_m)
        if value <= obj + 1e-6:
            break
        chosen, obj = new, value
    return chosen, obj


def neighbourhood_search(
    Q: Pairs,
    n_m: int,
    rng: np.random.Generator,
    best: np.ndarray,
    best_obj: float,
    relax,
    end: float,
    budget: float,
    pool: ColumnPool | None = None,
) -> tuple[np.ndarray, float]:
    """Neighbourhood search until ``end``, seeded where ``best`` loses against the
    Lagrangian bound of ``relax``: the best feasible choice found and its objective.
    With ``pool``, the weeks found join it and the master runs again every
    MASTER_EVERY of the budget (the new weeks combine with the priced ones)."""
    search = Neighbourhoods(Q, n_m, rng)
    guided_at = -math.inf
    master_at = time.monotonic()
    while time.monotonic() < end - 0.02:
        now = time.monotonic()
        if pool is not None and now - master_at > MASTER_EVERY * budget:
            stop = min(end - 0.02, now + MASTER_AGAIN_SHARE * budget)
            combined = pool.solve(best, stop, lp_share=MASTER_LP_SHARE)
            master_at = time.monotonic()
            if combined is not None:
                obj = objective_of(Q, combined, n_m)
                if obj > best_obj + 1e-6:
                    best, best_obj = combined, obj
                    _publish(best)
        if GUIDED > 0 and relax.usable and time.monotonic() - guided_at > 0.1 * budget:
            if relax.best_mu is not None:
                relax.mu = relax.best_mu
            search.guide(duality_gaps(relax, Q, best))
            guided_at = time.monotonic()
        limit = min(LNS_LIMIT, end - time.monotonic())
        new = search.improve(best, LNS_SIZE, limit)
        if new is not None:
            obj = objective_of(Q, new, n_m)
            if obj > best_obj + 1e-6:
                best, best_obj = new, obj
                if pool is not None:
                    pool.add(best)
                _publish(best, every=0.2)
    return best, best_obj


def highs_component(
    P: Pairs, g: np.ndarray, start: np.ndarray, budget: float, *, seed: int = 0
) -> tuple[np.ndarray, float | None]:
    """HiGHS on one component's compact MILP, warm-started, then re-planning.

    Returns (choice over ``g``, HiGHS's dual bound or None)."""
    from .milp import build_model, shortfall_values, solve_highs

    t0 = time.monotonic()
    end = t0 + budget
    best = start.copy()
    if budget < 0.05:
        return best, None
    sub = subset(P, g)
    Q = sub.P
    n_m = len(sub.members)
    idx = np.arange(len(g))
    best_obj = objective_of(Q, best, n_m)
    model = build_model(Q, idx)
    x0 = best.astype(np.float64)
    full = np.concatenate([x0, shortfall_values(Q, model, idx, x0)])
    left = end - time.monotonic() - 0.03 * budget
    if left < 0.05:
        return best, None
    # On a large component (an idle worker's second try on the largest), HiGHS's answer
    # after most of the time gains more from neighbourhood search than from more HiGHS.
    lns = len(g) > SMALL_COMPONENT and budget >= LNS_MIN_BUDGET
    if lns:
        left *= 1.0 - HIGHS_LNS_SHARE
    x, _, dual, status = solve_highs(model, time_limit=left, start=full)
    if x is not None:
        mask = x[: model.n_x] > 0.5
        obj = objective_of(Q, mask, n_m)
        if obj >= best_obj - 1e-6:
            best, best_obj = mask, obj
            _publish(best)
    if status != "Optimal":
        planner = Planner(Q, n_m, lazy=True)
        rng = np.random.default_rng(seed)
        polished = planner.best_response(best, list(rng.permutation(len(planner.groups))), end)
        obj = objective_of(Q, polished, n_m)
        if obj > best_obj:
            best, best_obj = polished, obj
            _publish(best)
        if lns:
            search = Neighbourhoods(Q, n_m, rng)
            while time.monotonic() < end - 0.02:
                new = search.improve(best, LNS_SIZE, min(LNS_LIMIT, end - time.monotonic()))
                if new is not None:
                    obj = objective_of(Q, new, n_m)
                    if obj > best_obj + 1e-6:
                        best, best_obj = new, obj
                        _publish(best, every=0.2)
    bound = float(dual) + model.constant if np.isfinite(dual) else None
    return best, bound


def quick_bound(P: Pairs, g: np.ndarray) -> float | None:
    """A valid bound without prices: every member's best week, slots ignored."""
    from .lagrange import Relaxation

    sub = subset(P, g)
    relax = Relaxation(sub.P, len(sub.members))
    if not relax.usable:
        return None
    bound, _ = relax.evaluate()
    return bound


def component_objective(P: Pairs, g: np.ndarray, mask: np.ndarray) -> float:
    """Objective of the pairs ``g[mask]`` for the members of component ``g``."""
    members = np.unique(P.p_member[g])
    chosen = g[mask]
    minutes = np.bincount(
        P.p_member[chosen],
        weights=(P.s_end - P.s_start)[P.p_shift[chosen]],
        minlength=len(P.m_target),
    )
    short = np.maximum(0.0, P.m_target[members] - minutes[members]).sum()
    return float(P.p_value[g[mask]].sum() - P.weight * short)


def objective_of(P: Pairs, chosen: np.ndarray, n_members: int) -> float:
    """The contract's objective of a choice over all of ``P``'s pairs."""
    minutes = np.bincount(
        P.p_member[chosen], weights=(P.s_end - P.s_start)[P.p_shift[chosen]], minlength=n_members
    )
    return float(P.p_value[chosen].sum() - P.weight * np.maximum(0.0, P.m_target - minutes).sum())


class Planner:
    """Each member's own exact week problem (``stapel``'s DP), built on first use:
    ``best_response`` lets members re-plan one at a time with the others fixed."""

    def __init__(
        self, P: Pairs, n_members: int, *, lazy: bool = False, pairs: np.ndarray | None = None
    ):
        self.P = P
        pairs = np.arange(len(P.p_member)) if pairs is None else np.asarray(pairs)
        order = pairs[np.argsort(P.p_member[pairs], kind="stable")]
        cuts = np.flatnonzero(np.diff(P.p_member[order])) + 1
        self.groups = [g for g in np.split(order, cuts) if len(g)]
        self.members = [int(P.p_member[g[0]]) for g in self.groups]
        self.slot = {m: k for k, m in enumerate(self.members)}
        self._problems: list = [None] * len(self.groups)
        if not lazy:
            for k in range(len(self.groups)):
                self.problem(k)

    def problem(self, k: int):
        from .stapel import _Problem

        if self._problems[k] is None:
            P, m, g = self.P, self.members[k], self.groups[k]
            s = P.p_shift[g]
            self._problems[k] = _Problem(
                P.s_start[s],
                P.s_end[s],
                P.s_x[s],
                P.s_y[s],
                P.p_value[g],
                P.s_pay[s].astype(np.float64),
                P.p_forced[g],
                max_minutes=None if np.isinf(P.m_cap_min[m]) else float(P.m_cap_min[m]),
                max_pay=None if np.isinf(P.m_cap_pay[m]) else float(P.m_cap_pay[m]),
                target=float(P.m_target[m]),
                weight=P.weight,
                speed=60.0 / P.minutes_per_km,
            )
        return self._problems[k]

    def best_response(self, chosen: np.ndarray, order: list[int], deadline: float) -> np.ndarray:
        """Re-plan members one by one with true values, others fixed (never worse: a
        member whose binding earnings cap makes the exact week costly, more than
        PLANNER_LABELS labels, gets the best week of the multiplier search, and keeps
        the current one if that is worse)."""
        P = self.P
        taken = np.bincount(P.p_shift[chosen], minlength=len(P.s_slots))
        chosen = chosen.copy()
        for k in order:
            if time.monotonic() > deadline:
                break
            g = self.groups[k]
            s = P.p_shift[g]
            mine = chosen[g]
            free = (taken[s] - mine) < P.s_slots[s]
            values = np.where(free, P.p_value[g], -1e12)
            week = self.problem(k).solve_with(values, max_labels=PLANNER_LABELS)
            new = np.zeros(len(g), dtype=bool)
            new[week.chosen] = True
            if (new & ~free).any():
                continue
            minutes = (P.s_end - P.s_start)[s]
            m = self.members[k]
            now = P.p_value[g][mine].sum() - P.weight * max(
                0.0, P.m_target[m] - minutes[mine].sum()
            )
            if week.objective < now - 1e-9:
                continue
            taken[s] += new.astype(np.int64) - mine.astype(np.int64)
            chosen[g] = new
        return chosen


class Neighbourhoods:
    """Large neighbourhood search with HiGHS: a few members who compete for the same
    shifts are freed together and their weeks re-solved exactly as one small MILP (the
    other members fixed, slots reduced by what they hold), warm-started from the current
    weeks. It moves shifts between several members at once, which re-planning one member
    at a time cannot (a local optimum of single-member moves)."""

    def __init__(self, P: Pairs, n_members: int, rng: np.random.Generator):
        self.P, self.n_m, self.rng = P, n_members, rng
        order = np.argsort(P.p_member, kind="stable")
        cuts = np.r_[0, np.flatnonzero(np.diff(P.p_member[order])) + 1, len(order)]
        self.pairs_of = [order[cuts[i] : cuts[i + 1]] for i in range(len(cuts) - 1)]
        self.owner = P.p_member[order[cuts[:-1]]].tolist() if len(order) else []
        self.slot_of = {m: i for i, m in enumerate(self.owner)}
        by_shift = np.argsort(P.p_shift, kind="stable")
        self.by_shift = by_shift
        self.shift_cuts = np.searchsorted(P.p_shift[by_shift], np.arange(len(P.s_slots) + 1))
        self.seed_p: np.ndarray | None = None  # how seeds are drawn (None: uniformly)

    def guide(self, gap: np.ndarray) -> None:
        """Draw half the seed members in proportion to ``gap`` (per member)."""
        w = np.maximum(0.0, gap[self.owner]) if len(self.owner) else np.zeros(0)
        self.seed_p = w / w.sum() if w.sum() > 0 else None

    def members(self, size: int) -> list[int]:
        """A seed member and up to ``size - 1`` others, drawn by how many of its
        candidate shifts they share."""
        P = self.P
        if self.seed_p is not None and self.rng.random() < GUIDED:
            k0 = int(self.rng.choice(len(self.owner), p=self.seed_p))
        else:
            k0 = int(self.rng.integers(len(self.owner)))
        m0 = self.owner[k0]
        shifts = P.p_shift[self.pairs_of[k0]]
        near = np.concatenate(
            [self.by_shift[self.shift_cuts[s] : self.shift_cuts[s + 1]] for s in shifts.tolist()]
        )
        who, count = np.unique(P.p_member[near], return_counts=True)
        keep = who != m0
        who, count = who[keep], count[keep].astype(np.float64)
        k = min(size - 1, len(who))
        if not k:
            return [m0]
        pick = self.rng.choice(len(who), size=k, replace=False, p=count / count.sum())
        return [m0, *who[pick].tolist()]

    def improve(self, chosen: np.ndarray, size: int, limit: float) -> np.ndarray | None:
        """One neighbourhood re-solved: a feasible choice at least as good, or None."""
        from .milp import build_model, shortfall_values, solve_highs

        P = self.P
        freed = self.members(size)
        idx = np.concatenate([self.pairs_of[self.slot_of[m]] for m in freed])
        fixed = chosen.copy()
        fixed[idx] = False
        left = P.s_slots - np.bincount(P.p_shift[fixed], minlength=len(P.s_slots))
        idx = idx[left[P.p_shift[idx]] > 0]
        if not len(idx):
            return None
        model = build_model(P, idx, members=np.array(freed), slots=left)
        x0 = chosen[idx].astype(np.float64)
        x, _, _, _ = solve_highs(
            model, time_limit=limit, start=np.concatenate([x0, shortfall_values(P, model, idx, x0)])
        )
        if x is None:
            return None
        new = fixed
        new[idx[x[: model.n_x] > 0.5]] = True
        return new if feasible_weeks(P, new, freed) else None


def duality_gaps(relax, P: Pairs, chosen: np.ndarray) -> np.ndarray:
    """Per member, where ``chosen`` loses against the Lagrangian bound at the current
    prices: the member's priced best week minus the priced value of their week in
    ``chosen``, plus a share of the price of each candidate shift left with a free slot
    (complementary slackness: these terms add up to the bound minus the objective)."""
    relax.evaluate()
    per_member, _ = relax.last_parts
    dp = relax.dp
    n_m = len(P.m_target)
    minutes = np.bincount(
        P.p_member[chosen], weights=(P.s_end - P.s_start)[P.p_shift[chosen]], minlength=n_m
    )
    primal = np.bincount(P.p_member[chosen], weights=P.p_value[chosen], minlength=n_m)
    primal -= P.weight * np.maximum(0.0, P.m_target - minutes)
    free = np.flatnonzero(chosen & ~P.p_forced)
    fm, fs = P.p_member[free], P.p_shift[free]
    priced = relax.mu[fs] + relax.lam[fm] * P.s_pay[fs] / relax.pay_unit
    primal -= np.bincount(fm, weights=priced, minlength=n_m)
    primal += relax.lam * np.where(dp.pay_dual, dp.res_pay / relax.pay_unit, 0.0)
    gap = np.maximum(0.0, per_member - primal)
    unused = np.maximum(0, P.s_slots - np.bincount(P.p_shift[chosen], minlength=len(P.s_slots)))
    shift_gap = relax.mu * unused
    candidates = np.bincount(P.p_shift, minlength=len(P.s_slots))
    share = shift_gap[P.p_shift] / np.maximum(1, candidates[P.p_shift])
    return gap + np.bincount(P.p_member, weights=share, minlength=n_m)


def feasible_weeks(P: Pairs, chosen: np.ndarray, members: list[int]) -> bool:
    """Whether ``chosen`` keeps every slot, every commitment and, for ``members``, the
    caps and the gaps with travel (a check on answers that come from a MILP solver)."""
    if (np.bincount(P.p_shift[chosen], minlength=len(P.s_slots)) > P.s_slots).any():
        return False
    if (P.p_forced & ~chosen).any():
        return False
    mine = np.flatnonzero(chosen & np.isin(P.p_member, members))
    m, s = P.p_member[mine], P.p_shift[mine]
    n_m = len(P.m_target)
    minutes = np.bincount(m, weights=(P.s_end - P.s_start)[s], minlength=n_m)
    pay = np.bincount(m, weights=P.s_pay[s], minlength=n_m)
    if (minutes > P.m_cap_min + TOL).any() or (pay > P.m_cap_pay + TOL).any():
        return False
    order = np.lexsort((P.s_start[s], m))
    m, s = m[order], s[order]
    same = m[1:] == m[:-1]
    a, b = s[:-1][same], s[1:][same]
    travel = np.hypot(P.s_x[a] - P.s_x[b], P.s_y[a] - P.s_y[b]) * P.minutes_per_km
    return bool((P.s_end[a] + travel <= P.s_start[b] + TOL).all())
