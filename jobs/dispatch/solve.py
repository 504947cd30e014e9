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
import time

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from .model import TOL, Assignment, Instance
from .pairs import Pairs, build_pairs


def components(P: Pairs, n_members: int, n_shifts: int) -> list[np.ndarray]:
    """Pair indices of each connected component, largest first."""
    n = n_members + n_shifts
    if not len(P.p_member):
        return []
    graph = coo_matrix(
        (np.ones(len(P.p_member)), (P.p_member, n_members + P.p_shift)), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=False)
    comp = labels[P.p_member]
    order = np.argsort(comp, kind="stable")
    cuts = np.flatnonzero(np.diff(comp[order])) + 1
    groups = np.split(order, cuts)
    groups.sort(key=len, reverse=True)
    return groups


def greedy(P: Pairs, pair_idx: np.ndarray, priority: np.ndarray | None = None) -> np.ndarray:
    """A feasible choice (boolean over ``pair_idx``): forced pairs, then by priority."""
    pm = P.p_member[pair_idx]
    ps = P.p_shift[pair_idx]
    minutes = (P.s_end - P.s_start)[ps]
    if priority is None:
        target_gain = P.weight * np.minimum(minutes, P.m_target[pm])
        priority = (P.p_value[pair_idx] + target_gain) / minutes
    order = np.lexsort((-priority, ~P.p_forced[pair_idx]))
    chosen = np.zeros(len(pair_idx), dtype=bool)
    slots = {}
    used_min: dict[int, float] = {}
    used_pay: dict[int, float] = {}
    timeline: dict[int, list[tuple[int, int, int]]] = {}  # member -> sorted (start, end, shift)
    s_start, s_end, s_x, s_y = P.s_start, P.s_end, P.s_x, P.s_y
    s_pay, s_slots = P.s_pay, P.s_slots
    cap_min, cap_pay, mpk = P.m_cap_min, P.m_cap_pay, P.minutes_per_km
    pm_l, ps_l, forced_l = pm.tolist(), ps.tolist(), P.p_forced[pair_idx].tolist()
    for p in order.tolist():
        m, s = pm_l[p], ps_l[p]
        left = slots.get(s)
        if left is None:
            left = int(s_slots[s])
        if left <= 0:
            continue
        dmin = int(s_end[s] - s_start[s])
        mm = used_min.get(m, 0.0) + dmin
        mp = used_pay.get(m, 0.0) + int(s_pay[s])
        if not forced_l[p] and (mm > cap_min[m] + TOL or mp > cap_pay[m] + TOL):
            continue
        line = timeline.setdefault(m, [])
        st, en = int(s_start[s]), int(s_end[s])
        pos = bisect.bisect_left(line, (st, en, s))
        if not forced_l[p]:
            if pos > 0:
                a = line[pos - 1][2]
                travel = ((s_x[a] - s_x[s]) ** 2 + (s_y[a] - s_y[s]) ** 2) ** 0.5 * mpk
                if s_end[a] + travel > st + TOL:
                    continue
            if pos < len(line):
                b = line[pos][2]
                travel = ((s_x[b] - s_x[s]) ** 2 + (s_y[b] - s_y[s]) ** 2) ** 0.5 * mpk
                if en + travel > s_start[b] + TOL:
                    continue
        line.insert(pos, (st, en, s))
        used_min[m] = mm
        used_pay[m] = mp
        slots[s] = left - 1
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


def solve(instance: Instance, *, time_limit: float = 30.0, use_milp: bool = True) -> Assignment:
    """The best assignment found within about ``time_limit`` seconds; always feasible.

    ``Assignment.bound`` is a proven upper bound on the optimum (when the MILP ran for every
    component), ``status`` is "optimal" when all components were solved to HiGHS's gap.
    """
    from .milp import build_model, shortfall_values, solve_highs

    t0 = time.perf_counter()
    deadline = t0 + time_limit
    P = build_pairs(instance)
    groups = components(P, len(instance.members), len(instance.shifts))
    chosen_parts: list[np.ndarray] = []
    greedy_parts: list[np.ndarray] = []
    for g in groups:
        greedy_parts.append(g[greedy(P, g)])
    if not use_milp:
        return _assignment(instance, P, _cat(greedy_parts), status="feasible")

    # Members without any candidate pair contribute a constant shortfall.
    has_pair = np.zeros(len(instance.members), dtype=bool)
    has_pair[P.p_member] = True
    bound = -float(P.weight * P.m_target[~has_pair].sum())
    all_optimal = True
    total = sum(len(g) for g in groups) or 1
    remaining = total
    for g, g_chosen in zip(groups, greedy_parts, strict=True):
        now = time.perf_counter()
        share = (deadline - now) * len(g) / remaining
        remaining -= len(g)
        if share < 0.05:
            all_optimal = False
            bound = None if bound is None else None
            chosen_parts.append(g_chosen)
            continue
        model = build_model(P, g)
        start = np.isin(g, g_chosen).astype(np.float64)
        full_start = np.concatenate([start, shortfall_values(P, model, g, start)])
        budget = max(0.05, min(share, deadline - time.perf_counter()))
        x, obj, dual, status = solve_highs(model, time_limit=budget, start=full_start)
        greedy_obj = float(model.c @ full_start)
        if x is not None and obj >= greedy_obj - 1e-6:
            chosen_parts.append(g[x[: model.n_x] > 0.5])
        else:
            chosen_parts.append(g_chosen)
        if status != "Optimal":
            all_optimal = False
        if bound is not None:
            bound += dual if np.isfinite(dual) else np.inf
    result = _assignment(
        instance,
        P,
        _cat(chosen_parts),
        status="optimal" if all_optimal else "feasible",
        bound=bound,
    )
    return result


def _cat(parts: list[np.ndarray]) -> np.ndarray:
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)
