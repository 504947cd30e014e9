"""Refunds, disputes and returned payouts: new ledger transactions, once each."""

import pytest
from django.core import mail
from django.db.models import Sum
from django.utils import timezone

from members.models import Profile
from payouts.models import (
    Dispute,
    Entry,
    Invoice,
    InvoiceLine,
    Payment,
    PayoutItem,
    Refund,
    Transaction,
)
from payouts.selectors import account_balance
from payouts.services.ledger import AccountBook
from payouts.services.payouts import payout_batch_approve, payout_batch_create, payout_batch_execute
from payouts.services.reversals import dispute_record, payment_refund, payout_item_return
from tests.conftest import api_as, row_counts
from tests.factories.money import _issue
from werkstation.errors import ApplicationError

pytestmark = pytest.mark.django_db
SHARE = 8640  # the member's share of one 3-hour line
LINE = 11616  # one line with VAT


def _pay(world, number, cents):
    return api_as(world.treasurer_a).post(
        "/api/v1/cooperatives/alpha/payments/",
        {
            "invoice": number,
            "amount": f"{cents / 100:.2f}",
            "currency": "EUR",
            "received_on": timezone.localdate().isoformat(),
        },
    )


@pytest.fixture
def paid(settled):
    settled.coop_a.iban, settled.coop_a.bic = "NL91ABNA0417164300", "ABNANL2A"
    settled.coop_a.save()
    Profile.objects.filter(user=settled.member_a).update(
        iban="NL20INGB0001234567", account_holder="A. Lid"
    )
    settled.invoice = _issue(settled).data
    assert (
        _pay(settled, settled.invoice["number"], settled.invoice["total_cents"]).status_code == 201
    )
    settled.payment = Payment.objects.get()
    settled.book = AccountBook(settled.coop_a.pk)
    return settled


def _balances(world):
    book = world.book
    return {
        "payable": account_balance(book.get("payable", world.member_a.pk)),
        "earned": account_balance(book.get("earned", world.member_a.pk)),
        "bank": account_balance(book.get("bank")),
        "receivable": account_balance(book.get("receivable", world.client_a.pk)),
    }


def _execute_batch(world):
    batch = payout_batch_create(actor=world.treasurer_a, cooperative=world.coop_a)
    payout_batch_approve(actor=world.treasurer_a, batch=batch)
    payout_batch_approve(actor=world.board_a, batch=batch)
    return payout_batch_execute(actor=world.board_a, batch=batch)


def test_treasurer_refunds_a_line_and_its_member_share_is_held_again(paid):
    assert _balances(paid)["payable"] == -3 * SHARE
    response = api_as(paid.treasurer_a).post(
        f"/api/v1/cooperatives/alpha/payments/{paid.payment.pk}/refunds/",
        {"amount": f"{LINE / 100:.2f}", "reason": "Eén dienst ging niet door"},
    )
    assert response.status_code == 201, response.data
    assert response.data["reheld_cents"] == SHARE
    assert response.data["unrecovered_cents"] == 0
    assert _balances(paid) == {
        "payable": -2 * SHARE,
        "earned": -SHARE,
        "bank": 2 * LINE,
        "receivable": LINE,
    }
    invoice = Invoice.objects.get()
    assert invoice.status == "partially_paid"
    assert invoice.open_cents == LINE
    newest = InvoiceLine.objects.order_by("-work_date").first()
    assert not newest.released
    assert newest.holds == 1
    assert Entry.objects.aggregate(s=Sum("amount_cents"))["s"] == 0
    # The client pays that line again: it is released again (a new, unique transaction).
    assert _pay(paid, paid.invoice["number"], LINE).data["status"] == "paid"
    assert _balances(paid)["payable"] == -3 * SHARE
    assert Transaction.objects.filter(reference=f"release:{newest.pk}:1").exists()
    listed = api_as(paid.treasurer_a).get("/api/v1/cooperatives/alpha/payments/").data["results"]
    assert [p["refundable_cents"] for p in listed] == [LINE, 3 * LINE - LINE]


def test_a_small_refund_holds_back_the_newest_line_whole(paid):
    refund = payment_refund(
        actor=paid.treasurer_a, payment=paid.payment, amount_cents=5000, reason="korting"
    )
    assert (refund.reheld_cents, refund.unrecovered_cents) == (SHARE, 0)
    assert _balances(paid)["payable"] == -2 * SHARE
    assert InvoiceLine.objects.filter(released=True).count() == 2


def test_a_refund_above_what_is_refundable_names_amount_and_writes_nothing(paid):
    payment_refund(actor=paid.treasurer_a, payment=paid.payment, amount_cents=LINE, reason="x")
    before = row_counts(Refund, Transaction, Entry, Invoice)
    paid_before = Invoice.objects.get().paid_cents
    response = api_as(paid.treasurer_a).post(
        f"/api/v1/cooperatives/alpha/payments/{paid.payment.pk}/refunds/",
        {"amount": f"{(3 * LINE - LINE + 1) / 100:.2f}", "reason": "te veel"},
    )
    assert response.status_code == 400
    assert response.data["error"]["field"] == "amount"
    for bad in ({"amount": "0", "reason": "nul"}, {"amount": "1.00", "reason": ""}):
        assert (
            api_as(paid.treasurer_a)
            .post(f"/api/v1/cooperatives/alpha/payments/{paid.payment.pk}/refunds/", bad)
            .status_code
            == 400
        )
    assert row_counts(Refund, Transaction, Entry, Invoice) == before
    assert Invoice.objects.get().paid_cents == paid_before
    assert (
        api_as(paid.board_a)
        .post(
            f"/api/v1/cooperatives/alpha/payments/{paid.payment.pk}/refunds/",
            {"amount": "1.00", "reason": "x"},
        )
        .status_code
        == 403
    )


def test_a_webhook_refund_is_idempotent_per_external_id(paid):
    first = payment_refund(
        actor=None, payment=paid.payment, amount_cents=LINE, reason="", external_id="re_1"
    )
    counts = row_counts(Refund, Transaction, Entry)
    again = payment_refund(
        actor=None, payment=paid.payment, amount_cents=LINE, reason="", external_id="re_1"
    )
    assert again.pk == first.pk
    assert row_counts(Refund, Transaction, Entry) == counts
    assert Invoice.objects.get().paid_cents == 2 * LINE


def test_a_refund_after_the_payout_leaves_the_member_paid(paid):
    _execute_batch(paid)
    assert _balances(paid)["payable"] == 0
    refund = payment_refund(
        actor=paid.treasurer_a, payment=paid.payment, amount_cents=3 * LINE, reason="alles terug"
    )
    assert (refund.reheld_cents, refund.unrecovered_cents) == (0, 3 * SHARE)
    assert _balances(paid)["payable"] == 0
    assert _balances(paid)["earned"] == 0
    assert Invoice.objects.get().status == "issued"
    assert Entry.objects.aggregate(s=Sum("amount_cents"))["s"] == 0


ORDERS_WON = [["open", "won"], ["won", "open"], ["won"], ["open", "open", "won", "open", "won"]]
ORDERS_LOST = [["open", "lost"], ["lost", "open"], ["lost"], ["open", "lost", "won", "open"]]


@pytest.mark.parametrize("order", ORDERS_WON, ids="-".join)
def test_a_won_dispute_ends_in_the_same_state_in_any_order(paid, order):
    for status in order:
        dispute_record(payment=paid.payment, amount_cents=LINE, external_id="dp_1", status=status)
    dispute = Dispute.objects.get()
    assert (dispute.status, dispute.withdrawn, dispute.returned) == ("won", True, True)
    assert Transaction.objects.filter(kind="dispute").count() == 2
    assert Invoice.objects.get().paid_cents == 3 * LINE
    assert Invoice.objects.get().status == "paid"
    assert _balances(paid) == {
        "payable": -3 * SHARE,
        "earned": 0,
        "bank": 3 * LINE,
        "receivable": 0,
    }


@pytest.mark.parametrize("order", ORDERS_LOST, ids="-".join)
def test_a_lost_dispute_ends_in_the_same_state_in_any_order(paid, order):
    for status in order:
        dispute_record(payment=paid.payment, amount_cents=LINE, external_id="dp_1", status=status)
    dispute = Dispute.objects.get()
    assert (dispute.status, dispute.withdrawn, dispute.returned) == ("lost", True, False)
    assert Transaction.objects.filter(kind="dispute").count() == 1
    assert Invoice.objects.get().open_cents == LINE
    assert _balances(paid) == {
        "payable": -2 * SHARE,
        "earned": -SHARE,
        "bank": 2 * LINE,
        "receivable": LINE,
    }


def test_an_open_dispute_withdraws_and_limits_refunds(paid):
    dispute_record(payment=paid.payment, amount_cents=2 * LINE, external_id="dp_2", status="open")
    assert _balances(paid)["bank"] == LINE
    with pytest.raises(ApplicationError) as raised:
        payment_refund(actor=None, payment=paid.payment, amount_cents=LINE + 1, reason="")
    assert getattr(raised.value, "field", None) == "amount"
    before = row_counts(Dispute, Transaction)
    with pytest.raises(ApplicationError) as raised:
        dispute_record(payment=paid.payment, amount_cents=LINE, external_id="dp_3", status="closed")
    assert getattr(raised.value, "field", None) == "status"
    assert row_counts(Dispute, Transaction) == before


def test_a_returned_sepa_payout_is_owed_again_and_paid_by_the_next_batch(
    paid, django_capture_on_commit_callbacks
):
    batch = _execute_batch(paid)
    item = batch.items.get()
    bank_after_payout = _balances(paid)["bank"]
    api = api_as(paid.treasurer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/cooperatives/alpha/payout-items/{item.pk}/return/",
            {"reason": "IBAN onbekend"},
        )
    assert response.status_code == 200, response.data
    assert response.data["status"] == "returned"
    assert response.data["return_reason"] == "IBAN onbekend"
    assert _balances(paid)["payable"] == -3 * SHARE
    assert _balances(paid)["bank"] == bank_after_payout + 3 * SHARE
    assert [m.to for m in mail.outbox] == [[paid.member_a.email]]
    counts = row_counts(Transaction, Entry)
    assert (
        api.post(
            f"/api/v1/cooperatives/alpha/payout-items/{item.pk}/return/", {"reason": "nogmaals"}
        ).status_code
        == 200
    )
    assert (
        payout_item_return(actor=None, item=item, reason="", external_id="tr_1").status
        == "returned"
    )
    assert row_counts(Transaction, Entry) == counts
    assert len(mail.outbox) == 1
    # The next batch pays it again.
    again = _execute_batch(paid)
    assert again.items.get().amount_cents == 3 * SHARE
    assert again.items.get().status == "sent"
    assert _balances(paid)["payable"] == 0


def test_only_a_paid_payout_can_come_back(paid):
    batch = payout_batch_create(actor=paid.treasurer_a, cooperative=paid.coop_a)
    item = batch.items.get()
    before = row_counts(Transaction, PayoutItem)
    response = api_as(paid.board_a).post(
        f"/api/v1/cooperatives/alpha/payout-items/{item.pk}/return/", {"reason": "?"}
    )
    assert response.status_code == 409
    assert response.data["error"]["field"] == "item"
    assert (
        api_as(paid.member_a)
        .post(f"/api/v1/cooperatives/alpha/payout-items/{item.pk}/return/", {"reason": "?"})
        .status_code
        == 403
    )
    assert row_counts(Transaction, PayoutItem) == before
    assert PayoutItem.objects.get(pk=item.pk).status == "pending"


def test_treasury_page_records_a_refund_and_a_returned_payout(
    client, paid, django_assert_max_num_queries
):
    from tests.factories.api import login_verified

    login_verified(client, paid.treasurer_a)
    page = client.get("/c/alpha/treasury/")
    assert (
        "Record a refund to a client" in page.content.decode()
        or "terugbetaling" in page.content.decode()
    )
    bad = client.post(
        "/c/alpha/treasury/",
        {"action": "refund", "payment": paid.payment.pk, "amount": "999.00", "reason": "x"},
    )
    assert bad.status_code == 200
    assert Refund.objects.count() == 0
    assert bad.context["refund_form"].errors["amount"]
    done = client.post(
        "/c/alpha/treasury/",
        {
            "action": "refund",
            "payment": paid.payment.pk,
            "amount": "116.16",
            "reason": "dienst vervallen",
        },
    )
    assert done.status_code == 302
    assert Refund.objects.get().amount_cents == LINE
    dispute_record(
        payment=paid.payment,
        amount_cents=100,
        external_id="dp_page",
        status="open",
        reason="fraudulent",
    )
    item = _execute_batch(paid).items.get()
    with django_assert_max_num_queries(30):
        page = client.get("/c/alpha/treasury/")
    assert "dienst vervallen" in page.content.decode()
    assert "fraudulent" in page.content.decode()
    assert f"/c/alpha/treasury/payout-items/{item.pk}/returned/" in page.content.decode()
    response = client.post(
        f"/c/alpha/treasury/payout-items/{item.pk}/returned/", {"reason": "rekening opgeheven"}
    )
    assert response.status_code == 302
    assert PayoutItem.objects.get(pk=item.pk).status == "returned"
    member = client.__class__()
    member.force_login(paid.member_a)
    assert (
        member.post(
            f"/c/alpha/treasury/payout-items/{item.pk}/returned/", {"reason": "x"}
        ).status_code
        == 403
    )
