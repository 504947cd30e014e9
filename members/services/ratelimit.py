"""Counting attempts where django-axes does not look: password-reset requests and wrong
reset links, per account and per address.

Each hit is a row; a scope and key past its limit within the window is refused with a
429 that says how long to wait. Rows older than a day are pruned by the daily task.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from members.models import RateLimitHit
from werkstation.errors import ApplicationError


class RateLimited(ApplicationError):
    status_code = 429
    default_code = "rate_limited"


def _minutes(delta: timedelta) -> str:
    minutes = max(1, round(delta.total_seconds() / 60))
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def rate_limited(*, scope: str, key: str, limit: int, window: timedelta) -> timedelta | None:
    """How long ``key`` must still wait in ``scope``, or None when it may go on."""
    since = timezone.now() - window
    hits = list(
        RateLimitHit.objects.filter(scope=scope, key=key, at__gte=since)
        .order_by("-at")
        .values_list("at", flat=True)[:limit]
    )
    if len(hits) < limit:
        return None
    return hits[-1] + window - timezone.now()


def rate_limit_hit(
    *, scope: str, key: str, limit: int, window: timedelta, field: str | None = None
) -> None:
    """Count one attempt; refuse (without counting) once ``limit`` is reached."""
    wait = rate_limited(scope=scope, key=key, limit=limit, window=window)
    if wait is not None:
        raise RateLimited(
            _("Too many attempts. Try again in %(wait)s.") % {"wait": _minutes(wait)},
            field=field,
            extra={"retry_after_seconds": int(wait.total_seconds()) + 1},
        )
    with transaction.atomic():
        RateLimitHit.objects.create(scope=scope, key=key[:200])


def rate_limit_prune(*, older_than: timedelta = timedelta(days=1)) -> int:
    deleted, _rows = RateLimitHit.objects.filter(at__lt=timezone.now() - older_than).delete()
    return deleted
