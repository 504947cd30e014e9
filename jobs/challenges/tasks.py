"""Thin Celery wrappers of the right-to-challenge flow, and their beat schedule."""

from celery import shared_task
from celery.schedules import crontab

from werkstation.celery import register_schedule

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


register_schedule("challenges-tenders-close", "challenges.tasks.tenders_close", 300.0)
register_schedule(
    "challenges-deadline-reminders",
    "challenges.tasks.deadline_reminders",
    crontab(hour=8, minute=0),
)
register_schedule(
    "challenges-contracts-generate",
    "challenges.tasks.contracts_generate",
    crontab(hour=2, minute=30),
)
