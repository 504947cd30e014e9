"""Deadlines on beat: the submission window closes, and those who must act are reminded once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jobs.challenges.models import Bid, Challenge, Tender
from jobs.challenges.notifications import board_of, municipality_users_of, notify
from werkstation.locks import lock_available

from .tenders import tenders_close_due

BID_REMINDER_HOURS = 48
DECISION_REMINDER_DAYS = 7


@transaction.atomic
def deadline_reminders(*, now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = {"bids": 0, "tender_decisions": 0, "challenge_decisions": 0}
    for tender in cast(
        "list[Tender]",
        lock_available(
            Tender.objects.filter(
                status=Tender.Status.OPEN,
                bid_reminder_sent_at__isnull=True,
                submission_deadline__gt=now,
                submission_deadline__lte=now + timedelta(hours=BID_REMINDER_HOURS),
            )
        ),
    ):
        for bid in Bid.objects.filter(tender=tender, status=Bid.Status.DRAFT):
            notify(board_of(bid.cooperative_id), event="bid_reminder", context={"tender": tender})
            sent["bids"] += 1
        tender.bid_reminder_sent_at = now
        tender.save(update_fields=["bid_reminder_sent_at"])
    for tender in cast(
        "list[Tender]",
        lock_available(
            Tender.objects.filter(
                # Closed as the clock decides, whether or not beat stored it yet.
                Q(status=Tender.Status.CLOSED)
                | Q(status=Tender.Status.OPEN, submission_deadline__lte=now),
                decision_reminder_sent_at__isnull=True,
                decision_deadline__lte=today + timedelta(days=DECISION_REMINDER_DAYS),
            )
        ),
    ):
        notify(
            municipality_users_of(tender.client_id),
            event="decision_reminder",
            context={"subject": tender.title, "deadline": tender.decision_deadline},
        )
        tender.decision_reminder_sent_at = now
        tender.save(update_fields=["decision_reminder_sent_at"])
        sent["tender_decisions"] += 1
    for challenge in cast(
        "list[Challenge]",
        lock_available(
            Challenge.objects.filter(
                status=Challenge.Status.SUBMITTED,
                reminder_sent_at__isnull=True,
                decision_deadline__lte=today + timedelta(days=DECISION_REMINDER_DAYS),
            )
        ),
    ):
        notify(
            municipality_users_of(challenge.client_id),
            event="decision_reminder",
            context={"subject": challenge.task, "deadline": challenge.decision_deadline},
        )
        challenge.reminder_sent_at = now
        challenge.save(update_fields=["reminder_sent_at"])
        sent["challenge_decisions"] += 1
    return sent


__all__ = ["deadline_reminders", "tenders_close_due"]
