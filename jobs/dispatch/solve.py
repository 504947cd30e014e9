"""Dispatch: assign shifts to all members at once.

Design overview
---------------
1. *Candidates* (``pairs.py``): every eligible (member, shift) pair, vectorised;
   commitments are forced pairs.
2. *Decomposition.* Members and shifts form a bipartite graph through their candidate
   pairs; its connected components (in practice: cities, or groups of neighbourhoods
   whose members' radii overlap) are independent problems.
3. *Construction.* A greedy pass per component, always feasible: commitments first, then
   pairs by decreasing value per minute (fairness gain included while a member is below
   target), each taken if the shift has a slot left, the member's caps hold and it fits
   between the member's other shifts with travel. This is the answer whenever the time
   limit leaves no room for more.
4. *Improvement.* Each component's compact MILP (``milp.py``: clique rows, travel rows,
   caps, fairness) goes to HiGHS, warm-started with the greedy solution, with a share of
   the remaining time proportional to its size. HiGHS returns its incumbent (never
   worse than the warm start) and a dual bound; the sum of the components' bounds is
   the bound of the whole.
5. The result is always the best feasible assignment found; the objective is recomputed
   with the contract's formula.
"""

from __future__ import annotations

import bisect
import math
import time

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .model import TOL, Assignment, Instance
from .pairs import Pairs, build_pairs


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
    graph = coo_matrix(
        (np.ones(len(P.p_member)), (P.p_member, n_members + P.p_shift)), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=False)
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


def greedy(
    P: Pairs,
    pair_idx: np.ndarray,
    priority: np.ndarray | None = None,
    initial: np.ndarray | None = None,
) -> np.ndarray:
    """A feasible choice (boolean over ``pair_idx``): forced pairs and ``initial`` (a
    feasible choice to extend, trusted as is) first, then the others by decreasing
    priority, each taken if its shift has a slot left, the member's caps hold and it fits
    between the member's other shifts with travel."""
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
    for p, m, s in zip(cand.tolist(), pm[cand].tolist(), ps[cand].tolist(), strict=True):
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
) -> Assignment:
    """The best assignment found within about ``time_limit`` seconds; always feasible.

    ``workers`` > 1 runs the components' MILPs in that many forked processes.
    ``Assignment.bound`` is a proven upper bound on the optimum (the smaller of the
    Lagrangian and the MILP bound, component by component); ``status`` is "optimal"
    when the bound is met.
    """
    from .lagrange import Relaxation, repair

    t0 = time.perf_counter()
    deadline = t0 + time_limit
    P = build_pairs(instance)
    n_m, n_s = len(instance.members), len(instance.shifts)
    groups, m_label, s_label = component_labels(P, n_m, n_s)
    n_c = len(groups)
    all_idx = np.arange(len(P.p_member))
    best = greedy(P, all_idx)
    best_obj = objective_of(P, best, n_m)
    # Members without any candidate pair only pay their shortfall: a constant.
    lonely = float(-P.weight * P.m_target[m_label < 0].sum())
    comp_bound = np.full(n_c, np.inf)
    if not use_milp or not groups:
        return _assignment(instance, P, np.flatnonzero(best), status="feasible")

    # With two or more workers, HiGHS works on the components (largest first) in other
    # processes while this one runs the Lagrangian; with one, they take turns.
    global _SHARED
    _SHARED = P
    pool = None
    futures: list = []
    if workers > 1:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        pool = ProcessPoolExecutor(workers - 1, mp_context=mp.get_context("fork"))
        span = max(0.0, deadline - time.perf_counter()) * 0.92
        total = sum(len(g) for g in groups)
        share = [span * min(1.0, (workers - 1) * len(g) / total) for g in groups]
        futures = [
            pool.submit(_component_task, (g, best[g], share[i], seed + i))
            for i, g in enumerate(groups)
        ]
    try:
        # 1. Lagrangian phase: bound and priced, repaired weeks.
        relax = Relaxation(P, n_m)
        lag_end = t0 + LAGRANGE_SHARE * time_limit
        if relax.usable:
            it = 0
            last_primal = 0.0
            # The repaired weeks are worth building every time on small instances; on
            # large ones (the greedy fill costs seconds) about every tenth of the time.
            primal_every = 0.0 if len(P.p_member) < 200_000 else 0.1
            while time.perf_counter() < lag_end:
                it += 1
                bound, relaxed = relax.evaluate()
                per_member, per_shift = relax.last_parts
                cb = np.bincount(m_label[m_label >= 0], per_member[m_label >= 0], minlength=n_c)
                cb += np.bincount(s_label[s_label >= 0], per_shift[s_label >= 0], minlength=n_c)
                comp_bound = np.minimum(comp_bound, cb)
                t = time.perf_counter()
                if t - last_primal > primal_every * (t - t0) or it < 3:
                    primal = greedy(P, all_idx, initial=repair(P, relaxed))
                    obj = objective_of(P, primal, n_m)
                    if obj > best_obj:
                        best, best_obj = primal, obj
                    last_primal = time.perf_counter()
                total_bound = lonely + float(comp_bound.sum())
                if best_obj >= total_bound - 1e-7 * max(1.0, abs(total_bound)):
                    break
                relax.step(best_obj)
            # Members re-plan one at a time, exactly, with the others fixed.
            polish_end = deadline - 0.04 * time_limit if pool else t0 + POLISH_END * time_limit
            planner = Lagrangian(P, n_m, lazy=True)
            rng = np.random.default_rng(seed)
            while time.perf_counter() < polish_end:
                order = list(rng.permutation(len(planner.groups)))
                polished = planner.best_response(best, order, polish_end)
                obj = objective_of(P, polished, n_m)
                if obj <= best_obj + 1e-6:
                    break
                best, best_obj = polished, obj

        # 2. Per component: HiGHS (warm-started), then members re-plan one at a time.
        if pool is None:
            available = max(0.0, deadline - time.perf_counter()) * 0.97
            total = sum(len(g) for g in groups)
            results = [
                _component_task((g, best[g], available * len(g) / total, seed + i))
                for i, g in enumerate(groups)
            ]
        else:
            results = [f.result() for f in futures]
    finally:
        _SHARED = None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    for i, (g, (mask, dual, _)) in enumerate(zip(groups, results, strict=True)):
        if component_objective(P, g, mask) > component_objective(P, g, best[g]):
            best[g] = mask
        if dual is not None and np.isfinite(dual):
            comp_bound[i] = min(comp_bound[i], dual)
    result_obj = objective_of(P, best, n_m)
    bound = lonely + float(comp_bound.sum())
    optimal = np.isfinite(bound) and result_obj >= bound - 1e-6 * max(1.0, abs(bound))
    return _assignment(
        instance,
        P,
        np.flatnonzero(best),
        status="optimal" if optimal else "feasible",
        bound=bound if np.isfinite(bound) else None,
    )


LAGRANGE_SHARE = 0.8  # of the time limit, then re-planning until POLISH_END
POLISH_END = 0.6


_SHARED: Pairs | None = None  # the instance's pairs, inherited by forked workers


def _component_task(task):
    g, start_mask, budget, seed = task
    return solve_component(_SHARED, g, start_mask, budget, seed=seed)


def component_objective(P: Pairs, g: np.ndarray, mask: np.ndarray) -> float:
    """Objective of the pairs ``g[mask]`` for the members of component ``g``."""
    members = np.unique(P.p_member[g])
    minutes = np.zeros(len(P.m_target))
    np.add.at(minutes, P.p_member[g[mask]], (P.s_end - P.s_start)[P.p_shift[g[mask]]])
    short = np.maximum(0.0, P.m_target[members] - minutes[members]).sum()
    return float(P.p_value[g[mask]].sum() - P.weight * short)


def solve_component(
    P: Pairs,
    g: np.ndarray,
    start_mask: np.ndarray,
    budget: float,
    *,
    seed: int = 0,
    lp_start: bool = False,
) -> tuple[np.ndarray, float | None, bool]:
    """Improve one component's feasible choice within ``budget`` seconds.

    Returns (choice over ``g``, dual bound or None, proven optimal).
    """
    from .milp import build_model, shortfall_values, solve_highs

    t0 = time.perf_counter()
    deadline = t0 + budget
    best = start_mask.copy()
    best_obj = component_objective(P, g, best)
    if budget < 0.02:
        return best, None, False
    rng = np.random.default_rng(seed)
    n_m = len(P.m_target)
    planner = Lagrangian(P, n_m, lazy=True, pairs=g)
    model = build_model(P, g)
    # LP-guided start: the relaxation's values order a greedy pass, then members re-plan
    # exactly one at a time (best response).
    lp_status = "skipped"
    if lp_start:
        x_lp, _, _, lp_status = solve_highs(model, time_limit=0.3 * budget, relax=True)
    if lp_status == "Optimal":
        minutes = (P.s_end - P.s_start)[P.p_shift[g]]
        tie = 1e-6 * P.p_value[g] / minutes / max(1.0, float(np.abs(P.p_value[g]).max()))
        mask = greedy(P, g, priority=x_lp[: model.n_x] + tie)
        full = np.zeros(len(P.p_member), dtype=bool)
        full[g[mask]] = True
        order = list(rng.permutation(len(planner.groups)))
        full = planner.best_response(full, order, t0 + 0.5 * budget)
        mask = full[g]
        obj = component_objective(P, g, mask)
        if obj > best_obj:
            best, best_obj = mask, obj
    start = best.astype(np.float64)
    full_start = np.concatenate([start, shortfall_values(P, model, g, start)])
    left = deadline - time.perf_counter() - 0.12 * budget
    if left < 0.02:
        return best, None, False
    x, obj, dual, status = solve_highs(model, time_limit=left, start=full_start)
    if x is not None:
        mask = x[: model.n_x] > 0.5
        obj = component_objective(P, g, mask)
        if obj >= best_obj - 1e-6:
            best, best_obj = mask, obj
    if status != "Optimal":
        # Polish what HiGHS left: members re-plan exactly, one at a time.
        full = np.zeros(len(P.p_member), dtype=bool)
        full[g[best]] = True
        full = planner.best_response(full, list(rng.permutation(len(planner.groups))), deadline)
        obj = component_objective(P, g, full[g])
        if obj > best_obj:
            best = full[g]
    return best, float(dual), status == "Optimal"


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)


class Lagrangian:
    """Slots dualised: each member's best week under prices is an exact stapel problem.

    ``bound(mu)`` is a valid upper bound for any prices mu >= 0; the members' priced
    choices, repaired where shifts are over-subscribed and filled greedily, give
    feasible assignments.
    """

    def __init__(
        self, P: Pairs, n_members: int, *, lazy: bool = False, pairs: np.ndarray | None = None
    ):
        self.P = P
        pairs = np.arange(len(P.p_member)) if pairs is None else np.asarray(pairs)
        order = pairs[np.argsort(P.p_member[pairs], kind="stable")]
        cuts = np.flatnonzero(np.diff(P.p_member[order])) + 1
        self.groups = [g for g in np.split(order, cuts) if len(g)]
        self.members = [int(P.p_member[g[0]]) for g in self.groups]
        self.index = {m: k for k, m in enumerate(self.members)}
        has = np.zeros(n_members, dtype=bool)
        has[self.members] = True
        self.constant = -float(P.weight * P.m_target[~has].sum())
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

    def priced(self, mu: np.ndarray, subset: list[int] | None = None):
        """Each member's best week under prices: (chosen pair mask, bound)."""
        P = self.P
        chosen = np.zeros(len(P.p_member), dtype=bool)
        total = self.constant + float(mu @ P.s_slots)
        for k in range(len(self.groups)) if subset is None else subset:
            g = self.groups[k]
            week = self.problem(k).solve_with(P.p_value[g] - mu[P.p_shift[g]])
            chosen[g[week.chosen]] = True
            total += week.objective
        return chosen, total

    def best_response(self, chosen: np.ndarray, order: list[int], deadline: float) -> np.ndarray:
        """Re-plan members one by one with true values, others fixed (never worse)."""
        P = self.P
        taken = np.bincount(P.p_shift[chosen], minlength=len(P.s_slots))
        chosen = chosen.copy()
        for k in order:
            if time.perf_counter() > deadline:
                break
            g = self.groups[k]
            s = P.p_shift[g]
            mine = chosen[g]
            free = (taken[s] - mine) < P.s_slots[s]
            values = np.where(free, P.p_value[g], -1e12)
            week = self.problem(k).solve_with(values)
            new = np.zeros(len(g), dtype=bool)
            new[week.chosen] = True
            if (new & ~free).any():
                continue
            taken[s] += new.astype(np.int64) - mine.astype(np.int64)
            chosen[g] = new
        return chosen


class Neighbourhoods:
    """Large neighbourhood search: free a few dozen members who compete for the same
    shifts, keep everyone else fixed, and let HiGHS re-assign the freed members exactly
    (the sub-problem is small, so it is usually closed in a fraction of a second)."""

    def __init__(self, P: Pairs, n_members: int, rng: np.random.Generator, size: int = 30):
        self.P = P
        self.rng = rng
        self.size = size
        order = np.argsort(P.p_member, kind="stable")
        self.m_start = np.searchsorted(P.p_member[order], np.arange(n_members + 1))
        self.m_pairs = order
        s_order = np.argsort(P.p_shift, kind="stable")
        self.s_start = np.searchsorted(P.p_shift[s_order], np.arange(len(P.s_slots) + 1))
        self.s_pairs = s_order
        self.active = np.flatnonzero(np.diff(self.m_start) > 0)

    def pairs_of(self, m: int) -> np.ndarray:
        return self.m_pairs[self.m_start[m] : self.m_start[m + 1]]

    def pick(self, members_subset: np.ndarray | None = None) -> np.ndarray:
        """Members linked through shared candidate shifts, grown from a random seed."""
        P = self.P
        pool = self.active if members_subset is None else members_subset
        seed = int(self.rng.choice(pool))
        chosen = {seed}
        frontier = [seed]
        while frontier and len(chosen) < self.size:
            m = frontier.pop(0)
            shifts = P.p_shift[self.pairs_of(m)]
            self.rng.shuffle(shifts)
            for s in shifts[:8]:
                others = P.p_member[self.s_pairs[self.s_start[s] : self.s_start[s + 1]]]
                for o in self.rng.permutation(others)[:3]:
                    o = int(o)
                    if o not in chosen:
                        chosen.add(o)
                        frontier.append(o)
                        if len(chosen) >= self.size:
                            break
                if len(chosen) >= self.size:
                    break
        return np.array(sorted(chosen), dtype=np.int64)

    def improve(self, chosen: np.ndarray, members: np.ndarray, time_limit: float) -> bool:
        from .milp import build_model, shortfall_values, solve_highs

        P = self.P
        idx = np.concatenate([self.pairs_of(int(m)) for m in members])
        inside = np.zeros(len(chosen), dtype=bool)
        inside[idx] = True
        taken = np.bincount(P.p_shift[chosen & ~inside], minlength=len(P.s_slots))
        model = build_model(P, idx, members=members, slots=P.s_slots - taken)
        start = chosen[idx].astype(np.float64)
        full = np.concatenate([start, shortfall_values(P, model, idx, start)])
        current = float(model.c @ full)
        x, obj, _, _ = solve_highs(model, time_limit=time_limit, start=full, mip_rel_gap=1e-4)
        if x is None or obj <= current + 1e-6:
            return False
        chosen[idx] = x[: model.n_x] > 0.5
        return True


def objective_of(P: Pairs, chosen: np.ndarray, n_members: int) -> float:
    minutes = np.bincount(
        P.p_member[chosen], weights=(P.s_end - P.s_start)[P.p_shift[chosen]], minlength=n_members
    )
    return float(P.p_value[chosen].sum() - P.weight * np.maximum(0.0, P.m_target - minutes).sum())


def repair(P: Pairs, relaxed: np.ndarray) -> np.ndarray:
    """Drop claimants of over-subscribed shifts (lowest value first), keeping commitments."""
    idx = np.flatnonzero(relaxed)
    s = P.p_shift[idx]
    key = np.where(P.p_forced[idx], np.inf, P.p_value[idx])
    order = np.lexsort((-key, s))
    idx, s = idx[order], s[order]
    starts = np.r_[0, np.flatnonzero(np.diff(s)) + 1]
    rank = np.arange(len(idx)) - np.repeat(starts, np.diff(np.r_[starts, len(idx)]))
    keep = rank < P.s_slots[s]
    out = np.zeros_like(relaxed)
    out[idx[keep]] = True
    return out


def solve_lagrangian(
    instance: Instance, *, time_limit: float = 30.0, verbose: bool = False, lp_start=True
) -> Assignment:
    t0 = time.perf_counter()
    deadline = t0 + time_limit
    P = build_pairs(instance)
    n_m = len(instance.members)
    all_idx = np.arange(len(P.p_member))
    best = greedy(P, all_idx)
    best_obj = objective_of(P, best, n_m)
    lag = Lagrangian(P, n_m)
    mu = np.zeros(len(P.s_slots))
    if lp_start:
        from .milp import build_model, solve_highs

        model = build_model(P, all_idx)
        _, lp, duals, _ = solve_highs(model, time_limit=time_limit, relax=True)
        # slot rows come first, in order of the shifts that have more claimants than slots
        ps = P.p_shift
        shifts, counts = np.unique(ps, return_counts=True)
        over = shifts[counts > P.s_slots[shifts]]
        mu[over] = np.abs(duals[: len(over)])
        if verbose:
            print(f"lp {lp:.0f} t {time.perf_counter() - t0:.2f}")
    ub = np.inf
    theta = 1.0
    stall = 0
    it = 0
    while time.perf_counter() < deadline:
        it += 1
        relaxed, bound = lag.priced(mu)
        if bound < ub - 1e-9:
            ub = bound
            stall = 0
        else:
            stall += 1
            if stall >= 3:
                theta /= 2
                stall = 0
        primal = greedy(P, all_idx, initial=repair(P, relaxed))
        obj = objective_of(P, primal, n_m)
        if obj > best_obj:
            best, best_obj = primal, obj
        if verbose:
            print(f"it {it} t {time.perf_counter() - t0:.2f} ub {ub:.0f} lb {best_obj:.0f} q {best_obj / ub:.5f}")
        if best_obj >= ub - 1e-6 * abs(ub):
            break
        demand = np.bincount(P.p_shift[relaxed], minlength=len(mu))
        g = (demand - P.s_slots).astype(np.float64)
        g[(mu <= 0) & (g < 0)] = 0.0
        norm = float(g @ g)
        if norm == 0:
            break
        mu = np.maximum(0.0, mu + theta * (bound - best_obj) / norm * g)
    rng = np.random.default_rng(0)
    order = list(rng.permutation(len(lag.groups)))
    polished = lag.best_response(best, order, deadline + 0.1 * time_limit)
    pobj = objective_of(P, polished, n_m)
    if verbose:
        print(f"polish {pobj:.0f} q {pobj / ub:.5f} t {time.perf_counter() - t0:.2f}")
    if pobj > best_obj:
        best, best_obj = polished, pobj
    return _assignment(instance, P, np.flatnonzero(best), status="feasible", bound=ub)
