"""The minutes DP of the exact week (``stapel.py``, step 1): the best value of a path
ending at each shift having used k minute units, over pooled settled predecessors and
the few recent ones, in batches; with commitments as segments. Without a binding pay cap
its best path is the optimum."""

from __future__ import annotations

from typing import Any

import numpy as np

from jobs.dispatch.model import TOL

from .candidates import NEG, START, Candidates


class MinutesDP(Candidates):
    """The minutes DP and its best path over the member's candidates."""

    def dp(
        self, values: np.ndarray, *, reverse: bool = False, segments: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any]:
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
            if P_all is not None:  # reverse
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
            msg = "commitments cannot all hold together"
            raise RuntimeError(msg)  # validated earlier
        path = []
        j, k = best
        while j >= 0:
            path.append(j)
            j, k = int(arg_node[j, k]), int(arg_k[j, k])
        return path[::-1], float(best_val)

    def objective(self, path: list[int]) -> float:
        minutes = int(self.minutes[path].sum()) if path else 0
        return float(self.value[path].sum()) - self.weight * max(0.0, self.target - minutes)
