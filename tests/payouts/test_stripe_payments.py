"""Payment links (iDEAL, card) and the payment webhooks, through the real SDK and the fake Stripe."""

import json

import pytest
from django.core import mail
from django.test import Client

from payouts.models import Entry, InvoiceLine, Payment, StripeCheckout, StripeEvent, Transaction
from payouts.selectors import account_balance
from payouts.services.ledger import AccountBook
from payouts.stripe.webhooks import HANDLERS, Handler
from tests.conftest import api_as, row_counts
from tests.payouts.stripe_support import checkout_for, deliver, issued_invoice, stripe_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def billed(settled, fake_stripe):
    stripe_on(settled.coop_a)
    settled.invoice = issued_invoice(settled)
    settled.fake = fake_stripe
    return settled


def test_the_client_gets_a_payment_link_for_ideal_and_card_once(billed):
    fake, invoice = billed.fake, billed.invoice
    api = api_as(billed.client_user)
    first = api.post(f"/api/v1/invoices/{invoice.pk}/payment-link/")
    assert first.status_code == 201, first.data
    assert first.data["amount_cents"] == invoice.total_cents
    again = api.post(f"/api/v1/invoices/{invoice.pk}/payment-link/")
    assert again.data["url"] == first.data["url"]  # the open link is reused
    sessions = fake.of_type("checkout.session")
    assert len(sessions) == 1
    assert sessions[0]["payment_method_types"] == ["ideal", "card"]
    assert sessions[0]["amount_total"] == invoice.total_cents
    created = [r for r in fake.requests if r["path"] == "/v1/checkout/sessions"]
    assert (
        created[0]["idempotency_key"]
        == f"checkout-{billed.coop_a.pk}-{invoice.pk}-{invoice.total_cents}-0"
    )
    assert created[0]["api_key"].startswith("sk_test_alpha")
    # Someone else's invoice: not found, nothing asked of Stripe.
    assert (
        api_as(billed.member_b).post(f"/api/v1/invoices/{invoice.pk}/payment-link/").status_code
        == 404
    )


def test_a_lost_answer_gets_the_same_session_back(billed):
    """The answer is dropped after Stripe made the session; the SDK retries with the same key."""
    billed.fake.fault("POST", "/v1/checkout/sessions", "drop")
    checkout = checkout_for(billed, billed.invoice)
    assert len(billed.fake.of_type("checkout.session")) == 1
    assert checkout.session_id == billed.fake.of_type("checkout.session")[0]["id"]
    keys = {
        r["idempotency_key"] for r in billed.fake.requests if r["path"] == "/v1/checkout/sessions"
    }
    assert len(keys) == 1
    assert len([r for r in billed.fake.requests if r["path"] == "/v1/checkout/sessions"]) == 2


def test_the_invoice_page_shows_the_pay_button_and_sends_the_client_to_stripe(billed):
    web = Client()
    web.force_login(billed.client_user)
    page = web.get(f"/invoices/{billed.invoice.pk}/")
    assert page.status_code == 200
    assert "iDEAL" in page.content.decode()
    assert billed.invoice.display_number in web.get("/invoices/").content.decode()
    go = web.post(f"/invoices/{billed.invoice.pk}/")
    assert go.status_code == 302
    assert go["Location"] == StripeCheckout.objects.get().url
    stranger = Client()
    stranger.force_login(billed.member_b)
    assert stranger.get(f"/invoices/{billed.invoice.pk}/").status_code == 404


def test_without_stripe_there_is_no_pay_button_and_no_link(settled):
    invoice = issued_invoice(settled)
    web = Client()
    web.force_login(settled.client_user)
    assert "pay-online" not in web.get(f"/invoices/{invoice.pk}/").content.decode()
    refused = api_as(settled.client_user).post(f"/api/v1/invoices/{invoice.pk}/payment-link/")
    assert refused.status_code == 400
    assert refused.data["error"]["code"] == "stripe_off"
    assert not StripeCheckout.objects.exists()


def test_a_succeeded_payment_is_recorded_once_and_releases_the_member_payables(billed):
    fake, invoice = billed.fake, billed.invoice
    checkout = checkout_for(billed, invoice)
    event = fake.pay(checkout.payment_intent_id, method="ideal")
    web = Client()
    assert deliver(web, fake, event).status_code == 200
    payment = Payment.objects.get(stripe_id=checkout.payment_intent_id)
    assert payment.method == "ideal"
    assert payment.amount_cents == invoice.total_cents
    invoice.refresh_from_db()
    assert invoice.status == "paid"
    assert invoice.open_cents == 0
    assert InvoiceLine.objects.filter(invoice=invoice, released=False).count() == 0
    book = AccountBook(billed.coop_a.pk)
    assert account_balance(book.get("payable", billed.member_a.pk)) == -3 * 8640
    assert account_balance(book.get("stripe")) == invoice.total_cents
    counts = row_counts(Payment, Transaction, Entry, StripeEvent)
    assert deliver(web, fake, event).status_code == 200  # delivered again: no effect
    assert row_counts(Payment, Transaction, Entry, StripeEvent) == counts
    assert StripeEvent.objects.get(event_id=event["id"]).status == "processed"


def test_a_bad_signature_is_refused_and_writes_nothing(billed):
    fake = billed.fake
    checkout = checkout_for(billed, billed.invoice)
    event = fake.pay(checkout.payment_intent_id)
    before = row_counts(StripeEvent, Payment, Transaction, Entry)
    forged = deliver(Client(), fake, event, secret="whsec_someone_else_entirely")
    assert forged.status_code == 400
    assert forged.json()["error"]["code"] == "bad_signature"
    body, header = fake.signed(event, "whsec_alpha_9f8e7d6c5b4a")
    tampered = json.loads(body)
    tampered["data"]["object"]["amount_received"] = 1
    response = Client().post(
        "/stripe/webhook/alpha/",
        data=json.dumps(tampered),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )
    assert response.status_code == 400
    unsigned = Client().post("/stripe/webhook/alpha/", data=body, content_type="application/json")
    assert unsigned.status_code == 400
    assert row_counts(StripeEvent, Payment, Transaction, Entry) == before


def test_a_failed_payment_is_recorded_and_the_client_told(
    billed, django_capture_on_commit_callbacks
):
    fake = billed.fake
    checkout = checkout_for(billed, billed.invoice)
    event = fake.fail_payment(checkout.payment_intent_id, message="Onvoldoende saldo")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(Client(), fake, event).status_code == 200
    assert StripeEvent.objects.get(event_id=event["id"]).status == "processed"
    from werkstation.models import AuditEntry

    assert AuditEntry.objects.filter(action="invoice.online_payment_failed").count() == 1
    assert [m.to for m in mail.outbox] == [[billed.client_a.billing_email]]
    assert "Onvoldoende saldo" in mail.outbox[0].body
    assert f"/invoices/{billed.invoice.pk}/" in mail.outbox[0].body
    # The client tries again and pays; a late copy of the failure then tells nobody.
    paid = fake.pay(checkout.payment_intent_id)
    deliver(Client(), fake, paid)
    mail.outbox.clear()
    late = dict(event, id="evt_late_copy_of_failure")
    with django_capture_on_commit_callbacks(execute=True):
        deliver(Client(), fake, late)
    assert mail.outbox == []
    assert StripeEvent.objects.get(event_id="evt_late_copy_of_failure").status == "ignored"


def test_an_event_is_stored_before_it_is_handled_and_a_failed_one_is_retried(billed, monkeypatch):
    fake = billed.fake
    checkout = checkout_for(billed, billed.invoice)
    event = fake.pay(checkout.payment_intent_id)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    original = HANDLERS["payment_intent.succeeded"]
    monkeypatch.setitem(HANDLERS, "payment_intent.succeeded", Handler(broken, original.fetch))
    response = deliver(Client(), fake, event)
    assert response.status_code == 500  # Stripe will deliver it again
    stored = StripeEvent.objects.get(event_id=event["id"])
    assert stored.status == "failed"
    assert "database went away" in stored.error
    assert not Payment.objects.exists()
    monkeypatch.undo()
    assert deliver(Client(), fake, event).status_code == 200
    assert StripeEvent.objects.get(event_id=event["id"]).status == "processed"
    assert Payment.objects.filter(stripe_id=checkout.payment_intent_id).count() == 1


def test_the_dispatch_table_names_every_event_we_handle():
    assert set(HANDLERS) >= {
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "charge.refunded",
        "charge.dispute.created",
        "charge.dispute.closed",
        "transfer.reversed",
        "account.updated",
    }


def test_an_unknown_event_type_is_stored_and_ignored(billed):
    fake = billed.fake
    event = fake._emit("customer.created", {"id": "cus_1", "object": "customer"})
    assert deliver(Client(), fake, event).status_code == 200
    assert StripeEvent.objects.get(event_id=event["id"]).status == "ignored"


def test_a_payment_in_another_currency_is_refused_and_books_nothing(billed):
    fake = billed.fake
    checkout = checkout_for(billed, billed.invoice)
    fake.objects[checkout.payment_intent_id]["currency"] = "usd"
    event = fake.pay(checkout.payment_intent_id)
    before = row_counts(Payment, Transaction, Entry)
    response = deliver(Client(), fake, event)
    assert response.status_code == 200  # a business refusal: Stripe need not retry
    stored = StripeEvent.objects.get(event_id=event["id"])
    assert stored.status == "failed"
    assert "wrong_currency" in stored.error
    assert row_counts(Payment, Transaction, Entry) == before


def test_an_online_payment_after_a_bank_transfer_is_kept_for_the_treasury(billed):
    fake, invoice = billed.fake, billed.invoice
    checkout = checkout_for(billed, invoice)
    api_as(billed.treasurer_a).post(
        "/api/v1/cooperatives/alpha/payments/",
        {
            "invoice": invoice.display_number,
            "amount": f"{invoice.total_cents / 100:.2f}",
            "currency": "EUR",
            "received_on": "2026-11-20",
        },
    )
    event = fake.pay(checkout.payment_intent_id)
    before = row_counts(Payment, Transaction, Entry)
    assert deliver(Client(), fake, event).status_code == 200
    stored = StripeEvent.objects.get(event_id=event["id"])
    assert stored.status == "failed"
    assert "overpayment" in stored.error
    assert row_counts(Payment, Transaction, Entry) == before
    events = (
        api_as(billed.treasurer_a).get("/api/v1/cooperatives/alpha/stripe/events/").data["results"]
    )
    assert events[0]["status"] == "failed"
    assert "overpayment" in events[0]["error"]


def test_a_single_cooperative_install_takes_webhooks_with_the_environment_secret(
    db, settings, fake_stripe
):
    from tests.factories import CooperativeFactory

    settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET = (
        "sk_test_env_only_12345",
        "whsec_env_only",
    )
    CooperativeFactory(slug="enige")
    event = fake_stripe._emit("customer.created", {"id": "cus_1", "object": "customer"})
    body, header = fake_stripe.signed(event, "whsec_env_only")
    ok = Client().post(
        "/stripe/webhook/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )
    assert ok.status_code == 200
    assert StripeEvent.objects.filter(event_id=event["id"]).exists()
    CooperativeFactory(slug="tweede")
    assert (
        Client()
        .post(
            "/stripe/webhook/",
            data=body,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=header,
        )
        .status_code
        == 404
    )
