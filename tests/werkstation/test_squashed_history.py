"""A database migrated before the project's migrations were squashed: ``make run``'s demo
database is built again with one line saying so; any other database stops with what to do."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

ROOT = Path(__file__).resolve().parents[2]


def _old_history(path: Path) -> None:
    """What matters of a database from before the squash: a migration that is gone, applied."""
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE django_migrations (id integer PRIMARY KEY AUTOINCREMENT,"
            " app varchar(255) NOT NULL, name varchar(255) NOT NULL, applied datetime NOT NULL)"
        )
        db.execute(
            "INSERT INTO django_migrations (app, name, applied)"
            " VALUES ('jobs', '0003_marketplace', '2026-11-27 12:00:00')"
        )
        db.execute("CREATE TABLE jobs_claim (id integer PRIMARY KEY)")


@pytest.mark.slow
def test_the_demo_database_from_before_the_squash_is_built_again(tmp_path):
    demo = tmp_path / "werkstation.sqlite3"
    _old_history(demo)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="werkstation.settings.local", WERKSTATION_VAR_DIR=str(tmp_path)
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        check=False,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == (
        f"{demo} was built by migrations from before they were squashed; "
        "it holds demo data only, so it is built again."
    )
    with sqlite3.connect(demo) as db:
        applied = set(db.execute("SELECT app, name FROM django_migrations"))
        claim_columns = {row[1] for row in db.execute("PRAGMA table_info(jobs_claim)")}
    assert ("jobs", "0003_marketplace") not in applied
    assert ("jobs", "0001_initial") in applied
    assert "shift_id" in claim_columns


@pytest.mark.django_db
def test_another_database_from_before_the_squash_stops_with_what_to_do():
    MigrationRecorder(connection).record_applied("jobs", "0003_marketplace")
    with pytest.raises(CommandError, match=r"jobs\.0003_marketplace and 0 more .*empty database"):
        call_command("migrate", "--noinput", verbosity=0)
