"""Refunds, disputes and reversed transfers arriving by Stripe webhook, wired to the reversals."""

import pytest
from django.core import mail
from django.test import Client

from payouts.models import (
    Dispute,
    Entry,
    Invoice,
    Payment,
    PayoutItem,
    Refund,
    StripeEvent,
    Transaction,
)
from payouts.selectors import account_balance
from payouts.services.ledger import AccountBook
from payouts.services.payouts import payout_batch_execute
from tests.conftest import row_counts
from tests.factories import MembershipFactory, UserFactory
from tests.payouts.stripe_support import (
    approved_batch,
    checkout_for,
    connect,
    deliver,
    issued_invoice,
    owe,
    stripe_on,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(settled, fake_stripe):
    """An invoice paid online, the payment recorded from its webhook."""
    stripe_on(settled.coop_a)
    settled.fake = fake_stripe
    settled.invoice = issued_invoice(settled)
    settled.checkout = checkout_for(settled, settled.invoice)
    settled.paid_event = fake_stripe.pay(settled.checkout.payment_intent_id)
    settled.charge = fake_stripe.objects[settled.checkout.payment_intent_id]["latest_charge"]
    return settled


def _stripe(world) -> int:
    return account_balance(AccountBook(world.coop_a.pk).get("stripe"))


def test_a_refund_at_stripe_is_booked_once_per_refund(paid):
    fake, web = paid.fake, Client()
    deliver(web, fake, paid.paid_event)
    total = paid.invoice.total_cents
    first = fake.refund(paid.charge, 1000)
    assert deliver(web, fake, first).status_code == 200
    refund = Refund.objects.get()
    assert refund.amount_cents == 1000
    assert refund.external_id.startswith("re_")
    invoice = Invoice.objects.get(pk=paid.invoice.pk)
    assert invoice.paid_cents == total - 1000
    assert invoice.status == "partially_paid"
    assert _stripe(paid) == total - 1000
    counts = row_counts(Refund, Transaction, Entry)
    assert deliver(web, fake, first).status_code == 200  # again: nothing
    assert row_counts(Refund, Transaction, Entry) == counts
    # A second refund: Stripe's charge.refunded lists both; only the new one is booked.
    second = fake.refund(paid.charge, 500)
    deliver(web, fake, second)
    assert sorted(Refund.objects.values_list("amount_cents", flat=True)) == [500, 1000]
    assert _stripe(paid) == total - 1500


def test_a_refund_arriving_before_the_payment_records_the_payment_first(paid):
    fake, web = paid.fake, Client()
    refunded = fake.refund(paid.charge, 2000)
    assert deliver(web, fake, refunded).status_code == 200
    payment = Payment.objects.get(stripe_id=paid.checkout.payment_intent_id)
    assert payment.amount_cents == paid.invoice.total_cents
    assert Refund.objects.get().amount_cents == 2000
    assert deliver(web, fake, paid.paid_event).status_code == 200  # the late success
    assert Payment.objects.count() == 1
    assert Refund.objects.count() == 1
    assert _stripe(paid) == paid.invoice.total_cents - 2000


@pytest.mark.parametrize("outcome", ["won", "lost"])
@pytest.mark.parametrize("order", ["in order", "closed first"])
def test_a_dispute_withdraws_and_its_outcome_settles_in_any_order(paid, outcome, order):
    fake, web = paid.fake, Client()
    deliver(web, fake, paid.paid_event)
    total = paid.invoice.total_cents
    opened = fake.dispute(paid.charge)
    dispute_id = opened["data"]["object"]["id"]
    closed = fake.close_dispute(dispute_id, won=outcome == "won")
    events = [opened, closed] if order == "in order" else [closed, opened]
    for event in events:
        assert deliver(web, fake, event).status_code == 200
        assert deliver(web, fake, event).status_code == 200
    dispute = Dispute.objects.get(external_id=dispute_id)
    assert dispute.status == outcome
    assert dispute.withdrawn
    invoice = Invoice.objects.get(pk=paid.invoice.pk)
    if outcome == "won":
        assert dispute.returned
        assert invoice.paid_cents == total
        assert _stripe(paid) == total
    else:
        assert not dispute.returned
        assert invoice.paid_cents == 0
        assert _stripe(paid) == 0
    assert set(StripeEvent.objects.values_list("status", flat=True)) == {"processed"}


def test_an_open_dispute_takes_the_money_back_until_it_closes(paid):
    fake, web = paid.fake, Client()
    deliver(web, fake, paid.paid_event)
    deliver(web, fake, fake.dispute(paid.charge))
    assert Dispute.objects.get().status == "open"
    assert Invoice.objects.get(pk=paid.invoice.pk).paid_cents == 0
    assert _stripe(paid) == 0


@pytest.fixture
def transferred(world, fake_stripe):
    stripe_on(world.coop_a)
    payee = MembershipFactory(
        cooperative=world.coop_a, user=UserFactory(email="payee@example.org")
    ).user
    owe(world.coop_a, payee, 6400)
    account = connect(world, fake_stripe, payee)
    fake_stripe.top_up(20000)
    world.batch = approved_batch(world)
    world.payee, world.account, world.fake = payee, account, fake_stripe
    return world


def test_a_reversed_transfer_puts_the_payout_back_to_payable_and_tells_the_member(
    transferred, django_capture_on_commit_callbacks
):
    fake, web = transferred.fake, Client()
    batch = payout_batch_execute(actor=transferred.board_a, batch=transferred.batch)
    item = batch.items.get()
    assert item.status == "paid"
    payable = AccountBook(transferred.coop_a.pk).get("payable", transferred.payee.pk)
    assert account_balance(payable) == 0
    event = fake.reverse_transfer(item.provider_id)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(web, fake, event).status_code == 200
    item.refresh_from_db()
    assert item.status == "returned"
    assert item.return_external_id == item.provider_id
    assert account_balance(payable) == -6400
    assert [m.to for m in mail.outbox] == [[transferred.payee.email]]
    counts = row_counts(Transaction, Entry)
    assert deliver(web, fake, event).status_code == 200
    assert row_counts(Transaction, Entry) == counts
    # The next batch pays it again.
    fake.top_up(6400)
    again = payout_batch_execute(actor=transferred.board_a, batch=approved_batch(transferred))
    assert again.items.get().status == "paid"
    assert account_balance(payable) == 0


def test_a_transfer_whose_answer_never_arrives_is_found_by_its_group_and_booked(transferred):
    fake, web = transferred.fake, Client()
    fake.fault("POST", "/v1/transfers", "drop", times=10)  # every retry's answer is lost too
    batch = payout_batch_execute(actor=transferred.board_a, batch=transferred.batch)
    assert batch.status == "executed"
    assert batch.items.get().status == "paid"
    transfers = fake.of_type("transfer")
    assert len(transfers) == 1
    assert batch.items.get().provider_id == transfers[0]["id"]
    assert deliver(web, fake, fake.reverse_transfer(transfers[0]["id"])).status_code == 200
    assert PayoutItem.objects.get(pk=batch.items.get().pk).status == "returned"


def test_a_reversal_for_an_unbooked_item_answers_503_and_is_applied_on_redelivery(transferred):
    from payouts.models import StripeTransfer

    fake, web = transferred.fake, Client()
    item = transferred.batch.items.get()
    # Stripe made the transfer (for example from a run that died before booking it).
    StripeTransfer.objects.create(
        item=item,
        destination=transferred.account.account_id,
        amount_cents=item.amount_cents,
        idempotency_key=item.idempotency_key,
    )
    from payouts.stripe.setup import stripe_client

    made = stripe_client(transferred.coop_a).v1.transfers.create(
        params={
            "amount": item.amount_cents,
            "currency": "eur",
            "destination": transferred.account.account_id,
            "transfer_group": item.idempotency_key,
            "metadata": {"payout_item": str(item.pk)},
        },
        options={"idempotency_key": item.idempotency_key},
    )
    reversal = fake.reverse_transfer(made.id)
    assert deliver(web, fake, reversal).status_code == 503
    assert StripeEvent.objects.get(event_id=reversal["id"]).status == "failed"
    payout_batch_execute(actor=transferred.board_a, batch=transferred.batch)  # the rerun books it
    assert PayoutItem.objects.get(pk=item.pk).status == "paid"
    assert deliver(web, fake, reversal).status_code == 200
    assert PayoutItem.objects.get(pk=item.pk).status == "returned"
    assert len(fake.of_type("transfer")) == 1


def test_a_refund_of_a_charge_made_outside_our_invoices_is_ignored(paid):
    fake, web = paid.fake, Client()
    fake.objects["pi_by_hand"] = {
        "id": "pi_by_hand",
        "object": "payment_intent",
        "amount": 5000,
        "amount_received": 0,
        "currency": "eur",
        "status": "requires_payment_method",
        "metadata": {},
        "latest_charge": None,
        "payment_method": None,
        "payment_method_types": ["card"],
        "last_payment_error": None,
        "created": fake.now(),
        "livemode": False,
    }
    fake.pay("pi_by_hand")
    event = fake.refund(fake.objects["pi_by_hand"]["latest_charge"])
    before = row_counts(Payment, Refund, Transaction, Entry)
    assert deliver(web, fake, event).status_code == 200
    assert StripeEvent.objects.get(event_id=event["id"]).status == "ignored"
    assert row_counts(Payment, Refund, Transaction, Entry) == before
