"""The exact fallback of the exact week (``stapel.py``, step 4): a pay cap that behaves
like a subset sum (value equal to pay) goes to HiGHS, with the dispatcher's model for
one member, solved to a zero gap."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .minutes import MinutesDP


def subset_sum_week(problem: MinutesDP, incumbent: list[int]) -> list[int] | None:
    """The best week of ``problem`` under its caps, from HiGHS with ``incumbent`` as its
    start (None if HiGHS finds nothing); indices in the problem's sorted order."""
    from jobs.dispatch.matrix import Matrix
    from jobs.dispatch.milp import Model, member_conflicts, solve_highs

    n = problem.n
    minutes = problem.minutes.astype(np.float64)
    cliques, travel_pairs = member_conflicts(
        problem.start, problem.end, problem.x, problem.y, problem.minutes_per_km
    )
    rows = list(cliques) + list(travel_pairs)
    weights: list[tuple[np.ndarray, np.ndarray, float, float]] = []
    if minutes.sum() / problem.g > problem.K and not problem.saturate:
        weights.append((np.arange(n), minutes, -np.inf, problem.K * problem.g))
    assert problem.max_pay is not None  # only a binding pay cap comes here
    weights.append((np.arange(n), problem.pay, -np.inf, float(problem.max_pay)))
    bonus = problem.weight > 0 and problem.target > 0
    if bonus:
        weights.append((np.arange(n + 1), np.append(minutes, 1.0), problem.target, np.inf))
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
    A = Matrix.from_rows(
        np.concatenate(data), np.concatenate(indices), np.array(indptr), (len(indptr) - 1, n_col)
    )
    model = Model(
        c=np.append(problem.value, -problem.weight if bonus else 0.0),
        A=A,
        row_lo=np.array([-np.inf] * len(rows) + [w[2] for w in weights]),
        row_hi=np.array([1.0] * len(rows) + [w[3] for w in weights]),
        lb=np.append(problem.forced.astype(np.float64), 0.0),
        ub=np.append(np.ones(n), np.inf if bonus else 0.0),
        integrality=np.append(np.ones(n, np.int8), 0),
        n_x=n,
        constant=0.0,
    )
    start = np.zeros(n_col)
    start[incumbent] = 1.0
    start[n] = max(0.0, problem.target - minutes[incumbent].sum()) if bonus else 0.0
    x, _, _, _ = solve_highs(model, time_limit=3600.0, start=start, mip_rel_gap=0.0)
    if x is None:
        return None
    return [int(i) for i in np.flatnonzero(x[:n] > 0.5)]
