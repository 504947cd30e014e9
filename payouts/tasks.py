"""Thin Celery wrappers: take ids, call services."""

from celery import shared_task

from werkstation.celery import register_schedule
from werkstation.outbox import outbox_register

from .services.settlement import settlement_run


@shared_task(name="payouts.tasks.settle_timesheet", ignore_result=True, acks_late=True)
def settle_timesheet(timesheet_id: int) -> int:
    return settlement_run(timesheet_ids=[timesheet_id])


@shared_task(name="payouts.tasks.settlement_run", ignore_result=True, acks_late=True)
def settlement_run_task() -> int:
    total = 0
    while settled := settlement_run():
        total += settled
    return total


outbox_register("timesheet.approved", "payouts.tasks.settle_timesheet")
register_schedule("settlement-run", "payouts.tasks.settlement_run", 300.0)
