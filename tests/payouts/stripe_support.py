"""Shared helpers of the Stripe tests."""

from __future__ import annotations

from django.utils import timezone

from payouts.models import Invoice, StripeSettings
from payouts.stripe.checkout import invoice_payment_link
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


def owe(cooperative, member, cents: int, ref: str = "") -> None:
    """What the cooperative owes a member, as the release of a paid invoice line books it."""
    from payouts.services.ledger import AccountBook, Leg, post

    book = AccountBook(cooperative.pk)
    post(
        cooperative.pk,
        kind="release",
        reference=f"test-owed:{member.pk}:{cents}:{ref}",
        description="paid work",
        legs=[
            Leg(book.get("earned", member.pk), cents),
            Leg(book.get("payable", member.pk), -cents),
        ],
    )


def connect(world, fake, user, *, cooperative=None, slug: str = "alpha"):
    """The member onboards at Stripe and Stripe tells us (account.updated) they can be paid."""
    from django.test import Client

    from payouts.models import StripeConnectAccount
    from payouts.stripe.connect import connect_onboarding_link

    cooperative = cooperative or world.coop_a
    connect_onboarding_link(
        actor=user,
        cooperative=cooperative,
        return_url="http://testserver/r",
        refresh_url="http://testserver/f",
    )
    account = StripeConnectAccount.objects.get(cooperative=cooperative, user=user)
    event = fake.update_account(account.account_id, payouts_enabled=True, details_submitted=True)
    assert deliver(Client(), fake, event, slug=slug).status_code == 200
    account.refresh_from_db()
    assert account.payouts_enabled
    return account


def approved_batch(world, cooperative=None):
    from payouts.services.payouts import payout_batch_approve, payout_batch_create

    batch = payout_batch_create(actor=world.treasurer_a, cooperative=cooperative or world.coop_a)
    payout_batch_approve(actor=world.treasurer_a, batch=batch)
    return payout_batch_approve(actor=world.board_a, batch=batch)


def transfers_at_stripe(fake) -> list[dict]:
    return fake.of_type("transfer")


def stripe_payout_legs(cooperative) -> int:
    """Cents the ledger says were paid to members by Connect transfer."""
    from django.db.models import Sum

    from payouts.models import Entry

    total = Entry.objects.filter(
        transaction__cooperative=cooperative,
        transaction__kind="payout",
        account__kind="payable",
        transaction__entries__account__kind="stripe",
    ).aggregate(total=Sum("amount_cents"))["total"]
    return total or 0
