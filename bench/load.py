"""Load run: claims, the feed and timesheets at 32 concurrent clients against gunicorn.

Sets up the feed benchmark's installation (``bench/feed.py``: 5,000 open shifts, 500
members who already hold claims) in its own PostgreSQL database ``werkstation_load``
(recreated each run), plus past confirmed shifts for the members to log hours on and a
client user who approves them. Then gunicorn (``werkstation/gunicorn.conf.py``, sync
workers, persistent database connections, Redis as broker and cache) serves 32 client
threads, each a member, for a fixed time. Each client, in a loop:

- reads its feed (``GET /api/v1/feed/``), six times in ten;
- claims a shift from its feed and withdraws the claim again (two requests), three times
  in ten;
- logs hours on one of its past shifts, which the client user then approves (two
  requests), once in ten.

A 409 (the shift filled meanwhile, an overlap) is an answer, not an error; an error is
a 5xx, a refused connection or a timeout. Prints, per kind and in total: requests,
errors, throughput, p50 and p99.

    python bench/load.py [--clients 32] [--seconds 60] [--workers 2]

No worker runs: approvals leave their outbox tasks queued in Redis (the ``celery`` list
of database 14), which the next run deletes at its start.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATABASE = "werkstation_load"
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
PORT = 8797
PAST_SHIFTS_PER_MEMBER = 12


def recreate_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")


def populate_past_work(tokens: dict[int, str], rng: random.Random) -> tuple[dict, str]:
    """Past confirmed shifts for every member (to log hours on) and a client user's token."""
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from jobs.models import Claim, Client, ClientUser, Job, Shift
    from jobs.services.jobs import shift_denormalize
    from members.models import User
    from payouts.services.rulesets import found_rule_set

    client = Client.objects.get()
    job = Job.objects.filter(client=client).order_by("pk").first()
    found_rule_set(cooperative=job.cooperative)
    approver = User.objects.create(email="klant@bench.nl", full_name="Klant", password="!")
    ClientUser.objects.create(client=client, user=approver, role="admin")
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    shifts, owners = [], []
    for user_id in tokens:
        for index in range(PAST_SHIFTS_PER_MEMBER):
            start = now - timedelta(days=30 + index, hours=rng.randint(0, 3))
            shift = shift_denormalize(
                Shift(job=job, start=start, end=start + timedelta(hours=3), slots=1, filled=1), job
            )
            shifts.append(shift)
            owners.append(user_id)
    Shift.objects.bulk_create(shifts)
    claims = Claim.objects.bulk_create(
        Claim(shift=s, user_id=u, status="confirmed", start=s.start, end=s.end)
        for s, u in zip(shifts, owners, strict=True)
    )
    past: dict[int, list[int]] = defaultdict(list)
    for claim in claims:
        past[claim.user_id].append(claim.pk)
    return past, Token.objects.create(user=approver).key


class Client:
    def __init__(self, token: str) -> None:
        self.token = token
        self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        headers = {"Authorization": f"Token {self.token}", "Content-Type": "application/json"}
        try:
            self.connection.request(method, path, json.dumps(body) if body else None, headers)
            response = self.connection.getresponse()
            raw = response.read()
        except OSError:
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            return 599, {}
        return response.status, (json.loads(raw) if raw else {})


def run_load(tokens: list[str], past: dict, approver_token: str, *, clients: int, seconds: float):
    results: dict[str, list[tuple[float, int]]] = defaultdict(list)
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    first_refusal: dict[str, str] = {}

    def record(kind: str, started: float, status: int, body: dict | None = None) -> None:
        with lock:
            results[kind].append((time.perf_counter() - started, status))
            if status >= 400 and kind not in first_refusal:
                first_refusal[kind] = f"{status} {json.dumps(body)[:200]}"

    def member_loop(index: int) -> None:
        rng = random.Random(index)
        member = Client(tokens[index % len(tokens)][1])
        approver = Client(approver_token)
        to_log = past[tokens[index % len(tokens)][0]]  # shared by the runs: each once
        while time.monotonic() < stop_at:
            roll = rng.random()
            if roll < 0.6 or (roll >= 0.9 and not to_log):
                started = time.perf_counter()
                status, page = member.call("GET", "/api/v1/feed/")
                record("feed", started, status)
            elif roll < 0.9:
                started = time.perf_counter()
                status, page = member.call("GET", "/api/v1/feed/")
                record("feed", started, status)
                rows = page.get("results") or []
                if not rows:
                    continue
                started = time.perf_counter()
                status, claim = member.call(
                    "POST", "/api/v1/claims/", {"shift": rng.choice(rows)["id"]}
                )
                record("claims", started, status, claim)
                if status == 201:
                    started = time.perf_counter()
                    status, _ = member.call("POST", f"/api/v1/claims/{claim['id']}/withdraw/")
                    record("claims", started, status)
            else:
                claim_id = to_log.pop()
                started = time.perf_counter()
                body = {"claim": claim_id, "minutes_worked": 180, "break_minutes": 15}
                status, sheet = member.call("POST", "/api/v1/timesheets/", body)
                record("timesheets", started, status, sheet)
                if status == 201:
                    started = time.perf_counter()
                    status, _ = approver.call("POST", f"/api/v1/timesheets/{sheet['id']}/approve/")
                    record("timesheets", started, status)

    threads = [threading.Thread(target=member_loop, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for kind, refusal in first_refusal.items():
        print(f"first refusal of {kind}: {refusal}", flush=True)
    return results, time.perf_counter() - started


def summarise(name: str, samples: list[tuple[float, int]], wall: float) -> str:
    latencies = sorted(s[0] for s in samples)
    errors = sum(1 for _, status in samples if status >= 500)
    refused = sum(1 for _, status in samples if 400 <= status < 500)
    p99 = latencies[max(0, int(len(latencies) * 0.99) - 1)]
    return (
        f"{name:>10}: {len(samples):6d} requests, {len(samples) / wall:6.1f} req/s, "
        f"p50 {statistics.median(latencies) * 1000:6.1f} ms, p99 {p99 * 1000:7.1f} ms, "
        f"errors {errors}, 4xx {refused}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    import redis

    from bench import feed

    # The approvals of an earlier run left their outbox tasks queued; no worker takes them.
    redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14")).delete("celery")
    rng = random.Random(42)
    recreate_database()
    tokens = feed.populate(rng)
    past, approver = populate_past_work(tokens, rng)
    members = list(tokens.items())
    rng.shuffle(members)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DB_CONN_MAX_AGE": "60"}
    env["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "werkstation.wsgi",
        "-c",
        "werkstation/gunicorn.conf.py",
    ]
    command += [
        "--bind",
        f"127.0.0.1:{PORT}",
        "--workers",
        str(args.workers),
        "--log-level",
        "warning",
    ]
    command += ["--env", "DJANGO_SETTINGS_MODULE=bench.settings"]
    server = subprocess.Popen(command, cwd=ROOT, env=env)
    try:
        deadline = time.monotonic() + 30
        while Client(approver).call("GET", "/healthz")[0] != 200:
            if time.monotonic() > deadline:
                msg = "gunicorn did not start"
                raise SystemExit(msg)
            time.sleep(0.3)
        print(
            f"gunicorn: sync, {args.workers} workers; {args.clients} clients for {args.seconds:.0f} s",
            flush=True,
        )
        run_load(members, past, approver, clients=args.clients, seconds=5)  # warm up
        results, wall = run_load(
            members, past, approver, clients=args.clients, seconds=args.seconds
        )
        everything = [s for samples in results.values() for s in samples]
        for name in ("feed", "claims", "timesheets"):
            print(summarise(name, results[name], wall))
        print(summarise("total", everything, wall))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)


if __name__ == "__main__":
    main()
