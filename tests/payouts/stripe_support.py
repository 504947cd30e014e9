"""Shared helpers of the Stripe tests."""

from __future__ import annotations

from django.utils import timezone

from payouts.models import Invoice, StripeSettings
from payouts.services.stripe_checkout import invoice_payment_link
from tests.factories.money import _issue

SECRET_KEY = "sk_test_alpha_4eC39HqLyjWDarjtT1zdp7dc"
WEBHOOK_SECRET = "whsec_alpha_9f8e7d6c5b4a"


def stripe_on(cooperative, *, connect: bool = True, overflow: str = "wait") -> StripeSettings:
    return StripeSettings.objects.create(
        cooperative=cooperative,
        secret_key=SECRET_KEY,
        webhook_secret=WEBHOOK_SECRET,
        connect_enabled=connect,
        connect_overflow=overflow,
    )


def deliver(client, fake, event: dict, *, slug: str = "alpha", secret: str = WEBHOOK_SECRET):
    """POST the event to the webhook endpoint the way Stripe does (signed)."""
    body, header = fake.signed(event, secret)
    return client.post(
        f"/stripe/webhook/{slug}/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
    )


def issued_invoice(world) -> Invoice:
    response = _issue(world)
    assert response.status_code == 201, response.data
    return Invoice.objects.get(pk=response.data["id"])


def checkout_for(world, invoice: Invoice):
    page = f"http://testserver/invoices/{invoice.pk}/"
    return invoice_payment_link(
        actor=world.client_user, invoice=invoice, success_url=page + "?paid=1", cancel_url=page
    )


def today() -> str:
    return timezone.localdate().isoformat()
