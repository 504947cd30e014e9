"""The embedded default stack (``make run``: SQLite, kombu's SQLAlchemy broker) under
ordinary concurrent use, and its stop.

A fresh SQLite installation in a temporary directory gets the demo and thirty submitted
timesheets. ``manage.py runstack`` (what ``make run`` starts) runs the development
server, a real Celery worker and beat. Then, all at once: the client approves and
disputes hours, a member edits the profile and reads the feed, the board asks for
dispatch runs, while the worker settles, e-mails and dispatches. Every request must be
answered below 500; the worker must finish every promised effect; Ctrl-C (SIGINT) must
stop every process, cleanly.
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
from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.faults import free_port, wait_for_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "werkstation-demo"
SUBMITTED = 30
SETUP = f"""
from datetime import timedelta
from django.utils import timezone
from jobs.models import Claim, Job, Shift, Timesheet
from jobs.services.jobs import shift_denormalize
from members.models import Membership, User

client = User.objects.get(email="klant@werkstation.demo")
# The demo itself has hours waiting (a state a newcomer should see); they stay out of the count.
demo_waiting = list(Timesheet.objects.filter(status="submitted").values_list("pk", flat=True))
print("demo", ",".join(map(str, demo_waiting)))
jobs = list(Job.objects.filter(client__client_users__user=client).order_by("pk")[:3])
members = [
    m.user for m in Membership.objects.filter(cooperative=jobs[0].cooperative, status="active")
    .order_by("pk")[:{SUBMITTED}]
]
for index in range({SUBMITTED}):
    job = jobs[index % len(jobs)]
    start = (timezone.now() - timedelta(days=3, hours=index * 4)).replace(minute=0, second=0)
    shift = shift_denormalize(
        Shift(job=job, start=start, end=start + timedelta(hours=3), slots=1, filled=1), job
    )
    shift.save()
    claim = Claim.objects.create(
        shift=shift, user=members[index % len(members)], status="confirmed",
        start=shift.start, end=shift.end,
    )
    Timesheet.objects.create(claim=claim, minutes_worked=180)
print("prepared", Timesheet.objects.filter(status="submitted").exclude(pk__in=demo_waiting).count())
"""


def _env(var_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="werkstation.settings.local",
        WERKSTATION_VAR_DIR=str(var_dir),
        WERKSTATION_OUTBOX_SWEEP_SECONDS="2",
        # A dispatch run split into parts is finished by its chord; the outbox looks
        # again after this long to mark it done.
        WERKSTATION_OUTBOX_REDELIVER_SECONDS="10",
        WERKSTATION_REQUIRE_2FA="0",
        DEBUG="0",
        PYTHONUNBUFFERED="1",
    )
    return env


def _manage(env: dict, *args: str) -> str:
    command = [sys.executable, "manage.py", *args]
    result = subprocess.run(
        command, check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


class Api:
    def __init__(self, port: int, token: str | None = None) -> None:
        self.port, self.token = port, token

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Token {self.token}"
        try:
            connection.request(method, path, json.dumps(body) if body else None, headers)
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {"raw": raw[:200].decode(errors="replace")}
        return response.status, data

    def login(self, email: str, otp_token: str = "") -> Api:
        body = {"email": email, "password": PASSWORD}
        if otp_token:
            body["otp_token"] = otp_token
        status, data = self.call("POST", "/api/v1/auth/token/", body)
        assert status == 200, data
        return Api(self.port, data["token"])


def _period(today: date, days: int) -> dict:
    start = today + timedelta(days=days)
    return {
        "period_start": start.isoformat(),
        "period_end": (start + timedelta(days=1)).isoformat(),
    }


def _processes_of(var_dir: Path) -> list[int]:
    """Every process started with this installation's environment (the stack's parts)."""
    marker = f"WERKSTATION_VAR_DIR={var_dir}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def test_concurrent_use_while_the_worker_writes_and_a_clean_stop(tmp_path):
    env = _env(tmp_path)
    _manage(env, "migrate", "--noinput", "-v0")
    _manage(env, "seed_demo")
    prepared = _manage(env, "shell", "-c", SETUP)
    assert f"prepared {SUBMITTED}" in prepared
    demo_line = next(line for line in prepared.splitlines() if line.startswith("demo"))
    demo_waiting = {int(pk) for pk in demo_line.split()[1:] for pk in pk.split(",") if pk}

    port = free_port()
    log = (tmp_path / "stack.log").open("w")
    command = [sys.executable, "manage.py", "runstack", "--noreload", "--port", str(port)]
    stack = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(port, timeout=60)
        anonymous = Api(port)
        client = anonymous.login("klant@werkstation.demo")
        member = anonymous.login("lid@werkstation.demo")
        # The board signs in with the code of its demo authenticator, as a newcomer would.
        code = _manage(env, "demo_code", "bestuur@werkstation.demo").strip()
        board = anonymous.login("bestuur@werkstation.demo", otp_token=code)
        _, sheets = client.call("GET", "/api/v1/timesheets/?page_size=200")
        submitted = [
            t["id"]
            for t in sheets["results"]
            if t["status"] == "submitted" and t["id"] not in demo_waiting
        ]
        assert len(submitted) == SUBMITTED

        answers: list[tuple[str, int, dict]] = []
        lock = threading.Lock()

        def run(name, calls):
            for method, path, body in calls:
                status, data = calls_api[name].call(method, path, body)
                with lock:
                    answers.append((f"{method} {path}", status, data))

        calls_api = {"client-a": client, "client-b": client, "member": member, "board": board}
        decide = [
            ("POST", f"/api/v1/timesheets/{sheet}/approve/", None)
            if i % 2 == 0
            else ("POST", f"/api/v1/timesheets/{sheet}/dispute/", {"reason": "Klopt niet"})
            for i, sheet in enumerate(submitted)
        ]
        profile = [
            ("PATCH", "/api/v1/me/profile/", {"phone": f"06123456{i:02d}"}) for i in range(20)
        ]
        reads = [("GET", "/api/v1/feed/", None)] * 20
        today = date.today()
        dispatch = [
            ("POST", "/api/v1/cooperatives/kanaleneiland/dispatch/", _period(today, days))
            for days in (1, 3, 5)
        ]
        plan = {
            "client-a": decide[0::2],
            "client-b": decide[1::2],
            "member": [c for pair in zip(profile, reads, strict=True) for c in pair],
            "board": dispatch,
        }
        threads = [threading.Thread(target=run, args=(n, c)) for n, c in plan.items()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(300)
        failures = [(what, status, data) for what, status, data in answers if status >= 500]
        assert failures == []
        assert len(answers) == sum(len(c) for c in plan.values())
        assert all(status < 300 for _what, status, _data in answers), [
            a for a in answers if a[1] >= 300
        ]

        # The worker finishes every promised effect (settlement, e-mails, dispatch runs),
        # while the site goes on answering.
        deadline = time.monotonic() + 300
        while True:
            status, health = anonymous.call("GET", "/healthz")
            assert status == 200, health
            if (
                health["outbox"]["unfinished"] == 0
                and health["outbox"]["oldest_age_seconds"] is None
            ):
                break
            assert time.monotonic() < deadline, health
            assert member.call("GET", "/api/v1/feed/")[0] == 200
            time.sleep(1)
    finally:
        stack.send_signal(signal.SIGINT)  # Ctrl-C
        try:
            stack.wait(60)
        finally:
            log.close()
            for pid in _processes_of(tmp_path):
                os.kill(pid, signal.SIGKILL)
    output = (tmp_path / "stack.log").read_text()
    assert stack.returncode == 0, output[-3000:]
    assert "Stopped." in output
    assert _processes_of(tmp_path) == []  # no worker, beat or server left behind
    for trouble in ("Segmentation fault", "database is locked", "Traceback"):
        at = output.find(trouble)
        assert at == -1, output[max(0, at - 1500) : at + 2500]
