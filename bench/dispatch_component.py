"""One component of a seeded dispatch instance, solved alone with a fixed budget.

For comparing variants side by side in the same conditions (the full benchmark,
``bench/dispatch.py``, takes about 25 minutes): the instance is generated as in the
benchmark (``--size`` 1k, 10k or 100k, seed 1), split into connected components, and
component ``--component`` (0 = the largest) is solved by ``lagrange_component`` with
``--budget`` seconds, once per ``--seeds``. Prints the objective, our Lagrangian bound
and the gap per run; ``--evaluations N`` instead times N evaluations of the all-members
week DP. The knobs of ``jobs/dispatch/tuning.py`` (and ``lagrange.py``) can be overridden, e.g. ``--set POLISH_SHARE=0.1``. Pin it to
one core (``taskset -c 1``) and alternate variants: the machine is noisy.

    python bench/dispatch_component.py --size 100k --budget 8 --seeds 0,1
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = {"1k": (1_000, 200), "10k": (10_000, 2_000), "100k": (100_000, 20_000)}


def main() -> None:
    import numpy as np

    from jobs.dispatch import generate, heuristics, parse_instance, search
    from jobs.dispatch.pairs import build_pairs

    tuning = importlib.import_module("jobs.dispatch.tuning")
    lagrange_mod = importlib.import_module("jobs.dispatch.lagrange")

    parser = argparse.ArgumentParser()
    parser.add_argument("--size", default="1k", choices=sorted(SIZES))
    parser.add_argument("--seed", type=int, default=1, help="instance seed")
    parser.add_argument("--component", type=int, default=0)
    parser.add_argument("--budget", type=float, default=0.7)
    parser.add_argument("--seeds", default="0", help="solver seeds, comma-separated")
    parser.add_argument("--evaluations", type=int, default=0)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args()
    for item in args.set:
        name, value = item.split("=")
        module = lagrange_mod if hasattr(lagrange_mod, name) else tuning
        kind = type(getattr(module, name))  # int, float or bool
        setattr(module, name, kind(float(value)))

    shifts, members = SIZES[args.size]
    instance = parse_instance(generate(shifts=shifts, members=members, seed=args.seed))
    P = build_pairs(instance)
    groups = heuristics.components(P, len(instance.members), len(instance.shifts))
    g = groups[args.component]
    start = heuristics.greedy(P, np.arange(len(P.p_member)))[g]
    sub = search.subset(P, g)
    print(f"{args.size} component {args.component}: {len(g)} pairs, {len(sub.members)} members")
    if args.evaluations:
        relax = lagrange_mod.Relaxation(sub.P, len(sub.members))
        times = []
        for _ in range(args.evaluations):
            t = time.perf_counter()
            bound, _ = relax.evaluate()
            times.append(time.perf_counter() - t)
            relax.step(0.97 * bound)
        print(
            f"evaluation: median {1000 * np.median(times):.2f} ms, min {1000 * min(times):.2f} ms"
        )
        return
    for seed in [int(s) for s in args.seeds.split(",")]:
        t = time.perf_counter()
        mask, bound = search.lagrange_component(P, g, start, args.budget, seed=seed)
        took = time.perf_counter() - t
        obj = heuristics.component_objective(P, g, mask)
        gap = (bound - obj) / abs(bound) * 100 if bound else float("nan")
        print(
            f"seed {seed}: objective {obj:.1f} bound {bound:.1f} gap {gap:.3f} % time {took:.2f} s",
            flush=True,
        )


if __name__ == "__main__":
    main()
