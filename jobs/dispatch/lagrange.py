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
of the bound then only moves values (no back-pointers: the weeks are traced back
afterwards, see ``WeekDP.run``). Commitments are taken out beforehand (pairs that clash
with them are already gone; caps and targets are reduced by them).

The prices are improved by subgradient steps (Polyak step towards the best known
solution). Each member's priced week, repaired where shifts are over-subscribed or an
earnings cap is exceeded and then filled greedily, is also a feasible assignment. The
same DP with true values over the shifts left free gives every member's best response
to the others at once (``best_responses``), which ``solve.polish`` uses to re-plan.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from . import tuning as T
from .model import TOL
from .native import KERNEL

if TYPE_CHECKING:
    from .pairs import Pairs

NEG = -np.inf
MOMENTUM = 0.3
START_PRICE = 0.3
MIN_AXIS = 16
TRACE_WINDOW = 16  # candidates searched first for a week's previous shift


class Committed:
    """What the commitments take and leave: per member their minutes, pay and value,
    and the target minutes and earnings cap left; per shift the slots left."""

    def __init__(self, P: Pairs, n_members: int):
        forced = np.flatnonzero(P.p_forced)
        fm, fs = P.p_member[forced], P.p_shift[forced]
        self.minutes = np.bincount(fm, weights=(P.s_end - P.s_start)[fs], minlength=n_members)
        self.pay = np.bincount(fm, weights=P.s_pay[fs], minlength=n_members)
        self.value = np.bincount(fm, weights=P.p_value[forced], minlength=n_members)
        self.target = np.maximum(0.0, P.m_target - self.minutes)
        self.pay_cap = P.m_cap_pay - self.pay
        self.slots = P.s_slots - np.bincount(fs, minlength=len(P.s_slots))


class WeekDP:
    """Exact best weeks of all members under per-pair values, vectorised."""

    def __init__(
        self, P: Pairs, n_members: int, max_cells: float = 3e7, exact_cells: float | None = None
    ):
        self.P = P
        self.n_m = n_members
        w = P.weight
        minutes_all = (P.s_end - P.s_start).astype(np.int64)
        left = Committed(P, n_members)
        self.res_T, self.res_pay, self.res_slots = left.target, left.pay_cap, left.slots
        self.const_m = left.value - w * self.res_T
        res_cap = P.m_cap_min - left.minutes
        self.res_cap = res_cap

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
        # Members whose minutes axis would make the table too large (quarter-hour
        # durations and caps of 60 h: 240 units, on 330,000 pairs) become *linear*: their
        # hour cap and fairness term are priced too (see ``Relaxation``), so they need no
        # minutes axis at all. The widest axes go first.
        self.linear = np.zeros(n_members, dtype=bool)
        if exact_cells is None:
            exact_cells = T.EXACT_CELLS
        # The compiled DP's table is ragged (each pair has its own member's K + 1 cells),
        # numpy's is dense (every pair the widest exact axis): each is kept within
        # ``exact_cells`` by its own measure. The compiled DP relies on what
        # parse_instance guarantees (shifts of positive length, commitments within the
        # hour cap): otherwise numpy runs.
        ragged = KERNEL is not None and n > 0 and bool((K_m >= 0).all() and (minutes > 0).all())
        count_m = np.bincount(pm, minlength=n_members)
        # The table's cells with every member exact, by the kernel's measure.
        self.all_exact_cells = (
            n + int(count_m @ K_m) if ragged else n * (int(K_m.max()) + 1) if n else 0
        )
        if ragged:
            per_member = count_m * K_m
            if n + per_member.sum() > exact_cells:
                widest = np.argsort(-K_m, kind="stable")
                # Cells left with the widest k axes priced: keep the narrow ones exact.
                fits = n + per_member.sum() - np.r_[0, np.cumsum(per_member[widest])] <= exact_cells
                self.linear[widest[: int(np.argmax(fits)) if fits.any() else n_members]] = True
                self.linear &= K_m > 0
        elif n and n * (int(K_m.max()) + 1) > exact_cells:
            k_max = int(exact_cells // n) - 1
            # A narrow axis for a few members costs its width on every pair: then none.
            self.linear = K_m > (k_max if k_max >= MIN_AXIS else 0)
        K_m = np.where(self.linear, 0, K_m)
        self.K_m = K_m
        self.cells = n + int(count_m @ K_m) if n else 0
        self.sat_m = ~capped & ~self.linear
        self.pay_dual = np.isfinite(self.res_pay) & (tot_pay > self.res_pay + TOL)
        self.hour_dual = self.linear & capped
        self.fair_dual = self.linear & bonus_on
        K1 = int(K_m.max()) + 1 if n_members else 1
        self.K1 = K1
        # The table may be as large as the caller's ``exact_cells`` asks (the bench's
        # bounds ask for more than the solver's max_cells).
        self.too_big = (self.cells if ragged else n * K1) > max(max_cells, exact_cells)
        ks = np.arange(K1)
        bonus = w * np.minimum(ks[None, :] * g, self.res_T[:, None])
        self.bonus = np.where(ks[None, :] <= K_m[:, None], bonus, NEG)

        # Pairs in order of (start, end); everything below is in that order.
        order = np.lexsort((P.s_end[ps], P.s_start[ps]))
        self.order = order
        self.pm = pm[order]
        self.ps = ps[order]
        self.units = np.where(self.linear[self.pm], 0, minutes[order] // g).astype(np.int64)
        self.minutes = minutes[order].astype(np.float64)
        self.extra: np.ndarray | None = None  # linear members' priced terms (Relaxation)
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
        self.native = None
        self._work: tuple[np.ndarray, ...] | None = None
        if self.too_big:
            return
        self.lib = KERNEL
        if ragged:
            self.native = self._native(settle)
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
            else:
                new_cuts = new_owner = np.zeros(0, np.int64)
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
                        edges = (a_idx, e_cuts, b_local[e_cuts])
            self.batches.append(self._batch(pos - len(B), pos, new, new_cuts, new_owner, edges))
            active = np.concatenate([active, B])
        # What is still unsettled after the last batch joins the pools at the end.
        rest = settle_order[sp:]
        rest = rest[np.argsort(self.pm[rest], kind="stable")]
        self.rest = None
        if len(rest):
            rest_cuts = np.r_[0, np.flatnonzero(np.diff(self.pm[rest])) + 1]
            order, first, levels = _levels(rest, rest_cuts)
            self.rest = (self.pm[rest][rest_cuts][order], first, levels)
        # For the trace back: each pair's place in its member's list (sorted by start).
        where = np.empty(n, dtype=np.int64)
        where[self.by_member] = np.arange(n)
        self.place = where
        first = np.repeat(self.member_cuts, np.diff(np.r_[self.member_cuts, n]))
        self.first = np.empty(n, dtype=np.int64)
        self.first[self.by_member] = first

    def _native(self, settle: np.ndarray) -> dict[str, Any]:
        """The compiled kernel's price-independent arrays (``native/weekdp.c``): each
        member's pairs by settle time, per pair its compatible predecessors not yet
        settled at its start (counted first, then written), and the ragged cells: each
        pair and each member's pool has its member's K + 1 entries."""
        n, n_m = self.n, self.n_m
        i64 = np.int64
        cuts = np.searchsorted(self.pm[self.by_member], np.arange(n_m + 1)).astype(i64)
        by_member = np.ascontiguousarray(self.by_member, dtype=i64)
        geometry = [
            np.ascontiguousarray(a, dtype=np.float64)
            for a in (self.start, self.end, self.x, self.y, settle)
        ]
        mpk = float(self.P.minutes_per_km)
        count = np.zeros(n, dtype=i64)
        self.lib.weekdp_edges(n_m, cuts, by_member, *geometry, mpk, TOL, count, None, None)
        ptr = np.zeros(n + 1, dtype=i64)
        np.cumsum(count, out=ptr[1:])
        src = np.zeros(max(1, int(ptr[-1])), dtype=i64)
        self.lib.weekdp_edges(
            n_m, cuts, by_member, *geometry, mpk, TOL, count,
            ptr.ctypes.data, src.ctypes.data,
        )  # fmt: skip
        width = self.K_m + 1
        moff = np.r_[0, np.cumsum(width)].astype(i64)
        coff = np.r_[0, np.cumsum(width[self.pm])].astype(i64)
        ks = np.arange(moff[-1]) - np.repeat(moff[:-1], width)
        return {
            "pm": np.ascontiguousarray(self.pm, dtype=i64),
            "units": np.ascontiguousarray(self.units, dtype=i64),
            "K": np.ascontiguousarray(self.K_m, dtype=i64),
            "sat": self.sat_m.astype(np.uint8),
            "coff": coff,
            "moff": moff,
            "bonus": np.ascontiguousarray(self.bonus[np.repeat(np.arange(n_m), width), ks]),
            "start": geometry[0],
            "scuts": cuts,
            "slist": np.lexsort((settle, self.pm)).astype(i64),
            "settle": geometry[4],
            "ptr": ptr,
            "src": src,
        }

    def _run_native(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        assert self.native is not None
        a = self.native
        n, n_m = self.n, self.n_m
        cells, pool_cells = int(a["coff"][-1]), int(a["moff"][-1])
        value = np.empty(n_m)
        chosen = np.empty(n, dtype=np.uint8)
        if values.shape != (n,):
            msg = f"values: {n} per-pair values expected, got shape {values.shape}"
            raise ValueError(msg)
        # The kernel's work arrays are allocated once and reused: fresh ones cost a page
        # fault per 4 kB touched in every evaluation (at 10k, 40 MB of cells).
        if self._work is None:
            self._work = (
                np.empty(cells), np.empty(cells, dtype=np.int64), np.empty(cells, dtype=np.int32),
                np.empty(pool_cells), np.empty(pool_cells, dtype=np.int64),
                np.empty(n_m, dtype=np.int64), np.empty(self.K1), np.empty(self.K1, dtype=np.int64),
            )  # fmt: skip
        self.lib.weekdp_run(
            n, n_m, a["pm"], a["units"], a["K"], a["sat"], a["coff"], a["moff"], a["bonus"],
            a["start"], values, a["scuts"], a["slist"], a["settle"], a["ptr"], a["src"], TOL,
            *self._work, value, chosen,
        )  # fmt: skip
        return value, chosen.view(bool)

    def _batch(
        self,
        b0: int,
        b1: int,
        new: np.ndarray,
        new_cuts: np.ndarray,
        new_owner: np.ndarray,
        edges: Any,
    ) -> Any:
        """The price-independent index arrays of one batch (pairs ``b0:b1``)."""
        K1, W = self.K1, self.K1 + 1  # pools carry one more column, always -inf
        nb = b1 - b0
        pmB = self.pm[b0:b1]
        d = self.units[b0:b1]
        ks = np.arange(K1)
        src = ks[None, :] - d[:, None]
        local = np.arange(nb)[:, None] * W
        shift = (local + np.where(src >= 0, src, K1)).ravel()
        sat = np.flatnonzero(self.sat_m[pmB])
        bucket = None
        if len(sat):
            Ks = self.K_m[pmB[sat]]
            u = d[sat]
            width = int(u.max()) + 1
            cols = (Ks - u)[:, None] + np.arange(width)[None, :]
            ok = (cols >= 0) & (np.arange(width)[None, :] <= u[:, None])
            win = local[sat] + np.where(ok, cols, K1)
            bucket = (sat, sat * K1 + Ks, win, Ks - u)
        settled = None
        if len(new):
            order, first, levels = _levels(new, new_cuts)
            settled = (new_owner[order], first, levels)
        if edges is not None:
            a_idx, e_cuts, b_first = edges
            order, first, levels = _levels(a_idx, e_cuts)
            edges = (b_first[order], first, levels)
        return (b0, b1, pmB, shift, bucket, settled, edges)

    def run(self, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Best week value per member and each member's best week (a mask over the free
        pairs in the order of ``self.order``), under per-pair ``values`` in that order.

        The forward pass keeps values only; the weeks are traced back afterwards by
        finding, for each chosen pair, a compatible earlier pair of the same member whose
        value plus this pair's reproduces this pair's entry exactly (the entries are
        copies, so the test is exact). Entries above a member's K are not masked: they
        only ever feed higher entries, and the bonus (-inf there) keeps them out of the
        answer; the saturated bucket (K of a member without binding hour cap: "K or
        more") takes the best entry of its window."""
        n, K1, n_m = self.n, self.K1, self.n_m
        values = np.ascontiguousarray(values, dtype=np.float64)
        if self.native is not None:
            return self._run_native(values)
        F = np.empty((n, K1))
        bucket_src = np.zeros(n, dtype=np.int64)  # for the saturated bucket: which k
        pool = np.full((n_m, K1 + 1), NEG)
        pool[:, 0] = 0.0  # the empty week
        for b0, b1, pmB, shift, bucket, settled, edges in self.batches:
            if settled is not None:
                owner, first, levels = settled
                best = _group_max(F, first, levels)
                pool[owner, :K1] = np.maximum(pool[owner, :K1], best)
            Pb = pool[pmB]
            if edges is not None:
                b_first, first, levels = edges
                vals = _group_max(F, first, levels)
                Pb[b_first, :K1] = np.maximum(Pb[b_first, :K1], vals)
            flat = Pb.ravel()
            rows = flat.take(shift)
            if bucket is not None:
                sat, at, win, lo = bucket
                w = flat.take(win)
                top = w.argmax(axis=1)
                rows[at] = w[np.arange(len(sat)), top]
                bucket_src[b0 + sat] = lo + top
            rows = rows.reshape(b1 - b0, K1)
            np.add(rows, values[b0:b1, None], out=F[b0:b1])
        value = np.zeros(n_m)
        chosen = np.zeros(n, dtype=bool)
        if not n:
            return value, chosen
        if self.rest is not None:
            owner, first, levels = self.rest
            best = _group_max(F, first, levels)
            pool[owner, :K1] = np.maximum(pool[owner, :K1], best)
        scores = pool[:, :K1] + self.bonus
        best_k = scores.argmax(axis=1)
        top = scores[np.arange(n_m), best_k]
        value[:] = np.maximum(0.0, top)
        # Each member's best end: a pair reaching the pool's entry at the best k.
        pm = self.pm
        kk = best_k[pm]
        hit = (top[pm] > 0.0) & (F[np.arange(n), kk] == pool[pm, kk])
        end = np.full(n_m, -1)
        end[pm[hit]] = np.flatnonzero(hit)
        j = end[end >= 0]
        k = best_k[pm[j]]
        self._trace(F, values, bucket_src, j, k, chosen)
        return value, chosen

    def _trace(
        self,
        F: np.ndarray,
        values: np.ndarray,
        bucket_src: Any,
        j: np.ndarray,
        k: np.ndarray,
        chosen: np.ndarray,
    ) -> None:
        """Mark the weeks ending at pairs ``j`` with ``k`` units (one per member)."""
        pm, units, K_m, sat_m = self.pm, self.units, self.K_m, self.sat_m
        x, y, start, end, mpk = self.x, self.y, self.start, self.end, self.P.minutes_per_km
        by_member, place, first = self.by_member, self.place, self.first
        K1 = F.shape[1]
        while len(j):
            chosen[j] = True
            m = pm[j]
            here = F[j, k]
            kp = np.where(sat_m[m] & (k == K_m[m]), bucket_src[j], k - units[j])
            more = ~((kp == 0) & (values[j] == here))  # else the week starts at j
            j, kp, here = j[more], kp[more], here[more]
            if not len(j):
                break

            def search(
                lo: np.ndarray,
                hi: np.ndarray,
                j: np.ndarray = j,
                kp: np.ndarray = kp,
                here: np.ndarray = here,
            ) -> np.ndarray:
                """A predecessor of each ``j`` among its member's pairs ``lo:hi`` (in
                start order), or -1."""
                counts = np.maximum(0, hi - lo)
                total = int(counts.sum())
                prev = np.full(len(j), -1)
                if not total:
                    return prev
                grp = np.repeat(np.arange(len(j)), counts)
                offs = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
                a = by_member[np.repeat(lo, counts) + offs]
                ok = np.flatnonzero(F.take(a * K1 + kp[grp]) + values[j][grp] == here[grp])
                a, grp = a[ok], grp[ok]
                b = j[grp]
                ok = end[a] + np.hypot(x[a] - x[b], y[a] - y[b]) * mpk <= start[b] + TOL
                prev[grp[ok]] = a[ok]
                return prev

            # The previous shift of a week is nearly always among the member's last few
            # candidates before it (a dense city has hundreds): look there first.
            recent = np.maximum(first[j], place[j] - TRACE_WINDOW)
            prev = search(recent, place[j])
            rest = np.flatnonzero((prev < 0) & (recent > first[j]))
            if len(rest):
                prev[rest] = search(first[j][rest], recent[rest], j[rest], kp[rest], here[rest])
            keep = prev >= 0
            j, k = prev[keep], kp[keep]


def _levels(
    idx: np.ndarray, cuts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, np.ndarray]]]:
    """Groups of ``idx`` (starting at ``cuts``) arranged for ``_group_max``: the groups
    sorted by size, largest first (returns that order), each group's first member, and
    per level r >= 1 how many groups have an r-th member and which those are."""
    sizes = np.diff(np.r_[cuts, len(idx)])
    order = np.argsort(-sizes, kind="stable")
    starts, sizes = cuts[order], sizes[order]
    levels = [
        (int(np.count_nonzero(sizes > r)), idx[starts[sizes > r] + r])
        for r in range(1, int(sizes.max()))
    ]
    return order, idx[starts], levels


def _group_max(
    F: np.ndarray, first: np.ndarray, levels: list[tuple[int, np.ndarray]]
) -> np.ndarray:
    """Row-wise maximum of ``F`` over each group laid out by ``_levels`` (faster than
    ``np.maximum.reduceat`` along axis 0 for many small groups)."""
    out = F.take(first, axis=0)
    for count, idx in levels:
        np.maximum(out[:count], F.take(idx, axis=0), out=out[:count])
    return out


class Relaxation:
    """Subgradient optimisation of slot and earnings-cap prices over ``WeekDP``."""

    def __init__(self, P: Pairs, n_members: int, *, exact_cells: float | None = None):
        self.P = P
        self.dp = WeekDP(P, n_members, exact_cells=exact_cells)
        self.mu = np.zeros(len(P.s_slots))
        self.lam = np.zeros(n_members)
        self.best_bound = math.inf
        self.best_mu = self.mu.copy()
        self.theta = 1.0
        self.evaluations = 0
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
        # Linear members (``WeekDP``): the hour cap gets a price ``eta`` and the fairness
        # term w * min(M, T) <= a * M + (w - a) * T, for any a in [0, w], a slope ``a``
        # (both per "average shift" of minutes); a = w (every minute counts in full)
        # is exact for a member below target.
        dp = self.dp
        self.hour_unit = max(1.0, float(dp.minutes.mean())) if dp.n else 1.0
        self.eta = np.zeros(n_members)
        self.slope = np.where(dp.fair_dual, P.weight * self.hour_unit, 0.0)
        self.d_eta: np.ndarray | None = None
        self.d_slope: np.ndarray | None = None
        self.has_linear = bool(dp.linear.any())
        self._set_extra()

    def _set_extra(self) -> None:
        """The linear members' per-pair terms (in the DP's order) at the current prices,
        for ``best_responses``."""
        dp = self.dp
        if self.has_linear:
            dp.extra = (self.slope - self.eta)[dp.pm] * dp.minutes / self.hour_unit

    @property
    def usable(self) -> bool:
        return not self.dp.too_big

    def evaluate(self) -> tuple[float, np.ndarray]:
        """Bound at the current prices and the priced weeks (mask over all pairs)."""
        dp, P = self.dp, self.P
        unit = self.pay_unit
        values = P.p_value[dp.free][dp.order] - self.mu[dp.ps] - self.lam[dp.pm] * dp.pay / unit
        if self.has_linear:
            hu = self.hour_unit
            values = values + (self.slope - self.eta)[dp.pm] * dp.minutes / hu
        value, week = dp.run(values)
        self.evaluations += 1
        pay_caps = np.where(dp.pay_dual, dp.res_pay / unit, 0.0)
        per_member = dp.const_m + value + self.lam * pay_caps
        if self.has_linear:
            hu = self.hour_unit
            per_member = per_member + np.where(
                dp.fair_dual, (P.weight * hu - self.slope) * dp.res_T / hu, 0.0
            )
            capped = np.where(dp.hour_dual, dp.res_cap, 0.0)  # 0 * inf is nan elsewhere
            per_member += self.eta * capped / hu
        per_shift = self.mu * dp.res_slots
        bound = float(per_member.sum() + per_shift.sum())
        self.last_parts = (per_member, per_shift)
        chosen = P.p_forced.copy()
        chosen[dp.free[dp.order[week]]] = True
        if bound < self.best_bound - 1e-9:
            self.best_bound = bound
            self.best_mu = self.mu.copy()
            self.stall = 0
            self._set_extra()
        else:
            self.stall += 1
            if self.stall >= 4:
                self.theta = max(self.theta / 2, 1e-4)
                self.stall = 0
        self._last = (bound, week)
        return bound, chosen

    def exact(self, cells: float) -> Relaxation:
        """The same relaxation with every member exact, warm-started from these prices
        (and keeping their bound), if the compiled DP's table for it fits in ``cells``;
        else this one. Short budgets price the members' hours linearly for fast
        evaluations, but the weeks priced that way are poor columns (a linear member's
        week often breaks its hour cap, or misjudges its fairness term): the last part
        of the prices runs exact, to give the master exact weeks near the best prices."""
        dp = self.dp
        if not self.has_linear or dp.native is None or dp.all_exact_cells > cells:
            return self
        other = Relaxation(self.P, dp.n_m, exact_cells=cells)
        if other.has_linear or not other.usable:
            return self
        other.mu, other.lam = self.best_mu.copy(), self.lam.copy()
        other.best_mu, other.best_bound = self.best_mu.copy(), self.best_bound
        other.theta, other.evaluations = self.theta, self.evaluations
        return other

    def feasible_weeks(self) -> np.ndarray:
        """The last evaluation's priced weeks (a mask over all pairs) with each member
        cut back within their caps where the DP only priced them (earnings caps, and the
        hour caps of linear members): feasible weeks near the priced ones, for the column
        pool, which keeps no week over its member's caps."""
        dp, P = self.dp, self.P
        _, week = self._last
        values = P.p_value[dp.free][dp.order]
        week = _trim_hours(dp, values, week)
        week = _trim_to(dp, values, week, dp.pay, np.where(dp.pay_dual, dp.res_pay, np.inf))
        chosen = P.p_forced.copy()
        chosen[dp.free[dp.order[week]]] = True
        return chosen

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
        if self.d_mu is not None and self.d_lam is not None and MOMENTUM > 0:
            g_mu = (1 - MOMENTUM) * g_mu + MOMENTUM * self.d_mu
            g_lam = (1 - MOMENTUM) * g_lam + MOMENTUM * self.d_lam
        self.d_mu, self.d_lam = g_mu, g_lam
        norm = float(g_mu @ g_mu + g_lam @ g_lam)
        if self.has_linear:
            g_eta, g_slope = self._linear_gradient(week)
            norm += float(g_eta @ g_eta + g_slope @ g_slope)
        if norm <= 0:
            return
        t = self.theta * max(bound - lower, 1e-6 * abs(bound)) / norm
        self.mu = np.maximum(0.0, self.mu + t * g_mu)
        self.lam = np.maximum(0.0, self.lam + t * g_lam)
        if self.has_linear:
            self.eta = np.maximum(0.0, self.eta + t * g_eta)
            top = self.P.weight * self.hour_unit
            self.slope = np.where(dp.fair_dual, np.clip(self.slope + t * g_slope, 0.0, top), 0.0)

    def _linear_gradient(self, week: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Directions for the linear members' hour-cap prices and fairness slopes."""
        dp, hu = self.dp, self.hour_unit
        minutes = np.bincount(dp.pm[week], weights=dp.minutes[week], minlength=len(self.eta))
        g_eta = np.where(dp.hour_dual, (minutes - dp.res_cap) / hu, 0.0)
        g_eta[(self.eta <= 0) & (g_eta < 0)] = 0.0
        g_slope = np.where(dp.fair_dual, (dp.res_T - minutes) / hu, 0.0)
        top = self.P.weight * hu
        g_slope[(self.slope <= 0) & (g_slope < 0)] = 0.0
        g_slope[(self.slope >= top) & (g_slope > 0)] = 0.0
        if self.d_eta is not None and self.d_slope is not None and MOMENTUM > 0:
            g_eta = (1 - MOMENTUM) * g_eta + MOMENTUM * self.d_eta
            g_slope = (1 - MOMENTUM) * g_slope + MOMENTUM * self.d_slope
        self.d_eta, self.d_slope = g_eta, g_slope
        return g_eta, g_slope


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
    # Earnings caps, then hour caps (priced, not kept, for linear members).
    for amount, cap in (
        (P.s_pay.astype(np.float64), P.m_cap_pay),
        (P.s_minutes * 1.0, P.m_cap_min),
    ):
        idx = np.flatnonzero(out)
        m = P.p_member[idx]
        total = np.bincount(m, weights=amount[P.p_shift[idx]], minlength=len(cap))
        over = np.flatnonzero(total > cap + TOL)
        if not len(over):
            continue
        cand = idx[np.isin(m, over) & ~P.p_forced[idx]]
        ratio = P.p_value[cand] / np.maximum(1.0, amount[P.p_shift[cand]])
        for p in cand[np.lexsort((ratio, P.p_member[cand]))].tolist():
            mm = int(P.p_member[p])
            if total[mm] <= cap[mm] + TOL:
                continue
            out[p] = False
            total[mm] -= amount[P.p_shift[p]]
    return out


def best_responses(P: Pairs, dp: WeekDP, chosen: np.ndarray) -> tuple[np.ndarray, int, np.ndarray]:
    """One round of re-planning for all members at once: every member's best week with
    true values, the others fixed (a shift is open to a member if it has a free slot
    without the member), solved by one run of the week DP; then the members who gain
    move, largest gain first, as long as the shifts they claim are still free and their
    earnings cap holds. Each accepted move gains on its own, so the objective never
    falls. Returns the new choice (over all pairs), how many members moved, and the
    members who would gain but not within their earnings cap (for an exact re-plan: the
    others cannot gain at all)."""
    fo = dp.free[dp.order]
    ps, pm = dp.ps, dp.pm
    taken = np.bincount(P.p_shift[chosen], minlength=len(P.s_slots))
    mine = chosen[fo]
    open_ = taken[ps] - mine < P.s_slots[ps]
    values = np.where(open_, P.p_value[fo], NEG)
    _, week = dp.run(values if dp.extra is None else values + dp.extra)
    n_m = dp.n_m
    if dp.linear.any():
        week = _trim_hours(dp, values, week)
    # True values of the weeks found and of the current ones (for linear members the DP
    # ran on priced hours and fairness, so its own value is not theirs).
    value = _week_values(P, dp, values, week)
    now = _week_values(P, dp, values, mine)
    gain = value - now
    movers = np.flatnonzero(gain > 1e-7 * np.maximum(1.0, np.abs(now)))
    if not len(movers):
        return chosen, 0, movers
    pay = np.bincount(pm[week], weights=dp.pay[week], minlength=n_m)
    minutes = np.bincount(pm[week], weights=dp.minutes[week], minlength=n_m)
    within = (pay[movers] <= dp.res_pay[movers] + TOL) & (
        minutes[movers] <= dp.res_cap[movers] + TOL
    )
    blocked = movers[~within]
    movers = movers[within]
    movers = movers[np.argsort(-gain[movers], kind="stable")]
    changed = np.flatnonzero(week != mine)
    changed = changed[np.argsort(pm[changed], kind="stable")]
    cuts = np.searchsorted(pm[changed], np.arange(n_m + 1))
    left = (P.s_slots - taken).tolist()
    out = chosen.copy()
    moved = 0
    week_l = week.tolist()
    ps_l = ps.tolist()
    for m in movers.tolist():
        mine_changed = changed[cuts[m] : cuts[m + 1]].tolist()
        if any(week_l[i] and left[ps_l[i]] <= 0 for i in mine_changed):
            continue
        for i in mine_changed:
            left[ps_l[i]] += -1 if week_l[i] else 1
        out[fo[mine_changed]] = week[mine_changed]
        moved += 1
    return out, moved, blocked


def _week_values(P: Pairs, dp: WeekDP, values: np.ndarray, week: np.ndarray) -> np.ndarray:
    """Per member: the value of their pairs in ``week`` (a mask in the DP's order) plus
    the fairness term of their minutes (commitments apart)."""
    n_m = dp.n_m
    value = np.bincount(dp.pm[week], weights=values[week], minlength=n_m)
    minutes = np.bincount(dp.pm[week], weights=dp.minutes[week], minlength=n_m)
    return value + P.weight * np.minimum(minutes, dp.res_T)


def _trim_hours(dp: WeekDP, values: np.ndarray, week: np.ndarray) -> np.ndarray:
    """``week`` with each linear member over their hour cap (priced, not kept, in the
    DP) cut back below it."""
    return _trim_to(dp, values, week, dp.minutes, np.where(dp.hour_dual, dp.res_cap, np.inf))


def _trim_to(
    dp: WeekDP, values: np.ndarray, week: np.ndarray, amount: np.ndarray, cap: np.ndarray
) -> np.ndarray:
    """``week`` (a mask in the DP's order) with each member whose pairs' ``amount``
    (minutes or pay) exceeds their ``cap`` cut back within it: their least valuable pairs
    per unit of amount go first. (Dropping shifts never breaks a gap with travel.)"""
    total = np.bincount(dp.pm[week], weights=amount[week], minlength=dp.n_m)
    excess = total - cap
    over = excess > TOL
    if not over.any():
        return week
    idx = np.flatnonzero(week & over[dp.pm])
    m = dp.pm[idx]
    idx = idx[np.lexsort((values[idx] / np.maximum(amount[idx], 1e-9), m))]
    m, amounts = dp.pm[idx], amount[idx]
    cum = np.cumsum(amounts)
    starts = np.r_[0, np.flatnonzero(np.diff(m)) + 1]
    before = (
        cum - amounts - np.repeat(cum[starts] - amounts[starts], np.diff(np.r_[starts, len(m)]))
    )
    week = week.copy()
    week[idx[before < excess[m] - TOL]] = False
    return week
