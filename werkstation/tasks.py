from celery import shared_task

from .outbox import outbox_deliver as deliver
from .outbox import outbox_publish_pending


@shared_task(name="werkstation.tasks.outbox_publish", ignore_result=True)
def outbox_publish() -> int:
    return outbox_publish_pending()


@shared_task(name="werkstation.tasks.outbox_deliver", ignore_result=True, acks_late=True)
def outbox_deliver(event_id: int) -> str:
    """One outbox event's handler (see werkstation/outbox.py)."""
    return deliver(event_id)


@shared_task(name="werkstation.tasks.heartbeat", ignore_result=True)
def heartbeat() -> None:
    from django.core.cache import cache
    from django.utils import timezone

    cache.set("celery:heartbeat", timezone.now().isoformat(), 300)


@shared_task(name="werkstation.tasks.legal_figures_reminder", ignore_result=True)
def legal_figures_reminder(today: str | None = None) -> int:
    """Once a week: tell platform staff which minimum-wage periods have no figure yet (the
    period in force, and from 1 June and 1 December on, the next one). Returns how many were
    told."""
    from datetime import date

    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from django.utils.translation import gettext_lazy

    from .legal import LegalTable, minimum_wage_periods_missing
    from .notify import email_user_now

    day = date.fromisoformat(today) if today else timezone.localdate()
    periods = minimum_wage_periods_missing(LegalTable.load(), day)
    if not periods:
        return 0
    staff = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(email="")
    for user in staff:
        email_user_now(
            to=user.email,
            language=getattr(user, "preferred_language", ""),
            subject=gettext_lazy("Missing: the minimum wage in the legal figures"),
            template="werkstation/email/legal_figures_missing.txt",
            context={
                "periods": periods,
                "source": "https://www.rijksoverheid.nl/onderwerpen/minimumloon",
            },
        )
    return len(staff)
