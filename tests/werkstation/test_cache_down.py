"""The cache degrades: with its Redis down or stalled, the feed is served from the
database and profile edits succeed; once it is back, nothing stale is served.

The cache is a real Redis of the test's own (``tests.faults.PrivateRedis``) behind a
pausable TCP proxy; the shared Redis is never touched.
"""

import pytest
from django.core.cache import cache
from django.test import override_settings

from members.selectors import work_context_key
from tests.conftest import api_as
from tests.faults import PrivateRedis, TcpProxy
from werkstation import cache as resilient

pytestmark = [pytest.mark.redis, pytest.mark.django_db]

FAR_AWAY = {"latitude": "53.219000", "longitude": "6.566000"}  # Groningen


@pytest.fixture
def cache_redis(monkeypatch):
    monkeypatch.setattr(resilient, "RETRY_AFTER_SECONDS", 0.2)
    server = PrivateRedis().start()
    proxy = TcpProxy("127.0.0.1", server.port).start()
    location = f"redis://127.0.0.1:{proxy.port}/0"
    caches = {"default": {"BACKEND": "werkstation.cache.ResilientRedisCache", "LOCATION": location}}
    with override_settings(CACHES=caches):
        yield server, proxy
    proxy.stop()
    server.stop()


def _feed_ids(member) -> list[int]:
    response = api_as(member).get("/api/v1/feed/")
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.data["results"]]


def test_feed_and_profile_edits_work_while_the_cache_is_down(market, cache_redis):
    server, _proxy = cache_redis
    assert _feed_ids(market.member_a) == [market.shift.pk]  # the work context is now cached
    assert cache.get(work_context_key(market.member_a.pk)) is not None

    server.kill()
    assert _feed_ids(market.member_a) == [market.shift.pk]  # from the database
    response = api_as(market.member_a).patch("/api/v1/me/profile/", FAR_AWAY)
    assert response.status_code == 200, response.content
    assert _feed_ids(market.member_a) == []  # the new home counts at once


def test_a_cache_that_missed_an_invalidation_is_emptied_when_it_is_back(market, cache_redis):
    import time

    _server, proxy = cache_redis
    assert _feed_ids(market.member_a) == [market.shift.pk]
    proxy.pause()  # the network to the cache stalls; Redis keeps the old context
    response = api_as(market.member_a).patch("/api/v1/me/profile/", FAR_AWAY)
    assert response.status_code == 200, response.content
    assert _feed_ids(market.member_a) == []
    proxy.resume()
    time.sleep(0.3)  # past the breaker's pause
    assert _feed_ids(market.member_a) == []  # not the stale context from before the edit


def test_healthz_says_the_cache_is_down_and_the_site_serves(market, cache_redis, client):
    server, _proxy = cache_redis
    assert client.get("/healthz").json()["cache"] == "ok"
    server.kill()
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["cache"] == "down"
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
