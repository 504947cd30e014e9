"""The time limit of ``python -m jobs.dispatch solve`` is a promise, on adversarial shapes.

This is the one test that asserts wall-clock time (issue 24 asks for it): the contract
promises the answer within 1.02 x the limit + 1 s of the process's start; CI, on a
shared machine, allows 1.05 x the limit + 2 s. Each shape is built to hurt a different
phase: one giant component (the prices and HiGHS's model), thousands of tiny components
(per-component set-up), long night shifts across midnight (the week DP's batches and
the clique rows), dense team shifts (many candidates per member and slot).
"""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jobs.dispatch import check, parse_instance

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def member(i: int, rng: random.Random, home, windows, *, cap=None, target=0, skills=()):
    raw = {"id": f"m{i}", "home": home, "windows": windows, "skills": list(skills)}
    if cap is not None:
        raw["max_minutes"] = cap
    if target:
        raw["target_minutes"] = target
    return raw


def shift(sid, start, minutes, location, slots, pay, skill=None):
    return {
        "id": sid,
        "start": start,
        "end": start + minutes,
        "location": location,
        "slots": slots,
        "skill": skill,
        "pay_cents": pay,
    }


def instance(shifts, members, weight=4):
    return {
        "travel_speed_kmh": 15,
        "max_home_km": 3,
        "km_cost_cents": 20,
        "shortfall_cents_per_minute": weight,
        "members": members,
        "shifts": shifts,
    }


def giant_component(rng: random.Random) -> dict:
    """Everyone can reach everything: one component of about 600 x 3,000 pairs."""
    shifts = []
    for i in range(3000):
        start = rng.randrange(7 * 24 * 4 - 40) * 15
        location = [rng.uniform(0, 2), rng.uniform(0, 2)]
        minutes, slots = rng.randrange(2, 33) * 15, rng.randint(1, 3)
        shifts.append(shift(f"s{i}", start, minutes, location, slots, rng.randrange(500, 9000)))
    members = [
        member(
            i,
            rng,
            [rng.uniform(0, 2), rng.uniform(0, 2)],
            [[0, 7 * 24 * 60]],
            cap=rng.randint(8, 60) * 60,
            target=rng.randint(0, 40) * 60,
        )
        for i in range(600)
    ]
    return instance(shifts, members)


def tiny_components(rng: random.Random) -> dict:
    """3,000 components of one member and three shifts each, 10 km apart."""
    shifts, members = [], []
    for c in range(3000):
        x, y = (c % 60) * 10.0, (c // 60) * 10.0
        for k in range(3):
            start = rng.randrange(0, 7 * 24 * 4 - 40) * 15
            location = [x + rng.uniform(-1, 1), y + rng.uniform(-1, 1)]
            minutes = rng.randrange(2, 33) * 15
            shifts.append(shift(f"s{c}-{k}", start, minutes, location, 1, rng.randrange(500, 9000)))
        members.append(member(c, rng, [x, y], [[0, 8 * 24 * 60]], cap=rng.randint(8, 60) * 60))
    return instance(shifts, members)


def long_nights(rng: random.Random) -> dict:
    """Night shifts of 3-12 h across midnight, members available in long night windows."""
    shifts = []
    for i in range(2000):
        start = rng.randrange(7) * 1440 + rng.randrange(20 * 4, 24 * 4) * 15
        location = [rng.uniform(0, 4), rng.uniform(0, 4)]
        minutes, slots = rng.randrange(12, 49) * 15, rng.randint(1, 2)
        shifts.append(shift(f"s{i}", start, minutes, location, slots, rng.randrange(3000, 20000)))
    members = [
        member(
            i,
            rng,
            [rng.uniform(0, 4), rng.uniform(0, 4)],
            [[d * 1440 + 18 * 60, d * 1440 + 34 * 60] for d in range(8)],
            cap=rng.randint(8, 60) * 60,
            target=rng.randint(0, 30) * 60,
        )
        for i in range(500)
    ]
    return instance(shifts, members, weight=40)


def dense_teams(rng: random.Random) -> dict:
    """Team shifts of 2-8 slots on the same few hours, one skill, everyone nearby."""
    shifts = []
    for i in range(2500):
        start = rng.randrange(7) * 1440 + rng.choice((8, 9, 13)) * 60
        location = [rng.uniform(0, 3), rng.uniform(0, 3)]
        minutes, slots = rng.choice((120, 180, 240)), rng.randint(2, 8)
        pay, skill = rng.randrange(2000, 8000), rng.choice((None, "groen"))
        shifts.append(shift(f"s{i}", start, minutes, location, slots, pay, skill))
    members = [
        member(
            i,
            rng,
            [rng.uniform(0, 3), rng.uniform(0, 3)],
            [[d * 1440 + 7 * 60, d * 1440 + 18 * 60] for d in range(7)],
            cap=rng.randint(8, 60) * 60,
            skills=("groen",) if rng.random() < 0.5 else (),
        )
        for i in range(800)
    ]
    return instance(shifts, members)


SHAPES = {
    "giant": giant_component,
    "tiny": tiny_components,
    "nights": long_nights,
    "teams": dense_teams,
}


@pytest.mark.parametrize("limit", [1.0, 4.0])
@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_solve_keeps_its_time_limit(tmp_path, shape, workers, limit):
    data = SHAPES[shape](random.Random(f"promise-{shape}"))
    path = tmp_path / f"{shape}.json"
    path.write_text(json.dumps(data))
    began = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "jobs.dispatch",
            "solve",
            str(path),
            "--time-limit",
            str(limit),
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    wall = time.monotonic() - began
    assert result.returncode == 0, result.stderr
    assert wall <= 1.05 * limit + 2.0, f"{shape}: {wall:.2f} s for a limit of {limit} s"
    answer = json.loads(result.stdout)
    pairs = [(a["member"], a["shift"]) for a in answer["assignments"]]
    report = check(parse_instance(data), pairs)
    assert report.feasible, report.violations[:3]
    assert math.isclose(report.objective, answer["objective"], abs_tol=1e-3)


def test_a_slow_highs_import_cannot_break_the_promise(monkeypatch):
    # HiGHS and the models are imported after the greedy, before the workers fork; on a
    # cold disk cache that import could take seconds. The alarm watches it: the answer
    # is then the greedy's, on time.
    import importlib.abc

    from jobs.dispatch import generate, solve

    class SlowImport(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name == "jobs.dispatch.master":
                time.sleep(5)
            # Nothing found: the regular finders import the module after the delay.

    monkeypatch.delitem(sys.modules, "jobs.dispatch.master", raising=False)
    monkeypatch.setattr(sys, "meta_path", [SlowImport(), *sys.meta_path])
    data = generate(shifts=300, members=60, seed=2)
    started = time.monotonic()
    result = solve(parse_instance(data), time_limit=2.0, guard=True, started=started, workers=1)
    wall = time.monotonic() - started
    assert wall <= 1.05 * 2.0 + 2.0, wall
    report = check(parse_instance(data), result.pairs)
    assert report.feasible
    assert report.objective == pytest.approx(result.objective)
