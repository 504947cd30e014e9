"""The beat schedule: every periodic task, when it runs and why, in one list.

Beat runs exactly one process (see ``docs/operations.md``); it sends each task below by
name on its schedule, and any worker runs it. The tasks themselves live in the apps'
``tasks.py`` as thin wrappers of a service; this list names them by their Celery name
only, so the kernel imports no app. ``tests/werkstation/test_beat.py`` checks that every
name is a registered task.

Crontab times are in ``CELERY_TIMEZONE`` (Europe/Amsterdam). To add periodic work: write
the task in ``<app>/tasks.py`` (``@shared_task(name="<app>.tasks.<name>")``) and add one
``Periodic`` line here, with a sentence on what it does.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from celery.schedules import crontab


@dataclass(frozen=True)
class Periodic:
    name: str
    task: str
    schedule: float | crontab  # seconds between runs, or a crontab
    description: str


MINUTE = 60.0

SCHEDULE: tuple[Periodic, ...] = (
    # --- kernel ------------------------------------------------------------------------
    Periodic(
        "outbox-publish",
        "werkstation.tasks.outbox_publish",
        float(os.environ.get("WERKSTATION_OUTBOX_SWEEP_SECONDS", "30")),
        "Hand out outbox events the broker did not take at commit, or that were left "
        "unfinished past the redelivery timeout (WERKSTATION_OUTBOX_SWEEP_SECONDS).",
    ),
    Periodic(
        "healthbeat",
        "werkstation.tasks.heartbeat",
        1 * MINUTE,
        "Leave a heartbeat in the cache, so a check can see that beat and a worker run.",
    ),
    Periodic(
        "legal-figures-reminder",
        "werkstation.tasks.legal_figures_reminder",
        crontab(day_of_week=1, hour=8, minute=0),
        "Mondays: staff hear which minimum-wage period is missing from the legal figures.",
    ),
    # --- members -----------------------------------------------------------------------
    Periodic(
        "proposals-close",
        "members.tasks.proposals_close",
        2 * MINUTE,
        "Store the outcome of votes whose closing time passed, and do what follows it.",
    ),
    Periodic(
        "proposals-remind",
        "members.tasks.proposals_remind",
        15 * MINUTE,
        "Members who have not voted hear once, 24 hours before the vote closes.",
    ),
    Periodic(
        "sign-in-prune",
        "members.tasks.sign_in_prune",
        60 * MINUTE,
        "Delete expired API tokens, used or expired set-up links and old attempt counters.",
    ),
    Periodic(
        "wtta-warnings",
        "members.tasks.wtta_warnings",
        crontab(day_of_week=1, hour=8, minute=15),
        "Mondays: boards without a recorded Wtta admission are warned.",
    ),
    Periodic(
        "benefit-arrangement-reminders",
        "members.tasks.benefit_arrangement_reminders",
        crontab(hour=8, minute=45),
        "Daily: members whose bijstand arrangement ends within 30 days are reminded, once.",
    ),
    # --- jobs --------------------------------------------------------------------------
    Periodic(
        "timesheets-auto-approve",
        "jobs.tasks.timesheets_auto_approve",
        crontab(minute=15),
        "Hourly: hours nobody answered are approved after the cooperative's number of days.",
    ),
    Periodic(
        "timesheet-reminders",
        "jobs.tasks.timesheet_reminders",
        crontab(hour=9, minute=0),
        "Daily: one reminder for shifts that ended over a day ago without hours.",
    ),
    Periodic(
        "offers-expire",
        "jobs.tasks.offers_expire",
        5 * MINUTE,
        "Waitlist offers nobody answered lapse; the place goes to the next on the waitlist.",
    ),
    Periodic(
        "jobs-progress",
        "jobs.tasks.jobs_progress",
        10 * MINUTE,
        "Jobs whose first shift started are in progress; jobs whose shifts all ended are "
        "completed.",
    ),
    Periodic(
        "shift-digest",
        "jobs.tasks.shift_digest",
        crontab(hour=7, minute=30),
        "The digest of new matching shifts: one mail per member (daily, or weekly on Mondays).",
    ),
    Periodic(
        "dispatch-offers-expire",
        "jobs.tasks.offers_expire_dispatch",
        5 * MINUTE,
        "Dispatch offers nobody answered lapse.",
    ),
    # --- right to challenge (jobs.challenges) ------------------------------------------
    Periodic(
        "challenges-tenders-close",
        "challenges.tasks.tenders_close",
        5 * MINUTE,
        "Tenders whose submission window closed: drafts lapse, the audit row is written.",
    ),
    Periodic(
        "challenges-deadline-reminders",
        "challenges.tasks.deadline_reminders",
        crontab(hour=8, minute=0),
        "Daily: those who must act on a bid, a tender or a challenge are reminded once.",
    ),
    Periodic(
        "challenges-contracts-generate",
        "challenges.tasks.contracts_generate",
        crontab(hour=2, minute=30),
        "Nightly: contracts past their period end; running ones put their shifts on the board.",
    ),
    # --- payouts -----------------------------------------------------------------------
    Periodic(
        "settlement-run",
        "payouts.tasks.settlement_run",
        5 * MINUTE,
        "Settle approved timesheets the outbox handler has not settled yet.",
    ),
    Periodic(
        "earnings-cap-warnings",
        "payouts.tasks.earnings_cap_warnings",
        crontab(hour=7, minute=30),
        "Daily: members who reached 80 % or 100 % of their yearly cap hear it, once each.",
    ),
    Periodic(
        "invoice-reminders",
        "payouts.tasks.invoice_reminders",
        crontab(hour=8, minute=0),
        "Daily: one reminder per overdue invoice per week, to the client's billing address.",
    ),
    Periodic(
        "weekly-payout-batches",
        "payouts.tasks.weekly_payout_batches",
        crontab(day_of_week="mon", hour=6, minute=0),
        "Mondays: draft each cooperative's payout batch; money moves after two approvals.",
    ),
    Periodic(
        "stripe-payouts-resume",
        "payouts.tasks.stripe_payouts_resume",
        10 * MINUTE,
        "Finish approved batches whose Stripe Connect transfers were left undecided.",
    ),
    Periodic(
        "self-billing-last-month",
        "payouts.tasks.self_billing_last_month",
        crontab(day_of_month="1", hour=5, minute=30),
        "On the 1st: last month's self-billing invoices of every self-employed member.",
    ),
)


def beat_schedule() -> dict[str, dict[str, object]]:
    """``SCHEDULE`` in Celery's ``beat_schedule`` shape."""
    return {entry.name: {"task": entry.task, "schedule": entry.schedule} for entry in SCHEDULE}
