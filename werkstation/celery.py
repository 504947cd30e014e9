"""The Celery app. The beat schedule lives here, in code.

Without ``REDIS_URL`` the broker is kombu's SQLAlchemy transport on its own SQLite file;
we switch that file to WAL so the worker's polling and beat's publishing do not block
each other (and never touch the application's database file).
"""

import os
import sqlite3
from pathlib import Path

from celery import Celery
from celery.schedules import crontab
from celery.signals import worker_init

# Production unless told otherwise (`make run` sets the local settings).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "werkstation.settings.production")

app = Celery("werkstation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "outbox-publish": {
        "task": "werkstation.tasks.outbox_publish",
        "schedule": float(os.environ.get("WERKSTATION_OUTBOX_SWEEP_SECONDS", "30")),
    },
    "healthbeat": {"task": "werkstation.tasks.heartbeat", "schedule": 60.0},
    # Mondays: staff hear which minimum-wage period is missing from the legal figures.
    "legal-figures-reminder": {
        "task": "werkstation.tasks.legal_figures_reminder",
        "schedule": crontab(day_of_week=1, hour=8, minute=0),
    },
}


def _prepare_sqlite_broker(url: str) -> None:
    """Switch an embedded SQLite broker or result file to WAL (readers never block the
    writer); anything else is left alone."""
    prefix = next((p for p in ("sqla+sqlite:///", "db+sqlite:///") if url.startswith(p)), None)
    if prefix is None:
        return
    path = Path(url.removeprefix(prefix))
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def register_schedule(name: str, task: str, schedule) -> None:
    """Apps add their periodic work here at import time (see <app>/tasks.py)."""
    app.conf.beat_schedule[name] = {"task": task, "schedule": schedule}


@app.on_after_configure.connect
def _on_configure(sender, **kwargs):
    _prepare_sqlite_broker(str(sender.conf.broker_url or ""))
    _prepare_sqlite_broker(str(sender.conf.result_backend or ""))


@worker_init.connect
def _worker_database_timeouts(**kwargs):
    """Workers run bulk work (settlement, payout runs): a statement may take minutes, not
    the web's three seconds. Set before the pool forks, so every child has it."""
    from django.conf import settings
    from django.db import connections

    from .settings.base import postgres_options

    for alias in connections:
        settings_dict = connections[alias].settings_dict
        if settings_dict["ENGINE"].endswith("postgresql"):
            settings_dict.setdefault("OPTIONS", {}).update(
                postgres_options(
                    statement_timeout_ms=settings.DB_WORKER_STATEMENT_TIMEOUT_MS,
                    application_name="werkstation-worker",
                )
            )
        connections[alias].close()


__all__ = ["app", "crontab", "register_schedule"]
