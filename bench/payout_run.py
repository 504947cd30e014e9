"""Benchmark: the money path on 100,000 approved timesheets, against COPY of the same rows.

Sets up a throwaway PostgreSQL database (``werkstation_payout_bench``, or the name in
``PAYOUT_BENCH_DB`` so that two checkouts can run it at once): one cooperative with
its founding rule set, 1,000 members, 100,000 approved timesheets. Then, timed, the code the
platform runs (no special path):

1. the settlement run (splits + ledger transactions and legs), looped until nothing is left;
2. one invoice for the period and its payment (member shares earned → payable, a ledger
   transaction per line);
3. a payout batch (one item per member).

In the same run it COPYs the identical rows (splits, ledger transactions, entries, invoice
lines, payout items) back into the same tables, emptied (same indexes, constraints, foreign
keys and triggers), and times that. A rerun must insert
nothing and take at most 0.3 of the first; the ledger invariants are checked after both.

    python bench/payout_run.py [--timesheets 100000] [--members 1000]

The last line reads ``payout run ratio: X`` = COPY time / our time (1.0 would be as fast
as loading the finished rows with COPY).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
BENCH_DB = os.environ.get("PAYOUT_BENCH_DB", "werkstation_payout_bench")
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}"
TABLES = [
    "payouts_split",
    "payouts_transaction",
    "payouts_entry",
    "payouts_invoiceline",
    "payouts_payoutitem",
]


def recreate_database() -> None:
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def populate(timesheets: int, members: int):
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from jobs.models import Claim, Client, ClientCooperative, Job, Shift, Timesheet
    from jobs.services.jobs import shift_denormalize
    from members.models import Cooperative, Membership, Profile, User
    from payouts.services.rulesets import found_rule_set

    call_command("migrate", verbosity=0)
    cooperative = Cooperative.objects.create(
        name="Bench",
        slug="bench",
        legal_name="Bench U.A.",
        kvk_number="12345678",
        iban="NL91ABNA0417164300",
        bic="ABNANL2A",
        founded_on=timezone.localdate() - timedelta(days=400),
    )
    found_rule_set(cooperative=cooperative)
    treasurer = User.objects.create(email="t@bench.nl", full_name="Treasurer", password="!")
    Membership.objects.create(
        user=treasurer,
        cooperative=cooperative,
        status="active",
        member_number=1,
        is_treasurer=True,
        is_board=True,
    )
    client = Client.objects.create(
        kind="business", name="Bench BV", kvk_number="87654321", billing_email="b@b.nl"
    )
    ClientCooperative.objects.create(client=client, cooperative=cooperative)
    users = User.objects.bulk_create(
        [
            User(email=f"m{i}@bench.nl", full_name=f"Member {i}", password="!")
            for i in range(members)
        ]
    )
    Membership.objects.bulk_create(
        [
            Membership(user=u, cooperative=cooperative, status="active", member_number=i + 2)
            for i, u in enumerate(users)
        ]
    )
    Profile.objects.bulk_create(
        [Profile(user=u, iban="NL20INGB0001234567", account_holder=u.full_name) for u in users]
    )
    job = Job.objects.create(
        cooperative=cooperative,
        client=client,
        title="Groen",
        category="greening",
        street="Straat 1",
        postcode="3526 KL",
        latitude=Decimal("52.07"),
        longitude=Decimal("5.09"),
        client_tariff=Decimal("32.00"),
        status="completed",
    )
    start = datetime.combine(
        timezone.localdate() - timedelta(days=40),
        datetime.min.time(),
        tzinfo=timezone.get_current_timezone(),
    )
    per_shift = members
    shift_count = (timesheets + per_shift - 1) // per_shift
    shifts = Shift.objects.bulk_create(
        [
            shift_denormalize(
                Shift(
                    job=job,
                    start=start + timedelta(hours=3 * i),
                    end=start + timedelta(hours=3 * i + 2),
                    slots=per_shift,
                    filled=per_shift,
                ),
                job,
            )
            for i in range(shift_count)
        ]
    )
    claims = Claim.objects.bulk_create(
        [
            Claim(shift=s, user=u, status="completed", start=s.start, end=s.end)
            for s in shifts
            for u in users
        ][:timesheets],
        batch_size=5000,
    )
    now = timezone.now()
    Timesheet.objects.bulk_create(
        [
            Timesheet(
                claim=c,
                minutes_worked=120,
                break_minutes=(c.pk % 3) * 5,
                status="approved",
                decided_at=now,
            )
            for c in claims
        ],
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        # As autovacuum would soon after a bulk load: statistics, visibility map and hint
        # bits, so the first timed scan of the fresh rows does not write them all once more.
        cursor.execute("VACUUM ANALYZE")
    return (
        cooperative,
        client,
        treasurer,
        start.date(),
        (start + timedelta(hours=3 * shift_count)).date(),
    )


def money_path(cooperative, client, treasurer, first_day, last_day) -> dict:
    from django.utils import timezone

    from payouts.services.invoices import invoice_issue, payment_record
    from payouts.services.payouts import payout_batch_create
    from payouts.services.settlement import settlement_run
    from werkstation.errors import ApplicationError
    from werkstation.money import from_minor

    timings = {}
    t0 = time.perf_counter()
    settled = 0
    while batch := settlement_run():
        settled += batch
    timings["settlement"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    try:
        invoice = invoice_issue(
            actor=treasurer,
            cooperative=cooperative,
            client=client,
            period_start=first_day,
            period_end=last_day,
        )
        payment_record(
            actor=treasurer,
            cooperative=cooperative,
            invoice_number=invoice.display_number,
            amount=from_minor(invoice.total_cents),
            currency="EUR",
            received_on=timezone.localdate(),
        )
    except ApplicationError as exc:
        if exc.code != "nothing_to_invoice":
            raise
    timings["invoice+payment"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    try:
        payout_batch_create(actor=treasurer, cooperative=cooperative)
    except ApplicationError as exc:
        if exc.code != "nothing_to_pay":
            raise
    timings["payout batch"] = time.perf_counter() - t2
    timings["total"] = time.perf_counter() - t0
    timings["settled"] = settled
    return timings


def counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        result = {}
        for table in TABLES:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            result[table] = cursor.fetchone()[0]
        return result


# The rows each step of the run wrote, in the order it wrote them (foreign keys hold).
SETTLED = "reference LIKE 'split:%%' OR reference LIKE 'withheld:%%' OR reference LIKE 'advance:%%'"
PHASES = {
    "settlement": [
        ("payouts_split", "TRUE"),
        ("payouts_transaction", SETTLED),
        (
            "payouts_entry",
            f"transaction_id IN (SELECT id FROM payouts_transaction WHERE {SETTLED})",
        ),
    ],
    "invoice+payment+payout batch": [
        ("payouts_invoiceline", "TRUE"),
        ("payouts_transaction", f"NOT ({SETTLED})"),
        (
            "payouts_entry",
            f"transaction_id IN (SELECT id FROM payouts_transaction WHERE NOT ({SETTLED}))",
        ),
        ("payouts_payoutitem", "TRUE"),
    ],
}


def checkpoint() -> None:
    """Start a timed part from a fresh checkpoint (untimed), so neither our run nor the COPY
    pays for the other's dirty pages, or happens to run into a checkpoint the other missed."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")


def copy_same_rows() -> dict[str, float]:
    """COPY the rows the run produced back into the very same tables; return the COPY times.

    The rows are dumped, the five tables emptied (TRUNCATE, not timed), and the rows loaded
    again with COPY, step by step as the run wrote them, each step one transaction committed
    inside the timing: the same schema with every index, unique and check constraint,
    foreign key (Django's are checked at commit) and ledger trigger, so the ratio compares
    like with like.
    """
    from django.db import connection, transaction

    dumps: dict[str, list[tuple[str, bytes]]] = {}
    with connection.cursor() as cursor:
        for phase, parts in PHASES.items():
            dumps[phase] = []
            for table, where in parts:
                buffer = io.BytesIO()
                query = f"COPY (SELECT * FROM {table} WHERE {where} ORDER BY id) TO STDOUT"
                with cursor.cursor.copy(query.replace("%%", "%")) as copy:
                    for chunk in copy:
                        buffer.write(chunk)
                dumps[phase].append((table, buffer.getvalue()))
        # CASCADE: tables that point at these (credit note lines, ...) are empty here.
        cursor.execute(f"TRUNCATE {', '.join(TABLES)} CASCADE")
    checkpoint()
    timings = {}
    for phase, parts in dumps.items():
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for table, data in parts:
                with cursor.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                    copy.write(data)
        timings[phase] = time.perf_counter() - started
    timings["total"] = sum(timings.values())
    return timings


def invariants() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT transaction_id FROM payouts_entry GROUP BY transaction_id HAVING SUM(amount_cents) <> 0) t"
        )
        unbalanced = cursor.fetchone()[0]
        cursor.execute("SELECT COALESCE(SUM(member_cents), 0) FROM payouts_split")
        member_total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT COALESCE(SUM(e.amount_cents), 0) FROM payouts_entry e JOIN payouts_account a ON a.id = e.account_id"
            " WHERE a.kind IN ('earned', 'payable')"
        )
        owed = -cursor.fetchone()[0]
        cursor.execute(
            "SELECT COALESCE(SUM(amount_cents), 0) FROM payouts_payoutitem WHERE status = 'paid'"
        )
        paid = cursor.fetchone()[0]
    return {"unbalanced transactions": unbalanced, "payables = splits": owed + paid == member_total}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--timesheets", type=int, default=100_000)
    parser.add_argument("--members", type=int, default=1000)
    args = parser.parse_args()
    recreate_database()
    t = time.perf_counter()
    setup = populate(args.timesheets, args.members)
    print(
        f"setup: {args.timesheets} approved timesheets, {args.members} members ({time.perf_counter() - t:.1f} s)",
        flush=True,
    )
    checkpoint()
    first = money_path(*setup)
    rows = counts()
    print(
        f"first run: {first['total']:.2f} s (settlement {first['settlement']:.2f} s, invoice+payment "
        f"{first['invoice+payment']:.2f} s, payout batch {first['payout batch']:.2f} s); rows {rows}",
        flush=True,
    )
    print(f"invariants after the first run: {invariants()}", flush=True)
    second = money_path(*setup)
    rerun_rows = counts()
    print(
        f"rerun: {second['total']:.2f} s, inserted {sum(rerun_rows.values()) - sum(rows.values())} rows "
        f"({second['total'] / first['total']:.3f} of the first; target <= 0.3)",
        flush=True,
    )
    print(f"invariants after the rerun: {invariants()}", flush=True)
    copy = copy_same_rows()
    print(
        f"COPY of the same {sum(rows.values())} rows into the same tables: {copy['total']:.2f} s "
        f"(settlement's {copy['settlement']:.2f} s, the rest {copy['invoice+payment+payout batch']:.2f} s)",
        flush=True,
    )
    assert counts() == rows
    print(f"invariants after the COPY: {invariants()}", flush=True)
    rest = first["invoice+payment"] + first["payout batch"]
    print(
        f"settlement ratio: {copy['settlement'] / first['settlement']:.2f}; "
        f"invoice+payment+payout batch ratio: {copy['invoice+payment+payout batch'] / rest:.2f}",
        flush=True,
    )
    print(f"payout run ratio: {copy['total'] / first['total']:.2f}")


if __name__ == "__main__":
    main()
