"""A Stripe payment link (Checkout Session, iDEAL and card) for an invoice's open amount.

The Stripe call is made outside any database transaction. Its idempotency key is
derived from the invoice, the open amount and how many sessions the invoice had before,
so a retry after a lost answer (or a crash before the row was saved) gets the same
session back instead of a second one.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import stripe
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.access import is_client_user
from members.access import has_role
from payouts.audit_actions import PayoutAction
from payouts.models import Invoice, StripeCheckout
from werkstation.audit import audit_record
from werkstation.errors import ApplicationError, Conflict, PermissionDenied

from .setup import stripe_client, stripe_credentials

if TYPE_CHECKING:
    from stripe.params.checkout import SessionCreateParams

    from members.models import User

PAYMENT_METHODS = ["ideal", "card"]


class StripeUnavailable(ApplicationError):
    status_code = 502
    default_code = "stripe_unavailable"


def stripe_failure(exc: stripe.StripeError, field: str = "stripe") -> ApplicationError:
    """A Stripe error as a domain error the user can read."""
    message = getattr(exc, "user_message", None) or str(exc) or exc.__class__.__name__
    if isinstance(exc, stripe.APIConnectionError) or (exc.http_status or 500) >= 500:
        return StripeUnavailable(
            _("Stripe did not answer; try again in a moment. (%(m)s)") % {"m": message},
            field=field,
        )
    return Conflict(_("Stripe refused: %(m)s") % {"m": message}, code="stripe_refused", field=field)


def can_pay_invoice(user: User, invoice: Invoice) -> bool:
    return is_client_user(user, invoice.client_id) or has_role(
        user, invoice.cooperative_id, "treasurer", "board"
    )


def invoice_payment_link(
    *, actor: User, invoice: Invoice, success_url: str, cancel_url: str
) -> StripeCheckout:
    if not can_pay_invoice(actor, invoice):
        raise PermissionDenied(
            _("Only the client of this invoice or the treasury may pay it online."),
            code="not_your_invoice",
        )
    invoice = Invoice.objects.select_related("cooperative", "client").get(pk=invoice.pk)
    if (
        invoice.status not in (Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_PAID)
        or invoice.open_cents <= 0
    ):
        raise Conflict(
            _("This invoice is %(status)s; there is nothing to pay.")
            % {"status": invoice.get_status_display()},
            code="not_payable",
            field="invoice",
        )
    credentials = stripe_credentials(invoice.cooperative)
    client = stripe_client(invoice.cooperative, credentials)
    amount = invoice.open_cents
    reusable = StripeCheckout.objects.filter(
        invoice=invoice, amount_cents=amount, expires_at__gt=timezone.now() + timedelta(minutes=10)
    ).first()
    if reusable is not None:
        return reusable
    attempt = StripeCheckout.objects.filter(invoice=invoice).count()
    key = f"checkout-{invoice.cooperative_id}-{invoice.pk}-{amount}-{attempt}"
    metadata = {
        "invoice_id": str(invoice.pk),
        "invoice_number": invoice.display_number,
        "cooperative_id": str(invoice.cooperative_id),
    }
    params: SessionCreateParams = {
        "mode": "payment",
        # stripe-python 16 types only allowed_payment_method_types; the API takes this one.
        "payment_method_types": PAYMENT_METHODS,  # type: ignore[typeddict-unknown-key]
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": invoice.currency.lower(),
                    "unit_amount": amount,
                    "product_data": {"name": _("Invoice %(n)s") % {"n": invoice.display_number}},
                },
            }
        ],
        "client_reference_id": str(invoice.pk),
        # The SDK leaves out a parameter that is None; its types do not allow None.
        "customer_email": invoice.customer.get("email") or None,  # type: ignore[typeddict-item]
        "metadata": metadata,
        "payment_intent_data": {
            "metadata": metadata,
            "description": f"{invoice.supplier.get('name', '')} {invoice.display_number}"[:200],
        },
        "success_url": success_url,
        "cancel_url": cancel_url,
    }
    try:
        session = client.v1.checkout.sessions.create(
            params=params, options={"idempotency_key": key}
        ).to_dict()
    except stripe.StripeError as exc:
        raise stripe_failure(exc, field="invoice") from exc
    with transaction.atomic():
        checkout, created = StripeCheckout.objects.get_or_create(
            session_id=session["id"],
            defaults={
                "invoice": invoice,
                "idempotency_key": key,
                "url": session["url"],
                "amount_cents": amount,
                "payment_intent_id": session.get("payment_intent") or "",
                "expires_at": datetime.fromtimestamp(session["expires_at"], tz=UTC),
            },
        )
        if created:
            audit_record(
                actor=actor,
                action=PayoutAction.INVOICE_PAYMENT_LINK,
                target=invoice,
                cooperative_id=invoice.cooperative_id,
                data={"session": session["id"], "cents": amount},
            )
    return checkout
