"""Health, and the answer to a request that failed on the server.

``/healthz`` answers within two seconds whatever is down: each service is probed on its
own connection with a short timeout, all at once. It says which service is down and how
old the oldest unfinished outbox event is (work that is stuck shows there first). The
status code is 503 only when the database is down, because without it nothing works;
with the broker or the cache down the site still serves (degraded) and no promised
work is lost, so a load balancer must keep sending traffic.

``server_error`` is the project's ``handler500``: every unhandled exception ends here.
A database that does not answer (a stall, a timeout, a lost connection) is a 503 with
``Retry-After``; anything else a 500. API clients get the JSON error shape of
``werkstation.api.exception_handler`` with the request id; people get a small page that
shows the same id.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import sys
import time
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .api.exception_handler import error_body
from .celery import app
from .middleware import current_request_id, database_found_down

if TYPE_CHECKING:
    from dj_database_url import DBConfig

logger = logging.getLogger(__name__)

HEALTH_BUDGET_SECONDS = 1.5
PROBE_TIMEOUT_SECONDS = 1.0
# Older than this, an unfinished outbox event means work is stuck (the sweep runs every
# 30 s and a handler is redelivered after OUTBOX_REDELIVER_AFTER).
STUCK_AFTER_SECONDS = 600
_OUTBOX_SQL = "SELECT count(*), min(created_at) FROM werkstation_outboxevent WHERE done_at IS NULL"


def _database_probe() -> dict[str, int | None]:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        with sqlite3.connect(db["NAME"], timeout=PROBE_TIMEOUT_SECONDS) as conn:
            count, oldest = conn.execute(_OUTBOX_SQL).fetchone()
        oldest_age = _age_seconds_sqlite(oldest)
    else:
        count, oldest_age = asyncio.run(_postgres_probe(db))
    return {"unfinished": count, "oldest_age_seconds": oldest_age}


def _age_seconds_sqlite(oldest: str | None) -> int | None:
    if oldest is None:
        return None
    from datetime import UTC, datetime

    moment = datetime.fromisoformat(oldest)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0, int((datetime.now(UTC) - moment).total_seconds()))


async def _postgres_probe(db: DBConfig) -> tuple[int, int | None]:
    import psycopg

    params: dict[str, str | int | None] = {
        "dbname": db.get("NAME") or "postgres",
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "connect_timeout": 2,
    }

    async def probe() -> tuple[int, int | None]:
        # ``Any``: mypy matches a ``**dict`` against every keyword parameter of ``connect``
        # (``context``, ``row_factory``, ...), not only the connection parameters.
        given: dict[str, Any] = {k: v for k, v in params.items() if v is not None}
        conn = await psycopg.AsyncConnection.connect(**given, autocommit=True)
        try:
            cursor = await conn.execute(
                "SELECT count(*), extract(epoch FROM now() - min(created_at))::int"
                " FROM werkstation_outboxevent WHERE done_at IS NULL"
            )
            row = await cursor.fetchone()
            assert row is not None  # an aggregate without GROUP BY gives one row
            count, age = row
            return count, age
        finally:
            await conn.close()

    return await asyncio.wait_for(probe(), PROBE_TIMEOUT_SECONDS)


def _broker_probe() -> None:
    url = str(app.conf.broker_url or "")
    if url.startswith(("redis://", "rediss://")):
        import redis

        client = redis.Redis.from_url(
            url, socket_connect_timeout=PROBE_TIMEOUT_SECONDS, socket_timeout=PROBE_TIMEOUT_SECONDS
        )
        try:
            client.ping()
        finally:
            client.close()
    elif url.startswith("sqla+sqlite:///"):
        path = Path(url.removeprefix("sqla+sqlite:///"))
        with sqlite3.connect(path, timeout=PROBE_TIMEOUT_SECONDS) as conn:
            conn.execute("SELECT 1").fetchone()
    elif not url.startswith("memory://"):
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=PROBE_TIMEOUT_SECONDS)


def _cache_probe() -> None:
    from django.core.cache import cache

    ping = getattr(cache, "ping", None)
    if ping is not None:
        ping(timeout=PROBE_TIMEOUT_SECONDS)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    started = time.monotonic()
    probes = {"database": _database_probe, "broker": _broker_probe, "cache": _cache_probe}
    pool = ThreadPoolExecutor(max_workers=len(probes), thread_name_prefix="healthz")
    futures = {name: pool.submit(probe) for name, probe in probes.items()}
    wait(futures.values(), timeout=HEALTH_BUDGET_SECONDS)
    pool.shutdown(wait=False, cancel_futures=True)
    body: dict[str, object] = {}
    outbox: dict[str, int | None] | None = None
    for name, future in futures.items():
        if not future.done():
            body[name] = "down"
            logger.warning("healthz: %s gave no answer in time", name)
        elif future.exception() is not None:
            body[name] = "down"
            logger.warning("healthz: %s is down: %r", name, future.exception())
        else:
            body[name] = "ok"
            if name == "database":
                outbox = future.result()
    stuck = outbox is not None and (outbox["oldest_age_seconds"] or 0) > STUCK_AFTER_SECONDS
    if outbox is not None:
        body["outbox"] = {**outbox, "stuck": stuck}
    down = [name for name in probes if body[name] == "down"]
    body["status"] = "down" if "database" in down else ("degraded" if down or stuck else "ok")
    body["checked_in_ms"] = int((time.monotonic() - started) * 1000)
    return JsonResponse(body, status=503 if "database" in down else 200)


def database_unavailable(exc: BaseException | None) -> bool:
    """Is this the database not answering (rather than a bug)? A lost or refused
    connection, a timeout on either side, a lock that could not be had: Django raises
    them all as OperationalError (``DatabaseUnavailable`` included) or InterfaceError."""
    return isinstance(exc, OperationalError | InterfaceError)


def _wants_html(request: HttpRequest) -> bool:
    return not request.path.startswith("/api/") and "text/html" in request.headers.get("Accept", "")


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """``handler404``: an API path that matches no URL gets the API's error shape."""
    if request.path.startswith("/api/"):
        from rest_framework.exceptions import NotFound

        return JsonResponse(
            error_body(code="not_found", message=str(NotFound.default_detail), field=None),
            status=404,
        )
    from django.views.defaults import page_not_found as page

    return page(request, exception)


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """``handler500``: called by Django inside the ``except`` of the failed request."""
    exc = sys.exc_info()[1]
    if database_unavailable(exc):
        # A stalled connection was dropped already (middleware); one the server broke is
        # closed by Django when the request finishes (close_old_connections).
        database_found_down()
        return error_response(request, status=503)
    return error_response(request, status=500)


def error_response(request: HttpRequest, *, status: int) -> HttpResponse:
    """The answer to a request that failed on our side: 503 (try again) or 500."""
    request_id = current_request_id() or getattr(request, "request_id", None)
    if status == 503:
        code = "service_unavailable"
        message = _("The service is temporarily unavailable. Please try again in a moment.")
    else:
        code = "server_error"
        message = _("Something went wrong on our side. The error has been logged.")
    if _wants_html(request):
        html = render_to_string(
            "error.html", {"status": status, "message": message, "request_id": request_id}
        )
        response = HttpResponse(html, status=status)
    else:
        response = JsonResponse(error_body(code=code, message=message, field=None), status=status)
    if status == 503:
        response["Retry-After"] = "5"
    return response


def web_manifest(request: HttpRequest) -> JsonResponse:
    """The web app manifest: members can put Werkstation on their phone's home screen."""
    icons = [
        {"src": static("icons/favicon.svg"), "type": "image/svg+xml", "sizes": "any"},
        {"src": static("icons/icon-192.png"), "type": "image/png", "sizes": "192x192"},
        {"src": static("icons/icon-512.png"), "type": "image/png", "sizes": "512x512"},
    ]
    manifest = {
        "name": "Werkstation",
        "short_name": "Werkstation",
        "description": _("Werkstation — a work cooperative for and by the neighbourhood."),
        "lang": get_language() or "nl",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": "#0b6e4f",
        "background_color": "#f7f7f4",
        "icons": icons,
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "public, max-age=86400"
    return response
