"""The compact MILP of dispatch, shared by the solver (per component) and the benchmark.

Variables: one binary per candidate pair, one continuous shortfall per member with a
target. Rows:

- slots: ``sum_m x[m, s] <= slots(s)``;
- no overlap: for each member, one clique row per maximal set of its candidate shifts
  that share a moment in time (interval graphs are perfect, so these rows are tight),
  plus one row per pair that only clashes because of travel;
- caps: ``sum minutes * x <= max_minutes``, ``sum pay * x <= max_pay_cents``;
- fairness: ``y[m] >= target(m) - sum minutes * x``, objective ``- w * y[m]``.

Commitments are fixed to one through their bounds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .matrix import Matrix
from .model import TOL

if TYPE_CHECKING:
    from .pairs import Pairs


@dataclass
class Model:
    c: np.ndarray  # maximise c @ v
    A: Matrix
    row_lo: np.ndarray
    row_hi: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    integrality: np.ndarray
    n_x: int  # the first n_x variables are the pairs, in the order given
    constant: float  # objective terms of members without candidates (their shortfall)


def member_conflicts(
    start: np.ndarray, end: np.ndarray, x: np.ndarray, y: np.ndarray, minutes_per_km: float
) -> tuple[list[np.ndarray], np.ndarray]:
    """Clique rows and travel-only conflict pairs among one member's candidate shifts.

    Returns (cliques as arrays of local indices, travel pairs as an (k, 2) array).
    """
    k = len(start)
    if k <= 1:
        return [], np.zeros((0, 2), dtype=np.int64)
    order = np.lexsort((end, start))
    st, en = start[order], end[order]
    cliques = []
    # The clique at each start time t is {b : start_b <= t < end_b}; keep it only when it
    # is maximal, i.e. some member of it ends before the next start time.
    starts_unique = np.unique(st)
    for pos, t in enumerate(starts_unique):
        members = np.flatnonzero((st <= t) & (en > t))
        if len(members) < 2:
            continue
        nxt = starts_unique[pos + 1] if pos + 1 < len(starts_unique) else np.inf
        if en[members].min() <= nxt:
            cliques.append(order[members])
    # Travel-only clashes: a ends before b starts, but not early enough to get there.
    dx = x[:, None] - x[None, :]
    dy = y[:, None] - y[None, :]
    travel = np.hypot(dx, dy) * minutes_per_km
    a_first = (start[:, None] < start[None, :]) | (
        (start[:, None] == start[None, :]) & (np.arange(k)[:, None] < np.arange(k)[None, :])
    )
    clash = (
        a_first & (end[:, None] <= start[None, :]) & (end[:, None] + travel > start[None, :] + TOL)
    )
    pairs = np.argwhere(clash)
    return cliques, pairs


def build_model(
    P: Pairs,
    pair_idx: np.ndarray,
    members: np.ndarray | None = None,
    slots: np.ndarray | None = None,
) -> Model:
    """The MILP over the candidate pairs ``pair_idx`` (indices into ``P``).

    ``members`` lists the members whose shortfall counts (default: those with pairs);
    ``slots`` overrides the shifts' slots (what is left when other members are fixed).
    """
    if slots is None:
        slots = P.s_slots
    pair_idx = np.asarray(pair_idx, dtype=np.int64)
    pm, ps = P.p_member[pair_idx], P.p_shift[pair_idx]
    n_x = len(pair_idx)
    if members is None:
        members = np.unique(pm)
    minutes = (P.s_end - P.s_start).astype(np.float64)
    rows: list[np.ndarray] = []  # each a list of column indices with coefficient 1
    lo: list[float] = []
    hi: list[float] = []
    coef_rows: list[tuple[np.ndarray, np.ndarray]] = []
    coef_lo: list[float] = []
    coef_hi: list[float] = []

    # Slots.
    shifts, inverse = np.unique(ps, return_inverse=True)
    by_shift = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[by_shift], np.arange(len(shifts) + 1))
    for i, s in enumerate(shifts):
        cols = by_shift[bounds[i] : bounds[i + 1]]
        if len(cols) > slots[s]:
            rows.append(cols)
            lo.append(-np.inf)
            hi.append(float(slots[s]))

    # Per member: conflicts, caps, fairness.
    order = np.argsort(pm, kind="stable")
    m_sorted = pm[order]
    uniq, first = np.unique(m_sorted, return_index=True)
    member_edges = [*first.tolist(), len(order)]
    col_of_member = {}
    for i, m in enumerate(uniq):
        cols = order[member_edges[i] : member_edges[i + 1]]
        col_of_member[int(m)] = cols
        s = ps[cols]
        cliques, travel_pairs = member_conflicts(
            P.s_start[s], P.s_end[s], P.s_x[s], P.s_y[s], P.minutes_per_km
        )
        for clique in cliques:
            rows.append(cols[clique])
            lo.append(-np.inf)
            hi.append(1.0)
        for a, b in travel_pairs:
            rows.append(cols[[a, b]])
            lo.append(-np.inf)
            hi.append(1.0)
        if minutes[s].sum() > P.m_cap_min[m] + TOL:
            coef_rows.append((cols, minutes[s]))
            coef_lo.append(-np.inf)
            coef_hi.append(float(P.m_cap_min[m]))
        if P.s_pay[s].sum() > P.m_cap_pay[m] + TOL:
            coef_rows.append((cols, P.s_pay[s].astype(np.float64)))
            coef_lo.append(-np.inf)
            coef_hi.append(float(P.m_cap_pay[m]))
    n_plain = len(rows)
    constant = 0.0
    y_members = []
    if P.weight > 0:
        for m in members.tolist():
            if P.m_target[m] <= 0:
                continue
            if m not in col_of_member:
                constant -= P.weight * P.m_target[m]
                continue
            y_members.append(m)
    n_y = len(y_members)
    for j, m in enumerate(y_members):
        cols = col_of_member[m]
        # y + sum minutes * x >= target
        coef_rows.append((np.append(cols, n_x + j), np.append(minutes[ps[cols]], 1.0)))
        coef_lo.append(float(P.m_target[m]))
        coef_hi.append(np.inf)

    data, indices, indptr = [], [], [0]
    for r in rows:
        indices.append(r)
        data.append(np.ones(len(r)))
        indptr.append(indptr[-1] + len(r))
    for cols, vals in coef_rows:
        indices.append(cols)
        data.append(vals)
        indptr.append(indptr[-1] + len(cols))
    n_rows = n_plain + len(coef_rows)
    A = Matrix.from_rows(
        np.concatenate(data) if data else np.zeros(0),
        np.concatenate(indices).astype(np.int64) if indices else np.zeros(0, np.int64),
        np.array(indptr, dtype=np.int64),
        shape=(n_rows, n_x + n_y),
    )
    c = np.concatenate([P.p_value[pair_idx], -P.weight * np.ones(n_y)])
    lb = np.concatenate([P.p_forced[pair_idx].astype(np.float64), np.zeros(n_y)])
    ub = np.concatenate([np.ones(n_x), np.full(n_y, np.inf)])
    integrality = np.concatenate([np.ones(n_x, dtype=np.int8), np.zeros(n_y, dtype=np.int8)])
    return Model(
        c=c,
        A=A,
        row_lo=np.array(lo + coef_lo, dtype=np.float64),
        row_hi=np.array(hi + coef_hi, dtype=np.float64),
        lb=lb,
        ub=ub,
        integrality=integrality,
        n_x=n_x,
        constant=constant,
    )


def shortfall_values(
    P: Pairs, model: Model, pair_idx: np.ndarray, chosen: np.ndarray
) -> np.ndarray:
    """The y part of a full solution vector for chosen pairs (for warm starts)."""
    n_y = len(model.c) - model.n_x
    if n_y == 0:
        return np.zeros(0)
    rows, cols, vals = model.A.entries()
    first = model.A.shape[0] - n_y
    mine = (rows >= first) & (cols < model.n_x)
    covered = np.bincount(
        rows[mine] - first,
        weights=vals[mine] * chosen.astype(np.float64)[cols[mine]],
        minlength=n_y,
    )
    y: np.ndarray = np.maximum(0.0, model.row_lo[-n_y:] - covered)
    return y


_banner_shown = False


def _new_highs() -> Any:
    """A silent ``highspy.Highs``: the first one prints a banner on stdout, which would
    corrupt the JSON the command line writes there, so stdout is muted for it."""
    import os
    import sys

    import highspy

    global _banner_shown  # noqa: PLW0603 - HiGHS prints its banner once per process
    if _banner_shown:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with Path(os.devnull).open("w") as devnull:
                os.dup2(devnull.fileno(), 1)
                h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_shown = True
    h.setOptionValue("output_flag", False)  # noqa: FBT003 - HiGHS's API
    return h


def load_highs(
    model: Model,
    *,
    time_limit: float,
    mip_rel_gap: float = 1e-4,
    relax: bool = False,
    threads: int = 1,
    lp_solver: str | None = None,
) -> Any:
    """A silent ``highspy.Highs`` holding ``model`` (its LP relaxation with ``relax``).
    ``lp_solver`` chooses HiGHS's LP method ("simplex", "ipm", ...)."""
    import highspy

    h = _new_highs()
    if lp_solver is not None:
        h.setOptionValue("solver", lp_solver)
    h.setOptionValue("time_limit", max(0.01, float(time_limit)))
    h.setOptionValue("mip_rel_gap", mip_rel_gap)
    h.setOptionValue("threads", threads)
    n = len(model.c)
    A = model.A
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = A.shape[0]
    lp.col_cost_ = model.c.astype(np.float64)
    lp.col_lower_ = model.lb
    lp.col_upper_ = model.ub
    lp.row_lower_ = np.where(np.isinf(model.row_lo), -highspy.kHighsInf, model.row_lo)
    lp.row_upper_ = np.where(np.isinf(model.row_hi), highspy.kHighsInf, model.row_hi)
    lp.col_upper_ = np.where(np.isinf(model.ub), highspy.kHighsInf, model.ub)
    lp.sense_ = highspy.ObjSense.kMaximize
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(np.float64)
    if not relax:
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if v else highspy.HighsVarType.kContinuous
            for v in model.integrality
        ]
    h.passModel(lp)
    return h


def solve_highs(
    model: Model,
    *,
    time_limit: float,
    start: np.ndarray | None = None,
    mip_rel_gap: float = 1e-4,
    relax: bool = False,
    threads: int = 1,
    lp_solver: str | None = None,
) -> tuple[np.ndarray | None, float, Any, str]:
    """Solve with highspy. Returns (x or None, objective, dual bound, status); with
    ``relax``, the LP's (x, objective, row duals (an array), status)."""
    import highspy

    h = load_highs(
        model,
        time_limit=time_limit,
        mip_rel_gap=mip_rel_gap,
        relax=relax,
        threads=threads,
        lp_solver=lp_solver,
    )
    if start is not None and not relax:
        sol = highspy.HighsSolution()
        sol.col_value = list(map(float, start))
        sol.value_valid = True
        h.setSolution(sol)
    h.run()
    info = h.getInfo()
    status = h.modelStatusToString(h.getModelStatus())
    if relax:
        obj = info.objective_function_value
        sol = h.getSolution()
        return np.array(sol.col_value), obj, np.array(sol.row_dual), status
    if info.primal_solution_status < 2:  # no feasible solution
        return None, -np.inf, info.mip_dual_bound, status
    x = np.array(h.getSolution().col_value)
    return x, info.objective_function_value, info.mip_dual_bound, status
