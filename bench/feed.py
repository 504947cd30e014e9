"""Benchmark: the member's feed against a reference endpoint, side by side, on gunicorn.

Sets up 5,000 open shifts and 500 members in PostgreSQL (database ``werkstation_bench``,
recreated each run); members already hold claims, so the conflict check does real work.
Then gunicorn (``werkstation/gunicorn.conf.py``: 2 sync workers by default; ``--worker-class gthread --threads N`` to
compare) serves both:

- ``/api/v1/feed/``: the real feed, 50 shifts a page (DRF, token auth, paginated);
- ``/bench/reference-feed/``: the same 50 rows fetched by id via ``.values()`` + JsonResponse.

Load: 8 keep-alive connections on loopback, members in turn, bounded in time (and in
count with the Python client). With ``wrk`` installed (Debian package ``wrk``) the load
comes from wrk, whose C client leaves the two cores to the server; otherwise from Python
threads, which take a share of the CPU themselves.
Prints throughput and p50/p99 latency of each and ends with ``feed ratio: X``
(feed throughput / reference throughput).

    python bench/feed.py [--requests 2000] [--connections 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/werkstation_bench")
PORT = 8799
SHIFTS, MEMBERS = 5000, 500


def recreate_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS werkstation_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE werkstation_bench")


def populate(rng: random.Random) -> dict[int, str]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from jobs.models import Claim, Client, ClientCooperative, Job, Shift
    from jobs.services.jobs import shift_denormalize
    from members.models import (
        AvailabilitySlot,
        Cooperative,
        Membership,
        MemberSkill,
        Profile,
        Skill,
        User,
    )
    from werkstation.geo import POSTCODES

    call_command("migrate", verbosity=0)
    coop = Cooperative.objects.create(
        name="Bench",
        slug="bench",
        legal_name="Bench U.A.",
        kvk_number="12345678",
        founded_on=timezone.localdate(),
    )
    skills = [
        Skill.objects.create(cooperative=coop, slug=s, name=s, requires_certificate=(s == "vca"))
        for s in ("groen", "vca", "energie")
    ]
    client = Client.objects.create(
        kind="business", name="Bench BV", kvk_number="87654321", billing_email="b@b.nl"
    )
    ClientCooperative.objects.create(client=client, cooperative=coop)
    points = list(POSTCODES.values())[:16]
    center = (52.0735, 5.0965)
    users = User.objects.bulk_create(
        [
            User(email=f"m{i}@bench.nl", full_name=f"Member {i}", password="!")
            for i in range(MEMBERS)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, cooperative=coop, status="active", member_number=i + 1)
            for i, u in enumerate(users)
        ]
    )
    Profile.objects.bulk_create(
        [
            Profile(
                user=u,
                latitude=Decimal(f"{center[0] + rng.uniform(-0.02, 0.02):.6f}"),
                longitude=Decimal(f"{center[1] + rng.uniform(-0.03, 0.03):.6f}"),
                travel_radius_km=Decimal(rng.choice(["3", "4", "5", "8"])),
            )
            for u in users
        ]
    )
    slots, held = [], []
    for u in users:
        for weekday in rng.sample(range(7), k=rng.randint(3, 6)):
            start = rng.choice([7, 8, 9, 12])
            slots.append(
                AvailabilitySlot(
                    user=u, weekday=weekday, start=dtime(start), end=dtime(min(start + 10, 23))
                )
            )
        for skill in rng.sample(skills, k=rng.randint(1, 3)):
            expires = (
                timezone.localdate() + timedelta(days=rng.randint(5, 60))
                if skill.requires_certificate
                else None
            )
            held.append(MemberSkill(user=u, skill=skill, certificate_expires_on=expires))
    AvailabilitySlot.objects.bulk_create(slots)
    MemberSkill.objects.bulk_create(held)
    jobs = []
    for j in range(100):
        lat, lon = points[j % len(points)]
        jobs.append(
            Job(
                cooperative=coop,
                client=client,
                title=f"Klus {j}",
                category=rng.choice(["greening", "energy", "cleaning"]),
                street=f"Straat {j}",
                postcode="3526 KL",
                latitude=Decimal(f"{lat + rng.uniform(-0.01, 0.01):.6f}"),
                longitude=Decimal(f"{lon + rng.uniform(-0.01, 0.01):.6f}"),
                client_tariff=Decimal("30"),
                status="open",
                required_skill=rng.choice([None, None, *skills]),
            )
        )
    Job.objects.bulk_create(jobs)
    tz = timezone.get_current_timezone()
    base = datetime.combine(timezone.localdate() + timedelta(days=1), dtime(0), tzinfo=tz)
    shifts = []
    for _ in range(SHIFTS):
        job = rng.choice(jobs)
        start = base + timedelta(days=rng.randint(0, 27), hours=rng.choice([8, 9, 10, 13, 14, 17]))
        shifts.append(
            shift_denormalize(
                Shift(
                    job=job,
                    start=start,
                    end=start + timedelta(hours=rng.choice([2, 3, 4])),
                    slots=rng.randint(2, 4),
                ),
                job,
            )
        )
    Shift.objects.bulk_create(shifts)
    claims, taken = [], {}
    for u in users:
        mine: list[tuple[datetime, datetime]] = []
        for shift in rng.sample(shifts, k=40):
            if len(mine) >= 8:
                break
            if taken.get(shift.pk, 0) >= shift.slots - 1:
                continue
            if any(
                shift.start < e + timedelta(hours=1) and shift.end + timedelta(hours=1) > s
                for s, e in mine
            ):
                continue
            mine.append((shift.start, shift.end))
            taken[shift.pk] = taken.get(shift.pk, 0) + 1
            claims.append(
                Claim(shift=shift, user=u, status="confirmed", start=shift.start, end=shift.end)
            )
    Claim.objects.bulk_create(claims)
    for shift_id, count in taken.items():
        Shift.objects.filter(pk=shift_id).update(filled=count)
    from members.models import ApiToken

    tokens = {u.pk: ApiToken.objects.create(user=u)[1] for u in users}
    from django.db import connection

    with connection.cursor() as cursor:  # what autovacuum would have done by now
        cursor.execute("ANALYZE")
    print(f"setup: {SHIFTS} shifts, {MEMBERS} members, {len(claims)} claims held", flush=True)
    return tokens


def reference_ids(tokens: dict[int, str]) -> dict[str, list[int]]:
    from jobs.selectors import feed_page
    from members.models import User

    users = {u.pk: u for u in User.objects.filter(pk__in=list(tokens))}
    return {str(pk): [row["id"] for row in feed_page(users[pk]).rows] for pk in tokens}


def in_process(tokens: dict[int, str]) -> None:
    """The feed page in-process, per member: the whole of ``feed_page`` (query, rows and the
    price truth of every row) against its query alone, side by side, each member in turn."""
    from django.db import connection

    from jobs.selectors import FeedFilters, feed_page, feed_query
    from members.models import User

    users = list(User.objects.filter(pk__in=list(tokens)).order_by("pk"))
    whole, query_only = [], []
    for _round in range(2):
        for user in users:
            started = time.perf_counter()
            feed_page(user)
            whole.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            sql, params = feed_query(user, FeedFilters(), limit=51, offset=0)
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                cursor.fetchall()
            query_only.append((time.perf_counter() - started) * 1000)

    def q(values, share):
        return sorted(values)[int(share * (len(values) - 1))]

    print(
        f"in-process, {len(users)} members x 2: feed_page p50 {q(whole, 0.5):.1f} ms, "
        f"p99 {q(whole, 0.99):.1f} ms; its query alone p50 {q(query_only, 0.5):.1f} ms, "
        f"p99 {q(query_only, 0.99):.1f} ms; pricing and rows "
        f"{100 * (1 - statistics.median(query_only) / statistics.median(whole)):.0f} % of the page",
        flush=True,
    )


def start_gunicorn(
    ids_file: str, workers: int, threads: int, worker_class: str
) -> subprocess.Popen:
    env = {**os.environ, "BENCH_FEED_IDS": ids_file, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "werkstation.wsgi",
            "-c",
            "werkstation/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            worker_class,
            "--log-level",
            "warning",
            "--env",
            "DJANGO_SETTINGS_MODULE=bench.settings",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    msg = "gunicorn did not start"
    raise SystemExit(msg)


def load(
    path: str, tokens: list[str], *, requests: int, connections: int, max_seconds: float
) -> dict:
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(requests))
    errors = []
    stop_at = time.monotonic() + max_seconds

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
        while time.monotonic() < stop_at:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            token = tokens[n % len(tokens)]
            t0 = time.perf_counter()
            conn.request("GET", path, headers={"Authorization": f"Token {token}"})
            response = conn.getresponse()
            body = response.read()
            elapsed = time.perf_counter() - t0
            if response.status != 200 or not json.loads(body)["results"]:
                errors.append(response.status)
            with lock:
                latencies.append(elapsed)
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "rps": len(latencies) / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


WRK_SCRIPT = """
local tokens = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "%s", {["Authorization"] = "Token " .. tokens[(counter %% #tokens) + 1]})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status + e.connect + e.read + e.write + e.timeout))
end
"""


def load_wrk(path: str, tokens: list[str], *, connections: int, seconds: float) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT % (", ".join(f'"{t}"' for t in tokens), path))
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t",
                "2",
                "-c",
                str(connections),
                "-d",
                f"{int(seconds)}s",
                "-s",
                script.name,
                f"http://127.0.0.1:{PORT}",
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 30,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(line for line in out.splitlines() if line.startswith("RESULT"))
    requests, duration_us, p50_us, p99_us, errors = (int(x) for x in line.split()[1:])
    return {
        "requests": requests,
        "errors": errors,
        "rps": requests / (duration_us / 1e6),
        "p50_ms": p50_us / 1000,
        "p99_ms": p99_us / 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--max-seconds", type=float, default=60)
    parser.add_argument("--seconds", type=float, default=10, help="per round, with wrk")
    parser.add_argument("--client", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--worker-class", default="sync")
    args = parser.parse_args()
    rng = random.Random(42)
    recreate_database()
    tokens = populate(rng)
    ids = reference_ids(tokens)
    in_process(tokens)
    non_empty = [pk for pk, page in ids.items() if len(page) >= 10]
    token_list = [tokens[int(pk)] for pk in non_empty]
    print(
        f"members with a feed of 10+ shifts: {len(token_list)}; mean page {statistics.mean(len(v) for v in ids.values()):.1f} rows",
        flush=True,
    )
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(ids, handle)
    server = start_gunicorn(handle.name, args.workers, args.threads, args.worker_class)
    print(
        f"gunicorn: {args.worker_class}, {args.workers} workers x {args.threads} threads",
        flush=True,
    )
    try:
        use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
        print(f"load client: {'wrk' if use_wrk else 'python threads'}", flush=True)
        for path in ("/api/v1/feed/", "/bench/reference-feed/"):  # warm up both, every member once
            load(
                path,
                token_list,
                requests=len(token_list),
                connections=args.connections,
                max_seconds=60,
            )
        results = {}
        # Interleave the two so machine noise hits both alike.
        for _round in range(2):
            for name, path in (("feed", "/api/v1/feed/"), ("reference", "/bench/reference-feed/")):
                if use_wrk:
                    r = load_wrk(
                        path, token_list, connections=args.connections, seconds=args.seconds
                    )
                else:
                    r = load(
                        path,
                        token_list,
                        requests=args.requests // 2,
                        connections=args.connections,
                        max_seconds=args.max_seconds,
                    )
                results.setdefault(name, []).append(r)
        summary = {}
        for name, runs in results.items():
            total = sum(r["requests"] for r in runs)
            summary[name] = {
                "requests": total,
                "errors": sum(r["errors"] for r in runs),
                "rps": statistics.mean(r["rps"] for r in runs),
                "p50_ms": statistics.mean(r["p50_ms"] for r in runs),
                "p99_ms": max(r["p99_ms"] for r in runs),
            }
            s = summary[name]
            print(
                f"{name:>9}: {s['requests']} requests, {s['errors']} errors, {s['rps']:.1f} req/s, "
                f"p50 {s['p50_ms']:.1f} ms, p99 {s['p99_ms']:.1f} ms at {args.connections} connections",
                flush=True,
            )
        print(f"feed ratio: {summary['feed']['rps'] / summary['reference']['rps']:.2f}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(10)
        os.unlink(handle.name)


if __name__ == "__main__":
    main()
