"""Every request gets an id and a bounded wait on the database.

``RequestIdMiddleware`` (outermost) gives each request an id: the caller's
``X-Request-ID`` when it is a sane token (a proxy in front may set one), a new one
otherwise. It is sent back in the ``X-Request-ID`` header, written into every log line
of the request (``RequestIdLogFilter``) and into every API error body, so a person who
reports "error abc123" can be found in the logs.

``DatabaseDeadlineMiddleware`` bounds how long one request waits for one database call.
The server's ``statement_timeout`` ends a slow query only when the server can still be
reached; when the database host or the network stalls, the client would wait for ever.
In a worker that serves one request at a time in its main thread (gunicorn's sync
workers, which is how production runs), each database call arms a timer
(``WERKSTATION_DB_WAIT_SECONDS``); when it fires, the call fails with
``DatabaseUnavailable``, the half-used connection is thrown away, and the request is
answered 503 by ``werkstation.views.server_error``. Elsewhere (threads of the
development server) the timer cannot be used and the libpq timeouts apply alone.

Once a request found the database not answering, the process answers 503 at once for
``WERKSTATION_DATABASE_DOWN_SECONDS`` (2 s) instead of making every request behind it wait its own few
seconds; the first request after that tries again, so the site recovers by itself.
``/healthz`` always probes.
"""

from __future__ import annotations

import contextvars
import logging
import re
import signal
import threading
import time
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.signals import request_finished
from django.db import OperationalError, connections
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from types import FrameType

    from django.db.backends.base.base import BaseDatabaseWrapper

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "werkstation_request_id", default=None
)
logger = logging.getLogger(__name__)

_GetResponse = Callable[[HttpRequest], HttpResponse]


_database_down_until = 0.0


def current_request_id() -> str | None:
    return _request_id.get()


def database_found_down() -> None:
    """A request found the database not answering: fail fast for a moment."""
    global _database_down_until  # noqa: PLW0603 - one moment per process, read per request
    seconds = float(getattr(settings, "WERKSTATION_DATABASE_DOWN_SECONDS", 2))
    _database_down_until = time.monotonic() + seconds


def database_known_down() -> bool:
    return time.monotonic() < _database_down_until


class RequestIdLogFilter(logging.Filter):
    """Puts ``request_id`` on every log record ("-" outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get() or "-"
        return True


class RequestIdMiddleware:
    def __init__(self, get_response: _GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = given if _SANE_ID.match(given) else uuid.uuid4().hex
        # An attribute of this project's requests, not of ``HttpRequest``.
        setattr(request, "request_id", request_id)  # noqa: B010
        # Kept until the response is finished (not only until this returns): Django logs
        # "Bad Request: …" / "Service Unavailable: …" after the middleware chain.
        _request_id.set(request_id)
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


@receiver(request_finished)
def _forget_request_id(**kwargs: Any) -> None:
    _request_id.set(None)


class RequestSizeLimitMiddleware:
    """A request announcing a body over ``WERKSTATION_MAX_REQUEST_BYTES`` is answered 413
    before anything reads it."""

    def __init__(self, get_response: _GetResponse) -> None:
        self.get_response = get_response
        self.limit = int(getattr(settings, "WERKSTATION_MAX_REQUEST_BYTES", 10 * 1024 * 1024))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.limit:
            from django.http import JsonResponse
            from django.utils.translation import gettext as _

            from .api.exception_handler import error_body

            message = _("The request is larger than %(n)s bytes.") % {"n": self.limit}
            return JsonResponse(
                error_body(code="too_large", message=message, field=None), status=413
            )
        return self.get_response(request)


class DatabaseUnavailable(OperationalError):
    """The database did not answer in time (a stalled host or network)."""


class _Expired(BaseException):
    """Raised by the timer inside a database wait; turned into DatabaseUnavailable.

    A BaseException, so that no ``except Exception`` between the socket and us (in
    psycopg or Django) can swallow it."""


def _expire(signum: int, frame: FrameType | None) -> None:
    raise _Expired


def _can_use_timer() -> bool:
    return threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")


class _DeadlineWrapper:
    """An execute wrapper: arms the timer around one database call."""

    def __init__(self, alias: str, seconds: float) -> None:
        self.alias = alias
        self.seconds = seconds

    # ``Any``: the query parameters and the result are the cursor's, passed through untouched.
    def __call__(
        self,
        execute: Callable[[str, Any, bool, dict[str, Any]], Any],
        sql: str,
        params: Any,
        many: bool,  # noqa: FBT001 - Django's execute-wrapper signature
        context: dict[str, Any],
    ) -> Any:
        previous = signal.signal(signal.SIGALRM, _expire)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        try:
            return execute(sql, params, many, context)
        except _Expired:
            connection = connections[self.alias]
            logger.error(  # noqa: TRY400 - the timeout is the news, not its traceback
                "database %s gave no answer within %.1f s; connection dropped",
                self.alias,
                self.seconds,
            )
            _discard(connection)
            msg = f"the database gave no answer within {self.seconds:.1f} s"
            raise DatabaseUnavailable(msg) from None
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _discard(connection: BaseDatabaseWrapper) -> None:
    """Forget a connection that is half-way through a call: it cannot be used again."""
    raw = connection.connection
    connection.connection = None
    connection.closed_in_transaction = connection.in_atomic_block
    connection.needs_rollback = connection.in_atomic_block
    if raw is not None:
        try:
            raw.close()
        except Exception:  # already broken: nothing more to release
            logger.debug("closing a stalled connection failed", exc_info=True)


class DatabaseDeadlineMiddleware:
    def __init__(self, get_response: _GetResponse) -> None:
        self.get_response = get_response
        self.seconds = float(getattr(settings, "WERKSTATION_DB_WAIT_SECONDS", 0) or 0)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if database_known_down() and request.path != "/healthz":
            from .views import error_response

            return error_response(request, status=503)
        if not self.seconds or not _can_use_timer():
            return self.get_response(request)
        wrappers = [
            connections[alias].execute_wrapper(_DeadlineWrapper(alias, self.seconds))
            for alias in connections
        ]
        for wrapper in wrappers:
            wrapper.__enter__()
        try:
            return self.get_response(request)
        finally:
            for wrapper in reversed(wrappers):
                wrapper.__exit__(None, None, None)
