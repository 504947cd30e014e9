"""Benchmark: stapel (exact single-member optimum) against OR-Tools CP-SAT.

Each instance: one member available all week, 1,000 candidate shifts around their home
(all eligible), a 32 h cap (``max_minutes`` 1920), an income target with fairness weight
and travel costs. Both methods solve the same problem exactly; objectives are compared.

    python bench/stapel.py [--n 1000] [--instances 7] [--seed 1]

Prints one line per instance and, last, the medians and the speed-up.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from jobs.dispatch import parse_instance, stapel
from jobs.dispatch.milp import member_conflicts


def make_instance(n: int, seed: int) -> dict:
    rng = random.Random(f"stapel-bench-{n}-{seed}")
    shifts = []
    for i in range(n):
        day = rng.randrange(7) * 1440
        if rng.random() < 0.1:
            start = day + rng.choice((21, 22)) * 60
            length = rng.choice((6, 8)) * 60
        else:
            start = day + rng.randrange(14, 40) * 30
            length = rng.choice((2, 3, 4, 6, 8)) * 60
        shifts.append(
            {
                "id": f"s{i}",
                "start": start,
                "end": start + length,
                "location": [round(rng.gauss(0, 1.5), 3), round(rng.gauss(0, 1.5), 3)],
                "slots": 1,
                "skill": None,
                "pay_cents": rng.choice((1400, 1600, 1900, 2100, 2400, 2800)) * length // 60,
            }
        )
    return {
        "travel_speed_kmh": 15,
        "max_home_km": 100,
        "km_cost_cents": 20,
        "shortfall_cents_per_minute": 4,
        "members": [
            {
                "id": "m1",
                "home": [0, 0],
                "windows": [[0, 8 * 1440]],
                "max_minutes": 1920,
                "target_minutes": 1500,
            }
        ],
        "shifts": shifts,
    }


def cpsat(instance, member_id: str, time_limit: float = 600.0) -> tuple[float, float]:
    """Exact optimum by CP-SAT (values scaled to integers): (objective, seconds)."""
    import numpy as np
    from ortools.sat.python import cp_model

    member = instance.member_by_id[member_id]
    cands = [s for s in instance.shifts if instance.ineligibility(member, s) is None]
    t0 = time.perf_counter()
    model = cp_model.CpModel()
    x = [model.NewBoolVar(s.id) for s in cands]
    start = np.array([s.start for s in cands])
    end = np.array([s.end for s in cands])
    xs = np.array([s.location[0] for s in cands])
    ys = np.array([s.location[1] for s in cands])
    cliques, travel_pairs = member_conflicts(start, end, xs, ys, 60 / instance.travel_speed_kmh)
    for clique in cliques:
        model.AddAtMostOne([x[i] for i in clique])
    for a, b in travel_pairs:
        model.AddAtMostOne([x[a], x[b]])
    minutes = [s.minutes for s in cands]
    model.Add(sum(m * v for m, v in zip(minutes, x, strict=True)) <= member.max_minutes)
    scale = 1000
    w = instance.shortfall_cents_per_minute
    short = model.NewIntVar(0, member.target_minutes, "short")
    model.Add(short >= member.target_minutes - sum(m * v for m, v in zip(minutes, x, strict=True)))
    values = [round(instance.value(member, s) * scale) for s in cands]
    model.Maximize(sum(v * b for v, b in zip(values, x, strict=True)) - round(w * scale) * short)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 2
    status = solver.Solve(model)
    elapsed = time.perf_counter() - t0
    if status != cp_model.OPTIMAL:
        print(f"  CP-SAT status {solver.StatusName(status)}", file=sys.stderr)
    return solver.ObjectiveValue() / scale, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--instances", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    ours, theirs = [], []
    for k in range(args.instances):
        instance = parse_instance(make_instance(args.n, args.seed + k))
        stapel(instance, "m1")  # warm-up (imports, caches)
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            result = stapel(instance, "m1")
            runs.append(time.perf_counter() - t0)
        t_ours = min(runs)
        obj_cp, t_cp = cpsat(instance, "m1")
        ours.append(t_ours)
        theirs.append(t_cp)
        print(
            f"instance {k}: n={args.n} stapel {result.objective:.3f} in {t_ours * 1000:.1f} ms;"
            f" CP-SAT {obj_cp:.3f} in {t_cp * 1000:.1f} ms;"
            f" same optimum: {abs(obj_cp - result.objective) < 1e-2 * len(instance.shifts)}"
        )
    med_ours, med_cp = statistics.median(ours), statistics.median(theirs)
    print(
        f"stapel: n={args.n} cap 32h median ours {med_ours * 1000:.1f} ms"
        f" CP-SAT {med_cp * 1000:.1f} ms ratio {med_cp / med_ours:.1f}x"
    )


if __name__ == "__main__":
    main()
