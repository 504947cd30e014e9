"""Benchmark: plan my week with the Working Time Act check against without it, side by side.

The planner proposes only plans that keep every rule: a plan that breaks one loses its first
breaking shift and is solved again (``jobs.services.planner.plan_week``). This measures what
that costs, on two worlds in one run, each planned with the check and with it switched off
(``breaking_shifts`` answering []), alternating, so machine noise hits both alike:

- **demo**: ``seed_demo``'s cooperatives; every member with a home plans the next week;
- **busy**: one member, available 06:00–23:00 every day, 400 open shifts in the week
  (1–10 hours, early, day and late starts), who already holds payroll evenings that end at
  23:30 on three days — so the best plan breaks the daily rest and must be solved again.

Prints per world the median and worst time per plan with and without the check, the ratio,
and how many extra solves the check needed. Database ``werkstation_bench_plan`` (recreated).

    python bench/plan_week.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
os.environ["DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/werkstation_bench_plan"
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/12")
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/11")


def recreate_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS werkstation_bench_plan WITH (FORCE)")
        conn.execute("CREATE DATABASE werkstation_bench_plan")


def busy_member(rng: random.Random):
    """The busy world: one member, 400 open shifts next week, three payroll evenings."""
    from django.utils import timezone

    from jobs.models import Claim, Client, ClientCooperative, Job, Shift
    from jobs.services.jobs import shift_denormalize
    from members.models import AvailabilitySlot, Cooperative, Membership, Profile, User
    from payouts.services.rulesets import found_rule_set

    coop = Cooperative.objects.create(
        name="Druk",
        slug="druk",
        legal_name="Druk U.A.",
        kvk_number="12345679",
        founded_on=timezone.localdate() - timedelta(days=60),
    )
    found_rule_set(cooperative=coop)
    client = Client.objects.create(
        kind="business", name="Druk BV", kvk_number="87654329", billing_email="d@d.nl"
    )
    ClientCooperative.objects.create(client=client, cooperative=coop)
    user = User.objects.create(email="druk@bench.nl", full_name="Druk Lid", password="!")
    Membership.objects.create(
        user=user, cooperative=coop, status="active", member_number=1, engagement="employee"
    )
    Profile.objects.filter(user=user).update(
        latitude=Decimal("52.0735"), longitude=Decimal("5.0965"), travel_radius_km=Decimal("8")
    )
    if not Profile.objects.filter(user=user).exists():
        Profile.objects.create(
            user=user,
            latitude=Decimal("52.0735"),
            longitude=Decimal("5.0965"),
            travel_radius_km=Decimal("8"),
        )
    AvailabilitySlot.objects.bulk_create(
        [AvailabilitySlot(user=user, weekday=d, start=dtime(6), end=dtime(23)) for d in range(7)]
    )
    jobs = Job.objects.bulk_create(
        [
            Job(
                cooperative=coop,
                client=client,
                title=f"Klus {j}",
                category=rng.choice(["greening", "energy", "cleaning"]),
                street=f"Straat {j}",
                postcode="3526 KL",
                latitude=Decimal(f"{52.0735 + rng.uniform(-0.02, 0.02):.6f}"),
                longitude=Decimal(f"{5.0965 + rng.uniform(-0.03, 0.03):.6f}"),
                client_tariff=Decimal(rng.choice(["24", "30", "36", "45"])),
                status="open",
            )
            for j in range(40)
        ]
    )
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday())
    tz = timezone.get_current_timezone()
    shifts = []
    for _ in range(400):
        day = monday + timedelta(days=rng.randrange(7))
        hour = rng.choice([6, 6.5, 7, 8, 9, 12, 13, 16, 17, 18])
        start = datetime.combine(day, dtime(0), tzinfo=tz) + timedelta(hours=hour)
        hours = min(rng.choice([1, 2, 3, 4, 6, 8, 10]), 23 - hour)
        job = rng.choice(jobs)
        shifts.append(
            shift_denormalize(Shift(job=job, start=start, end=start + timedelta(hours=hours)), job)
        )
    Shift.objects.bulk_create(shifts)
    for offset in (0, 2, 4):  # Sunday, Tuesday, Thursday evenings: payroll until 23:30
        day = monday + timedelta(days=offset - 1)
        start = datetime.combine(day, dtime(15, 30), tzinfo=tz)
        evening = shift_denormalize(
            Shift(job=jobs[0], start=start, end=start + timedelta(hours=8), filled=1), jobs[0]
        )
        evening.save()
        Claim.objects.create(
            shift=evening,
            user=user,
            engagement="employee",
            status="confirmed",
            start=evening.start,
            end=evening.end,
        )
    return user, monday


def timed_plans(members, week_of, repeat: int) -> dict:
    """Each member's plan, ``repeat`` times, alternating with and without the check."""
    from jobs.services import planner
    from werkstation.errors import ApplicationError

    real = planner.breaking_shifts
    calls = {"checked": 0}

    def counting(work, shifts, engagements):
        calls["checked"] += 1
        return real(work, shifts, engagements)

    times: dict[str, list[float]] = {"with": [], "without": []}
    solves = {"with": 0, "without": 0}
    for _ in range(repeat):
        for user in members:
            for mode in ("with", "without"):
                planner.breaking_shifts = counting if mode == "with" else (lambda *a: [])
                calls["checked"] = 0
                started = time.perf_counter()
                try:
                    planner.plan_week(user=user, week_start=week_of(user))
                except ApplicationError:
                    continue  # no home or no availability: nothing to plan
                finally:
                    planner.breaking_shifts = real
                times[mode].append(time.perf_counter() - started)
                solves[mode] += max(0, calls["checked"] - 1)
    return {"times": times, "extra_solves": solves["with"]}


def report(name: str, result: dict) -> None:
    with_, without = result["times"]["with"], result["times"]["without"]
    if not with_:
        print(f"{name}: nothing to plan")
        return
    median_with, median_without = statistics.median(with_), statistics.median(without)
    print(
        f"{name}: {len(with_)} plans · with the check median {median_with * 1000:.0f} ms, "
        f"worst {max(with_) * 1000:.0f} ms · without median {median_without * 1000:.0f} ms, "
        f"worst {max(without) * 1000:.0f} ms · ratio {median_with / median_without:.2f} · "
        f"extra solves {result['extra_solves']}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from members.models import Membership, User

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    today = timezone.localdate()
    next_monday = today + timedelta(days=7 - today.weekday())
    demo = list(
        User.objects.filter(
            memberships__status=Membership.Status.ACTIVE, profile__latitude__isnull=False
        )
        .distinct()
        .select_related("profile")
    )
    report("demo", timed_plans(demo, lambda _u: next_monday, args.repeat))
    user, monday = busy_member(random.Random(7))
    report("busy", timed_plans([user], lambda _u: monday, args.repeat))


if __name__ == "__main__":
    main()
