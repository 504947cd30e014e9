"""Stapelbaan: the exact best week for one member.

Design overview
---------------
For one member the problem is a longest path in a DAG: shifts sorted by start, an edge
from a to b when the member can work both (``a.end + travel(a, b) <= b.start``), a path
is a week. Two resources ride along the path: minutes (``max_minutes`` and the fairness
term ``w * max(0, target - minutes)``) and pay (``max_pay_cents``). Commitments are
must-visit nodes.

1. *Minutes DP.* Durations are divided by their gcd (30 in practice), so minutes become a
   small integer axis 0..K. For every shift j a vector ``F[j][k]`` holds the best
   value of a path that ends at j having used k units. Paths may only come from a
   predecessor that is compatible; rather than visiting all O(n^2) edges, predecessors
   that end more than their largest possible travel time before j starts are *settled*
   into one pooled max-vector (they are compatible with every later shift), and only the
   few recent "active" ones are tested one by one. Commitments split the time axis into
   segments: a path can only cross a commitment by visiting it, so the pool is reset at
   each one. The fairness term is concave in minutes and is added at the end per k,
   which is exact. Without a binding pay cap this DP is the exact optimum.
2. *Pay cap.* Pay is dualised with a multiplier: values become ``value - lam * pay`` and
   ``DP(lam) + lam * max_pay`` is an upper bound for every lam >= 0. The best lam is found
   by intersecting the lines of the solutions on both sides (a finite search); every
   solution that fits the cap is a lower bound. If the bounds meet, done.
3. *Exact labels.* Otherwise labels (k, pay, value) are propagated along the same
   settled-pool structure, pruned by dominance and by the Lagrangian completion bound
   (a reverse-time DP gives, per shift and k, the best value of what can still follow).
   This closes the gap exactly.

The parts live in ``week/``: ``candidates.py`` (the arrays and the minutes axis),
``minutes.py`` (step 1), ``labels.py`` (step 3) and ``exact.py`` (the HiGHS fallback);
``Problem`` below adds the pay-cap search (step 2) and puts them together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .model import TOL, Assignment, Instance, Member
from .week.candidates import NEG
from .week.exact import subset_sum_week
from .week.labels import MAX_LABELS, LabelSearch, TooManyLabels


@dataclass
class Week:
    """A chosen set of candidates (indices into the caller's arrays), its objective, and
    an upper bound on the best week's objective: the objective itself when the week is
    proved best, else the pay cap's Lagrangian bound (a label search cut short by
    ``max_labels``)."""

    chosen: list[int]
    objective: float
    bound: float


class Problem(LabelSearch):
    """One member's exact week: the minutes DP, the pay cap's multiplier search, the
    label search and the exact fallback."""

    def solve_with(self, values: np.ndarray, *, max_labels: int | None = None) -> Week:
        """Solve again under other per-candidate values (given in the caller's order).
        With ``max_labels``, a binding pay cap whose exact search needs more labels
        gets the best week the multiplier search found instead (no exact fallback: it
        can take seconds for one member)."""
        self.value = np.asarray(values, dtype=np.float64)[self.order]
        return self.solve(max_labels=max_labels)

    def solve(self, *, max_labels: int | None = None) -> Week:
        wt = self.weight * self.target
        path, val = self.best_path(self.value)
        if self.max_pay is None or self.pay[path].sum() <= self.max_pay + TOL:
            return Week(self._original(path), self.objective(path), val - wt)
        cap = self.max_pay
        # Lagrangian dual on pay: find lam minimising DP(lam) + lam * cap.
        lo_lam, lo_path, lo_val = 0.0, path, val  # pay above the cap
        best_path: list[int] | None = None
        best_obj = NEG
        ub, ub_lam = val, 0.0
        hi_lam = 1.0
        while True:
            p, v = self.best_path(self.value - hi_lam * self.pay)
            if v + hi_lam * cap < ub:
                ub, ub_lam = v + hi_lam * cap, hi_lam
            if self.pay[p].sum() <= cap + TOL:
                hi_path, hi_val = p, v
                break
            lo_lam, lo_path, lo_val = hi_lam, p, v
            hi_lam *= 4.0
        best_path, best_obj = hi_path, self.objective(hi_path) + wt
        for _ in range(60):
            # Intersect the two lines val(path) - lam * pay(path) + lam * cap.
            lo_pay, hi_pay = self.pay[lo_path].sum(), self.pay[hi_path].sum()
            lo_v0 = lo_val + lo_lam * lo_pay
            hi_v0 = hi_val + hi_lam * hi_pay
            if lo_pay - hi_pay <= TOL:
                break
            lam = (lo_v0 - hi_v0) / (lo_pay - hi_pay)
            if not lo_lam < lam < hi_lam:
                break
            p, v = self.best_path(self.value - lam * self.pay)
            if v + lam * cap < ub:
                ub, ub_lam = v + lam * cap, lam
            pay = self.pay[p].sum()
            if pay <= cap + TOL:
                obj = self.objective(p) + wt
                if obj > best_obj:
                    best_path, best_obj = p, obj
            line_here = lo_v0 - lam * lo_pay
            if v <= line_here + 1e-9:
                break  # lam is the breakpoint: the dual optimum
            if pay > cap + TOL:
                lo_lam, lo_path, lo_val = lam, p, v
            else:
                hi_lam, hi_path, hi_val = lam, p, v
            if best_obj >= ub - 1e-7:
                break
        proved = True
        if best_obj < ub - 1e-7:
            try:
                better = self.labels(ub_lam, best_obj, max_labels or MAX_LABELS)
            except TooManyLabels:
                better = None if max_labels else subset_sum_week(self, best_path)
                proved = better is not None
            if better is not None and self.objective(better) + wt > best_obj:
                best_path, best_obj = better, self.objective(better) + wt
        bound = best_obj if proved else max(best_obj, ub)
        return Week(self._original(best_path), best_obj - wt, bound - wt)

    def _original(self, path: list[int]) -> list[int]:
        return sorted(int(self.order[j]) for j in path)


def candidates(instance: Instance, member: Member) -> tuple[np.ndarray, np.ndarray]:
    """Shifts the member may take alone: eligible or committed, and compatible with the
    commitments and within the caps left after them."""
    a = instance.arrays
    committed = [instance.shift_by_id[c] for c in member.commitments]
    ok = np.ones(len(instance.shifts), dtype=bool)
    if a.skill_names:
        skills = [i for i, name in enumerate(a.skill_names) if name in member.skills]
        ok &= (a.skill == -1) | np.isin(a.skill, skills)
    dist = np.hypot(a.x - member.home[0], a.y - member.home[1])
    ok &= dist <= instance.radius(member) + TOL
    if member.windows:
        w_start = np.array([w[0] for w in member.windows], dtype=np.float64)
        w_end = np.array([w[1] for w in member.windows], dtype=np.float64)
        idx = np.searchsorted(w_start, a.start + TOL, side="right") - 1
        ok &= (idx >= 0) & (a.end <= w_end[np.maximum(idx, 0)] + TOL)
    else:
        ok[:] = False
    used_min = sum(s.minutes for s in committed)
    used_pay = sum(s.pay_cents for s in committed)
    if member.max_minutes is not None:
        ok &= used_min + (a.end - a.start) <= member.max_minutes + TOL
    if member.max_pay_cents is not None:
        ok &= used_pay + a.pay <= member.max_pay_cents + TOL
    mpk = 60.0 / instance.travel_speed_kmh
    for c in committed:
        # Compatible with each commitment, travel included.
        travel = np.hypot(a.x - c.location[0], a.y - c.location[1]) * mpk
        before = a.start <= c.start
        ok &= np.where(before, a.end + travel <= c.start + TOL, c.end + travel <= a.start + TOL)
    for index in (instance.shift_index[b] for b in member.blocked if b in instance.shift_index):
        ok[index] = False
    for c in committed:
        ok[instance.shift_index[c.id]] = False
    forced = np.array([instance.shift_index[c.id] for c in committed], dtype=np.int64)
    idx = np.concatenate([forced, np.flatnonzero(ok)])
    return idx, np.arange(len(idx)) < len(forced)


def stapel(instance: Instance, member_id: str) -> Assignment:
    """The exact best week for one member (other members and their commitments ignored)."""
    member = instance.member_by_id.get(member_id)
    if member is None:
        raise KeyError(member_id)
    idx, forced = candidates(instance, member)
    a = instance.arrays
    w = instance.shortfall_cents_per_minute
    if len(idx):
        dist = np.hypot(a.x[idx] - member.home[0], a.y[idx] - member.home[1])
        problem = Problem(
            a.start[idx],
            a.end[idx],
            a.x[idx],
            a.y[idx],
            a.pay[idx] - instance.km_cost_cents * dist,
            a.pay[idx],
            forced,
            max_minutes=member.max_minutes,
            max_pay=member.max_pay_cents,
            target=member.target_minutes,
            weight=w,
            speed=instance.travel_speed_kmh,
        )
        week = problem.solve()
        chosen = [instance.shifts[i] for i in idx[week.chosen]]
    else:
        chosen = []
    chosen.sort(key=lambda s: (s.start, s.end))
    pairs = tuple((member.id, s.id) for s in chosen)
    objective = sum(instance.value(member, s) for s in chosen) - instance.shortfall(
        member, sum(s.minutes for s in chosen)
    )
    return Assignment(pairs=pairs, objective=objective, bound=objective, status="optimal")
