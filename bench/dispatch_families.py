"""Dispatch per family: Q against committed upper bounds, and the time promise.

    python bench/dispatch_families.py bounds [--sizes 1k] [--limit 600] [--families ...]
        [--method highs|lagrange|columns]
    python bench/dispatch_families.py table [--sizes 1k,10k] [--families ...] [--seed 1]

``bounds`` computes, per family and size (seed 1 unless ``--seed``), HiGHS's dual bound
on the whole compact model (``jobs.dispatch.milp``, one thread, ``--limit`` seconds,
under ``nice -n 10``) and our Lagrangian bound (``solve`` with up to 20 s); with
``--method lagrange``, our Lagrangian bound alone (``--limit`` seconds of the prices,
their steps aimed at the solver's answer in a tenth of that time first);
with ``--method columns``, our column-generation bound (``column_bound``, ``--limit``
seconds), which prices the members whose earnings cap binds exactly. It writes the
smallest bound known into ``bench/bounds.json`` with which one it is, the limit and
HiGHS's own best objective and time (for the time ratio). The benchmark and CI read
them from there: computing them takes far longer than solving.

``table [--runs N]`` runs ``python -m jobs.dispatch solve`` (the command line, so the wall clock
counts from process start: 1 s at 1k, 60 s at 10k) per family and prints Q = objective /
committed bound, the greedy's Q, the wall clock and its overrun against the promise
(1.02 x limit + 1 s), and the time ratio (our limit / HiGHS's seconds on the same
model); the last line gives the worst overrun.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = {"1k": (1_000, 200), "2k": (2_000, 400), "10k": (10_000, 2_000), "100k": (100_000, 20_000)}
LIMITS = {"1k": 1.0, "2k": 20.0, "10k": 60.0, "100k": 120.0}
BOUNDS = ROOT / "bench" / "bounds.json"
# ``--method lagrange`` or ``columns``: at 10k, HiGHS's model alone did not finish
# building in 9 minutes under ``nice`` on the loaded machine; the bound is then ours alone.
NO_HIGHS = {
    "highs_bound": None,
    "highs_objective": None,
    "highs_status": "not run",
    "highs_seconds": None,
}


# Cells of the exact week table for the bounds (``WeekDP``): with the compiled DP
# (``jobs/dispatch/native``, a ragged table: each pair its own member's minutes axis) far
# more than the solver's own 2 M fit: 1e8 cells (about 20 bytes each while an evaluation
# runs) hold every member exactly on the 10k families (45 M cells on fairness-heavy, 79 M
# on school-hours), so no member's hour cap or fairness term is relaxed to a price.
BOUND_EXACT_CELLS = 1e8
GREEDY_SECONDS = 3600.0
TARGET_SHARE, TARGET_SECONDS = 0.1, 120.0
# Column generation (``column_bound``): the prices it prices at lie this share of the way
# from the LP's duals back to the best prices so far (a stabilised column generation).
SMOOTHING = 0.5
# Labels of a capped member's exact week search (about 10 us each) before its bound falls
# back to the pay cap's Lagrangian bound (still a bound, but a loose one: with 50,000,
# 900 s on fairness-heavy 2k ended above the 300 s of the exact search). None: exact
# (the label search, then HiGHS at a zero gap; at 10k that is seconds for some members).
BOUND_LABELS: int | None = None


def families() -> list[str]:
    from jobs.dispatch.generate import FAMILIES

    return sorted(FAMILIES)


def key(family: str, size: str, seed: int) -> str:
    return f"{family}/{size}/{seed}"


def write_instance(family: str, size: str, seed: int) -> str:
    from jobs.dispatch import generate

    shifts, members = SIZES[size]
    fd, path = tempfile.mkstemp(suffix=f"-{family}-{size}.json")
    with os.fdopen(fd, "w") as fh:
        json.dump(generate(shifts=shifts, members=members, seed=seed, family=family), fh)
    return path


def highs_bound(path: str, limit: float) -> dict:
    """Runs in a child: HiGHS on the whole compact model."""
    import numpy as np

    from jobs.dispatch import parse_instance
    from jobs.dispatch.milp import build_model, solve_highs
    from jobs.dispatch.pairs import build_pairs

    with open(path) as fh:
        instance = parse_instance(json.load(fh))
    t0 = time.monotonic()
    P = build_pairs(instance)
    # Every member's shortfall counts, also of members without a candidate (the model's
    # default counts only members with pairs, as a component's model should).
    model = build_model(P, np.arange(len(P.p_member)), members=np.arange(len(instance.members)))
    x, obj, dual, status = solve_highs(model, time_limit=limit)
    return {
        "highs_bound": float(dual) + model.constant,
        "highs_objective": None if x is None else float(obj) + model.constant,
        "highs_status": status,
        "highs_seconds": time.monotonic() - t0,
    }


def cli_solve(path: str, limit: float) -> dict:
    """``python -m jobs.dispatch solve``: objective, bound, wall clock from the start."""
    t0 = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "jobs.dispatch", "solve", path, "--time-limit", str(limit)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.monotonic() - t0
    answer = json.loads(proc.stdout)
    return {"objective": answer["objective"], "wall": wall}


def own_bound_and_greedy(path: str, limit: float) -> dict:
    from jobs.dispatch import parse_instance, solve

    with open(path) as fh:
        instance = parse_instance(json.load(fh))
    result = solve(instance, time_limit=limit, workers=2)
    # The greedy stops at its deadline: give it all the time it needs (a 100k greedy
    # under the default limit on a busy machine stopped half-way, at a negative Q).
    greedy = solve(instance, use_milp=False, time_limit=GREEDY_SECONDS)
    return {"lagrange_bound": result.bound, "greedy": greedy.objective}


def _components(path: str, solve_seconds: float | None = None) -> tuple[Any, list[Any], Any, float]:
    """The instance at ``path`` for the bounds: its pairs, components, a start answer
    (the subgradient's Polyak target: the greedy's, or with ``solve_seconds`` the
    solver's in that time) and the shortfall of members without candidates."""
    import numpy as np

    from jobs.dispatch import parse_instance, solve
    from jobs.dispatch.heuristics import component_labels, greedy
    from jobs.dispatch.pairs import build_pairs

    with open(path) as fh:
        instance = parse_instance(json.load(fh))
    P = build_pairs(instance)
    groups, m_label, _ = component_labels(P, len(instance.members), len(instance.shifts))
    if solve_seconds is None:
        start = greedy(P, np.arange(len(P.p_member)))
    else:
        answer = solve(instance, time_limit=solve_seconds, workers=2)
        start = mask_of(instance, P, answer.pairs)
    return P, groups, start, float(-P.weight * P.m_target[m_label < 0].sum())


def mask_of(instance: Any, candidates: Any, pairs: Any) -> Any:
    """The (member id, shift id) ``pairs`` of an answer as a mask over the
    ``candidates`` (``build_pairs``)."""
    import numpy as np

    member = {m.id: i for i, m in enumerate(instance.members)}
    shift = {s.id: j for j, s in enumerate(instance.shifts)}
    n_s = len(instance.shifts)
    chosen = np.array([member[m] * n_s + shift[s] for m, s in pairs], dtype=np.int64)
    keys = candidates.p_member.astype(np.int64) * n_s + candidates.p_shift
    return np.isin(keys, chosen)


def lagrange_bound(path: str, seconds: float) -> dict:
    """Runs in a child: our Lagrangian bound alone, all ``seconds`` on the prices (the
    components in turn, by size), Polyak steps towards the objective of the solver's
    answer in TARGET_SHARE of ``seconds`` first (at most TARGET_SECONDS): any prices give
    a bound, the target only sets the steps, and the greedy's (Q 0.83-0.85) made them
    far too long."""
    from jobs.dispatch.heuristics import component_objective
    from jobs.dispatch.lagrange import Relaxation
    from jobs.dispatch.search import subset

    t0 = time.monotonic()
    P, groups, start, total = _components(path, min(TARGET_SECONDS, TARGET_SHARE * seconds))
    sizes = sum(len(g) for g in groups)
    iterations = 0
    for g in groups:
        end = time.monotonic() + seconds * len(g) / sizes
        sub = subset(P, g)
        relax = Relaxation(sub.P, len(sub.members), exact_cells=BOUND_EXACT_CELLS)
        lower = component_objective(P, g, start[g])
        while True:
            relax.evaluate()
            iterations += 1
            if time.monotonic() > end:
                break
            relax.step(lower)
        total += relax.best_bound
    return {"lagrange_bound": total, "iterations": iterations, "seconds": time.monotonic() - t0}


def _component_column_bound(pairs: Any, g: Any, start: Any, end: float) -> tuple[float, float, int]:
    """``column_bound`` on one component: (bound, the restricted master's last LP value
    or nan, iterations)."""
    import highspy
    import numpy as np

    from jobs.dispatch.heuristics import Planner, component_objective
    from jobs.dispatch.lagrange import Relaxation
    from jobs.dispatch.master import ColumnPool
    from jobs.dispatch.milp import load_highs
    from jobs.dispatch.search import subset

    P = pairs
    sub = subset(P, g)
    Q, n_m = sub.P, len(sub.members)
    relax = Relaxation(Q, n_m, exact_cells=BOUND_EXACT_CELLS)
    pool = ColumnPool(Q, n_m, max_columns=10**9)
    planner = Planner(Q, n_m, lazy=True)
    capped = planner.capped(relax.dp.pay_dual)
    lower = component_objective(P, g, start[g])
    now = time.monotonic()
    warm = now + (end - now) / 3
    # The master starts from the weeks of the warm start's last quarter (its earlier
    # prices are far off, and at 10k every evaluation brings a thousand new weeks).
    collect = now + 0.75 * (warm - now)
    while True:
        relax.evaluate()
        if time.monotonic() > collect:
            pool.add(relax.feasible_weeks())
        if time.monotonic() > warm:
            break
        relax.step(lower)

    def bound_at(mu: np.ndarray) -> float:
        """The bound at slot prices ``mu`` (earnings caps exact); its weeks join the pool."""
        relax.mu, relax.lam = mu.copy(), np.zeros_like(relax.lam)
        relax.evaluate()
        pool.add(relax.feasible_weeks())
        per_member, per_shift = relax.last_parts
        per_member = per_member.copy()
        exact = Q.p_forced.copy()
        for m in capped:
            pairs, week = planner.priced_week(m, mu, max_labels=BOUND_LABELS)
            per_member[m] = week.bound
            exact[pairs] = True
        pool.add(exact)
        return float(per_member.sum() + per_shift.sum())

    best_mu = relax.best_mu.copy()
    best = min(relax.best_bound, bound_at(best_mu))
    lp_value, iterations = -np.inf, 0
    while time.monotonic() < end and best - lp_value > 1e-7 * abs(best):
        iterations += 1
        lp = pool.model(np.arange(len(pool)))
        lp.ub[:] = np.inf  # one week per member holds anyway; a bound's dual would blur
        h = load_highs(lp, time_limit=max(1.0, end - time.monotonic()), relax=True)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            break
        lp_value = h.getInfo().objective_function_value + lp.constant
        duals = np.abs(np.array(h.getSolution().row_dual))[n_m:]
        before = len(pool)
        mu = SMOOTHING * best_mu + (1 - SMOOTHING) * duals
        bound = bound_at(mu)
        if len(pool) == before:  # nothing new from the smoothed prices: the duals' own
            mu, bound = duals, bound_at(duals)
        if bound < best:
            best, best_mu = bound, mu
    return best, (lp_value if np.isfinite(lp_value) else np.nan), iterations


def column_bound(path: str, seconds: float) -> dict:
    """Runs in a child: the column LP's bound by column generation, with the members whose
    earnings cap binds priced exactly.

    The Lagrangian bound prices each member's earnings cap with a multiplier; for a member
    whose cap binds, the best week under that multiplier can be worth far more than the
    best week within the cap (on fairness-heavy 1k the best Lagrangian bound stays 0.14 %
    above the column LP that way), and no multiplier closes it. Here those members' weeks
    come from the exact week search instead (``Planner``: the label search, then HiGHS at
    a zero gap; with ``BOUND_LABELS``, past that many labels the pay cap's own Lagrangian
    bound for that member), which keeps the bound valid for any slot prices: per
    component, the sum over members of their best week at the prices plus the prices of
    the slots. The prices start from the subgradient's best (a third of the time; the
    weeks of its last quarter are the master's first columns), then follow the restricted
    master's LP duals (smoothed towards the best prices so far; straight at the duals when
    the smoothed ones bring no new week), each priced week joining the master, until the
    LP and the bound meet or time is up. The bound is the smallest met.

    ``seconds`` is a budget, not a promise: a round under way when it runs out finishes
    (at 10k a round prices 257 capped members exactly: minutes, not seconds).
    ``column_lp`` is None unless every component's master LP was solved."""
    t0 = time.monotonic()
    P, groups, start, total = _components(path)
    sizes = sum(len(g) for g in groups)
    iterations = 0
    lp_total = total  # the restricted masters' LPs: where the bound has converged to
    for g in groups:
        end = time.monotonic() + seconds * len(g) / sizes
        best, lp_value, n = _component_column_bound(P, g, start, end)
        iterations += n
        total += best
        lp_total += lp_value
    return {
        "column_bound": total,
        "column_lp": lp_total if math.isfinite(lp_total) else None,
        "iterations": iterations,
        "seconds": time.monotonic() - t0,
    }


def child(function: str, path: str, limit: float, nice: int = 0) -> dict:
    code = (
        f"import json, sys; sys.path.insert(0, {str(ROOT)!r}); "
        f"from bench.dispatch_families import {function}; "
        f"print(json.dumps({function}({path!r}, {limit})))"
    )
    command = [sys.executable, "-c", code]
    if nice:
        command = ["nice", "-n", str(nice), *command]
    proc = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def describe(entry: dict | None) -> str:
    if entry is None:
        return "-"
    if entry["method"] == "highs-dual":
        return f"HiGHS dual bound at {entry['highs_time_limit_s']:.0f} s"
    if entry["method"] == "columns":
        return f"our column-generation bound at {entry['column_time_limit_s']:.0f} s"
    return f"our Lagrangian bound at {entry.get('lagrange_time_limit_s', 20):.0f} s"


def load_bounds() -> dict:
    return json.loads(BOUNDS.read_text()) if BOUNDS.exists() else {}


def compute_bounds(
    sizes: list[str], names: list[str], seed: int, limit: float, *, method: str = "highs"
) -> None:
    """``method``: "highs" (HiGHS for ``limit`` s and our 20 s Lagrangian bound),
    "lagrange" (our Lagrangian bound alone, ``limit`` s of prices) or "columns" (the
    column-generation bound, ``limit`` s). Every bound computed before stays a bound: each
    kind keeps the tighter of its old and new value, and the entry's bound is the
    tightest kind."""
    import numpy as np

    bounds = load_bounds()
    for size in sizes:
        for family in names:
            previous = bounds.get(key(family, size, seed)) or {}
            path = write_instance(family, size, seed)
            try:
                h = child("highs_bound", path, limit, nice=10) if method == "highs" else NO_HIGHS
                ours = (
                    child("own_bound_and_greedy", path, min(limit, 20.0), nice=10)
                    if method != "columns" or "greedy" not in previous
                    else {"lagrange_bound": None, "greedy": previous["greedy"]}
                )
                if method == "lagrange":
                    ours["lagrange_bound"] = min(
                        ours["lagrange_bound"] or np.inf,
                        child("lagrange_bound", path, limit, nice=10)["lagrange_bound"],
                    )
                columns = child("column_bound", path, limit, nice=10) if method == "columns" else {}
            finally:
                os.unlink(path)
            lag = ours["lagrange_bound"]
            # Only ``lagrange`` gives the prices ``limit``; the others' is the 20 s solve's.
            lag_limit = limit if method == "lagrange" else min(limit, 20.0)
            highs_limit = limit if method == "highs" else None
            col, col_limit = columns.get("column_bound"), limit if columns else None
            col_lp = columns.get("column_lp")
            # Read again: a run of the same instance may have finished meanwhile (these
            # take up to an hour), and its bounds must not be lost.
            previous = load_bounds().get(key(family, size, seed)) or previous
            # HiGHS: the tighter of the two bounds; Lagrangian and columns likewise.
            old_h = previous.get("highs_bound")
            if old_h is not None and (h["highs_bound"] is None or old_h < h["highs_bound"]):
                h = {name: previous[name] for name in NO_HIGHS}
                highs_limit = previous.get("highs_time_limit_s")
            old = previous.get("lagrange_bound")
            if old is not None and (lag is None or old < lag):
                lag, lag_limit = old, previous.get("lagrange_time_limit_s", 20.0)
            old_c = previous.get("column_bound")
            if old_c is not None and (col is None or old_c < col):
                col, col_limit = old_c, previous.get("column_time_limit_s")
                col_lp = previous.get("column_lp")
            kinds = [
                (b, m)
                for b, m in ((h["highs_bound"], "highs-dual"), (lag, "lagrange"), (col, "columns"))
                if b is not None
            ]
            bound, kind = min(kinds)
            bounds[key(family, size, seed)] = {
                "bound": bound,
                "method": kind,
                "highs_time_limit_s": highs_limit,
                "lagrange_time_limit_s": lag_limit,
                **h,
                "lagrange_bound": lag,
                "column_bound": col,
                "column_time_limit_s": col_limit,
                # The restricted master's LP at the end: how far the bound has converged.
                "column_lp": col_lp,
                "greedy": ours["greedy"],
                "date": datetime.date.today().isoformat(),
            }
            print(f"{key(family, size, seed)}: {bound:.1f} ({kind})", flush=True)
            # Re-read before writing: another ``bounds`` run (other sizes or families) may
            # have written its entries meanwhile.
            written = {**load_bounds(), key(family, size, seed): bounds[key(family, size, seed)]}
            BOUNDS.write_text(json.dumps(written, indent=1, sort_keys=True) + "\n")


def table(sizes: list[str], names: list[str], seed: int, runs: int = 1) -> list[dict]:
    rows = []
    print(
        f"{'family':17s} {'size':>4s} {'Q':>8s} {'greedy Q':>8s} {'wall':>7s} {'limit':>6s}"
        f" {'overrun':>8s} {'ratio':>6s} {'objective':>13s}  bound"
    )
    for size in sizes:
        limit = LIMITS[size]
        for family in names:
            entry = load_bounds().get(key(family, size, seed))
            path = write_instance(family, size, seed)
            try:
                # Under a short limit the answer varies from run to run (how many price
                # iterations fit): ``--runs`` gives the mean, the lowest and the highest Q.
                answers = [cli_solve(path, limit) for _ in range(runs)]
            finally:
                os.unlink(path)
            promise = 1.02 * limit + 1.0
            objectives = [a["objective"] for a in answers]
            ours = {"objective": sum(objectives) / runs, "wall": max(a["wall"] for a in answers)}
            bound = entry["bound"] if entry else None
            row = {
                "family": family,
                "size": size,
                "objective": ours["objective"],
                "wall": ours["wall"],
                "overrun": ours["wall"] - promise,
                "q": ours["objective"] / bound if bound else None,
                "q_min": min(objectives) / bound if bound else None,
                "q_max": max(objectives) / bound if bound else None,
                "greedy_q": entry["greedy"] / entry["bound"] if entry else None,
                "ratio": limit / entry["highs_seconds"]
                if entry and entry["highs_seconds"]
                else None,
                "bound": describe(entry),
            }
            rows.append(row)
            fmt = lambda v, f: "-" if v is None else format(v, f)  # noqa: E731
            spread = f" ({fmt(row['q_min'], '.4f')}-{fmt(row['q_max'], '.4f')})" if runs > 1 else ""
            print(
                f"{family:17s} {size:>4s} {fmt(row['q'], '8.5f')}{spread} {fmt(row['greedy_q'], '8.5f')}"
                f" {row['wall']:7.2f} {limit:6.1f} {row['overrun']:+8.2f} {fmt(row['ratio'], '6.3f')}"
                f" {row['objective']:13.1f}"
                f"  {row['bound']}",
                flush=True,
            )
    worst = max(r["overrun"] for r in rows) if rows else 0.0
    print(f"worst overrun against 1.02 x limit + 1 s: {worst:+.2f} s")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("bounds", "table"))
    parser.add_argument("--sizes", default="1k")
    parser.add_argument("--families", default=",".join(families()))
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--limit", type=float, default=600.0, help="HiGHS's seconds (bounds)")
    parser.add_argument(
        "--method",
        choices=("highs", "lagrange", "columns"),
        default="highs",
        help="bounds: HiGHS (and our 20 s Lagrangian), our Lagrangian, or column generation",
    )
    parser.add_argument("--runs", type=int, default=1, help="table: runs per family (mean Q)")
    args = parser.parse_args()
    sizes, names = args.sizes.split(","), args.families.split(",")
    if args.command == "bounds":
        compute_bounds(sizes, names, args.seed, args.limit, method=args.method)
    else:
        table(sizes, names, args.seed, args.runs)


if __name__ == "__main__":
    main()
