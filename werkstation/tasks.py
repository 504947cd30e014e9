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
