"""A database that stalls: gunicorn answers every request with a 503 while it lasts, says
what is down at /healthz, and recovers by itself.

The database is the shared PostgreSQL seen through a throwaway TCP proxy
(``tests.faults.TcpProxy``) that the test pauses: connections are accepted, nothing
comes back, as with a hung database host or a dead network. The shared server itself
is never touched. gunicorn runs as in production (``werkstation/gunicorn.conf.py``, sync
workers, persistent connections), on the test database through the proxy.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.faults import TcpProxy, free_port, wait_for_port

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
# Longer than any answer may take during the stall: a request still waiting on the
# database when this runs out has no answer, and fails the test.
CLIENT_TIMEOUT = 15


def _get(port: int, path: str, token: str | None = None) -> tuple[int, dict, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=CLIENT_TIMEOUT)
    headers = {"Authorization": f"Token {token}"} if token else {}
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, json.loads(body or b"{}"), dict(response.getheaders())
    finally:
        connection.close()


def _gunicorn(proxy: TcpProxy, tmp_path: Path) -> tuple[subprocess.Popen, int]:
    db = settings.DATABASES["default"]
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CACHE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="werkstation.settings.production",
        SECRET_KEY="stall-test-" + "s" * 60,
        ALLOWED_HOSTS="127.0.0.1",
        FIELD_ENCRYPTION_KEY="Xq3NqGGJvKXy0y6SCLtP4p4y3yGmvx2mJ0oQm8Q0b5U=",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback, as behind a TLS proxy
        DATABASE_URL=f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}",
        DB_CONN_MAX_AGE="60",
        WERKSTATION_VAR_DIR=str(tmp_path),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_WORKERS="2",
    )
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "werkstation.wsgi",
        "-c",
        "werkstation/gunicorn.conf.py",
    ]
    log = (tmp_path / "gunicorn.log").open("w")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_for_port(port, timeout=60)
    return process, port


def test_every_request_is_answered_during_a_stall_and_the_site_recovers(market, tmp_path):
    from members.models import ApiToken

    _made, token = ApiToken.objects.create(user=market.member_a)
    proxy = TcpProxy("127.0.0.1", int(settings.DATABASES["default"]["PORT"] or 5432)).start()
    server, port = _gunicorn(proxy, tmp_path)
    try:
        for _ in range(6):  # both workers hold a database connection now
            assert _get(port, "/api/v1/feed/", token)[0] == 200
        status, health, _ = _get(port, "/healthz")
        assert status == 200
        assert health["database"] == "ok"

        proxy.pause()
        answers: list = []

        def ask(path: str, with_token: bool) -> None:
            try:
                answers.append((path, *_get(port, path, token if with_token else None)))
            except Exception as exc:  # no answer at all
                answers.append((path, repr(exc), {}, {}))

        asks = [("/api/v1/feed/", True), ("/api/v1/me/", True), ("/api/v1/claims/", True)]
        asks += [("/api/v1/timesheets/", True)]
        threads = [threading.Thread(target=ask, args=a) for a in asks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(CLIENT_TIMEOUT + 5)
        assert len(answers) == len(asks)
        for path, status, body, headers in answers:
            assert status == 503, (path, status, body)
            assert body["error"]["code"] == "service_unavailable", body
            assert body["error"]["request_id"] == headers["X-Request-ID"]
            assert headers["Retry-After"]

        status, health, _ = _get(port, "/healthz")
        assert status == 503
        assert health["status"] == "down"
        assert health["database"] == "down"
        assert health["broker"] == "ok"  # it says what is down, and only that
    finally:
        proxy.resume()

    try:
        # It recovers by itself: within a minute every worker answers again (each one
        # may still owe one fail-fast window or one broken connection when the database
        # comes back), shown by six successes in a row.
        deadline = time.monotonic() + 60
        in_a_row = 0
        while in_a_row < 6:
            assert time.monotonic() < deadline, "the site did not recover within a minute"
            in_a_row = in_a_row + 1 if _get(port, "/api/v1/feed/", token)[0] == 200 else 0
            if not in_a_row:
                time.sleep(0.5)
        assert _get(port, "/healthz")[1]["status"] in ("ok", "degraded")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        proxy.stop()
