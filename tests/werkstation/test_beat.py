"""The beat schedule (``werkstation/beat.py``): one list, and every entry runs a real task."""

import os

from celery.schedules import crontab

from werkstation.beat import SCHEDULE, Periodic


def test_every_scheduled_task_is_a_registered_celery_task():
    from werkstation.celery import app

    app.loader.import_default_modules()
    missing = [entry.task for entry in SCHEDULE if entry.task not in app.tasks]
    assert missing == []


def test_the_celery_app_runs_exactly_the_list():
    from werkstation.celery import app

    assert app.conf.beat_schedule == {
        entry.name: {"task": entry.task, "schedule": entry.schedule} for entry in SCHEDULE
    }


def test_each_entry_is_named_once_and_says_what_it_does():
    names = [entry.name for entry in SCHEDULE]
    assert len(names) == len(set(names))
    assert len({entry.task for entry in SCHEDULE}) == len(SCHEDULE)
    for entry in SCHEDULE:
        assert isinstance(entry, Periodic)
        assert isinstance(entry.schedule, float | crontab), entry.name
        assert entry.description.strip().endswith("."), entry.name


def test_timings():
    """The timings the operations guide and the services' docstrings promise."""
    by_name = {entry.name: entry.schedule for entry in SCHEDULE}
    sweep = float(os.environ.get("WERKSTATION_OUTBOX_SWEEP_SECONDS", "30"))
    assert by_name["outbox-publish"] == sweep
    assert by_name["offers-expire"] == by_name["settlement-run"] == 300.0
    assert by_name["sign-in-prune"] == 3600.0
    assert by_name["weekly-payout-batches"] == crontab(day_of_week="mon", hour=6, minute=0)
    assert by_name["self-billing-last-month"] == crontab(day_of_month="1", hour=5, minute=30)
