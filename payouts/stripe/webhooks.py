"""Stripe webhooks: verified, stored before handling, handled once from a dispatch table.

Design overview
---------------
1. ``stripe_webhook_receive`` verifies the ``Stripe-Signature`` with the cooperative's
   webhook secret; a bad signature is refused and nothing is written.
2. The event is stored under its Stripe event id, unique per cooperative (``INSERT … ON
   CONFLICT DO NOTHING``), in its own transaction, before any handling: a second delivery,
   even a concurrent one, finds the row. Another cooperative storing the same id first
   changes nothing here: each cooperative's account has its own ids.
3. ``stripe_event_process`` handles it from ``HANDLERS`` (event type → handler). A
   handler may first *read* from Stripe (``fetch``, outside any transaction: the current
   state of a payment intent, an account, a charge's refunds), then ``apply`` runs in one
   transaction that holds the event row locked. A processed event is never handled
   again, so replays and concurrent deliveries have one effect.
4. Order does not matter: each ``apply`` compares with the state held here (a payment
   recorded under its unique payment-intent id; an account's ``state_at``; refunds and
   disputes idempotent per Stripe id), and a refund or dispute that arrives before the
   payment first records that payment from Stripe's current state of the intent.
5. A handler that fails stays stored as ``failed`` and the endpoint answers 500, so
   Stripe delivers it again; a business refusal (say, an overpayment) answers 200, is kept
   as ``failed`` with its reason for the treasury, and is not retried.
6. Every lookup a handler makes is scoped to the cooperative whose endpoint received the
   event (its secret signed it). An event that names a payment, invoice, transfer or
   account this cooperative does not hold (another cooperative's, say) is answered 200,
   stored as ``ignored`` with the reason for the treasurer, and changes nothing.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import stripe
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from payouts.audit_actions import PayoutAction
from payouts.models import (
    Invoice,
    Payment,
    PayoutItem,
    StripeConnectAccount,
    StripeEvent,
    StripeTransfer,
)
from payouts.services.invoices import payment_record
from werkstation.audit import audit_record
from werkstation.errors import ApplicationError, ValidationFailed
from werkstation.locks import lock_first, lock_get
from werkstation.money import from_minor

from .setup import stripe_client, stripe_credentials

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.db.models import QuerySet

    from members.models import Cooperative

logger = logging.getLogger(__name__)
SIGNATURE_TOLERANCE_SECONDS = 300


# A JSON object as Stripe sends it (events, intents, charges, accounts).
JsonObject = dict[str, Any]


class NotReady(Exception):
    """The event refers to something this side has not committed yet; Stripe retries."""


@dataclass(frozen=True)
class Handler:
    apply: Callable[[StripeEvent, JsonObject, JsonObject], str]
    fetch: Callable[[stripe.StripeClient, StripeEvent, JsonObject], JsonObject] | None = None


# --- receiving --------------------------------------------------------------------------


def stripe_webhook_receive(
    *, cooperative: Cooperative, payload: bytes, signature: str | None, site_url: str = ""
) -> StripeEvent | None:
    secrets = stripe_credentials(cooperative).webhook_secrets
    if not secrets:
        raise ValidationFailed(
            _("Stripe webhooks are not set up for this cooperative."),
            code="stripe_off",
            field="Stripe-Signature",
        )
    if not any(_signed_with(payload, signature, secret) for secret in secrets):
        raise ValidationFailed(
            _("The Stripe signature does not match."),
            code="bad_signature",
            field="Stripe-Signature",
        )
    try:
        data = json.loads(payload)
        event_id, kind, created = data["id"], data["type"], int(data["created"])
        obj = data["data"]["object"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ValidationFailed(
            _("This is not a Stripe event."), code="not_an_event", field="body"
        ) from exc
    if not isinstance(obj, dict) or not str(event_id).startswith("evt_"):
        raise ValidationFailed(_("This is not a Stripe event."), code="not_an_event", field="body")
    event = stripe_event_store(
        cooperative=cooperative, event_id=event_id, kind=kind, created=created, data=data
    )
    return stripe_event_process(event_pk=event.pk, site_url=site_url)


def _signed_with(payload: bytes, signature: str | None, secret: str) -> bool:
    try:
        stripe.WebhookSignature.verify_header(
            payload, signature, secret, SIGNATURE_TOLERANCE_SECONDS
        )
    except (stripe.SignatureVerificationError, ValueError, IndexError):
        return False
    return True


def stripe_event_store(
    *, cooperative: Cooperative, event_id: str, kind: str, created: int, data: JsonObject
) -> StripeEvent:
    """Store the event once per cooperative (a second delivery is a no-op), before anything
    handles it."""
    with transaction.atomic():
        StripeEvent.objects.bulk_create(
            [
                StripeEvent(
                    event_id=event_id,
                    cooperative=cooperative,
                    type=kind[:100],
                    created=datetime.fromtimestamp(created, tz=UTC),
                    livemode=bool(data.get("livemode")),
                    payload=data,
                )
            ],
            ignore_conflicts=True,
        )
    return StripeEvent.objects.get(cooperative=cooperative, event_id=event_id)


def stripe_event_process(*, event_pk: int, site_url: str = "") -> StripeEvent:
    event = StripeEvent.objects.select_related("cooperative").get(pk=event_pk)
    if event.status in (StripeEvent.Status.PROCESSED, StripeEvent.Status.IGNORED):
        return event
    handler = HANDLERS.get(event.type)
    obj = event.payload["data"]["object"]
    context = {"site_url": site_url}
    try:
        if handler is not None and handler.fetch is not None:
            context.update(handler.fetch(stripe_client(event.cooperative), event, obj))
        with transaction.atomic():
            locked: StripeEvent = lock_get("payouts.StripeEvent", event.pk)
            if locked.status in (StripeEvent.Status.PROCESSED, StripeEvent.Status.IGNORED):
                return locked
            if handler is None:
                locked.status, note = StripeEvent.Status.IGNORED, "no handler for this type"
            else:
                note = handler.apply(locked, obj, context)
                locked.status = (
                    StripeEvent.Status.IGNORED
                    if note.startswith("ignored")
                    else StripeEvent.Status.PROCESSED
                )
            locked.attempts += 1
            locked.error = "" if locked.status == StripeEvent.Status.PROCESSED else note
            locked.processed_at = timezone.now()
            locked.save(update_fields=["status", "attempts", "error", "processed_at"])
            return locked
    except ApplicationError as exc:
        _mark_failed(event, f"{exc.code}: {exc.message}")
        audit_record(
            actor=None,
            action=PayoutAction.STRIPE_EVENT_FAILED,
            target=event,
            cooperative_id=event.cooperative_id,
            data={"type": event.type, "error": exc.message},
        )
        event.refresh_from_db()
        return event
    except Exception as exc:
        _mark_failed(event, repr(exc))
        raise


def _mark_failed(event: StripeEvent, error: str) -> None:
    with transaction.atomic():
        locked = lock_get("payouts.StripeEvent", event.pk)
        if locked.status == StripeEvent.Status.PROCESSED:
            return
        locked.status, locked.error = StripeEvent.Status.FAILED, error[:2000]
        locked.attempts += 1
        locked.save(update_fields=["status", "error", "attempts"])


# --- payments in ------------------------------------------------------------------------


def _fetch_payment_intent(
    client: stripe.StripeClient, event: StripeEvent, obj: JsonObject
) -> JsonObject:
    """Stripe's current state of the intent (with its charge): an old event never decides."""
    pi_id = obj.get("payment_intent") if obj.get("object") != "payment_intent" else obj["id"]
    if not pi_id or _payments(event).filter(stripe_id=pi_id).exists():
        return {}
    intent = client.v1.payment_intents.retrieve(pi_id, params={"expand": ["latest_charge"]})
    return {"payment_intent": intent.to_dict()}


def _payments(event: StripeEvent) -> QuerySet[Payment]:
    """The payments of the cooperative that received the event: the only ones it may touch."""
    return Payment.objects.filter(cooperative_id=event.cooperative_id)


def _payment_ensure(event: StripeEvent, pi_id: str, context: JsonObject) -> Payment | None:
    """The payment of a succeeded intent, recorded once (locked on its invoice)."""
    if not pi_id:
        return None
    payment = _payments(event).filter(stripe_id=pi_id).first()
    if payment is not None:
        return payment
    intent = context.get("payment_intent")
    if not intent or intent.get("status") != "succeeded":
        return None
    invoice_id = _our_id((intent.get("metadata") or {}).get("invoice_id"))
    invoice: Invoice | None = (
        lock_first(Invoice.objects.filter(pk=invoice_id, cooperative=event.cooperative))
        if invoice_id
        else None
    )
    if invoice is None:
        return None
    payment = _payments(event).filter(stripe_id=pi_id).first()  # decided while we waited?
    if payment is not None:
        return payment
    charge = intent.get("latest_charge") or {}
    kind = (
        ((charge.get("payment_method_details") or {}).get("type") or "card")
        if isinstance(charge, dict)
        else "card"
    )
    method = Payment.Method.IDEAL if kind == "ideal" else Payment.Method.CARD
    paid_at = charge.get("created") if isinstance(charge, dict) else None
    return payment_record(
        actor=None,
        cooperative=event.cooperative,
        invoice_number=invoice.display_number,
        amount=from_minor(int(intent["amount_received"]), intent["currency"].upper()),
        currency=intent["currency"].upper(),
        received_on=_local_date(paid_at or intent["created"]),
        method=method,
        stripe_id=pi_id,
        reference=pi_id,
    )


def _our_id(value: Any) -> int | None:  # a metadata value: any JSON
    """An id we put in Stripe metadata ourselves; anything else is not ours."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _local_date(epoch: int) -> date:
    return timezone.localdate(datetime.fromtimestamp(epoch, tz=UTC))


def _payment_succeeded(event: StripeEvent, obj: JsonObject, context: JsonObject) -> str:
    payment = _payment_ensure(event, obj["id"], context)
    if payment is None:
        return "ignored: not a succeeded payment of one of our invoices"
    return f"payment {payment.pk}"


def _payment_failed(event: StripeEvent, obj: JsonObject, context: JsonObject) -> str:
    intent = context.get("payment_intent") or obj
    if _payments(event).filter(stripe_id=obj["id"]).exists() or intent.get("status") in (
        "succeeded",
        "processing",
    ):
        return "ignored: the payment succeeded after all"
    invoice_id = _our_id((obj.get("metadata") or {}).get("invoice_id"))
    invoice = (
        Invoice.objects.filter(pk=invoice_id, cooperative=event.cooperative)
        .select_related("client")
        .first()
        if invoice_id
        else None
    )
    if invoice is None:
        return "ignored: not one of our invoices"
    reason = ((obj.get("last_payment_error") or {}).get("message") or "")[:300]
    audit_record(
        actor=None,
        action=PayoutAction.INVOICE_ONLINE_PAYMENT_FAILED,
        target=invoice,
        cooperative_id=invoice.cooperative_id,
        data={"payment_intent": obj["id"], "reason": reason},
    )
    if invoice.client.billing_email:
        from werkstation.notify import email_user_on_commit

        email_user_on_commit(
            to=invoice.client.billing_email,
            language="nl",
            subject=_("Payment of invoice %(n)s did not go through")
            % {"n": invoice.display_number},
            template="payouts/email/payment_failed.txt",
            context={"invoice": invoice, "reason": reason, "site_url": context.get("site_url", "")},
        )
    return f"failure recorded for invoice {invoice.display_number}"


# --- refunds and disputes ---------------------------------------------------------------


def _fetch_refunds(client: stripe.StripeClient, event: StripeEvent, obj: JsonObject) -> JsonObject:
    fetched = _fetch_payment_intent(client, event, obj)
    refunds = client.v1.refunds.list(params={"charge": obj["id"], "limit": 100})
    fetched["refunds"] = [r.to_dict() for r in refunds.data]
    return fetched


def _payment_for(event: StripeEvent, obj: JsonObject, context: JsonObject) -> Payment | None:
    """The payment a refund or dispute is about, recorded first if its event is still due.

    None when it is not a payment of one of our invoices (say, a charge made by hand in
    the Stripe dashboard): there is nothing of ours to correct.
    """
    return _payment_ensure(event, obj.get("payment_intent") or "", context)


def _charge_refunded(event: StripeEvent, obj: JsonObject, context: JsonObject) -> str:
    from payouts.services import reversals

    payment = _payment_for(event, obj, context)
    if payment is None:
        return "ignored: not a payment of one of our invoices"
    done = 0
    for refund in context.get("refunds", []):
        if refund.get("status") not in ("succeeded", "pending"):
            continue
        reversals.payment_refund(
            actor=None,
            payment=payment,
            amount_cents=int(refund["amount"]),
            reason=refund.get("reason") or "refund at Stripe",
            external_id=refund["id"],
        )
        done += 1
    return f"{done} refund(s) of payment {payment.pk}"


DISPUTE_STATUS = {"won": "won", "lost": "lost"}


def _dispute(event: StripeEvent, obj: JsonObject, context: JsonObject) -> str:
    from payouts.services import reversals

    payment = _payment_for(event, obj, context)
    if payment is None:
        return "ignored: not a payment of one of our invoices"
    status = DISPUTE_STATUS.get(obj.get("status", ""), "open")
    reversals.dispute_record(
        payment=payment,
        amount_cents=int(obj["amount"]),
        external_id=obj["id"],
        status=status,
        reason=obj.get("reason") or "",
    )
    return f"dispute {obj['id']} {status}"


# --- Connect --------------------------------------------------------------------------


def _transfer_reversed(event: StripeEvent, obj: JsonObject, context: JsonObject) -> str:
    from payouts.services import reversals

    transfer = (
        StripeTransfer.objects.filter(
            transfer_id=obj["id"], item__batch__cooperative_id=event.cooperative_id
        )
        .select_related("item")
        .first()
    )
    if transfer is None:
        item_id = _our_id((obj.get("metadata") or {}).get("payout_item"))
        item = (
            PayoutItem.objects.filter(pk=item_id, batch__cooperative=event.cooperative).first()
            if item_id
            else None
        )
        if item is None:
            return "ignored: not a transfer of ours"
        msg = f"payout item {item.pk} is not recorded as paid yet"
        raise NotReady(msg)
    if int(obj.get("amount_reversed") or 0) < transfer.amount_cents:
        raise ValidationFailed(
            _("Stripe reversed only part of transfer %(t)s; settle it by hand.") % {"t": obj["id"]},
            code="partial_reversal",
            field="transfer",
        )
    reversals.payout_item_return(
        actor=None,
        item=transfer.item,
        reason=_("The Stripe transfer was reversed."),
        external_id=obj["id"],
    )
    return f"payout item {transfer.item_id} returned"


def _fetch_account(client: stripe.StripeClient, event: StripeEvent, obj: JsonObject) -> JsonObject:
    held = StripeConnectAccount.objects.filter(
        account_id=obj["id"], cooperative_id=event.cooperative_id
    ).first()
    if held is None or (held.state_at and event.created < held.state_at):
        return {}
    return {"account": client.v1.accounts.retrieve(obj["id"]).to_dict()}


def connect_account_apply(
    account: StripeConnectAccount, state: JsonObject, state_at: datetime
) -> bool:
    """Take an account state seen at ``state_at`` unless a newer one is held. Locked row."""
    if account.state_at and state_at < account.state_at:
        return False
    account.payouts_enabled = bool(state.get("payouts_enabled"))
    account.details_submitted = bool(state.get("details_submitted"))
    account.state_at = state_at
    account.save(update_fields=["payouts_enabled", "details_submitted", "state_at", "updated_at"])
    return True


def _account_updated(event: StripeEvent, obj: JsonObject, context: JsonObject) -> str:
    account = lock_first(
        StripeConnectAccount.objects.filter(account_id=obj["id"], cooperative=event.cooperative)
    )
    if account is None:
        return "ignored: not a member's account"
    # Stripe's current state when we could read it, else the event's own snapshot.
    state = context.get("account") or obj
    if not connect_account_apply(account, state, event.created):
        return "ignored: older than the state held"
    audit_record(
        actor=None,
        action=PayoutAction.STRIPE_CONNECT_ACCOUNT_UPDATED,
        target=account,
        cooperative_id=event.cooperative_id,
        data={"payouts_enabled": account.payouts_enabled},
    )
    return f"account {account.account_id}: payouts {'on' if account.payouts_enabled else 'off'}"


HANDLERS: dict[str, Handler] = {
    "payment_intent.succeeded": Handler(_payment_succeeded, _fetch_payment_intent),
    "payment_intent.payment_failed": Handler(_payment_failed, _fetch_payment_intent),
    "charge.refunded": Handler(_charge_refunded, _fetch_refunds),
    "charge.dispute.created": Handler(_dispute, _fetch_payment_intent),
    "charge.dispute.updated": Handler(_dispute, _fetch_payment_intent),
    "charge.dispute.closed": Handler(_dispute, _fetch_payment_intent),
    "charge.dispute.funds_withdrawn": Handler(_dispute, _fetch_payment_intent),
    "charge.dispute.funds_reinstated": Handler(_dispute, _fetch_payment_intent),
    "transfer.reversed": Handler(_transfer_reversed),
    "account.updated": Handler(_account_updated, _fetch_account),
}
