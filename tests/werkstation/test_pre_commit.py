"""``.pre-commit-config.yaml`` runs what ``make test`` runs before the suite, offline."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _make_test_commands() -> set[str]:
    makefile = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^test: install\n((?:\t.*\n)+)", makefile, re.M).group(1)
    lines = [line.strip() for line in recipe.splitlines()]
    return {line.replace("$(VENV)", ".venv").replace("$(PY)", ".venv/bin/python") for line in lines}


def test_the_hooks_are_make_tests_static_checks_with_the_projects_venv():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    (repo,) = config["repos"]
    assert repo["repo"] == "local"  # nothing to download
    hooks = repo["hooks"]
    assert all(hook["language"] == "system" for hook in hooks)
    assert all(hook["pass_filenames"] is False for hook in hooks)  # whole tree, like make
    entries = {hook["entry"].removeprefix("env ") for hook in hooks}
    assert entries == {
        ".venv/bin/ruff check .",
        ".venv/bin/ruff format --check .",
        ".venv/bin/mypy members jobs payouts werkstation",
        (
            "DJANGO_SETTINGS_MODULE=werkstation.settings.test .venv/bin/python manage.py "
            "makemigrations --check --dry-run"
        ),
    }
    assert entries <= _make_test_commands()
