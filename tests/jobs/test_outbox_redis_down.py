"""Nothing is lost when Redis is down at the moment a timesheet is approved.

Redis is really unreachable here: the broker URL points at a closed port, so every
connection attempt fails in the network stack; nothing is mocked.
"""

import json
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from jobs.models import Shift
from tests.conftest import api_as, broker_at
from tests.factories.jobs import ClaimFactory
from werkstation.models import OutboxEvent
from werkstation.outbox import outbox_publish_pending

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]

CLOSED_PORT = "redis://127.0.0.1:1/0"


def _queued_tasks(connection) -> list[dict]:
    messages = [json.loads(raw) for raw in connection.lrange("celery", 0, -1)]
    return [
        {
            "task": m["headers"]["task"],
            "args": json.loads(__import__("base64").b64decode(m["body"]))[0],
        }
        for m in messages
    ]


def test_event_survives_redis_outage_and_is_delivered_once_back(market):
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete("celery")
    start = timezone.now() - timedelta(days=1, hours=4)
    Shift.objects.filter(pk=market.shift.pk).update(start=start, end=start + timedelta(hours=3))
    market.shift.refresh_from_db()
    claim = ClaimFactory(shift=market.shift, user=market.member_a, confirmed=True)
    sheet = (
        api_as(market.member_a)
        .post("/api/v1/timesheets/", {"claim": claim.pk, "minutes_worked": 180})
        .data
    )

    with broker_at(CLOSED_PORT):
        response = api_as(market.client_user).post(f"/api/v1/timesheets/{sheet['id']}/approve/")
        assert response.status_code == 200  # the approval itself is not held up by the outage
        events = list(OutboxEvent.objects.filter(topic="timesheet.approved"))
        assert len(events) == 2  # one for each handler: the e-mail and the settlement
        assert all(e.published_at is None for e in events)  # the hand-out after commit failed
        assert outbox_publish_pending() == 0  # beat's retry while still down

    assert broker.llen("celery") == 0
    assert outbox_publish_pending() == 2  # Redis is back: beat publishes
    queued = _queued_tasks(broker)
    assert sorted(q["args"][0] for q in queued) == sorted(e.pk for e in events)
    assert {q["task"] for q in queued} == {"werkstation.tasks.outbox_deliver"}
    assert outbox_publish_pending() == 0  # published once; not again before the timeout
    broker.delete("celery")
