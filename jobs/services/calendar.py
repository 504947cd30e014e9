"""A member's private iCalendar feed of their claimed shifts."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from icalendar import Calendar, Event

from jobs.audit_actions import JobAction
from jobs.models import SLOT_HOLDING, CalendarFeed, Claim
from werkstation.audit import audit_record
from werkstation.locks import lock_get_or_create

if TYPE_CHECKING:
    from members.models import User


@transaction.atomic
def calendar_feed_rotate(*, user: User) -> CalendarFeed:
    """Create the feed, or replace its token (the old URL stops working at once)."""
    feed: CalendarFeed
    feed, _created = lock_get_or_create(
        "jobs.CalendarFeed", user=user, defaults={"token": secrets.token_urlsafe(32)}
    )
    if not _created:
        feed.token = secrets.token_urlsafe(32)
        feed.save(update_fields=["token", "created_at"])
    audit_record(actor=user, action=JobAction.CALENDAR_TOKEN_ROTATED, target=feed)
    return feed


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> None:
    CalendarFeed.objects.filter(user=user).delete()
    audit_record(actor=user, action=JobAction.CALENDAR_REVOKED)


def calendar_render(*, token: str, host: str = "werkstation") -> bytes | None:
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None:
        return None
    calendar = Calendar()
    calendar.add("prodid", "-//Werkstation//Shifts//NL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Werkstation")
    since = timezone.now() - timedelta(days=30)
    claims = (
        Claim.objects.filter(
            user=feed.user, status__in=[s for s in SLOT_HOLDING if s != "no_show"], end__gte=since
        )
        .select_related("shift__job__client")
        .order_by("start")
    )
    for claim in claims:
        job = claim.shift.job
        event = Event()
        event.add("uid", f"claim-{claim.pk}@{host}")
        event.add("summary", f"{job.title} ({job.client.name})")
        event.add("dtstart", claim.start)
        event.add("dtend", claim.end)
        event.add("dtstamp", claim.updated_at)
        event.add("location", f"{job.street}, {job.postcode} {job.city}")
        event.add("description", f"{claim.get_status_display()} · {job.description[:500]}")
        event.add(
            "status", "CONFIRMED" if claim.status in ("confirmed", "completed") else "TENTATIVE"
        )
        calendar.add_component(event)
    ical: bytes = calendar.to_ical()
    return ical
