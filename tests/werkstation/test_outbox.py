"""The outbox: an event is done when its handler finished, and handed out again if not."""

from datetime import timedelta

import pytest
from celery import shared_task
from django.utils import timezone

from werkstation.models import OutboxEvent
from werkstation.outbox import outbox_deliver, outbox_emit, outbox_publish_pending, outbox_register

pytestmark = pytest.mark.django_db

CALLS: list[dict] = []


@shared_task(name="tests.outbox.record")
def record(**payload):
    CALLS.append(payload)
    if payload.get("fail"):
        raise RuntimeError("the handler failed")
    return False if payload.get("handed_on") else None


outbox_register("test.recorded", "tests.outbox.record")


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()
    yield
    CALLS.clear()


def _emit(**payload) -> OutboxEvent:
    (event,) = outbox_emit(topic="test.recorded", payload=payload)
    return event


def test_an_event_is_done_only_when_its_handler_has_run():
    event = _emit(n=1)
    event.refresh_from_db()
    assert event.published_at is not None
    assert event.done_at is None
    assert outbox_deliver(event.pk) == "done"
    event.refresh_from_db()
    assert event.done_at is not None
    assert CALLS == [{"n": 1}]
    assert outbox_deliver(event.pk) == "skipped"  # a second delivery has no effect
    assert CALLS == [{"n": 1}]


def test_a_delivery_that_is_running_is_not_started_twice():
    event = _emit(n=2)
    OutboxEvent.objects.filter(pk=event.pk).update(started_at=timezone.now())
    assert outbox_deliver(event.pk) == "skipped"
    assert CALLS == []


def test_a_lost_task_is_handed_out_again_after_the_timeout(settings):
    settings.WERKSTATION_OUTBOX_REDELIVER_SECONDS = 60
    event = _emit(n=3)
    assert outbox_publish_pending() == 0  # handed out at commit; not yet due
    OutboxEvent.objects.filter(pk=event.pk).update(
        published_at=timezone.now() - timedelta(seconds=61)
    )
    assert outbox_publish_pending() == 1  # the broker lost it: out again
    assert outbox_publish_pending() == 0


def test_a_worker_that_died_in_the_handler_is_replaced_after_the_timeout(settings):
    settings.WERKSTATION_OUTBOX_REDELIVER_SECONDS = 60
    event = _emit(n=4)
    long_ago = timezone.now() - timedelta(seconds=61)
    OutboxEvent.objects.filter(pk=event.pk).update(
        published_at=long_ago, started_at=timezone.now() - timedelta(seconds=30)
    )
    assert outbox_publish_pending() == 0  # still within its lease
    OutboxEvent.objects.filter(pk=event.pk).update(started_at=long_ago)
    assert outbox_publish_pending() == 1
    assert outbox_deliver(event.pk) == "done"
    assert CALLS == [{"n": 4}]


def test_a_failing_handler_leaves_the_event_unfinished_with_its_error():
    event = _emit(fail=True)
    with pytest.raises(RuntimeError):
        outbox_deliver(event.pk)
    event.refresh_from_db()
    assert event.done_at is None
    assert "the handler failed" in event.last_error


def test_a_handler_that_handed_its_work_on_is_asked_again_later():
    event = _emit(handed_on=True)
    assert outbox_deliver(event.pk) == "handed_on"
    event.refresh_from_db()
    assert event.done_at is None
    assert event.started_at is not None


def test_a_topic_without_handler_is_a_programming_error():
    with pytest.raises(LookupError):
        outbox_emit(topic="test.nobody-listens", payload={})
