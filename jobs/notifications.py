"""E-mails of the marketplace, honouring each person's preferences."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from members.models import NotificationPreference
from werkstation.notify import email_user_now, email_user_on_commit


def _wants(user, preference: str) -> bool:
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref is None or getattr(pref, preference)


def notify_claim(claim, *, event: str) -> None:
    """event: confirmed, waitlisted, offered, rejected, changed, cancelled."""
    if not _wants(claim.user, "claim_updates"):
        return
    subjects = {
        "confirmed": _("Your shift is confirmed"),
        "claimed": _("You claimed a shift"),
        "waitlisted": _("You are on the waitlist"),
        "offered": _("A place opened up for you"),
        "rejected": _("Your claim was not accepted"),
        "changed": _("A shift you claimed has changed"),
        "cancelled": _("A shift you claimed was cancelled"),
    }
    email_user_on_commit(
        to=claim.user.email,
        language=claim.user.preferred_language,
        subject=subjects[event],
        template="jobs/email/claim.txt",
        context={"claim": claim, "shift": claim.shift, "job": claim.shift.job, "event": event},
    )


def notify_timesheet(timesheet, *, event: str, to, now: bool = False) -> None:
    """event: reminder, approved, disputed, rejected, submitted. ``now``: send at once and
    let a failure raise (for an outbox handler), instead of after the commit."""
    if not _wants(to, "timesheet_updates"):
        return
    subjects = {
        "reminder": _("Please log your hours"),
        "approved": _("Your hours were approved"),
        "disputed": _("Your hours were disputed"),
        "rejected": _("Your hours were rejected"),
        "submitted": _("Hours to approve"),
    }
    send = email_user_now if now else email_user_on_commit
    send(
        to=to.email,
        language=to.preferred_language,
        subject=subjects[event],
        template="jobs/email/timesheet.txt",
        context={
            "timesheet": timesheet,
            "claim": timesheet.claim,
            "shift": timesheet.claim.shift,
            "event": event,
        },
    )
