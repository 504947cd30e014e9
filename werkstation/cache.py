"""A Redis cache that degrades instead of failing.

The cache only makes reads cheaper; nothing is lost without it. So ``ResilientRedisCache``
(Django's ``RedisCache`` underneath) never lets a Redis error reach a request:

- a read that fails is a miss (the caller computes the value from the database);
- a write or a delete that fails is logged and dropped;
- after a failure the cache stays away from Redis for ``RETRY_AFTER_SECONDS`` (a small
  circuit breaker, per process), so a request does not wait on a dead server's connect
  timeout every time;
- a process that could not delete or write something cannot know what it left stale
  (a member's changed profile may still be cached), so the first time it reaches Redis
  again it empties the cache before using it.

It lives on its own Redis location (``CACHE_URL``; by default the broker's server, one
database up), so the cache's memory, evictions and flushes never touch the broker's
queues.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

if TYPE_CHECKING:
    from collections.abc import Iterable

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

RETRY_AFTER_SECONDS = 5.0
_MISSING = object()


class _Breaker:
    """Per process and location: is Redis to be left alone for now, and is it dirty?"""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.open_until = 0.0
        self.dirty = False


_BREAKERS: dict[str, _Breaker] = {}
_BREAKERS_LOCK = threading.Lock()


def _breaker(location: str) -> _Breaker:
    with _BREAKERS_LOCK:
        return _BREAKERS.setdefault(location, _Breaker())


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        options = params.setdefault("OPTIONS", {})
        # Short socket timeouts: a cache that takes longer than this is slower than the
        # database it saves us from.
        options.setdefault("socket_connect_timeout", 0.25)
        options.setdefault("socket_timeout", 0.5)
        options.setdefault("retry_on_timeout", False)
        super().__init__(server, params)
        self._breaker = _breaker(str(server))

    def _call(self, name: str, *args: Any, default: _T, write: bool = False, **kwargs: Any) -> _T:
        """``RedisCache.<name>(*args, **kwargs)``, or ``default`` (of the type that method
        returns) when Redis is left alone or fails."""
        breaker = self._breaker
        if breaker.open_until > time.monotonic():
            if write:
                breaker.dirty = True
            return default
        try:
            if breaker.dirty:
                with breaker.lock:
                    if breaker.dirty:
                        super().clear()
                        breaker.dirty = False
                        logger.warning("cache: back after an outage, emptied (it may be stale)")
            return cast("_T", getattr(super(), name)(*args, **kwargs))
        except Exception as exc:  # noqa: BLE001 - any cache failure degrades to no cache
            with breaker.lock:
                first = breaker.open_until <= time.monotonic()
                breaker.open_until = time.monotonic() + RETRY_AFTER_SECONDS
                breaker.dirty = breaker.dirty or write
            if first:
                logger.warning(
                    "cache: %s failed (%s); serving without cache for a while", name, exc
                )
            return default

    def ping(self, *, timeout: float = 1.0) -> None:
        """For /healthz: raises when Redis does not answer (on a connection of its own, so
        the cache's own timeouts stay as they are)."""
        import redis

        # ``RedisCache.__init__`` sets ``_servers``; the stubs leave it out.
        server: str = self._servers[0]  # type: ignore[attr-defined]
        client = redis.Redis.from_url(
            server, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        try:
            client.ping()
        finally:
            client.close()

    # Keys and values are whatever callers cache (``Any``, as in ``BaseCache``).
    def add(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> bool:
        return self._call("add", key, value, timeout, version, default=False, write=True)

    def get(self, key: Any, default: Any | None = None, version: int | None = None) -> Any:
        return self._call("get", key, default, version, default=default)

    def set(
        self,
        key: Any,
        value: Any,
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> None:
        return self._call("set", key, value, timeout, version, default=None, write=True)

    def touch(
        self, key: Any, timeout: float | None = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._call("touch", key, timeout, version, default=False, write=True)

    def delete(self, key: Any, version: int | None = None) -> bool:
        return self._call("delete", key, version, default=False, write=True)

    def get_many(self, keys: Iterable[Any], version: int | None = None) -> dict[Any, Any]:
        return self._call("get_many", keys, version, default={})

    def has_key(self, key: Any, version: int | None = None) -> bool:
        return self._call("has_key", key, version, default=False)

    def incr(self, key: Any, delta: int = 1, version: int | None = None) -> int:
        result = self._call("incr", key, delta, version, default=_MISSING, write=True)
        if result is _MISSING:
            msg = f"Key '{key}' not found (the cache is unavailable)"
            raise ValueError(msg)
        return cast("int", result)

    def set_many(
        self,
        data: dict[Any, Any],
        timeout: float | None = DEFAULT_TIMEOUT,
        version: int | None = None,
    ) -> list[Any]:
        return self._call("set_many", data, timeout, version, default=list(data), write=True)

    def delete_many(self, keys: Iterable[Any], version: int | None = None) -> None:
        return self._call("delete_many", keys, version, default=None, write=True)

    # ``RedisCache.clear`` returns the client's ``bool``; the stubs give it ``BaseCache``'s ``None``.
    def clear(self) -> bool:  # type: ignore[override]
        return self._call("clear", write=True, default=False)
