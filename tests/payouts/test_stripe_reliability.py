"""Exactly once, on PostgreSQL and Redis: a worker killed mid-batch, and webhooks replayed.

The worker is a real Celery worker process consuming from Redis; the fake Stripe server
kills it with SIGKILL right after it committed a transfer and before the worker could
hear the answer and commit it to the database.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from payouts.models import Dispute, PayoutBatch, PayoutItem, Refund, StripeTransfer
from payouts.selectors import account_balance
from payouts.services.ledger import AccountBook
from tests.factories import MembershipFactory, UserFactory
from tests.factories.money import approved_timesheet
from tests.payouts.stripe_support import (
    approved_batch,
    connect,
    owe,
    stripe_on,
    stripe_payout_legs,
    transfers_at_stripe,
)

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "stripe-crash-test"


def _worker(fake, key: str) -> subprocess.Popen:
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "werkstation.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "STRIPE_API_BASE": fake.url,
        "FIELD_ENCRYPTION_KEY": key,
    }
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "werkstation",
            "worker",
            "--pool=solo",
            "-Q",
            QUEUE,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait(condition, *, what: str, limit: float = 240.0) -> None:
    """Poll until ``condition()``; the limit only stops a hung run, it asserts no speed."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        time.sleep(0.2)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.filterwarnings("ignore:task_always_eager has no effect on send_task")
def test_a_worker_killed_between_transfer_and_commit_pays_every_member_once(world, fake_stripe):
    from werkstation.celery import app

    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete(QUEUE, "unacked", "unacked_index", "unacked_mutex")
    coop = world.coop_a
    stripe_on(coop)
    members = [
        MembershipFactory(cooperative=coop, user=UserFactory(email=f"crash{n}@example.org")).user
        for n in range(4)
    ]
    owed = {}
    for n, user in enumerate(members):
        owed[user.pk] = 10_000 + 100 * n
        owe(coop, user, owed[user.pk])
        connect(world, fake_stripe, user)
    fake_stripe.top_up(100_000)
    batch = approved_batch(world)
    assert set(batch.items.values_list("method", flat=True)) == {"stripe"}

    victims: list[int] = []
    seen = []

    def crash_on_second_transfer(path, body):
        if path == "/v1/transfers":
            seen.append(body["id"])
            if len(seen) == 2 and victims:
                os.kill(victims[0], signal.SIGKILL)

    fake_stripe.on_effect = crash_on_second_transfer
    first = _worker(fake_stripe, settings.FIELD_ENCRYPTION_KEY)
    second = None
    try:
        victims.append(first.pid)
        app.send_task(
            "payouts.tasks.payout_batch_execute", kwargs={"batch_id": batch.pk}, queue=QUEUE
        )
        _wait(lambda: first.poll() is not None, what="the first worker to die")
        assert first.returncode == -signal.SIGKILL
        # Stripe made two transfers; the database knows of one.
        assert len(transfers_at_stripe(fake_stripe)) == 2
        assert PayoutItem.objects.filter(batch=batch, status="paid").count() == 1
        assert StripeTransfer.objects.filter(status="sending").count() == 1
        # acks_late: the task message was not acknowledged, Redis still holds it.
        assert broker.hlen("unacked") == 1
        fake_stripe.on_effect = None

        # The batch is run again (by the board, or the beat that resumes batches).
        second = _worker(fake_stripe, settings.FIELD_ENCRYPTION_KEY)
        app.send_task(
            "payouts.tasks.payout_batch_execute", kwargs={"batch_id": batch.pk}, queue=QUEUE
        )
        _wait(
            lambda: PayoutBatch.objects.get(pk=batch.pk).status == "executed",
            what="the rerun to execute the batch",
        )
    finally:
        _stop(first)
        if second is not None:
            _stop(second)
        broker.delete(QUEUE, "unacked", "unacked_index", "unacked_mutex")

    transfers = transfers_at_stripe(fake_stripe)
    per_destination = {}
    for t in transfers:
        per_destination[t["destination"]] = per_destination.get(t["destination"], 0) + 1
    assert sorted(per_destination.values()) == [1, 1, 1, 1]  # every member paid exactly once
    assert sum(t["amount"] for t in transfers) == stripe_payout_legs(coop) == sum(owed.values())
    assert PayoutItem.objects.filter(batch=batch, status="paid").count() == 4
    book = AccountBook(coop.pk)
    assert all(account_balance(book.get("payable", user.pk)) == 0 for user in members)
    # Each item's transfer went out under its own deterministic key, never a second one.
    posts = [
        r for r in fake_stripe.requests if r["path"] == "/v1/transfers" and r["method"] == "POST"
    ]
    assert {r["idempotency_key"] for r in posts} == set(
        PayoutItem.objects.filter(batch=batch).values_list("idempotency_key", flat=True)
    )


def _deliver_all(deliveries: list[dict], secret: str, fake, *, threads: int = 4) -> list[int]:
    """Deliver from several real threads at once (each with its own database connection)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections
    from django.test import Client

    from tests.payouts.stripe_support import deliver

    def one(event):
        try:
            return deliver(Client(), fake, event, secret=secret).status_code
        finally:
            connections.close_all()

    # Each delivery opens its own connection, as a web worker would. The 2-second connect
    # timeout of the settings (fail fast in production) is too tight for dozens of connections
    # opened at once on a loaded 2-core CI machine; the timeout is not what this test checks.
    options = connections.settings["default"].setdefault("OPTIONS", {})
    before = options.get("connect_timeout")
    options["connect_timeout"] = 15
    try:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            return list(pool.map(one, deliveries))
    finally:
        if before is None:
            options.pop("connect_timeout", None)
        else:
            options["connect_timeout"] = before


def _replay_scenario(world, fake) -> dict:
    """Every kind of event: payments (one after a failed attempt), a refund, a dispute won,
    accounts switched on and off, and a payout transfer that Stripe reversed."""
    from payouts.models import StripeConnectAccount
    from payouts.services.payouts import payout_batch_execute
    from payouts.services.settlement import settlement_run
    from payouts.stripe.connect import connect_onboarding_link
    from tests.payouts.stripe_support import checkout_for, issued_invoice

    first = issued_invoice(world)
    paid = checkout_for(world, first)
    fake.pay(paid.payment_intent_id, method="ideal")
    fake.refund(fake.objects[paid.payment_intent_id]["latest_charge"], 1000)
    settlement_run(timesheet_ids=[approved_timesheet(world, days_ago=4).pk])
    second = issued_invoice(world)
    retried = checkout_for(world, second)
    fake.fail_payment(retried.payment_intent_id)
    fake.pay(retried.payment_intent_id, method="card")
    dispute = fake.dispute(fake.objects[retried.payment_intent_id]["latest_charge"])
    fake.close_dispute(dispute["data"]["object"]["id"], won=True)

    for user in (world.member_a, world.board_a):
        connect_onboarding_link(
            actor=user, cooperative=world.coop_a, return_url="http://t/r", refresh_url="http://t/f"
        )
    one, two = StripeConnectAccount.objects.order_by("pk")
    fake.update_account(one.account_id, payouts_enabled=True, details_submitted=True)
    fake.update_account(two.account_id, payouts_enabled=True)
    fake.update_account(one.account_id, payouts_enabled=False)
    fake.update_account(two.account_id, payouts_enabled=False)
    fake.update_account(two.account_id, payouts_enabled=True)

    # A member paid by transfer (set up through its own webhooks), then the transfer reversed.
    payee = MembershipFactory(
        cooperative=world.coop_a, user=UserFactory(email="payee@example.org")
    ).user
    owe(world.coop_a, payee, 4321)
    connect(world, fake, payee)
    fake.top_up(4321)
    batch = payout_batch_execute(actor=world.board_a, batch=approved_batch(world))
    item = batch.items.get(member=payee)
    fake.reverse_transfer(item.provider_id)
    return {
        "invoices": {first.pk: first.total_cents - 1000, second.pk: second.total_cents},
        "accounts": {one.pk: False, two.pk: True},
        "returned": item.pk,
        "payee": payee,
    }


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_event_delivered_one_to_five_times_shuffled_and_concurrently_has_one_effect(
    settled, fake_stripe, seed
):
    import random

    from payouts.models import (
        Entry,
        Invoice,
        Payment,
        StripeConnectAccount,
        StripeEvent,
        Transaction,
    )
    from tests.conftest import row_counts
    from tests.payouts.stripe_support import WEBHOOK_SECRET

    stripe_on(settled.coop_a)
    expected = _replay_scenario(settled, fake_stripe)
    events = list(fake_stripe.events)
    rng = random.Random(seed)
    deliveries = [event for event in events for _ in range(rng.randint(1, 5))]
    rng.shuffle(deliveries)
    statuses = _deliver_all(deliveries, WEBHOOK_SECRET, fake_stripe)
    assert set(statuses) == {200}, statuses

    assert StripeEvent.objects.count() == len(events)
    assert set(StripeEvent.objects.values_list("status", flat=True)) <= {"processed", "ignored"}
    for pk, paid_cents in expected["invoices"].items():
        assert Invoice.objects.get(pk=pk).paid_cents == paid_cents
        assert Payment.objects.filter(invoice_id=pk).count() == 1
    assert sorted(Payment.objects.values_list("method", flat=True)) == ["card", "ideal"]
    assert Refund.objects.count() == 1
    assert Dispute.objects.get().status == "won"
    book = AccountBook(settled.coop_a.pk)
    # Payments less the refund; the dispute won back; the transfer out and back again.
    assert account_balance(book.get("stripe")) == sum(expected["invoices"].values())
    # Stripe's balance and the ledger agree (the test's own top-up is no booking).
    assert account_balance(book.get("stripe")) == fake_stripe.available_cents - 4321
    for pk, enabled in expected["accounts"].items():
        assert StripeConnectAccount.objects.get(pk=pk).payouts_enabled is enabled
    assert PayoutItem.objects.get(pk=expected["returned"]).status == "returned"
    assert account_balance(book.get("payable", expected["payee"].pk)) == -4321
    # Everything once more, in order: nothing changes.
    counts = row_counts(StripeEvent, Payment, Transaction, Entry)
    assert set(_deliver_all(events, WEBHOOK_SECRET, fake_stripe, threads=1)) == {200}
    assert row_counts(StripeEvent, Payment, Transaction, Entry) == counts


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_event_delivered_by_eight_threads_at_once_is_handled_once(settled, fake_stripe):
    from payouts.models import Entry, Payment, StripeEvent, Transaction
    from tests.payouts.stripe_support import WEBHOOK_SECRET, checkout_for, issued_invoice

    stripe_on(settled.coop_a)
    invoice = issued_invoice(settled)
    event = fake_stripe.pay(checkout_for(settled, invoice).payment_intent_id)
    before = {m.__name__: m.objects.count() for m in (Transaction, Entry)}
    assert set(_deliver_all([event] * 8, WEBHOOK_SECRET, fake_stripe, threads=8)) == {200}
    assert StripeEvent.objects.filter(event_id=event["id"]).count() == 1
    assert Payment.objects.count() == 1
    # One payment transaction and one release per member of the covered lines, nothing twice.
    members = invoice.lines.values("split__member_id").distinct().count()
    assert Transaction.objects.count() - before["Transaction"] == 1 + members
    assert invoice.lines.filter(released=True).count() == invoice.lines.count()
