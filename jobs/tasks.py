"""Thin Celery wrappers: take ids, call services."""

from celery import chord, shared_task

from werkstation.outbox import outbox_register

from .services import claims, digest, dispatching, jobs, timesheets
from .topics import Topic


@shared_task(name="jobs.tasks.timesheets_auto_approve", ignore_result=True)
def timesheets_auto_approve() -> int:
    return timesheets.timesheets_auto_approve()


@shared_task(name="jobs.tasks.timesheet_reminders", ignore_result=True)
def timesheet_reminders() -> int:
    return timesheets.timesheet_reminders()


@shared_task(name="jobs.tasks.offers_expire", ignore_result=True)
def offers_expire() -> int:
    return claims.offers_expire()


@shared_task(name="jobs.tasks.jobs_progress", ignore_result=True)
def jobs_progress() -> dict:
    return jobs.jobs_progress()


@shared_task(name="jobs.tasks.shift_digest", ignore_result=True)
def shift_digest() -> int:
    return digest.shift_digest_send()


@shared_task(name="jobs.tasks.timesheet_approved", ignore_result=True)
def timesheet_approved(timesheet_id: int) -> None:
    """Outbox handler for ``timesheet.approved``: tell the member (once)."""
    timesheets.timesheet_approved_notify(timesheet_id=timesheet_id)


outbox_register(Topic.TIMESHEET_APPROVED, "jobs.tasks.timesheet_approved")


@shared_task(name="jobs.tasks.dispatch_run", ignore_result=True, acks_late=True)
def dispatch_run(run_id: int) -> bool:
    """One cooperative's run (outbox handler of ``dispatch.requested``). A large
    cooperative's instance comes in independent parts: each is its own task (on any
    worker) and a chord merges them into the run; the handler then answers ``False``
    (handed on), so the outbox delivers the event again after its timeout and, if the
    chord was lost with a dead worker or broker, the run is made again. Every step is
    idempotent (parts are pure; the merge leaves a finished run alone), so a repeated
    delivery at worst solves a part twice."""
    plan = dispatching.dispatch_run_prepare(run_id=run_id)
    if plan is None:
        return True
    parts = plan.pop("parts")
    plan.pop("part_pairs")
    if len(parts) <= 1:
        results = [dispatching.dispatch_part_solve(part=part) for part in parts]
        dispatching.dispatch_run_merge(plan=plan, results=results)
        return True
    chord(dispatch_part.s(part) for part in parts)(dispatch_merge.s(plan))
    return False


@shared_task(name="jobs.tasks.dispatch_part", acks_late=True)
def dispatch_part(part: dict) -> dict:
    """One independent part of a run (no database): its answer goes to the merge."""
    return dispatching.dispatch_part_solve(part=part)


@shared_task(name="jobs.tasks.dispatch_merge", ignore_result=True, acks_late=True)
def dispatch_merge(results: list[dict], plan: dict) -> None:
    dispatching.dispatch_run_merge(plan=plan, results=results)


@shared_task(name="jobs.tasks.offers_expire_dispatch", ignore_result=True)
def offers_expire_dispatch() -> int:
    return dispatching.offers_expire_dispatch()


outbox_register(Topic.DISPATCH_REQUESTED, "jobs.tasks.dispatch_run")
