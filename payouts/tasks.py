"""Thin Celery wrappers: take ids, call services."""

import logging

from celery import shared_task

from jobs.topics import Topic
from werkstation.outbox import outbox_register

from .services.settlement import settlement_run

logger = logging.getLogger(__name__)


@shared_task(name="payouts.tasks.settle_timesheet", ignore_result=True, acks_late=True)
def settle_timesheet(timesheet_id: int) -> int:
    settled = settlement_run(timesheet_ids=[timesheet_id])
    if settled:
        _warn_about_caps(timesheet_ids=[timesheet_id])
    return settled


def _warn_about_caps(*, timesheet_ids: list[int] | None = None) -> int:
    """After settling: members who reached 80% / 100% of their yearly cap hear it once."""
    from jobs.models import Timesheet

    from .services.earnings_caps import earnings_cap_warnings_send

    user_ids = None
    if timesheet_ids is not None:
        user_ids = list(
            Timesheet.objects.filter(pk__in=timesheet_ids).values_list("claim__user_id", flat=True)
        )
    return earnings_cap_warnings_send(user_ids=user_ids)


@shared_task(name="payouts.tasks.settlement_run", ignore_result=True, acks_late=True)
def settlement_run_task() -> int:
    total = 0
    while settled := settlement_run():
        total += settled
    if total:
        _warn_about_caps()
    return total


@shared_task(name="payouts.tasks.earnings_cap_warnings", ignore_result=True)
def earnings_cap_warnings() -> int:
    return _warn_about_caps()


outbox_register(Topic.TIMESHEET_APPROVED, "payouts.tasks.settle_timesheet")


@shared_task(name="payouts.tasks.invoice_reminders", ignore_result=True)
def invoice_reminders() -> int:
    from .services.invoices import invoice_reminders_send

    return invoice_reminders_send()


@shared_task(name="payouts.tasks.weekly_payout_batches", ignore_result=True)
def weekly_payout_batches() -> int:
    """Draft each cooperative's weekly batch; money moves only after two approvals."""
    from members.models import Cooperative
    from werkstation.errors import ApplicationError

    from .services.payouts import payout_batch_create

    drafted = failed = 0
    for cooperative in Cooperative.objects.order_by("pk"):
        try:
            payout_batch_create(actor=None, cooperative=cooperative)
            drafted += 1
        except ApplicationError as exc:  # expected: nothing payable, a batch still open
            logger.info(
                "weekly payout batch: none for %s (%s): %s", cooperative.slug, exc.code, exc
            )
        except Exception:  # one cooperative's failure must not stop the others
            failed += 1
            logger.exception("weekly payout batch: drafting for %s failed", cooperative.slug)
    if failed:
        logger.error("weekly payout batches: %s drafted, %s failed", drafted, failed)
    return drafted


@shared_task(name="payouts.tasks.payout_batch_execute", ignore_result=True, acks_late=True)
def payout_batch_execute_task(batch_id: int) -> str:
    """Execute an approved batch (on demand). Safe to run twice or after a crash."""
    from .models import PayoutBatch
    from .services.payouts import payout_batch_execute

    return payout_batch_execute(actor=None, batch=PayoutBatch.objects.get(pk=batch_id)).status


@shared_task(name="payouts.tasks.stripe_payouts_resume", ignore_result=True, acks_late=True)
def stripe_payouts_resume() -> int:
    from .stripe.connect import payout_batches_resume

    return payout_batches_resume()


@shared_task(name="payouts.tasks.self_billing_last_month", ignore_result=True, acks_late=True)
def self_billing_last_month() -> int:
    """Last month's self-billing invoices of every self-employed member (and of earlier
    months, for work settled after their run). Safe to run twice: work already on a
    self-billing invoice is never invoiced again."""
    from .services.self_billing import self_billing_last_month as issue

    return issue()
