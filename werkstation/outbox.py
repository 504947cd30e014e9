"""Transactional outbox: emit inside the transaction, publish after commit.

``outbox_emit`` writes an ``OutboxEvent`` row in the caller's transaction and asks for
a publish once it commits. ``outbox_publish_pending`` sends each pending event to the
Celery task registered for its topic and marks it published only when the broker took
it. A broker that is down leaves the rows pending; beat runs the publisher every 30 s.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from .models import OutboxEvent

logger = logging.getLogger(__name__)

_HANDLERS: dict[str, list[str]] = {}


def outbox_register(topic: str, task_name: str) -> None:
    """Route ``topic`` to the Celery task ``task_name`` (called with ``**payload``).

    A topic may have several handlers; each must be idempotent, because a publish that
    fails half-way is repeated for all of them.
    """
    handlers = _HANDLERS.setdefault(topic, [])
    if task_name not in handlers:
        handlers.append(task_name)


def outbox_emit(*, topic: str, payload: dict) -> OutboxEvent:
    event = OutboxEvent.objects.create(topic=topic, payload=payload)
    transaction.on_commit(_request_publish)
    return event


def _request_publish() -> None:
    from .tasks import outbox_publish

    try:
        outbox_publish.apply_async(retry=False)
    except Exception:  # broker down: the beat schedule will publish it later
        logger.warning("outbox: broker unreachable, events stay pending", exc_info=True)


def outbox_publish_pending(*, limit: int = 500) -> int:
    """Send pending events to their handlers. Returns how many were published."""
    from .celery import app

    published = 0
    with transaction.atomic():
        events = list(
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(published_at__isnull=True)
            .order_by("id")[:limit]
        )
        for event in events:
            task_names = _HANDLERS.get(event.topic, [])
            event.attempts += 1
            if not task_names:
                event.last_error = f"no handler registered for {event.topic!r}"
                event.save(update_fields=["attempts", "last_error"])
                continue
            try:
                for task_name in task_names:
                    app.send_task(task_name, kwargs=event.payload, retry=False)
            except Exception as exc:
                event.last_error = repr(exc)[:2000]
                event.save(update_fields=["attempts", "last_error"])
                logger.warning("outbox: publishing %s failed: %s", event, exc)
                break
            event.published_at = timezone.now()
            event.last_error = ""
            event.save(update_fields=["attempts", "last_error", "published_at"])
            published += 1
    return published
