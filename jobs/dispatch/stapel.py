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
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

from .model import TOL, Assignment, Instance, Member

NEG = -math.inf
START = -2  # predecessor marker: the path starts here
STRONG_BOUND_MAX_K = 200
MAX_LABELS = 300_000  # beyond this (subset-sum-like pay caps) HiGHS closes the gap


@dataclass
class Week:
    """A chosen set of candidates (indices into the caller's arrays) and its objective."""

    chosen: list[int]
    objective: float
    bound: float


class _Problem:
    """Candidates of one member as arrays, sorted by (start, end)."""

    def __init__(
        self,
        start: np.ndarray,
        end: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        value: np.ndarray,
        pay: np.ndarray,
        forced: np.ndarray,
        *,
        max_minutes: float | None,
        max_pay: float | None,
        target: float,
        weight: float,
        speed: float,
    ):
        order = np.lexsort((end, start))
        self.order = order
        self.start = start[order].astype(np.float64)
        self.end = end[order].astype(np.float64)
        self.x = x[order].astype(np.float64)
        self.y = y[order].astype(np.float64)
        self.value = value[order].astype(np.float64)
        self.pay = pay[order].astype(np.float64)
        self.forced = forced[order].astype(bool)
        self.n = n = len(order)
        self.minutes_per_km = 60.0 / speed
        minutes = (end - start)[order].astype(np.int64)
        self.minutes = minutes
        self.weight = weight
        self.target = target
        bonus_on = weight > 0 and target > 0
        total = int(minutes.sum())
        cap_on = max_minutes is not None and total > max_minutes + TOL
        g = int(np.gcd.reduce(minutes)) if n else 1
        if g <= 0:
            g = 1
        if cap_on:
            self.K = math.floor((max_minutes + TOL) / g)
            self.saturate = False
        elif bonus_on:
            self.K = min(math.ceil(target / g), total // g)
            self.saturate = True
        else:
            self.K = 0
            self.saturate = True
        self.g = g
        self.units = (minutes // g).astype(np.int64)
        ks = np.arange(self.K + 1)
        self.bonus = weight * np.minimum(ks * g, target) if bonus_on else np.zeros(self.K + 1)
        self.max_pay = max_pay if max_pay is not None and self.pay.sum() > max_pay + TOL else None
        # Segments between commitments: a path visits every commitment in time order.
        cum = np.cumsum(self.forced) - self.forced
        self.req_seg = cum.astype(np.int64)
        self.prov_seg = (cum + self.forced).astype(np.int64)
        self.n_forced = int(self.forced.sum())
        # Largest travel from each shift to any candidate: distance to the farthest
        # corner of the candidates' bounding box.
        if n:
            xs = (self.x.min(), self.x.max())
            ys = (self.y.min(), self.y.max())
            far = np.max(
                [np.hypot(self.x - cx, self.y - cy) for cx in xs for cy in ys],
                axis=0,
            )
            self.settle_at = self.end + far * self.minutes_per_km + 1e-7
        else:
            self.settle_at = np.zeros(0)

    # -- the minutes DP ----------------------------------------------------------------

    def dp(self, values: np.ndarray, *, reverse: bool = False, segments: bool = True):
        """Forward DP over (shift, units). Returns (F, arg_node, arg_k, P).

        With ``reverse`` the same DP runs on mirrored time (paths *starting* at each
        shift) and ``P[j]`` is the best over what may follow j, including nothing.

        Shifts are processed in batches whose starts lie within the shortest duration of
        each other: no shift of a batch can precede another one of it, so a batch is
        computed with a handful of array operations.
        """
        n, K, K1 = self.n, self.K, self.K + 1
        if reverse:
            order = np.lexsort((-self.start, -self.end))
            t_start, t_end = -self.end, -self.start
            settle = t_end + (self.settle_at - self.end)
        else:
            order = np.arange(n)
            t_start, t_end = self.start, self.end
            settle = self.settle_at
        use_seg = segments and not reverse and self.n_forced > 0
        req_seg, prov_seg = self.req_seg, self.prov_seg
        F = np.full((n, K1), NEG)
        arg_node = np.full((n, K1), -1, dtype=np.int64)
        arg_k = np.zeros((n, K1), dtype=np.int64)
        P_all = np.full((n, K1), NEG) if reverse else None
        pool = np.full(K1, NEG)
        pool_arg = np.full(K1, -1, dtype=np.int64)
        settle_order = np.argsort(settle, kind="stable")
        settle_sorted = settle[settle_order]
        settled = np.zeros(n, dtype=bool)
        computed = np.zeros(n, dtype=bool)
        ks = np.arange(K1)
        mind = float(self.minutes.min()) if n else 1.0
        starts_sorted = t_start[order]
        x, y, mpk = self.x, self.y, self.minutes_per_km
        seg = 0
        sp = 0  # settle pointer
        pos = 0
        while pos < n:
            t = starts_sorted[pos]
            stop = int(np.searchsorted(starts_sorted, t + mind - 1e-9, side="left"))
            stop = max(stop, pos + 1)
            B = order[pos:stop]
            if use_seg:
                bseg = req_seg[B]
                if bseg[-1] != bseg[0]:
                    B = B[bseg == bseg[0]]
                if req_seg[B[0]] != seg:
                    seg = int(req_seg[B[0]])
                    pool.fill(NEG)
                    pool_arg.fill(-1)
            pos += len(B)
            # Settle everything that is compatible with any shift from t on.
            sp_end = int(np.searchsorted(settle_sorted, t + TOL, side="right"))
            if sp_end > sp:
                new = settle_order[sp:sp_end]
                sp = sp_end
                settled[new] = True
                if use_seg:
                    new = new[prov_seg[new] == seg]
                if len(new):
                    rows = F[new]
                    best = rows.argmax(axis=0)
                    vals = rows[best, ks]
                    better = vals > pool
                    pool[better] = vals[better]
                    pool_arg[better] = new[best[better]]
            base = pool.copy()
            base_arg = pool_arg.copy()
            if (not use_seg or seg == 0) and base[0] < 0:
                base[0] = 0.0
                base_arg[0] = START
            A = np.flatnonzero(computed & ~settled)
            if use_seg and len(A):
                A = A[prov_seg[A] == seg]
            nb = len(B)
            P = np.repeat(base[None, :], nb, axis=0)
            P_arg = np.repeat(base_arg[None, :], nb, axis=0)
            if len(A):
                travel = np.hypot(x[A][:, None] - x[B][None, :], y[A][:, None] - y[B][None, :])
                ok = t_end[A][:, None] + travel * mpk <= t_start[B][None, :] + TOL
                if ok.any():
                    keep = ok.any(axis=1)
                    A, ok = A[keep], ok[keep]
                    cube = np.where(ok[:, :, None], F[A][:, None, :], NEG)
                    best = cube.argmax(axis=0)
                    vals = cube.max(axis=0)
                    better = vals > P
                    P[better] = vals[better]
                    P_arg[better] = A[best][better]
            if reverse:
                P_all[B] = P
            d = self.units[B][:, None]
            src = ks[None, :] - d
            valid = src >= 0
            srcc = np.maximum(src, 0)
            bi = np.arange(nb)[:, None]
            rows = np.where(valid, P[bi, srcc], NEG)
            r_arg = np.where(valid, P_arg[bi, srcc], -1)
            r_k = srcc
            if self.saturate:
                tail = np.where(ks[None, :] >= K - d, P, NEG)
                b = tail.argmax(axis=1)
                rows[:, K] = tail[np.arange(nb), b]
                r_arg[:, K] = P_arg[np.arange(nb), b]
                r_k = r_k.copy()
                r_k[:, K] = b
            F[B] = rows + values[B][:, None]
            arg_node[B] = r_arg
            arg_k[B] = r_k
            computed[B] = True
        return F, arg_node, arg_k, P_all

    def best_path(self, values: np.ndarray) -> tuple[list[int], float]:
        """The best path under ``values`` (minutes cap, commitments, fairness): nodes, value."""
        F, arg_node, arg_k, _ = self.dp(values)
        best_val, best = NEG, None
        if self.n_forced == 0:
            best_val, best = self.bonus[0], (START, 0)
        if self.n:
            ends = np.flatnonzero(self.prov_seg == self.n_forced)
            if len(ends):
                scores = F[ends] + self.bonus
                flat = int(scores.argmax())
                r, k = divmod(flat, self.K + 1)
                if scores[r, k] > best_val:
                    best_val, best = float(scores[r, k]), (int(ends[r]), k)
        if best is None or best_val == NEG:
            raise RuntimeError("commitments cannot all hold together")  # validated earlier
        path = []
        j, k = best
        while j >= 0:
            path.append(j)
            j, k = int(arg_node[j, k]), int(arg_k[j, k])
        return path[::-1], float(best_val)

    def objective(self, path: list[int]) -> float:
        minutes = int(self.minutes[path].sum()) if path else 0
        return float(self.value[path].sum()) - self.weight * max(0.0, self.target - minutes)

    # -- pay cap ---------------------------------------------------------------------------

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
        if best_obj < ub - 1e-7:
            try:
                better = self._labels(ub_lam, best_obj, max_labels or MAX_LABELS)
            except _TooManyLabels:
                better = None if max_labels else self._milp(best_path)
            if better is not None and self.objective(better) + wt > best_obj:
                best_path, best_obj = better, self.objective(better) + wt
        return Week(self._original(best_path), best_obj - wt, best_obj - wt)

    def _completion_bounds(self, lam: float) -> np.ndarray:
        """Per shift and k: an upper bound on bonus + lam-value of what may follow."""
        _, _, _, Q = self.dp(self.value - lam * self.pay, reverse=True)
        K1 = self.K + 1
        if not self.bonus.any():
            # No fairness term: the best follow-up using at most K - k units.
            pref = np.maximum.accumulate(Q, axis=1)
            return pref[:, ::-1] if not self.saturate else np.repeat(pref[:, -1:], K1, 1)
        ks = np.arange(K1)
        if K1 <= STRONG_BOUND_MAX_K:
            tot = ks[:, None] + ks[None, :]
            M = self.bonus[np.minimum(tot, self.K)]
            if not self.saturate:
                M = np.where(tot <= self.K, M, NEG)
            out = np.empty_like(Q)
            step = max(1, 2_000_000 // (K1 * K1))
            for lo in range(0, len(Q), step):
                out[lo : lo + step] = np.max(Q[lo : lo + step, None, :] + M[None], axis=2)
            return out
        # Large K: bonus(k + kx) <= min(w * T, bonus(k) + w * g * kx).
        full = self.weight * self.target
        a = Q.max(axis=1) + full
        b = (Q + self.weight * self.g * ks[None, :]).max(axis=1)
        return np.minimum(a[:, None], self.bonus[None, :] + b[:, None])

    def _labels(self, lam: float, lower: float, max_labels: int = MAX_LABELS) -> list[int] | None:
        """Exact search over (units, pay, value) labels; a path better than ``lower``."""
        n, K = self.n, self.K
        bound = self._completion_bounds(lam)
        cap = self.max_pay
        g_node: list[np.ndarray] = []
        g_parent: list[np.ndarray] = []
        n_labels = 0
        node_labels: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] | None] = [None] * n
        pool_parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
        heap: list[tuple[float, int]] = []
        settled = np.zeros(n, dtype=bool)
        active: list[int] = []
        seg = 0
        best_obj, best_id = lower + 1e-7, None
        empty = (np.zeros(1, np.int64), np.zeros(1), np.zeros(1), np.full(1, -1, np.int64))
        for j in range(n):
            if self.req_seg[j] != seg:
                seg = int(self.req_seg[j])
                pool_parts = []
                active = [i for i in active if self.prov_seg[i] == seg]
            while heap and heap[0][0] <= self.start[j] + TOL:
                _, i = heapq.heappop(heap)
                settled[i] = True
                if self.prov_seg[i] == seg and node_labels[i] is not None:
                    pool_parts.append(node_labels[i])
            if len(pool_parts) > 8:
                pool_parts = [_pareto(_concat(pool_parts), self.bonus)]
            parts = list(pool_parts)
            if seg == 0:
                parts.append(empty)
            active = [i for i in active if not settled[i]]
            for i in active:
                if (
                    node_labels[i] is not None
                    and self.prov_seg[i] == seg
                    and self.end[i]
                    + math.hypot(self.x[i] - self.x[j], self.y[i] - self.y[j]) * self.minutes_per_km
                    <= self.start[j] + TOL
                ):
                    parts.append(node_labels[i])
            heapq.heappush(heap, (float(self.settle_at[j]), j))
            active.append(j)
            if not parts:
                continue
            k, p, v, ids = _concat(parts)
            k = k + self.units[j]
            if self.saturate:
                k = np.minimum(k, K)
            p = p + self.pay[j]
            v = v + self.value[j]
            keep = (p <= cap + TOL) & (k <= K)
            k, p, v, ids = k[keep], p[keep], v[keep], ids[keep]
            optimistic = v + bound[j][k] + lam * (cap - p)
            keep = optimistic > best_obj
            k, p, v, ids = k[keep], p[keep], v[keep], ids[keep]
            if not len(k):
                continue
            k, p, v, ids = _pareto((k, p, v, ids), self.bonus)
            new_ids = np.arange(n_labels, n_labels + len(k))
            n_labels += len(k)
            if n_labels > max_labels:
                raise _TooManyLabels
            g_node.append(np.full(len(k), j))
            g_parent.append(ids)
            node_labels[j] = (k, p, v, new_ids)
            if self.prov_seg[j] == self.n_forced:
                final = v + self.bonus[k]
                b = int(final.argmax())
                if final[b] > best_obj:
                    best_obj, best_id = float(final[b]), int(new_ids[b])
        if best_id is None:
            return None
        nodes = np.concatenate(g_node)
        parents = np.concatenate(g_parent)
        path = []
        while best_id >= 0:
            path.append(int(nodes[best_id]))
            best_id = int(parents[best_id])
        return path[::-1]

    def _milp(self, incumbent: list[int]) -> list[int] | None:
        """Exact fallback for pay caps that behave like subset sums (value == pay): the
        same model as the dispatcher's, for one member, solved by HiGHS to a zero gap."""
        from scipy import sparse

        from .milp import Model, member_conflicts, solve_highs

        n = self.n
        minutes = self.minutes.astype(np.float64)
        cliques, travel_pairs = member_conflicts(
            self.start, self.end, self.x, self.y, self.minutes_per_km
        )
        rows = list(cliques) + list(travel_pairs)
        weights: list[tuple[np.ndarray, np.ndarray, float, float]] = []
        if minutes.sum() / self.g > self.K and not self.saturate:
            weights.append((np.arange(n), minutes, -np.inf, self.K * self.g))
        weights.append((np.arange(n), self.pay, -np.inf, float(self.max_pay)))
        bonus = self.weight > 0 and self.target > 0
        if bonus:
            weights.append((np.arange(n + 1), np.append(minutes, 1.0), self.target, np.inf))
        n_col = n + 1
        indptr, indices, data = [0], [], []
        for r in rows:
            indices.append(np.asarray(r))
            data.append(np.ones(len(r)))
            indptr.append(indptr[-1] + len(r))
        for cols, vals, _, _ in weights:
            indices.append(cols)
            data.append(vals)
            indptr.append(indptr[-1] + len(cols))
        A = sparse.csr_matrix(
            (np.concatenate(data), np.concatenate(indices), np.array(indptr)),
            shape=(len(indptr) - 1, n_col),
        )
        model = Model(
            c=np.append(self.value, -self.weight if bonus else 0.0),
            A=A,
            row_lo=np.array([-np.inf] * len(rows) + [w[2] for w in weights]),
            row_hi=np.array([1.0] * len(rows) + [w[3] for w in weights]),
            lb=np.append(self.forced.astype(np.float64), 0.0),
            ub=np.append(np.ones(n), np.inf if bonus else 0.0),
            integrality=np.append(np.ones(n, np.int8), 0),
            n_x=n,
            constant=0.0,
        )
        start = np.zeros(n_col)
        start[incumbent] = 1.0
        start[n] = max(0.0, self.target - minutes[incumbent].sum()) if bonus else 0.0
        x, _, _, _ = solve_highs(model, time_limit=3600.0, start=start, mip_rel_gap=0.0)
        if x is None:
            return None
        return [int(i) for i in np.flatnonzero(x[:n] > 0.5)]

    def _original(self, path: list[int]) -> list[int]:
        return sorted(int(self.order[j]) for j in path)


class _TooManyLabels(Exception):
    pass


def _concat(parts):
    if len(parts) == 1:
        return parts[0]
    return tuple(np.concatenate([part[c] for part in parts]) for c in range(4))


def _pareto(labels, bonus):
    """Drop dominated labels: another has no more units, no more pay and at least the
    value *including the fairness bonus so far* (the bonus is concave in minutes, so what
    the extra minutes could still earn is never more for the label with more units)."""
    k, p, v, ids = labels
    m = len(k)
    if m <= 1:
        return labels
    order = np.lexsort((p, k, -(v + bonus[k])))
    k, p, v, ids = k[order], p[order], v[order], ids[order]
    if m > 2500:
        return k, p, v, ids
    dom = (k[:, None] <= k[None, :]) & (p[:, None] <= p[None, :] + 1e-9)
    dom = np.triu(dom, 1)
    keep = ~dom.any(axis=0)
    return k[keep], p[keep], v[keep], ids[keep]


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
        problem = _Problem(
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
