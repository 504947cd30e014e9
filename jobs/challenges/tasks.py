"""Thin Celery wrappers of the right-to-challenge flow (scheduled in werkstation/beat.py)."""

from celery import shared_task

from .services import contracts, reminders, tenders


@shared_task(name="challenges.tasks.tenders_close", ignore_result=True)
def tenders_close() -> int:
    return tenders.tenders_close_due()


@shared_task(name="challenges.tasks.deadline_reminders", ignore_result=True)
def deadline_reminders() -> dict:
    return reminders.deadline_reminders()


@shared_task(name="challenges.tasks.contracts_generate", ignore_result=True)
def contracts_generate() -> dict:
    return contracts.contracts_generate()
