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

# Production unless told otherwise (`make run` sets the local settings).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "werkstation.settings.production")

app = Celery("werkstation")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    "outbox-publish": {"task": "werkstation.tasks.outbox_publish", "schedule": 30.0},
    "healthbeat": {"task": "werkstation.tasks.heartbeat", "schedule": 60.0},
}


def _prepare_sqlite_broker(url: str) -> None:
    if not url.startswith("sqla+sqlite:///"):
        return
    path = Path(url.removeprefix("sqla+sqlite:///"))
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")


def register_schedule(name: str, task: str, schedule) -> None:
    """Apps add their periodic work here at import time (see <app>/tasks.py)."""
    app.conf.beat_schedule[name] = {"task": task, "schedule": schedule}


@app.on_after_configure.connect
def _on_configure(sender, **kwargs):
    _prepare_sqlite_broker(str(sender.conf.broker_url or ""))


__all__ = ["app", "crontab", "register_schedule"]
