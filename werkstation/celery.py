"""The Celery app. The beat schedule is one list in ``werkstation/beat.py``.

Without ``REDIS_URL`` the broker is kombu's SQLAlchemy transport on its own SQLite file;
we switch that file to WAL so the worker's polling and beat's publishing do not block
each other (and never touch the application's database file).
"""

import os
import sqlite3
from pathlib import Path
from typing import Any

from celery import Celery
from celery.signals import worker_init

from .beat import beat_schedule

# Production unless told otherwise (`make run` sets the local settings).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "werkstation.settings.production")

app = Celery("werkstation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = beat_schedule()


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


@app.on_after_configure.connect
def _on_configure(sender: Celery, **kwargs: Any) -> None:
    _prepare_sqlite_broker(str(sender.conf.broker_url or ""))
    _prepare_sqlite_broker(str(sender.conf.result_backend or ""))


@worker_init.connect
def _worker_database_timeouts(**kwargs: Any) -> None:
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


__all__ = ["app"]
