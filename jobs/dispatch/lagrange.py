"""Lagrangian relaxation of dispatch, with every member's week solved exactly at once.

Design overview
---------------
Dualising the slots (prices ``mu`` per shift) and the earnings caps (``lam`` per member)
leaves one independent problem per member: the best week under prices, with windows,
radius, skills, travel-aware no-overlap, the hour cap and the fairness term kept exact.
For any prices >= 0 the sum of these optima plus ``mu . slots + lam . pay_caps`` is an
upper bound on the optimum (the "column generation" bound: it is as strong as the LP of
the formulation with one column per feasible week, far stronger than the compact LP).

All members' weeks are solved in one vectorised dynamic programme over the candidate
pairs sorted by start (the same DP as ``stapel``, see there): the time axis is cut into
batches shorter than the shortest shift, so no pair of a batch can precede another, and
each batch costs a handful of array operations for all members together. The structure
(which pairs are compatible predecessors, when a pair is "settled" into its member's
pooled best-so-far) does not depend on the prices and is built once; each evaluation
of the bound then only moves values. Commitments are taken out beforehand (pairs that
clash with them are already gone; caps and targets are reduced by them).

The prices are improved by subgradient steps (Polyak step towards the best known
solution). Each member's priced week, repaired where shifts are over-subscribed or an
earnings cap is exceeded and then filled greedily, is also a feasible assignment.
"""

from __future__ import annotations

import math

import numpy as np

from .model import TOL
from .pairs import Pairs

NEG = -np.inf
MOMENTUM = 0.3
START_PRICE = 0.3


class WeekDP:
    """Exact best weeks of all members under per-pair values, vectorised."""

    def __init__(self, P: Pairs, n_members: int, max_cells: float = 3e7):
        self.P = P
        self.n_m = n_members
        w = P.weight
        minutes_all = (P.s_end - P.s_start).astype(np.int64)
        forced = np.flatnonzero(P.p_forced)
        fm, fs = P.p_member[forced], P.p_shift[forced]
        c_min = np.bincount(fm, weights=minutes_all[fs], minlength=n_members)
        c_pay = np.bincount(fm, weights=P.s_pay[fs], minlength=n_members)
        c_val = np.bincount(fm, weights=P.p_value[forced], minlength=n_members)
        self.res_T = np.maximum(0.0, P.m_target - c_min)
        self.const_m = c_val - w * self.res_T
        self.res_slots = P.s_slots - np.bincount(fs, minlength=len(P.s_slots))
        res_cap = P.m_cap_min - c_min
        self.res_pay = P.m_cap_pay - c_pay

        free = np.flatnonzero(~P.p_forced)
        self.free = free
        pm = P.p_member[free]
        ps = P.p_shift[free]
        minutes = minutes_all[ps]
        n = len(free)
        self.n = n
        g = int(np.gcd.reduce(minutes)) if n else 1
        g = max(g, 1)
        self.g = g
        tot_min = np.bincount(pm, weights=minutes, minlength=n_members)
        tot_pay = np.bincount(pm, weights=P.s_pay[ps], minlength=n_members)
        capped = np.isfinite(res_cap) & (tot_min > res_cap + TOL)
        bonus_on = (w > 0) & (self.res_T > 0)
        with np.errstate(invalid="ignore"):
            K_cap = np.floor((np.where(capped, res_cap, 0) + TOL) / g)
        K_bonus = np.minimum(np.ceil(self.res_T / g), tot_min // g)
        K_m = np.where(capped, K_cap, np.where(bonus_on, K_bonus, 0)).astype(np.int64)
        self.K_m = K_m
        self.sat_m = ~capped
        self.pay_dual = np.isfinite(self.res_pay) & (tot_pay > self.res_pay + TOL)
        K1 = int(K_m.max()) + 1 if n_members else 1
        self.K1 = K1
        self.too_big = n * K1 > max_cells
        ks = np.arange(K1)
        bonus = w * np.minimum(ks[None, :] * g, self.res_T[:, None])
        self.bonus = np.where(ks[None, :] <= K_m[:, None], bonus, NEG)

        # Pairs in order of (start, end); everything below is in that order.
        order = np.lexsort((P.s_end[ps], P.s_start[ps]))
        self.order = order
        self.pm = pm[order]
        self.ps = ps[order]
        self.units = (minutes[order] // g).astype(np.int64)
        self.pay = P.s_pay[self.ps].astype(np.float64)
        start = P.s_start[self.ps].astype(np.float64)
        end = P.s_end[self.ps].astype(np.float64)
        x, y = P.s_x[self.ps], P.s_y[self.ps]
        self.start, self.end, self.x, self.y = start, end, x, y
        mpk = P.minutes_per_km
        # Largest travel from a pair's shift to any of the member's candidates.
        if n:
            by_m = np.argsort(self.pm, kind="stable")
            cuts = np.r_[0, np.flatnonzero(np.diff(self.pm[by_m])) + 1]
            owners = self.pm[by_m][cuts]
            box = np.zeros((n_members, 4))
            box[owners, 0] = np.minimum.reduceat(x[by_m], cuts)
            box[owners, 1] = np.maximum.reduceat(x[by_m], cuts)
            box[owners, 2] = np.minimum.reduceat(y[by_m], cuts)
            box[owners, 3] = np.maximum.reduceat(y[by_m], cuts)
            b = box[self.pm]
            far = np.maximum(np.abs(x - b[:, 0]), np.abs(x - b[:, 1]))
            far_y = np.maximum(np.abs(y - b[:, 2]), np.abs(y - b[:, 3]))
            settle = end + np.hypot(far, far_y) * mpk + 1e-7
            self.by_member = by_m
            self.member_cuts = cuts
            self.member_owners = owners
        else:
            settle = np.zeros(0)
            self.by_member = np.zeros(0, np.int64)
            self.member_cuts = np.zeros(0, np.int64)
            self.member_owners = np.zeros(0, np.int64)
        if self.too_big:
            return

        # Batches and their (price-independent) structure.
        mind = float(minutes.min()) if n else 1.0
        settle_order = np.argsort(settle, kind="stable")
        settle_sorted = settle[settle_order]
        self.batches = []
        pos, sp = 0, 0
        active = np.zeros(0, dtype=np.int64)
        while pos < n:
            t = start[pos]
            stop = max(pos + 1, int(np.searchsorted(start, t + mind - 1e-9, side="left")))
            B = np.arange(pos, stop)
            pos = stop
            sp_end = int(np.searchsorted(settle_sorted, t + TOL, side="right"))
            new = settle_order[sp:sp_end]
            sp = sp_end
            if len(new):
                new = new[np.argsort(self.pm[new], kind="stable")]
                new_cuts = np.r_[0, np.flatnonzero(np.diff(self.pm[new])) + 1]
                new_owner = self.pm[new][new_cuts]
                new_gid = np.repeat(np.arange(len(new_cuts)), np.diff(np.r_[new_cuts, len(new)]))
            else:
                new_cuts = new_owner = new_gid = np.zeros(0, np.int64)
            active = active[settle[active] > t + TOL]
            edges = None
            if len(active):
                a_sorted = active[np.argsort(self.pm[active], kind="stable")]
                am = self.pm[a_sorted]
                lo = np.searchsorted(am, self.pm[B], side="left")
                hi = np.searchsorted(am, self.pm[B], side="right")
                counts = hi - lo
                total = int(counts.sum())
                if total:
                    b_local = np.repeat(np.arange(len(B)), counts)
                    offs = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
                    a_idx = a_sorted[np.repeat(lo, counts) + offs]
                    b_idx = B[b_local]
                    travel = np.hypot(x[a_idx] - x[b_idx], y[a_idx] - y[b_idx]) * mpk
                    ok = end[a_idx] + travel <= start[b_idx] + TOL
                    if ok.any():
                        a_idx, b_local = a_idx[ok], b_local[ok]
                        e_cuts = np.r_[0, np.flatnonzero(np.diff(b_local)) + 1]
                        e_gid = np.repeat(
                            np.arange(len(e_cuts)), np.diff(np.r_[e_cuts, len(a_idx)])
                        )
                        edges = (a_idx, e_cuts, b_local[e_cuts], e_gid)
            self.batches.append((B, new, new_cuts, new_owner, new_gid, edges))
            active = np.concatenate([active, B])

    def run(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Best week value per member and each member's best week (a mask over the free
        pairs in the order of ``self.order``), under per-pair ``values`` in that order."""
        n, K1 = self.n, self.K1
        F = np.full((n, K1), NEG)
        arg = np.full((n, K1), -2, dtype=np.int64)  # predecessor pair; -1 start, -2 none
        bucket_src = np.zeros(n, dtype=np.int64)  # for the saturated bucket: which k
        pool = np.full((self.n_m, K1), NEG)
        pool_arg = np.full((self.n_m, K1), -2, dtype=np.int64)
        pool[:, 0] = 0.0  # the empty week
        pool_arg[:, 0] = -1
        ks = np.arange(K1)
        K_m, sat_m, pm, units = self.K_m, self.sat_m, self.pm, self.units
        for B, new, new_cuts, new_owner, new_gid, edges in self.batches:
            if len(new):
                rows = F[new]
                best = np.maximum.reduceat(rows, new_cuts, axis=0)
                who = np.maximum.reduceat(
                    np.where(rows == best[new_gid], new[:, None], -3), new_cuts, axis=0
                )
                better = best > pool[new_owner]
                pool[new_owner] = np.where(better, best, pool[new_owner])
                pool_arg[new_owner] = np.where(better, who, pool_arg[new_owner])
            Pb = pool[pm[B]]
            Pa = pool_arg[pm[B]]
            if edges is not None:
                a_idx, e_cuts, b_first, e_gid = edges
                rows = F[a_idx]
                vals = np.maximum.reduceat(rows, e_cuts, axis=0)
                who = np.maximum.reduceat(
                    np.where(rows == vals[e_gid], a_idx[:, None], -3), e_cuts, axis=0
                )
                better = vals > Pb[b_first]
                Pb[b_first] = np.where(better, vals, Pb[b_first])
                Pa[b_first] = np.where(better, who, Pa[b_first])
            d = units[B][:, None]
            Kb = K_m[pm[B]][:, None]
            src = ks[None, :] - d
            ok = (src >= 0) & (ks[None, :] <= Kb)
            srcc = np.maximum(src, 0)
            bi = np.arange(len(B))[:, None]
            rows = np.where(ok, Pb[bi, srcc], NEG)
            rows_arg = np.where(ok, Pa[bi, srcc], -2)
            sat = sat_m[pm[B]]
            if sat.any():
                si = np.flatnonzero(sat)
                Ks = Kb[si, 0]
                tail = (ks[None, :] >= (Ks - units[B][si])[:, None]) & (ks[None, :] <= Ks[:, None])
                masked = np.where(tail, Pb[si], NEG)
                top_k = masked.argmax(axis=1)
                rows[si, Ks] = masked[np.arange(len(si)), top_k]
                rows_arg[si, Ks] = Pa[si, top_k]
                bucket_src[B[si]] = top_k
            F[B] = rows + values[B][:, None]
            arg[B] = rows_arg
        value = np.zeros(self.n_m)
        chosen = np.zeros(n, dtype=bool)
        if not n:
            return value, chosen
        scores = F + self.bonus[pm]
        best_k = scores.argmax(axis=1)
        best_pair = scores[np.arange(n), best_k]
        ordered = best_pair[self.by_member]
        per = np.maximum.reduceat(ordered, self.member_cuts)
        value[self.member_owners] = np.maximum(0.0, per)
        # Each member's best end: a pair reaching the member's maximum.
        gid = np.repeat(np.arange(len(self.member_cuts)), np.diff(np.r_[self.member_cuts, n]))
        hit = np.where(ordered == per[gid], self.by_member, -1)
        end = np.maximum.reduceat(hit, self.member_cuts)
        end = end[(per > 0.0) & (end >= 0)]
        j, k = end, best_k[end]
        while len(j):
            chosen[j] = True
            m = pm[j]
            prev = arg[j, k]
            in_bucket = sat_m[m] & (k == K_m[m])
            k = np.where(in_bucket, bucket_src[j], k - units[j])
            keep = prev >= 0
            j, k = prev[keep], k[keep]
        return value, chosen


class Relaxation:
    """Subgradient optimisation of slot and earnings-cap prices over ``WeekDP``."""

    def __init__(self, P: Pairs, n_members: int):
        self.P = P
        self.dp = WeekDP(P, n_members)
        self.mu = np.zeros(len(P.s_slots))
        self.lam = np.zeros(n_members)
        self.best_bound = math.inf
        self.best_mu = self.mu.copy()
        self.theta = 1.0
        self.stall = 0
        self.d_mu: np.ndarray | None = None
        self.d_lam: np.ndarray | None = None
        # Start from a fraction of each over-subscribed shift's "clearing price": the value
        # of its first claimant who would not get a slot (members have alternatives, so
        # the full price overshoots; 0.3 worked best on the generated instances).
        order = np.lexsort((-P.p_value, P.p_shift))
        s_sorted = P.p_shift[order]
        if len(order):
            starts = np.r_[0, np.flatnonzero(np.diff(s_sorted)) + 1]
            rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
            first_out = rank == P.s_slots[s_sorted]
            self.mu[s_sorted[first_out]] = START_PRICE * np.maximum(
                0.0, P.p_value[order][first_out]
            )
        # Earnings caps are priced per "average shift" of pay, so that both kinds of
        # multipliers move at comparable speeds in a subgradient step.
        self.pay_unit = max(1.0, float(self.dp.pay.mean())) if self.dp.n else 1.0

    @property
    def usable(self) -> bool:
        return not self.dp.too_big

    def evaluate(self) -> tuple[float, np.ndarray]:
        """Bound at the current prices and the priced weeks (mask over all pairs)."""
        dp, P = self.dp, self.P
        unit = self.pay_unit
        values = P.p_value[dp.free][dp.order] - self.mu[dp.ps] - self.lam[dp.pm] * dp.pay / unit
        value, week = dp.run(values)
        pay_caps = np.where(dp.pay_dual, dp.res_pay / unit, 0.0)
        per_member = dp.const_m + value + self.lam * pay_caps
        per_shift = self.mu * dp.res_slots
        bound = float(per_member.sum() + per_shift.sum())
        self.last_parts = (per_member, per_shift)
        chosen = P.p_forced.copy()
        chosen[dp.free[dp.order[week]]] = True
        if bound < self.best_bound - 1e-9:
            self.best_bound = bound
            self.best_mu = self.mu.copy()
            self.stall = 0
        else:
            self.stall += 1
            if self.stall >= 4:
                self.theta = max(self.theta / 2, 1e-4)
                self.stall = 0
        self._last = (bound, week)
        return bound, chosen

    def step(self, lower: float) -> None:
        dp = self.dp
        bound, week = self._last
        demand = np.bincount(dp.ps[week], minlength=len(self.mu))
        g_mu = (demand - dp.res_slots).astype(np.float64)
        g_mu[(self.mu <= 0) & (g_mu < 0)] = 0.0
        pay = np.bincount(dp.pm[week], weights=dp.pay[week], minlength=len(self.lam))
        g_lam = np.where(dp.pay_dual, (pay - dp.res_pay) / self.pay_unit, 0.0)
        g_lam[(self.lam <= 0) & (g_lam < 0)] = 0.0
        # Deflected subgradient: a share of the previous direction damps zig-zagging.
        if self.d_mu is not None and MOMENTUM > 0:
            g_mu = (1 - MOMENTUM) * g_mu + MOMENTUM * self.d_mu
            g_lam = (1 - MOMENTUM) * g_lam + MOMENTUM * self.d_lam
        self.d_mu, self.d_lam = g_mu, g_lam
        norm = float(g_mu @ g_mu + g_lam @ g_lam)
        if norm <= 0:
            return
        t = self.theta * max(bound - lower, 1e-6 * abs(bound)) / norm
        self.mu = np.maximum(0.0, self.mu + t * g_mu)
        self.lam = np.maximum(0.0, self.lam + t * g_lam)


def repair(P: Pairs, relaxed: np.ndarray) -> np.ndarray:
    """A feasible subset of priced weeks: over-subscribed shifts keep their most valuable
    claimants, members over an earnings cap drop their least valuable euros; commitments
    always stay. (Dropping shifts never breaks overlap or hour caps.)"""
    idx = np.flatnonzero(relaxed)
    s = P.p_shift[idx]
    key = np.where(P.p_forced[idx], np.inf, P.p_value[idx])
    order = np.lexsort((-key, s))
    idx, s = idx[order], s[order]
    starts = np.r_[0, np.flatnonzero(np.diff(s)) + 1] if len(s) else np.zeros(0, np.int64)
    rank = np.arange(len(idx)) - np.repeat(starts, np.diff(np.r_[starts, len(idx)]))
    keep = rank < P.s_slots[s]
    out = np.zeros_like(relaxed)
    out[idx[keep]] = True
    # Earnings caps.
    idx = np.flatnonzero(out)
    pay = P.s_pay[P.p_shift[idx]].astype(np.float64)
    m = P.p_member[idx]
    total = np.bincount(m, weights=pay, minlength=len(P.m_cap_pay))
    over = np.flatnonzero(total > P.m_cap_pay + TOL)
    if len(over):
        sel = np.isin(m, over) & ~P.p_forced[idx]
        cand = idx[sel]
        ratio = P.p_value[cand] / np.maximum(1.0, P.s_pay[P.p_shift[cand]])
        for p in cand[np.lexsort((ratio, P.p_member[cand]))].tolist():
            mm = int(P.p_member[p])
            if total[mm] <= P.m_cap_pay[mm] + TOL:
                continue
            out[p] = False
            total[mm] -= P.s_pay[P.p_shift[p]]
    return out
