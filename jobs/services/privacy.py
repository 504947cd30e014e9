"""What ``jobs`` holds about a person, for the export and the erasure (registered with
``members.services.privacy`` in ``jobs.registrations``)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from jobs.models import BlockedClient, CalendarFeed, Claim, ClientUser, Offer, Timesheet

from .claims import claims_release_future

if TYPE_CHECKING:
    from members.models import User

ERASED = "account erased"


def export_work(user: User) -> dict[str, Any]:
    claims = Claim.objects.filter(user=user).select_related("shift__job__client").order_by("start")
    timesheets = Timesheet.objects.filter(claim__user=user).select_related("claim__shift__job")
    offers = Offer.objects.filter(user=user).select_related("shift__job")
    return {
        "claims": [
            {
                "job": c.shift.job.title,
                "client": c.shift.job.client.name,
                "start": c.start.isoformat(),
                "end": c.end.isoformat(),
                "status": c.status,
                "reason": c.status_reason,
                "claimed_at": c.created_at.isoformat(),
            }
            for c in claims
        ],
        "timesheets": [
            {
                "job": t.claim.shift.job.title,
                "date": t.claim.start.date().isoformat(),
                "minutes_worked": t.minutes_worked,
                "break_minutes": t.break_minutes,
                "note": t.note,
                "status": t.status,
                "dispute_reason": t.dispute_reason,
                "resolution": t.resolution,
                "submitted_at": t.submitted_at.isoformat(),
            }
            for t in timesheets
        ],
        "offers": [
            {
                "job": o.shift.job.title,
                "start": o.shift.start.isoformat(),
                "status": o.status,
                "reason": o.reason,
            }
            for o in offers
        ],
        "calendar_link": CalendarFeed.objects.filter(user=user).exists(),
        "blocked_clients": [
            {"client": b.client.name, "reason": b.reason}
            for b in BlockedClient.objects.filter(user=user).select_related("client")
        ],
    }


@transaction.atomic
def erase_work(user: User) -> None:
    """Future claims are released (their slots offered onward), open offers lapse, the
    calendar link stops working, the member's own client blocks go. Past claims and
    timesheets stay: they are what the books were settled from."""
    claims_release_future(user=user, reason=ERASED)
    Offer.objects.filter(user=user, status=Offer.Status.OPEN).update(
        status=Offer.Status.LAPSED, responded_at=timezone.now()
    )
    CalendarFeed.objects.filter(user=user).delete()
    BlockedClient.objects.filter(user=user).delete()


def export_client_roles(user: User) -> list[dict[str, Any]]:
    return [
        {"client": cu.client.name, "role": cu.role, "since": cu.created_at.isoformat()}
        for cu in ClientUser.objects.filter(user=user).select_related("client")
    ]


def erase_client_roles(user: User) -> None:
    """An erased person no longer acts for any client."""
    ClientUser.objects.filter(user=user).delete()
