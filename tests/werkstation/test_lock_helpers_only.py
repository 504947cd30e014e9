"""Row locks are taken only through ``werkstation.locks``: nowhere else in the apps'
code is ``select_for_update`` called, so every lock has its place in the global order."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("members", "jobs", "payouts", "werkstation")
ALLOWED = {Path("werkstation/locks.py")}


def test_select_for_update_only_in_the_lock_helpers():
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if "migrations" in relative.parts or relative in ALLOWED:
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if re.search(r"select_for_update\b", line):
                    found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "lock through werkstation/locks.py instead:\n" + "\n".join(found)
