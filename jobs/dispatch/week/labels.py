"""The exact label search of the exact week (``stapel.py``, step 3): labels (units,
pay, value) along the DP's settled-pool structure, pruned by dominance and by the
Lagrangian completion bound of a reverse-time DP. Closes the gap a binding pay cap
leaves; gives up (``TooManyLabels``) when a cap behaves like a subset sum."""

from __future__ import annotations

import heapq
import math

import numpy as np

from jobs.dispatch.model import TOL

from .candidates import NEG
from .minutes import MinutesDP

Labels = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # units, pay, value, ids

STRONG_BOUND_MAX_K = 200
MAX_LABELS = 300_000  # beyond this (subset-sum-like pay caps) HiGHS closes the gap


class TooManyLabels(Exception):
    """The label search passed its limit."""


class LabelSearch(MinutesDP):
    """The exact label search, on top of the minutes DP."""

    def completion_bounds(self, lam: float) -> np.ndarray:
        """Per shift and k: an upper bound on bonus + lam-value of what may follow."""
        _, _, _, Q = self.dp(self.value - lam * self.pay, reverse=True)
        K1 = self.K + 1
        if not self.bonus.any():
            # No fairness term: the best follow-up using at most K - k units.
            pref = np.maximum.accumulate(Q, axis=1)
            follow: np.ndarray = (
                pref[:, ::-1] if not self.saturate else np.repeat(pref[:, -1:], K1, 1)
            )
            return follow
        ks = np.arange(K1)
        if K1 <= STRONG_BOUND_MAX_K:
            tot = ks[:, None] + ks[None, :]
            M = self.bonus[np.minimum(tot, self.K)]
            if not self.saturate:
                M = np.where(tot <= self.K, M, NEG)
            out: np.ndarray = np.empty_like(Q)
            step = max(1, 2_000_000 // (K1 * K1))
            for lo in range(0, len(Q), step):
                out[lo : lo + step] = np.max(Q[lo : lo + step, None, :] + M[None], axis=2)
            return out
        # Large K: bonus(k + kx) <= min(w * T, bonus(k) + w * g * kx).
        full = self.weight * self.target
        a = Q.max(axis=1) + full
        b = (Q + self.weight * self.g * ks[None, :]).max(axis=1)
        capped: np.ndarray = np.minimum(a[:, None], self.bonus[None, :] + b[:, None])
        return capped

    def labels(self, lam: float, lower: float, max_labels: int = MAX_LABELS) -> list[int] | None:
        """Exact search over (units, pay, value) labels; a path better than ``lower``."""
        n, K = self.n, self.K
        bound = self.completion_bounds(lam)
        cap = self.max_pay
        assert cap is not None  # the label search runs only under a binding pay cap
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
                settled_labels = node_labels[i]
                if self.prov_seg[i] == seg and settled_labels is not None:
                    pool_parts.append(settled_labels)
            if len(pool_parts) > 8:
                pool_parts = [_pareto(_concat(pool_parts), self.bonus)]
            parts = list(pool_parts)
            if seg == 0:
                parts.append(empty)
            active = [i for i in active if not settled[i]]
            for i in active:
                earlier = node_labels[i]
                if (
                    earlier is not None
                    and self.prov_seg[i] == seg
                    and self.end[i]
                    + math.hypot(self.x[i] - self.x[j], self.y[i] - self.y[j]) * self.minutes_per_km
                    <= self.start[j] + TOL
                ):
                    parts.append(earlier)
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
                raise TooManyLabels
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


def _concat(parts: list[Labels]) -> Labels:
    if len(parts) == 1:
        return parts[0]
    k, p, v, ids = (np.concatenate([part[c] for part in parts]) for c in range(4))
    return k, p, v, ids


def _pareto(labels: Labels, bonus: np.ndarray) -> Labels:
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
