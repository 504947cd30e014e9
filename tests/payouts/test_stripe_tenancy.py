"""A webhook signed by one cooperative never changes another cooperative's books.

Both cooperatives work with the shared client and have their own Stripe account (their
own keys and webhook secrets). Cooperative A's invoice to the shared client is paid
online. B, who holds B's secret, signs events that name A's payment.
"""

from __future__ import annotations

import copy

import pytest
from django.test import Client

from payouts.models import Dispute, Invoice, Payment, StripeEvent, StripeSettings
from payouts.stripe.checkout import invoice_payment_link
from tests.factories.api import api_as
from tests.payouts.stripe_support import WEBHOOK_SECRET, deliver, stripe_on

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

SECRET_B = "whsec_beta_1a2b3c4d5e6f"


@pytest.fixture
def paid_a(tenancy, fake_stripe):
    """A's invoice to the shared client, paid online; A's webhook recorded the payment."""
    t = tenancy
    stripe_on(t.coop_a)
    StripeSettings.objects.create(
        cooperative=t.coop_b, secret_key="sk_test_beta_9z8y7x6w5v4u", webhook_secret=SECRET_B
    )
    page = f"http://testserver/invoices/{t.invoice_a.pk}/"
    checkout = invoice_payment_link(
        actor=t.shared_user, invoice=t.invoice_a, success_url=page, cancel_url=page
    )
    paid = fake_stripe.pay(checkout.payment_intent_id)
    assert deliver(Client(), fake_stripe, paid, slug="alpha").status_code == 200
    t.invoice_a.refresh_from_db()
    assert t.invoice_a.status == Invoice.Status.PAID
    t.fake, t.payment_intent = fake_stripe, checkout.payment_intent_id
    t.charge = fake_stripe.objects[checkout.payment_intent_id]["latest_charge"]
    return t


def test_bs_signed_dispute_naming_as_payment_is_ignored_and_kept_for_bs_treasurer(paid_a):
    t = paid_a
    forged = copy.deepcopy(t.fake.dispute(t.charge))
    forged["id"] = "evt_forged_by_beta"
    response = deliver(Client(), t.fake, forged, slug="beta", secret=SECRET_B)
    # 200, so Stripe does not retry; "ignored"; no effect in A's books.
    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    t.invoice_a.refresh_from_db()
    assert t.invoice_a.status == Invoice.Status.PAID
    assert not Dispute.objects.exists()
    stored = StripeEvent.objects.get(event_id="evt_forged_by_beta")
    assert stored.cooperative == t.coop_b
    assert stored.status == "ignored"
    assert stored.error
    # Kept for B's treasurer; A's treasury never sees it.
    seen_b = api_as(t.treasurer_b).get("/api/v1/cooperatives/beta/stripe/events/").data["results"]
    assert [e["event_id"] for e in seen_b] == ["evt_forged_by_beta"]
    seen_a = api_as(t.treasurer_a).get("/api/v1/cooperatives/alpha/stripe/events/").data["results"]
    assert "evt_forged_by_beta" not in {e["event_id"] for e in seen_a}


def test_b_storing_an_event_id_first_does_not_silence_as_real_event(paid_a):
    t = paid_a
    real = t.fake.dispute(t.charge)  # A's real dispute, not delivered yet
    squatter = {**copy.deepcopy(real), "type": "customer.created"}
    squatter["data"] = {"object": {"id": "cus_beta", "object": "customer"}}
    assert deliver(Client(), t.fake, squatter, slug="beta", secret=SECRET_B).status_code == 200
    # A's real event with the same id is handled in A.
    response = deliver(Client(), t.fake, real, slug="alpha", secret=WEBHOOK_SECRET)
    assert response.status_code == 200
    assert response.json()["status"] == "processed"
    dispute = Dispute.objects.get()
    assert dispute.cooperative == t.coop_a
    assert dispute.payment.invoice_id == t.invoice_a.pk
    assert StripeEvent.objects.filter(event_id=real["id"]).count() == 2  # one per cooperative
    # A second delivery to A has no further effect.
    deliver(Client(), t.fake, real, slug="alpha", secret=WEBHOOK_SECRET)
    assert Dispute.objects.count() == 1


def test_bs_payment_event_naming_as_intent_records_nothing_in_either_book(paid_a):
    t = paid_a
    succeeded = next(e for e in t.fake.events if e["type"] == "payment_intent.succeeded")
    replay = {**copy.deepcopy(succeeded), "id": "evt_replayed_by_beta"}
    response = deliver(Client(), t.fake, replay, slug="beta", secret=SECRET_B)
    assert response.status_code == 200
    assert response.json()["status"] == "ignored"
    assert list(Payment.objects.values_list("cooperative__slug", flat=True)) == ["alpha"]
