"""Thin Celery wrappers for governance."""

from celery import shared_task

from .services.governance import proposals_close_due, proposals_remind


@shared_task(name="members.tasks.proposals_close", ignore_result=True)
def proposals_close() -> int:
    return proposals_close_due()


@shared_task(name="members.tasks.proposals_remind", ignore_result=True)
def proposals_remind_task() -> int:
    return proposals_remind()


@shared_task(name="members.tasks.sign_in_prune", ignore_result=True)
def sign_in_prune() -> int:
    """Expired API tokens, used or expired set-up links and old attempt counters go."""
    from .services.ratelimit import rate_limit_prune
    from .services.tokens import api_tokens_prune

    return api_tokens_prune() + rate_limit_prune()


@shared_task(name="members.tasks.wtta_warnings", ignore_result=True)
def wtta_warnings() -> int:
    """Mondays: boards without a recorded Wtta admission are warned (from 1 October 2026)."""
    from .services.registrations import wtta_warnings_send

    return wtta_warnings_send()


@shared_task(name="members.tasks.benefit_arrangement_reminders", ignore_result=True)
def benefit_arrangement_reminders() -> int:
    """Daily: members whose bijstand arrangement ends within 30 days are reminded, once."""
    from .services.benefits import benefit_arrangement_reminders_send

    return benefit_arrangement_reminders_send()
