"""Dispatch heuristics: components, the greedy construction and the exact re-planning.

- ``component_labels`` splits the member–shift graph into independent components.
- ``greedy`` is the always-feasible construction (and LP-guided rounding's engine);
  ``first_come`` is the baseline the benchmark compares with.
- ``Planner`` re-plans members one at a time, exactly (stapel's search), with the others
  fixed; ``polish`` re-plans all members at once by rounds of best responses.
- ``objective_of``, ``component_objective(s)`` and ``feasible_weeks`` evaluate and check a
  choice of pairs with the contract's formula.

The orchestration is in ``solve.py``, the searches in ``search.py``, the knobs in
``tuning.py``.
"""

from __future__ import annotations

import bisect
import math
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from . import tuning as T
from .model import TOL, Assignment, Instance
from .pairs import Pairs, build_pairs

if TYPE_CHECKING:
    from collections.abc import Sequence


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
    chosen: np.ndarray = first.copy()
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
    return to_assignment(instance, P, idx[chosen], status="feasible")


def to_assignment(
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


def polish(
    Q: Pairs,
    dp: Any,
    planner: Planner,
    chosen: np.ndarray,
    obj: float,
    deadline: float,
    *,
    exact: bool = True,
) -> tuple[np.ndarray, float]:
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


def component_objective(P: Pairs, g: np.ndarray, mask: np.ndarray) -> float:
    """Objective of the pairs ``g[mask]`` for the members of component ``g``."""
    label = np.full(len(P.m_target), -1)
    label[P.p_member[g]] = 0
    return float(component_objectives(P, label, g[mask], 1)[0])


def component_objectives(
    P: Pairs, m_label: np.ndarray, picked: np.ndarray, n_groups: int
) -> np.ndarray:
    """The objective of the pairs ``picked`` per component, for every component at once
    (members labelled by component in ``m_label``, -1 for none)."""
    minutes = np.bincount(
        P.p_member[picked],
        weights=(P.s_end - P.s_start)[P.p_shift[picked]],
        minlength=len(P.m_target),
    )
    value = np.bincount(m_label[P.p_member[picked]], weights=P.p_value[picked], minlength=n_groups)
    inside = np.flatnonzero(m_label >= 0)
    short = np.maximum(0.0, P.m_target[inside] - minutes[inside])
    return value - P.weight * np.bincount(m_label[inside], weights=short, minlength=n_groups)


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
        self._problems: list[Any] = [None] * len(self.groups)
        if not lazy:
            for k in range(len(self.groups)):
                self.problem(k)

    def problem(self, k: int) -> Any:
        from .stapel import Problem

        if self._problems[k] is None:
            P, m, g = self.P, self.members[k], self.groups[k]
            s = P.p_shift[g]
            self._problems[k] = Problem(
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

    def capped(self, pay_dual: np.ndarray) -> list[int]:
        """The members of ``pay_dual`` (a mask: whose earnings cap binds) who have
        candidates here."""
        return [m for m in np.flatnonzero(pay_dual).tolist() if m in self.slot]

    def priced_week(
        self, m: int, mu: np.ndarray, *, max_labels: int | None = None
    ) -> tuple[np.ndarray, Any]:
        """Member ``m``'s best week within their caps when each free pair costs its
        shift's slot price ``mu`` (commitments cost nothing): its pairs and stapel's
        ``Week`` (whose ``bound`` holds even when ``max_labels`` cut the search short)."""
        P, k = self.P, self.slot[m]
        mine = self.groups[k]
        values = P.p_value[mine] - np.where(P.p_forced[mine], 0.0, mu[P.p_shift[mine]])
        week = self.problem(k).solve_with(values, max_labels=max_labels)
        return mine[week.chosen], week

    def best_response(self, chosen: np.ndarray, order: list[int], deadline: float) -> np.ndarray:
        """Re-plan members one by one with true values, others fixed (never worse: a
        member whose binding earnings cap makes the exact week costly, more than
        T.PLANNER_LABELS labels, gets the best week of the multiplier search, and keeps
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
            # A label costs about 10 us: no more than the time left allows.
            left = deadline - time.monotonic()
            labels = int(min(T.PLANNER_LABELS, max(500.0, left * T.PLANNER_LABELS_PER_SECOND)))
            week = self.problem(k).solve_with(values, max_labels=labels)
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


def feasible_weeks(P: Pairs, chosen: np.ndarray, members: Sequence[int] | np.ndarray) -> bool:
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
