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

Where things are: this module is the orchestration (time, components, workers, the
answer); ``heuristics.py`` holds the greedy, the components and the exact re-planning;
``search.py`` the searches per component (prices, master, neighbourhoods, HiGHS);
``tuning.py`` every knob.
"""

from __future__ import annotations

import functools
import math
import os
import time
from dataclasses import dataclass

import numpy as np

from . import search
from . import tuning as T
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
from .heuristics import (
    component_labels,
    component_objective,
    component_objectives,
    feasible_weeks,
    greedy,
    objective_of,
    to_assignment,
)
from .model import Assignment, Instance
from .pairs import Pairs, build_pairs
from .search import heavy_loaded, highs_component, lagrange_component, quick_bound


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
    deadline = t0 + max(0.0, min(T.SAFETY * time_limit, time_limit - T.MARGIN))
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
            return to_assignment(instance, P, np.flatnonzero(best), status="feasible")
        groups = self.groups
        assert self.m_label is not None  # set with P by the construction
        comp_bound = np.full(len(groups), np.inf)
        # Vectorised over the components, and each job's objective as its worker
        # published it (``component_objective``, same pairs): an instance of thousands
        # of tiny components spent 0.2 s here (0.5 s loaded) inside the time promise.
        comp_best = component_objectives(P, self.m_label, np.flatnonzero(best), len(groups))
        comp_best = comp_best.tolist()
        for job, (i, _) in enumerate(self.jobs):
            g = groups[i]
            mask, obj = self.answers.best(job)
            if mask is not None and obj > comp_best[i]:
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
        return to_assignment(
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
    if P is None or best is None or not groups or time.monotonic() > deadline - T.MIN_WORK:
        return
    if math.isinf(kill_at) or deadline - time.monotonic() >= T.HEAVY_SECONDS:
        # HiGHS and the models (the master, the small components' MILP) are imported once,
        # here, before the workers fork: not at start-up, where they would cost a short
        # limit up to a second of a loaded machine before the greedy could even start.
        # About 0.05 s here; on a cold disk cache it could take longer, so the alarm
        # watches it too (then the greedy's answer stands).
        try:
            with alarm(deadline if math.isfinite(kill_at) else math.inf):
                from . import master, milp  # noqa: F401
        except OutOfTime:
            return
    idle_highs = (
        deadline - time.monotonic() >= T.IDLE_HIGHS_SECONDS
        and len(groups[0]) <= T.IDLE_HIGHS_MAX_PAIRS
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
    # Handed to each bin, never kept in a module global: a Celery worker with a thread
    # pool (the embedded stack's) runs several solves at once in one process.
    shared = Shared(P, deadline, seed, answers)
    if len(numbered) > 1 or math.isfinite(kill_at):
        run_forked([functools.partial(_run_bin, jobs, shared) for jobs in numbered], kill_at)
    else:
        _run_bin(numbered[0], shared)


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
        bins[k].append((i, "highs" if len(g) <= T.SMALL_COMPONENT else "lagrange"))
        loads[k] += len(g)
    if workers > 1 and len(groups[0]) > T.SMALL_COMPONENT:
        k = loads.index(min(loads))
        if loads[k] < 0.5 * max(loads):
            bins[k].append((0, "highs" if idle_highs else "again"))
            loads[k] += len(groups[0])
    return [b for b in bins if b]


@dataclass(frozen=True)
class Shared:
    """What every bin of one solve reads (a forked worker inherits it)."""

    P: Pairs
    deadline: float
    seed: int
    answers: SharedAnswers


def _run_bin(jobs: list[tuple[int, int, str, np.ndarray, np.ndarray]], shared: Shared) -> None:
    """Work through one bin's components, sharing the time left by size; every answer
    goes to the shared answers as soon as it is found."""
    P, deadline, seed, answers = shared.P, shared.deadline, shared.seed, shared.answers
    # Time in proportion to size ** SIZE_POWER: larger components need more iterations
    # as well as longer ones. Small components still get a moment (HiGHS's root node).
    # Small components go first: they seldom need their moment, and what they leave goes
    # to the large ones (last, a small one would get only what the large ones left).
    remaining = sum(len(g) ** T.SIZE_POWER for _, _, _, g, _ in jobs)
    jobs = sorted(jobs, key=lambda job: len(job[3]) > T.SMALL_COMPONENT)
    for job, i, kind, g, start in jobs:

        def publish(
            mask: np.ndarray, bound: float | None, job: int = job, g: np.ndarray = g
        ) -> None:
            answers.put(job, mask, component_objective(P, g, mask))
            answers.put_bound(job, bound)

        search.publish_to(publish)
        publish(start, None)
        left = max(0.0, deadline - time.monotonic())
        weight = len(g) ** T.SIZE_POWER
        budget = min(left, max(left * weight / remaining, min(0.5, 0.1 * left)))
        remaining -= weight
        if kind == "highs" and len(g) <= T.SMALL_COMPONENT and T.SMALL_LAGRANGE > 0:
            # The prices often close a small component in milliseconds; HiGHS, which
            # needs longer, then starts from their answer (and proves optimality).
            t = time.monotonic()
            first = min(T.SMALL_LAGRANGE * budget, T.SMALL_LAGRANGE_MAX)
            mask, bound = lagrange_component(P, g, start, first, seed=seed + i, master=False)
            publish(mask, bound)
            closed = bound is not None and component_objective(P, g, mask) >= bound - 1e-7 * max(
                1.0, abs(bound)
            )
            rest = budget - (time.monotonic() - t)
            if not closed and rest > 0.05 and heavy_loaded():
                mask2, bound2 = highs_component(P, g, mask, rest, seed=seed + i)
                if component_objective(P, g, mask2) > component_objective(P, g, mask):
                    mask = mask2
                if bound2 is not None:
                    bound = bound2 if bound is None else min(bound, bound2)
        elif kind == "highs" and heavy_loaded():
            mask, bound = highs_component(P, g, start, budget, seed=seed + i)
        else:
            again = T.AGAIN_SEED if kind in ("again", "highs") else 0
            # Under a short limit the second run hedges (linear prices); with seconds to
            # spare both runs price the capped members' weeks exactly before the master.
            long = budget >= T.CAPPED_MIN_BUDGET
            shares = (
                (0.0, 0.0)
                if not long
                else (T.AGAIN_CAPPED_SHARE, T.AGAIN_REGION_CAPPED_SHARE)
                if kind == "again"
                else (T.CAPPED_SHARE, T.REGION_CAPPED_SHARE)
            )
            mask, bound = lagrange_component(
                P, g, start, budget, seed=seed + i + again,
                switch_share=T.AGAIN_SWITCH_SHARE if kind == "again" and not long else None,
                capped_share=shares[0],
                region_capped_share=shares[1],
            )  # fmt: skip
        publish(mask, bound)
        if bound is None and time.monotonic() < deadline:
            publish(mask, quick_bound(P, g))
    search.publish_to(None)
