"""Dispatch searches, per component: the prices (Lagrangian relaxation with LP-guided
rounding, polishing and the restricted master), neighbourhood search and HiGHS.

Each search improves a feasible choice over one component's pairs and offers every
better one to the orchestration (``solve.py``) through ``publish``, so that an answer
survives when its worker is stopped at the deadline. The knobs are in ``tuning.py``.
"""

from __future__ import annotations

import logging
import math
import sys
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from . import tuning as T
from .heuristics import Planner, feasible_weeks, greedy, objective_of, polish
from .pairs import Pairs

if TYPE_CHECKING:
    from collections.abc import Callable

    from .master import ColumnPool


logger = logging.getLogger(__name__)


def heavy_loaded() -> bool:
    """Whether HiGHS and the models are imported (``solve`` imports them when there is time)."""
    return "jobs.dispatch.master" in sys.modules and "jobs.dispatch.milp" in sys.modules


# The current job's receiver, per thread: a Celery worker with a thread pool (the embedded
# stack's) runs several solves at once in one process, each with its own components.
_LOCAL = threading.local()


def publish_to(receiver: Callable[[np.ndarray, float | None], None] | None) -> None:
    """Send this thread's current job's answers to ``receiver`` (the orchestration's), or
    nowhere."""
    _LOCAL.receiver = receiver
    _LOCAL.published_at = -math.inf


def _publish(mask: np.ndarray, bound: float | None = None, *, every: float = 0.0) -> None:
    """Offer a feasible choice over the current component's pairs (and perhaps a bound)
    to the parent: it keeps the best, and uses it if this worker is stopped. With
    ``every``, only if the last offer is at least that many seconds old."""
    receiver = getattr(_LOCAL, "receiver", None)
    now = time.monotonic()
    if receiver is not None and now - _LOCAL.published_at >= every:
        receiver(mask, bound)
        _LOCAL.published_at = now


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
    switch_share: float | None = None,
    capped_share: float = 0.0,
    region_capped_share: float = 0.0,
) -> tuple[np.ndarray, float | None]:
    """Lagrangian bound and heuristic on one component, then re-planning.
    ``switch_share``: the share of the prices that runs exact (default
    ``EXACT_SWITCH_SHARE``). ``capped_share``: at most this share of the budget goes,
    before the master, to the exact weeks of the members whose earnings cap binds
    (``capped_weeks``); ``region_capped_share`` likewise before the regional masters.

    Returns (choice over ``g``, upper bound on the component's optimum or None)."""
    from .lagrange import Relaxation, repair

    t0 = time.monotonic()
    end = t0 + budget
    # With time enough, what is left after the first local optimum of re-planning goes
    # to neighbourhood search rather than back to the prices (it gains more per second).
    # Not when the time per pair is short (100k): there the prices are far from converged
    # and need all the time they can get.
    lns = budget >= T.LNS_MIN_BUDGET and budget >= T.LNS_MIN_SECONDS_PER_PAIR * len(g)
    sub = subset(P, g)
    Q = sub.P
    n_m = len(sub.members)
    idx = np.arange(len(g))
    best = start.copy()
    best_obj = objective_of(Q, best, n_m)
    bound = None
    # The master's LP grows with the pairs: on the 10k "utrecht" component (331,000
    # pairs, 26,000-43,000 columns) it took 25 s of a minute and found nothing better.
    # Larger components get the master by regions (``regional_masters``), with time.
    big = len(g) > T.MASTER_MAX_PAIRS
    master = master and T.MASTER and heavy_loaded()
    regional = (
        master
        and big
        and T.REGIONS
        and not lns
        and budget >= T.REGION_MIN_BUDGET
        and budget >= T.REGION_MIN_SECONDS_PER_PAIR * len(g)
    )
    # A short budget cannot afford the exact minutes axis: an evaluation over its table
    # (pairs x minutes units) costs about 20 ns a cell, and the prices need dozens of
    # evaluations before their weeks are worth rounding. Below about 5 s the members
    # with the widest axes are priced linearly instead (``WeekDP``). Before regions the
    # prices run alone and get a larger table (REGION_EXACT_CELLS).
    cells = min(T.EXACT_CELLS, T.EXACT_CELLS_PER_SECOND * budget)
    relax = Relaxation(Q, n_m, exact_cells=T.REGION_EXACT_CELLS if regional else cells)
    set_up = time.monotonic() - t0
    logger.debug(
        "[%s] %d pairs, budget %.3f s: prices set up in %.3f s (%s week DP)",
        seed, len(g), budget, time.monotonic() - t0,
        "compiled" if relax.dp.native is not None else "numpy",
    )  # fmt: skip
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
    master = master and relax.usable and (not big or regional)
    regional = master and regional
    if master:
        from .master import ColumnPool
    pool = ColumnPool(Q, n_m, seed) if master else None
    if lns:
        lag_end = t0 + max(
            T.LNS_LAGRANGE_SHARE * budget,
            min(T.LNS_LAGRANGE_MAX_SHARE * budget, T.LNS_LAGRANGE_SECONDS),
        )
    elif regional:
        lag_end = t0 + T.REGION_LAGRANGE_SHARE * budget
    else:
        lag_end = t0 + (T.MASTER_LAGRANGE_SHARE if pool is not None else T.LAGRANGE_SHARE) * budget
    closed = not relax.usable
    polished_obj = -math.inf  # objective of the last local optimum of re-planning
    took = 0.0  # longest re-planning round so far
    fast = T.FAST_POLISH and relax.usable
    raw_best = -math.inf  # best rounding before polishing
    spent_polish = 0.0
    # Short budgets: the last part of the prices before the master runs exact.
    switch_at = (
        lag_end - (T.EXACT_SWITCH_SHARE if switch_share is None else switch_share) * (lag_end - t0)
        if pool is not None and not regional and relax.has_linear
        else math.inf
    )
    while True:
        while not closed and time.monotonic() < lag_end:
            if time.monotonic() >= switch_at:
                switch_at = math.inf
                # The exact relaxation's set-up costs at least what the first one's did:
                # it starts only with time for it and for evaluations after it.
                if lag_end - time.monotonic() > 3 * set_up:
                    relax = relax.exact(T.EXACT_SWITCH_CELLS)
            t = time.monotonic()
            _, relaxed = relax.evaluate()
            if pool is not None:
                pool.trim()
                pool.add(relax.feasible_weeks() if T.TRIM_COLUMNS else relaxed)
            xbar = relaxed.astype(np.float64) if xbar is None else xbar
            xbar += T.AVERAGE * (relaxed - xbar)
            spent_dual += time.monotonic() - t
            if (
                pool is not None
                and not (T.ROUND_WITH_REGIONS if regional else T.ROUND_WITH_MASTER)
                and time.monotonic() < lag_end
            ):
                relax.step(best_obj)
                continue
            t = time.monotonic()
            if spent_primal <= T.PRIMAL_SHARE * (spent_primal + spent_dual):
                primal = greedy(Q, idx, priority=xbar + tie)
            else:
                primal = greedy(Q, idx, initial=repair(Q, relaxed))
            obj = objective_of(Q, primal, n_m)
            spent_primal += time.monotonic() - t
            if fast and obj > raw_best and spent_polish <= T.POLISH_SHARE * (time.monotonic() - t0):
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
        logger.debug(
            "[%s] prices until %.3f s: %d evaluations in %.3f s, bound %.0f",
            seed, time.monotonic() - t0, relax.evaluations, spent_dual, relax.best_bound,
        )  # fmt: skip
        if regional and pool is not None and not closed:
            stop = min(end - T.REGION_RESERVE * budget, t0 + T.REGION_END_SHARE * budget)
            extra = None
            if region_capped_share > 0:
                until = min(time.monotonic() + region_capped_share * budget, stop)
                extra = capped_columns(Q, planner, relax, pool, until, f"[{seed}]", t0)
            if time.monotonic() < stop:
                best, best_obj = regional_masters(
                    Q, n_m, rng, pool, relax, best, best_obj, stop, extra=extra
                )
        elif pool is not None and pool.added_since and not closed:
            # The master combines the weeks met so far; re-planning follows.
            columns = pool.best_columns(pair_prices(relax, Q), T.MASTER_COLUMNS)
            if capped_share > 0:
                until = min(end - 0.2 * budget, time.monotonic() + capped_share * budget)
                extra = capped_columns(Q, planner, relax, pool, until, f"[{seed}]", t0)
                columns = np.union1d(columns, extra)
            stop = min(end - 0.1 * budget, time.monotonic() + T.MASTER_SHARE * budget)
            combined = pool.solve(
                best, stop, lp_share=T.MASTER_LP_SHARE, columns=columns,
                near=T.MASTER_NEAR if budget >= T.MASTER_NEAR_MIN_BUDGET else 0,
            )  # fmt: skip
            if combined is not None:
                obj = objective_of(Q, combined, n_m)
                logger.debug(
                    "[%s] master at %.3f s, %s columns: %.0f -> %.0f",
                    seed, time.monotonic() - t0, len(pool), best_obj, obj,
                )  # fmt: skip
                if obj > best_obj + 1e-6:
                    best, best_obj = combined, obj
        _publish(best, relax.best_bound if relax.usable else None)
        # Re-planning, exactly, others fixed, until nobody gains: in rounds for all
        # members at once (``polish``), or else one member at a time.
        t = time.monotonic()
        if fast and best_obj > polished_obj:
            best, best_obj = polish(Q, relax.dp, planner, best, best_obj, end)
            polished_obj = best_obj
            logger.debug(
                "[%s] fast re-planning to %.3f s: %.0f", seed, time.monotonic() - t0, best_obj
            )
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
        logger.debug(
            "[%s] re-planned at %.3f s: %.0f, bound %.0f",
            seed, time.monotonic() - t0, best_obj, relax.best_bound,
        )  # fmt: skip
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


def capped_weeks(P: Pairs, planner: Planner, relax: Any, stop: float) -> np.ndarray:
    """The members whose earnings cap binds, each with their best week within the cap at
    the best slot prices so far (a mask over the pairs; members with fewer candidates
    first, until ``stop``).

    The week DP prices such a cap with a multiplier and the pool gets the priced week cut
    back within the cap: seldom the best week within it, and no multiplier need give that
    one. Yet the master's LP needs exactly those weeks: on fairness-heavy 2k, 48 capped
    members' exact weeks at the prices raised it by 14,000 where every priced week of the
    subgradient had left it 22,000 below the column LP. stapel's exact search finds them
    (the multiplier search, then labels); past ``CAPPED_LABELS`` labels a member keeps the
    multiplier search's best week (10,000 labels gave two thirds of the gain in a third of
    the time)."""
    chosen = P.p_forced.copy()
    capped = planner.capped(relax.dp.pay_dual)
    capped.sort(key=lambda m: len(planner.groups[planner.slot[m]]))
    for m in capped:
        if time.monotonic() >= stop:
            break
        pairs, _ = planner.priced_week(m, relax.best_mu, max_labels=T.CAPPED_LABELS)
        chosen[pairs] = True
    return chosen


def capped_columns(
    P: Pairs, planner: Planner, relax: Any, pool: ColumnPool, until: float, tag: str, t0: float
) -> np.ndarray:
    """``capped_weeks`` until ``until``, added to ``pool``: their column indices."""
    weeks = capped_weeks(P, planner, relax, until)
    before = len(pool)
    pool.add(weeks)
    columns = pool.columns_of(weeks)
    logger.debug(
        "%s capped weeks until %.3f s: %d weeks, %d new",
        tag, time.monotonic() - t0, len(columns), len(pool) - before,
    )  # fmt: skip
    return columns


def regional_masters(
    Q: Pairs,
    n_m: int,
    rng: np.random.Generator,
    pool: ColumnPool,
    relax: Any,
    best: np.ndarray,
    best_obj: float,
    stop: float,
    *,
    extra: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """The restricted master by regions until ``stop`` (the ``extra`` columns always
    among the candidates): on a component too large for
    one master (its LP took 25 s of a minute on the 10k "utrecht" component), regions of
    REGION_MEMBERS members who compete for the same shifts, seeded where the duality gap
    is, choose among their own weeks of the pool, the others' weeks fixed. Each region's
    answer is never worse than the weeks it started from. The prices stay fixed in this
    phase, so each member's best columns under them are chosen once."""
    regions = Neighbourhoods(Q, n_m, rng)
    regions.guide_by(relax, best)
    columns = pool.best_columns(pair_prices(relax, Q), T.MASTER_COLUMNS)
    if extra is not None:
        columns = np.union1d(columns, extra)
    tried = improved = 0
    while time.monotonic() < stop - 0.05:
        members = np.array(regions.members(T.REGION_MEMBERS))
        combined = pool.solve(
            best,
            min(stop, time.monotonic() + T.REGION_LIMIT),
            lp_share=T.MASTER_LP_SHARE,
            columns=columns,
            members=members,
        )
        tried += 1
        if combined is None:
            continue
        obj = objective_of(Q, combined, n_m)
        if obj > best_obj + 1e-6:
            best, best_obj = combined, obj
            improved += 1
            _publish(best, every=0.2)
    logger.debug("regional masters: %d regions, %d improved: %.0f", tried, improved, best_obj)
    return best, best_obj


def neighbourhood_search(
    Q: Pairs,
    n_m: int,
    rng: np.random.Generator,
    best: np.ndarray,
    best_obj: float,
    relax: Any,
    end: float,
    budget: float,
    pool: ColumnPool | None = None,
) -> tuple[np.ndarray, float]:
    """Neighbourhood search until ``end``, seeded where ``best`` loses against the
    Lagrangian bound of ``relax``: the best feasible choice found and its objective.
    With ``pool``, the weeks found join it and the master runs again every
    T.MASTER_EVERY of the budget (the new weeks combine with the priced ones)."""
    search = Neighbourhoods(Q, n_m, rng)
    guided_at = -math.inf
    master_at = time.monotonic()
    tried = improved = masters = 0
    start_obj = best_obj
    while time.monotonic() < end - 0.02:
        now = time.monotonic()
        if pool is not None and now - master_at > T.MASTER_EVERY * budget:
            stop = min(end - 0.02, now + T.MASTER_AGAIN_SHARE * budget)
            combined = pool.solve(best, stop, lp_share=T.MASTER_LP_SHARE)
            master_at = time.monotonic()
            if combined is not None:
                obj = objective_of(Q, combined, n_m)
                if obj > best_obj + 1e-6:
                    best, best_obj = combined, obj
                    masters += 1
                    _publish(best)
        if relax.usable and time.monotonic() - guided_at > 0.1 * budget:
            search.guide_by(relax, best)
            guided_at = time.monotonic()
        limit = min(T.LNS_LIMIT, end - time.monotonic())
        new = search.improve(best, T.LNS_SIZE, limit)
        tried += 1
        if new is not None:
            obj = objective_of(Q, new, n_m)
            if obj > best_obj + 1e-6:
                best, best_obj = new, obj
                improved += 1
                if pool is not None:
                    pool.add(best)
                _publish(best, every=0.2)
    logger.debug(
        "neighbourhoods: %d tried, %d improved, %d masters gained: %.0f -> %.0f",
        tried, improved, masters, start_obj, best_obj,
    )  # fmt: skip
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
    lns = len(g) > T.SMALL_COMPONENT and budget >= T.LNS_MIN_BUDGET
    if lns:
        left *= 1.0 - T.HIGHS_LNS_SHARE
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
                new = search.improve(best, T.LNS_SIZE, min(T.LNS_LIMIT, end - time.monotonic()))
                if new is not None:
                    obj = objective_of(Q, new, n_m)
                    if obj > best_obj + 1e-6:
                        best, best_obj = new, obj
                        _publish(best, every=0.2)
    bound = float(dual) + model.constant if np.isfinite(dual) else None
    logger.debug("[%s] HiGHS (%s) and re-planning: %.0f, bound %s", seed, status, best_obj, bound)
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
        """Draw a share T.GUIDED of the seed members in proportion to ``gap`` (per
        member)."""
        w = np.maximum(0.0, gap[self.owner]) if len(self.owner) else np.zeros(0)
        self.seed_p = w / w.sum() if w.sum() > 0 else None

    def guide_by(self, relax: Any, chosen: np.ndarray) -> None:
        """Guide the seeds to where ``chosen`` loses against the Lagrangian bound, at the
        best slot prices found (``duality_gaps``)."""
        if T.GUIDED <= 0:
            return
        relax.mu = relax.best_mu
        self.guide(duality_gaps(relax, self.P, chosen))

    def members(self, size: int) -> list[int]:
        """A seed member and up to ``size - 1`` others, drawn by how many of its
        candidate shifts they share."""
        P = self.P
        if self.seed_p is not None and self.rng.random() < T.GUIDED:
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


def pair_prices(relax: Any, P: Pairs) -> np.ndarray:
    """Per pair, what the Lagrangian prices charge for it: its shift's best slot price
    plus its member's earnings-cap price times its pay."""
    prices: np.ndarray = relax.best_mu[P.p_shift] + relax.lam[P.p_member] * (
        P.s_pay[P.p_shift] / relax.pay_unit
    )
    return prices


def duality_gaps(relax: Any, P: Pairs, chosen: np.ndarray) -> np.ndarray:
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
    primal: np.ndarray = np.bincount(P.p_member[chosen], weights=P.p_value[chosen], minlength=n_m)
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
    gaps: np.ndarray = gap + np.bincount(P.p_member, weights=share, minlength=n_m)
    return gaps
