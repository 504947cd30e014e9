"""Restricted master: the best combination of the weeks seen so far.

Every week the search meets is a *column*: one member's feasible week. The priced weeks
of each Lagrangian evaluation (hours cap, windows and travel are exact in the week DP;
the earnings cap, and the hour cap of members whose hours are priced, are checked
when the week is added), and each member's week in every
feasible assignment found. The master chooses at most one column per member, within
each shift's slots, for the most value: a set-packing MILP. Its LP is the LP of the
formulation with one column per feasible week restricted to these columns, so it is
tight (its optimum is close to the Lagrangian bound), unlike the compact MILP's.

Solving it: HiGHS's interior point solves the LP (far faster here than the simplex:
0.8 s instead of 6.5 s on the largest 10k component's 13,000 columns); two dives from
the LP give integer answers in milliseconds; the MILP then runs on the columns the LP
uses plus the incumbent's and the dives' (with ``near``, also each member's columns of
highest reduced cost), warm-started from the best of them, so its answer is never
worse. The priced weeks of many price vectors hold combinations that neither rounding
nor re-planning one member at a time finds: on the 1k instance's
large component, 0.3 s of prices and 0.2 s of master gave 7.22-7.23 M where the whole
second of rounding and re-planning gave 7.20-7.22 M.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

import highspy
import numpy as np

from . import tuning as T
from .lagrange import Committed
from .matrix import Matrix
from .model import TOL

if TYPE_CHECKING:
    from .milp import Model
    from .pairs import Pairs

logger = logging.getLogger(__name__)

LP_SOLVER = "ipm"
# Dives from the master's LP: (share of the fractional columns fixed at a time, ties by
# value). Which one does best varies from LP to LP (many columns sit at one half), so
# two different ones run; each takes 15-25 ms at 1k.
DIVES = ((0.1, False), (0.0, True))


class ColumnPool:
    """Distinct feasible weeks per member, over the free pairs of ``P`` (commitments are
    in every solution and stay out of the columns)."""

    def __init__(self, P: Pairs, n_members: int, seed: int = 0, *, max_columns: int | None = None):
        self.P, self.n_m = P, n_members
        self.max_columns = T.POOL_MAX_COLUMNS if max_columns is None else max_columns
        free = ~P.p_forced
        self.free = free
        self.minutes = (P.s_end - P.s_start)[P.p_shift].astype(np.float64)
        self.pay = P.s_pay[P.p_shift].astype(np.float64)
        left = Committed(P, n_members)
        self.res_T, self.res_pay, self.res_slots = left.target, left.pay_cap, left.slots
        self.res_cap = P.m_cap_min - left.minutes
        # Objective of the commitments alone, every member's shortfall counted in full.
        self.constant = float(left.value.sum() - P.weight * self.res_T.sum())
        # A week's fingerprint: the sum of its pairs' random keys (mod 2**64).
        rng = np.random.default_rng(seed)
        self.key = rng.integers(0, np.iinfo(np.int64).max, size=len(free), dtype=np.uint64)
        self.known: dict[tuple[int, int], int] = {}
        self.member: list[int] = []
        self.pairs: list[np.ndarray] = []
        self.value: list[float] = []
        self.added_since = 0  # columns added since the last ``master``

    def __len__(self) -> int:
        return len(self.pairs)

    def _weeks(self, chosen: np.ndarray) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray]:
        """(member, fingerprint, pair indices) of each non-empty week in ``chosen``."""
        idx = np.flatnonzero(chosen & self.free)
        if not len(idx):
            return [], np.zeros(0, np.int64), np.zeros(0, np.uint64), idx
        m = self.P.p_member[idx]
        order = np.argsort(m, kind="stable")
        idx, m = idx[order], m[order]
        cuts = np.r_[0, np.flatnonzero(np.diff(m)) + 1]
        fingerprints = np.add.reduceat(self.key[idx], cuts)
        return cuts, m[cuts], fingerprints, idx

    def add(self, chosen: np.ndarray) -> None:
        """Add the members' weeks in ``chosen`` (a mask over the pairs) not seen yet,
        except those over their member's earnings cap."""
        cuts, owners, fingerprints, idx = self._weeks(chosen)
        if not len(idx):
            return
        pay = np.add.reduceat(self.pay[idx], cuts)
        minutes = np.add.reduceat(self.minutes[idx], cuts)
        ok = (pay <= self.res_pay[owners] + TOL) & (minutes <= self.res_cap[owners] + TOL)
        ends = np.r_[cuts[1:], len(idx)]
        known = self.known
        new = [
            i
            for i, (m, f) in enumerate(zip(owners.tolist(), fingerprints.tolist(), strict=True))
            if ok[i] and (m, f) not in known
        ]
        if not new:
            return
        values = np.add.reduceat(self.P.p_value[idx], cuts)
        values += self.P.weight * np.minimum(minutes, self.res_T[owners])
        for i in new:
            m, f = int(owners[i]), int(fingerprints[i])
            known[(m, f)] = len(self.pairs)
            self.member.append(m)
            self.pairs.append(idx[cuts[i] : ends[i]])
            self.value.append(float(values[i]))
        self.added_since += len(new)

    def trim(self) -> None:
        """Over ``max_columns``, the oldest columns go (the weeks of the earliest, worst
        prices) until a quarter of the room is free again. Column indices change: call
        it only where none is held (the prices' loop does)."""
        n = len(self.pairs)
        if n <= self.max_columns:
            return
        drop = n - (3 * self.max_columns) // 4
        del self.member[:drop], self.pairs[:drop], self.value[:drop]
        self.known = {key: j - drop for key, j in self.known.items() if j >= drop}

    def columns_of(self, chosen: np.ndarray) -> np.ndarray:
        """Indices of the columns that make up ``chosen`` (after ``add(chosen)``)."""
        _, owners, fingerprints, idx = self._weeks(chosen)
        if not len(idx):
            return np.zeros(0, np.int64)
        known = self.known
        return np.array(
            [
                known[(m, f)]
                for m, f in zip(owners.tolist(), fingerprints.tolist(), strict=True)
                if (m, f) in known
            ],
            dtype=np.int64,
        )

    def model(self, cols: np.ndarray, slots: np.ndarray | None = None) -> Model:
        from .milp import Model

        n_m = self.n_m
        lengths = np.array([len(self.pairs[j]) for j in cols.tolist()], dtype=np.int64)
        indptr = np.r_[0, np.cumsum(lengths + 1)]
        rows = np.empty(int(indptr[-1]), dtype=np.int64)
        rows[indptr[:-1]] = np.asarray(self.member, dtype=np.int64)[cols]
        body = np.ones(len(rows), dtype=bool)
        body[indptr[:-1]] = False
        if len(cols):
            rows[body] = n_m + self.P.p_shift[np.concatenate([self.pairs[j] for j in cols])]
        A = Matrix(indptr, rows, np.ones(len(rows)), (n_m + len(self.res_slots), len(cols)))
        n = len(cols)
        return Model(
            c=np.asarray(self.value, dtype=np.float64)[cols],
            A=A,
            row_lo=np.full(A.shape[0], -np.inf),
            row_hi=np.r_[np.ones(n_m), self.res_slots if slots is None else slots].astype(
                np.float64
            ),
            lb=np.zeros(n),
            ub=np.ones(n),
            integrality=np.ones(n, dtype=np.int8),
            n_x=n,
            constant=self.constant,
        )

    def best_columns(self, prices: np.ndarray, per_member: int) -> np.ndarray:
        """Indices of each member's ``per_member`` best columns under per-pair
        ``prices`` (value minus the prices of its pairs)."""
        n = len(self.pairs)
        lengths = np.fromiter((len(p) for p in self.pairs), dtype=np.int64, count=n)
        flat = np.concatenate(self.pairs)
        owner = np.repeat(np.arange(n), lengths)
        priced = np.asarray(self.value) - np.bincount(owner, weights=prices[flat], minlength=n)
        return best_of_each(np.asarray(self.member, dtype=np.int64), priced, per_member)

    def solve(
        self,
        incumbent: np.ndarray,
        deadline: float,
        *,
        lp_share: float = 0.5,
        columns: np.ndarray | None = None,
        members: np.ndarray | None = None,
        near: int = 0,
    ) -> np.ndarray | None:
        """The best combination of the columns that HiGHS finds by ``deadline``, as a
        mask over the pairs (commitments included), never worse than ``incumbent``; or
        None when nothing better turned up. The LP gets up to ``lp_share`` of the time.
        With ``columns`` (say, each member's best under prices: ``best_columns``), only
        these and the incumbent's take part. With ``members`` (a region of a large
        component), only their columns: the other members keep their weeks of
        ``incumbent``, and the slots they hold are taken out."""
        from .milp import load_highs, solve_highs

        self.add(incumbent)
        self.added_since = 0
        n = len(self.pairs)
        if not n:
            return None
        start_cols = self.columns_of(incumbent)
        all_cols = np.arange(n) if columns is None else np.union1d(columns, start_cols)
        slots = None
        if members is not None:
            owner = np.asarray(self.member, dtype=np.int64)
            all_cols = all_cols[np.isin(owner[all_cols], members)]
            start_cols = start_cols[np.isin(owner[start_cols], members)]
            inside = np.zeros(self.n_m, dtype=bool)
            inside[members] = True
            held = incumbent & self.free & ~inside[self.P.p_member]
            slots = self.res_slots - np.bincount(
                self.P.p_shift[held], minlength=len(self.res_slots)
            )
            if not len(all_cols):
                return None
        left = deadline - time.monotonic()
        if left < 0.02:
            return None
        lp = self.model(all_cols, slots)
        h = load_highs(lp, time_limit=lp_share * left, relax=True, lp_solver=LP_SOLVER)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        x = np.array(h.getSolution().col_value)
        # The MILP's columns: the LP's support, and with ``near`` each member's columns
        # nearest to entering the LP's basis (reduced cost): the support's MILP alone
        # lost 0.2 % against its LP on fairness-heavy 2k.
        candidates = all_cols[x > 1e-6]
        if near > 0:
            reduced = np.array(h.getSolution().col_dual)
            owner = np.asarray(self.member, dtype=np.int64)[all_cols]
            candidates = np.union1d(candidates, all_cols[best_of_each(owner, reduced, near)])
        values = np.asarray(self.value)
        lp_value = h.getInfo().objective_function_value + lp.constant
        best_cols, best_value = start_cols, float(values[start_cols].sum())
        for share, by_value in DIVES:
            dived = _dive(h, lp, x, deadline, share=share, by_value=by_value)
            if dived is not None and float(values[all_cols[dived]].sum()) > best_value + 1e-6:
                best_cols, best_value = all_cols[dived], float(values[all_cols[dived]].sum())
        cols = np.union1d(np.union1d(candidates, start_cols), best_cols)
        dived_value = best_value
        left = deadline - time.monotonic()
        if left > 0.02:
            model = self.model(cols, slots)
            y, _, _, _ = solve_highs(
                model, time_limit=left, start=np.isin(cols, best_cols).astype(np.float64)
            )
            if y is not None and float(model.c @ (y > 0.5)) > best_value + 1e-6:
                best_cols = cols[y > 0.5]
        # The objectives of this master's model (with ``members``, of the region alone).
        logger.debug(
            "master: %d of %d columns, LP %.0f, incumbent %.0f, dives %.0f, MILP %.0f",
            len(cols),
            len(all_cols),
            lp_value,
            float(values[start_cols].sum()) + lp.constant,
            dived_value + lp.constant,
            float(values[best_cols].sum()) + lp.constant,
        )
        chosen = self.P.p_forced.copy()
        if members is not None:
            chosen |= held
        if len(best_cols):
            chosen[np.concatenate([self.pairs[j] for j in best_cols.tolist()])] = True
        return chosen


def best_of_each(owner: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """Indices (sorted) of each owner's ``k`` highest scores."""
    n = len(owner)
    order = np.lexsort((-score, owner))
    o_sorted = owner[order]
    starts = np.r_[0, np.flatnonzero(np.diff(o_sorted)) + 1]
    rank = np.arange(n) - np.repeat(starts, np.diff(np.r_[starts, n]))
    return np.sort(order[rank < k])


def _dive(
    h: Any, model: Model, x: np.ndarray, deadline: float, *, share: float, by_value: bool
) -> np.ndarray | None:
    """Columns of an integer answer found by diving from the LP solution ``x`` of the
    model held in ``h`` (None if time runs out first): the columns at one and a ``share``
    of the fractional ones (at least one), the largest first, ties by value if
    ``by_value``, are fixed to one where their rows still have room, and the LP solved
    again (dual simplex, warm-started), until it is integral. Feasible by construction:
    a column is fixed only when every row it is in has room left after the columns fixed
    before it. The bounds are restored afterwards, so ``h`` can dive again."""
    A = model.A
    room = model.row_hi.copy()
    fixed = np.zeros(A.shape[1], dtype=bool)
    tie = 1e-6 * model.c / max(1.0, float(np.abs(model.c).max())) if by_value else 0.0
    h.setOptionValue("solver", "simplex")
    try:
        while True:
            open_ = ~fixed & (x > 1e-6)
            ones = np.flatnonzero(open_ & (x >= 1 - 1e-6))
            frac = np.flatnonzero(open_ & (x < 1 - 1e-6))
            batch = len(ones) + max(1, int(share * len(frac)))
            key = -(x + tie)[frac]
            moved = 0
            for j in np.r_[ones, frac[np.argsort(key, kind="stable")]].tolist():
                rows = A.indices[A.indptr[j] : A.indptr[j + 1]]
                if (room[rows] < 1 - TOL).any():
                    continue
                room[rows] -= 1
                fixed[j] = True
                h.changeColBounds(j, 1.0, 1.0)
                moved += 1
                if moved >= batch:
                    break
            if not len(frac) or not moved:
                return np.flatnonzero(fixed)
            if time.monotonic() > deadline:
                return None
            # HiGHS's ``time_limit`` counts the Highs object's run time over all its runs
            # (``getRunTime``), not this run's: a limit of the time left alone ended
            # the later re-solves at once, as out of time, and the dive found nothing.
            left = max(0.01, deadline - time.monotonic())
            h.setOptionValue("time_limit", h.getRunTime() + left)
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return None
            x = np.array(h.getSolution().col_value)
    finally:
        for j in np.flatnonzero(fixed).tolist():
            h.changeColBounds(j, 0.0, 1.0)
