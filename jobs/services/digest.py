"""The daily digest of new matching shifts: one mail per member, never one per shift."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.selectors import FeedFilters, feed_page, feed_row
from members.models import Membership, NotificationPreference
from werkstation.errors import ApplicationError
from werkstation.notify import email_user_on_commit

DIGEST_LIMIT = 10


def shift_digest_send(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    weekly_day = now.weekday() == 0
    sent = 0
    users = {
        m.user_id: m.user for m in Membership.objects.filter(status="active").select_related("user")
    }
    for user in users.values():
        pref = NotificationPreference.objects.filter(user=user).first()
        frequency = pref.shift_digest if pref else "daily"
        if frequency == "never" or (frequency == "weekly" and not weekly_day):
            continue
        since = now - timedelta(days=7 if frequency == "weekly" else 1)
        try:
            rows = feed_page(
                user, FeedFilters(created_since=since), size=DIGEST_LIMIT, now=now
            ).rows
        except ApplicationError:  # no address or availability yet: nothing to match
            continue
        if not rows:
            continue
        email_user_on_commit(
            to=user.email,
            language=user.preferred_language,
            subject=_("New work near you"),
            template="jobs/email/digest.txt",
            context={"user": user, "shifts": [feed_row(r) for r in rows]},
        )
        sent += 1
    return sent
