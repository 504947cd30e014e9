"""The Celery settings that make tasks survive a dying worker, and run once."""

from werkstation.settings import base


def test_a_task_is_acknowledged_after_it_ran_and_requeued_when_its_worker_dies():
    from werkstation.celery import app

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_redis_redelivers_only_after_the_longest_task_could_have_finished():
    assert base.REDIS_TRANSPORT_OPTIONS["visibility_timeout"] > base.CELERY_TASK_TIME_LIMIT
    assert base.CELERY_TASK_SOFT_TIME_LIMIT < base.CELERY_TASK_TIME_LIMIT


def test_money_tasks_acknowledge_late():
    from werkstation.celery import app

    app.loader.import_default_modules()
    for name in (
        "payouts.tasks.settle_timesheet",
        "payouts.tasks.settlement_run",
        "payouts.tasks.payout_batch_execute",
        "payouts.tasks.stripe_payouts_resume",
    ):
        task = app.tasks[name]
        assert task.acks_late is True, name
