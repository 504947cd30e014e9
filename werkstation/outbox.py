"""Transactional outbox: a promised side effect is done only when its handler finished.

Design overview
---------------
``outbox_emit`` writes one ``OutboxEvent`` row for each handler of the topic, in the
caller's transaction. After the commit, the rows are handed to the broker as
``werkstation.tasks.outbox_deliver(event_id)`` tasks (the payload stays in the
database). ``outbox_deliver`` takes a lease on the row (``started_at``), runs the
handler in the worker and marks the row done (``done_at``).

Nothing that can go wrong between the commit and the end of the handler loses the
effect:

- the broker is down at commit: the rows stay unpublished and the sweep
  (``outbox_publish_pending``, every ``WERKSTATION_OUTBOX_SWEEP_SECONDS`` on beat) hands
  them out once it is back;
- the broker loses its queue (Redis restarted without persistence), or a whole worker
  dies holding the task (its message then waits in Redis for the two-hour visibility
  timeout): the row is still unfinished, and once it was published and started longer
  than ``WERKSTATION_OUTBOX_REDELIVER_SECONDS`` ago the sweep hands it out again;
- the handler fails: the error is kept on the row and it is tried again after the
  redelivery timeout.

So every handler must be idempotent: it may run again after a crash at any point. A
handler returns ``False`` when it handed the work on to tasks of its own (a dispatch run
split into parts): the event then stays unfinished and is delivered again after the
timeout, when the handler sees whether the work was finished and returns ``True``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .locks import lock_skipping
from .models import OutboxEvent

if TYPE_CHECKING:
    from collections.abc import Mapping

logger = logging.getLogger(__name__)

DELIVER_TASK = "werkstation.tasks.outbox_deliver"
_HANDLERS: dict[str, list[str]] = {}


def outbox_handlers(topic: str) -> tuple[str, ...]:
    """The Celery tasks registered for ``topic`` (none: ``outbox_emit`` refuses it)."""
    return tuple(_HANDLERS.get(str(topic), ()))


def redeliver_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "WERKSTATION_OUTBOX_REDELIVER_SECONDS", 300))


def outbox_register(topic: str, task_name: str) -> None:
    """Route ``topic`` to the Celery task ``task_name`` (its body runs with ``**payload``).

    Topics are named once, as a ``Topic`` enum in the emitting app's ``topics.py``
    (``jobs/topics.py``); register and emit with its members, never with a bare string."""
    handlers = _HANDLERS.setdefault(str(topic), [])
    if task_name not in handlers:
        handlers.append(task_name)


def outbox_emit(*, topic: str, payload: Mapping[str, object]) -> list[OutboxEvent]:
    topic = str(topic)  # the value of a ``Topic`` member: what the rows store
    handlers = _HANDLERS.get(topic)
    if not handlers:
        msg = f"outbox: no handler registered for {topic!r}"
        raise LookupError(msg)
    now = timezone.now()
    # Marked published now, optimistically: the hand-off below happens after the commit;
    # if it fails the mark is taken back, and if the process dies first the sweep hands
    # the rows out after the redelivery timeout.
    events = OutboxEvent.objects.bulk_create(
        OutboxEvent(topic=topic, handler=handler, payload=payload, published_at=now, attempts=1)
        for handler in handlers
    )
    ids = [event.pk for event in events]
    transaction.on_commit(lambda: _hand_out(ids))
    return events


def _send(event_id: int) -> None:
    from .celery import app

    app.send_task(DELIVER_TASK, args=[event_id], retry=False)


def _hand_out(ids: list[int]) -> None:
    for index, event_id in enumerate(ids):
        try:
            _send(event_id)
        except Exception as exc:  # noqa: BLE001 - broker down: the sweep hands them out later
            logger.warning("outbox: broker unreachable, events %s stay pending: %s", ids, exc)
            OutboxEvent.objects.filter(pk__in=ids[index:], done_at__isnull=True).update(
                published_at=None, last_error=repr(exc)[:2000]
            )
            return


def _due(now: datetime) -> Q:
    stale = now - redeliver_after()
    return Q(done_at__isnull=True) & (
        Q(published_at__isnull=True)
        | (Q(published_at__lt=stale) & (Q(started_at__isnull=True) | Q(started_at__lt=stale)))
    )


def _fan_out_legacy() -> None:
    """Rows written before events had one handler each: one row per handler now."""
    for event in OutboxEvent.objects.filter(handler="", done_at__isnull=True):
        with transaction.atomic():
            for handler in _HANDLERS.get(event.topic, []):
                OutboxEvent.objects.create(
                    topic=event.topic, handler=handler, payload=event.payload
                )
            OutboxEvent.objects.filter(pk=event.pk).update(done_at=timezone.now())


def outbox_publish_pending(*, limit: int = 500) -> int:
    """Hand unpublished and stale unfinished events to the broker. Returns how many."""
    _fan_out_legacy()
    published = 0
    now = timezone.now()
    with transaction.atomic():
        events = list(
            lock_skipping(OutboxEvent.objects.all())
            .filter(_due(now))
            .exclude(handler="")
            .order_by("id")[:limit]
        )
        for event in events:
            event.attempts += 1
            try:
                _send(event.pk)
            except Exception as exc:  # noqa: BLE001 - kept on the event, tried again later
                event.last_error = repr(exc)[:2000]
                event.save(update_fields=["attempts", "last_error"])
                logger.warning("outbox: publishing %s failed: %s", event, exc)
                break
            if event.published_at is not None:
                logger.warning(
                    "outbox: %s unfinished since %s, handed out again", event, event.published_at
                )
            event.published_at = timezone.now()
            event.save(update_fields=["attempts", "published_at"])
            published += 1
    return published


def outbox_deliver(event_id: int) -> str:
    """Run one event's handler in this worker, once: ``done``, ``handed_on`` or ``skipped``.

    Skipped when the event is done, or another worker started it less than the
    redelivery timeout ago. A failing handler leaves the event unfinished (it is handed
    out again after the timeout) and the exception goes on to Celery's log."""
    from .celery import app

    now = timezone.now()
    leased = (
        OutboxEvent.objects.filter(pk=event_id, done_at__isnull=True)
        .filter(Q(started_at__isnull=True) | Q(started_at__lt=now - redeliver_after()))
        .update(started_at=now)
    )
    if not leased:
        return "skipped"
    event = OutboxEvent.objects.get(pk=event_id)
    try:
        result = app.tasks[event.handler].run(**event.payload)
    except Exception as exc:
        OutboxEvent.objects.filter(pk=event_id).update(last_error=repr(exc)[:2000])
        logger.exception("outbox: handler of %s failed; it is tried again later", event)
        raise
    if result is False:
        return "handed_on"
    OutboxEvent.objects.filter(pk=event_id, done_at__isnull=True).update(
        done_at=timezone.now(), last_error=""
    )
    return "done"
