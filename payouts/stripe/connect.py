"""Stripe Connect: members' Express accounts, and paying payout items by transfer.

Paying one item (``_pay_item``) is a small protocol, because the Stripe call cannot be
inside the database transaction that records it:

1. Under the item's row lock, a ``StripeTransfer`` row fixes the idempotency key
   (``payout-<coop>-<batch>-<member>``, plus ``-<n>`` for a later attempt) and commits
   *before* Stripe is called. A fresh item is only started when it fits in the Stripe
   balance read at the start of the run (and in the member's payable balance).
2. The transfer is created with that key. The SDK retries timeouts, dropped answers and
   5xx with the same key, so Stripe makes it at most once.
3. Under the lock again, the ledger books member payable → Stripe balance under the
   unique reference ``payout-item:<id>`` and the item is marked paid.

A worker that dies between 2 and 3 leaves the row in ``sending``; the rerun sends the
same key, gets Stripe's stored answer and books it then. When Stripe's answer stays
unknown (a stored 500, a network that does not come back), the transfer is looked up by
its ``transfer_group`` (= the key): found, it is booked; certainly not made after a
stored error, the next run uses the next key; otherwise it waits for the next run.

Items that do not fit in the balance (or whose account can no longer take payouts)
follow the cooperative's explicit choice: **wait** (held, paid by the next batch) or
**sepa** (paid by the SEPA file of this batch when the member has a usable IBAN;
otherwise held, like wait).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING, Any, TypedDict

import stripe
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from members.access import require_role
from members.models import Cooperative, Profile, User
from payouts.audit_actions import PayoutAction
from payouts.models import (
    Account,
    Entry,
    PayoutBatch,
    PayoutItem,
    StripeConnectAccount,
    StripeSettings,
    StripeTransfer,
)
from payouts.services.ledger import AccountBook, Leg, post
from werkstation.audit import audit_record
from werkstation.errors import ValidationFailed
from werkstation.locks import lock_get, lock_payout_batches

from .checkout import stripe_failure
from .setup import StripeCredentials, stripe_client, stripe_credentials

if TYPE_CHECKING:
    from collections.abc import Iterable

logger = logging.getLogger(__name__)
K = Account.Kind


# --- onboarding -------------------------------------------------------------------------


def _require_connect(cooperative: Cooperative) -> StripeCredentials:
    credentials = stripe_credentials(cooperative)
    if not (credentials.payments_on and credentials.connect_enabled):
        raise ValidationFailed(
            _("This cooperative does not pay members through Stripe."),
            code="connect_off",
            field="cooperative",
        )
    return credentials


def connect_onboarding_link(
    *, actor: User, cooperative: Cooperative, return_url: str, refresh_url: str
) -> str:
    """An Express onboarding link; the member's connected account is made once."""
    require_role(actor, cooperative, "member")
    client = stripe_client(cooperative, _require_connect(cooperative))
    account = StripeConnectAccount.objects.filter(cooperative=cooperative, user=actor).first()
    try:
        if account is None:
            created = client.v1.accounts.create(
                params={
                    "type": "express",
                    "country": "NL",
                    "email": actor.email,
                    "business_type": "individual",
                    "capabilities": {"transfers": {"requested": True}},
                    "metadata": {"user_id": str(actor.pk), "cooperative_id": str(cooperative.pk)},
                },
                options={"idempotency_key": f"connect-account-{cooperative.pk}-{actor.pk}"},
            )
            with transaction.atomic():
                account, made = StripeConnectAccount.objects.get_or_create(
                    cooperative=cooperative, user=actor, defaults={"account_id": created.id}
                )
                if made:
                    audit_record(
                        actor=actor,
                        action=PayoutAction.STRIPE_CONNECT_ACCOUNT_CREATED,
                        target=account,
                        cooperative_id=cooperative.pk,
                    )
        link = client.v1.account_links.create(
            params={
                "account": account.account_id,
                "type": "account_onboarding",
                "return_url": return_url,
                "refresh_url": refresh_url,
            }
        )
    except stripe.StripeError as exc:
        raise stripe_failure(exc, field="cooperative") from exc
    url: str = link.url
    return url


def connect_account_refresh(
    *, actor: User, cooperative: Cooperative
) -> StripeConnectAccount | None:
    """Read the member's account from Stripe (back from onboarding) and keep its state."""
    from .webhooks import connect_account_apply

    account = StripeConnectAccount.objects.filter(cooperative=cooperative, user=actor).first()
    if account is None:
        return None
    client = stripe_client(cooperative, _require_connect(cooperative))
    read_at = timezone.now()
    try:
        state = client.v1.accounts.retrieve(account.account_id).to_dict()
    except stripe.StripeError as exc:
        raise stripe_failure(exc, field="cooperative") from exc
    with transaction.atomic():
        locked: StripeConnectAccount = lock_get("payouts.StripeConnectAccount", account.pk)
        connect_account_apply(locked, state, read_at)
    return locked


class ConnectStatus(TypedDict):
    """The member's Connect account as they see it (``connect_status``)."""

    available: bool
    account: str | None
    details_submitted: bool
    payouts_enabled: bool


def connect_status(*, user: User, cooperative: Cooperative) -> ConnectStatus:
    account = StripeConnectAccount.objects.filter(cooperative=cooperative, user=user).first()
    credentials = stripe_credentials(cooperative)
    return {
        "available": credentials.payments_on and credentials.connect_enabled,
        "account": account.account_id if account else None,
        "details_submitted": bool(account and account.details_submitted),
        "payouts_enabled": bool(account and account.payouts_enabled),
    }


def members_paid_by_connect(cooperative: Cooperative, member_ids: Iterable[int]) -> set[int]:
    """Members a new payout batch pays by Connect transfer."""
    credentials = stripe_credentials(cooperative)
    if not (credentials.payments_on and credentials.connect_enabled):
        return set()
    return set(
        StripeConnectAccount.objects.filter(
            cooperative=cooperative, user_id__in=list(member_ids), payouts_enabled=True
        ).values_list("user_id", flat=True)
    )


# --- paying a batch ---------------------------------------------------------------------


def stripe_items_pay(*, batch: PayoutBatch) -> int:
    """Pay the batch's pending Connect items. Returns how many are still undecided."""
    items = list(
        batch.items.filter(method=PayoutItem.Method.STRIPE, status=PayoutItem.Status.PENDING)
        .select_related("batch__cooperative")
        .order_by("pk")
    )
    if not items:
        return 0
    cooperative = batch.cooperative
    credentials = stripe_credentials(cooperative)
    if not credentials.payments_on:
        for item in items:
            _overflow(item.pk, credentials, _("Stripe is switched off"))
        return 0
    client = stripe_client(cooperative, credentials)
    # Items already started first: their answer is due whatever the balance is now.
    started = set(StripeTransfer.objects.filter(item__in=items).values_list("item_id", flat=True))
    undecided = 0
    for item in [i for i in items if i.pk in started]:
        undecided += _pay_item(client, credentials, item.pk, budget=None) == "undecided"
    fresh = [i for i in items if i.pk not in started]
    if not fresh:
        return undecided
    try:
        balance = client.v1.balance.retrieve()
    except stripe.StripeError:
        logger.warning("stripe: balance unreadable; batch %s waits", batch.pk, exc_info=True)
        return undecided + len(fresh)
    budget = [
        sum(b.amount for b in balance.available if b.currency.upper() == cooperative.currency)
    ]
    for item in fresh:
        undecided += _pay_item(client, credentials, item.pk, budget=budget) == "undecided"
    return undecided


def _payable_cents(cooperative_id: int, member_id: int) -> int:
    total = Entry.objects.filter(
        account__cooperative_id=cooperative_id, account__kind=K.PAYABLE, account__key=str(member_id)
    ).aggregate(total=Sum("amount_cents"))["total"]
    return -(total or 0)


def _lock_with_batch(item_id: int) -> PayoutItem:
    """The item's batch, then the item (the lock order): booking the batch waits for a
    Stripe transfer of one of its items to be recorded, and the other way round."""
    batch_id = PayoutItem.objects.filter(pk=item_id).values_list("batch_id", flat=True).first()
    lock_payout_batches([batch_id] if batch_id is not None else [])  # lock_rows skips None
    item: PayoutItem = lock_get("payouts.PayoutItem", item_id, select_related=("batch",))
    return item


def _pay_item(
    client: stripe.StripeClient,
    credentials: StripeCredentials,
    item_id: int,
    *,
    budget: list[int] | None,  # [cents left on the Stripe balance], shared by the items
) -> str:
    with transaction.atomic():
        item = _lock_with_batch(item_id)
        if item.status != PayoutItem.Status.PENDING or item.method != PayoutItem.Method.STRIPE:
            return "done"
        cooperative_id = item.batch.cooperative_id
        transfer = StripeTransfer.objects.filter(item=item).first()
        account = StripeConnectAccount.objects.filter(
            cooperative_id=cooperative_id, user_id=item.member_id
        ).first()
        if transfer is None:
            if account is None or not account.payouts_enabled:
                return _overflow(item.pk, credentials, _("the Stripe account takes no payouts"))
            if item.amount_cents > _payable_cents(cooperative_id, item.member_id):
                item.status, item.hold_reason = (
                    PayoutItem.Status.FAILED,
                    _("more than the member's payable balance"),
                )
                item.save(update_fields=["status", "hold_reason"])
                return "failed"
            if budget is not None and item.amount_cents > budget[0]:
                return _overflow(item.pk, credentials, _("the Stripe balance is too low"))
            transfer = StripeTransfer.objects.create(
                item=item,
                destination=account.account_id,
                amount_cents=item.amount_cents,
                idempotency_key=item.idempotency_key,
            )
        elif transfer.status == StripeTransfer.Status.FAILED:
            # Stripe certainly made no transfer under the last key: the next attempt.
            transfer.attempt += 1
            transfer.idempotency_key = f"{item.idempotency_key}-{transfer.attempt}"
            transfer.status, transfer.error = StripeTransfer.Status.SENDING, ""
            transfer.save(
                update_fields=["attempt", "idempotency_key", "status", "error", "updated_at"]
            )
        if budget is not None:
            budget[0] -= item.amount_cents
    # Committed: the key is fixed before Stripe hears of it.
    try:
        made = client.v1.transfers.create(
            params={
                "amount": transfer.amount_cents,
                "currency": item.batch.cooperative.currency.lower(),
                "destination": transfer.destination,
                "transfer_group": transfer.idempotency_key,
                "description": f"Werkstation payout batch {item.batch_id}",
                "metadata": {
                    "payout_item": str(item.pk),
                    "payout_batch": str(item.batch_id),
                    "cooperative_id": str(cooperative_id),
                    "member_id": str(item.member_id),
                },
            },
            options={"idempotency_key": transfer.idempotency_key},
        ).to_dict()
    except (stripe.InvalidRequestError, stripe.CardError, stripe.PermissionError) as exc:
        # Refused: no transfer was made.
        _transfer_failed(transfer.pk, str(exc))
        if budget is not None:
            budget[0] += item.amount_cents
        return _overflow(
            item.pk,
            credentials,
            _("Stripe refused the transfer: %(m)s") % {"m": exc.user_message or exc},
        )
    except stripe.StripeError as exc:
        found, looked = _look_up(client, transfer)
        if found is None:
            if looked and isinstance(exc, stripe.APIError) and (exc.http_status or 0) >= 500:
                # Stripe keeps answering this key with its stored error, and the transfer
                # certainly was not made: the next run sends the next key.
                _transfer_failed(transfer.pk, str(exc))
            else:
                _transfer_note(transfer.pk, str(exc))
            logger.warning("stripe: transfer for item %s undecided: %s", item.pk, exc)
            return "undecided"
        made = found
    return _book_transfer(item.pk, made)


def _look_up(
    client: stripe.StripeClient, transfer: StripeTransfer
) -> tuple[dict[str, Any] | None, bool]:
    """The transfer made under this key, if any; and whether Stripe answered the question."""
    try:
        found = client.v1.transfers.list(
            params={"transfer_group": transfer.idempotency_key, "limit": 10}
        )
    except stripe.StripeError:
        return None, False
    for candidate in found.data:
        if (
            candidate.destination == transfer.destination
            and candidate.amount == transfer.amount_cents
        ):
            return candidate.to_dict(), True
    return None, True


def _transfer_note(transfer_id: int, error: str) -> None:
    StripeTransfer.objects.filter(pk=transfer_id).update(
        error=error[:2000], updated_at=timezone.now()
    )


def _transfer_failed(transfer_id: int, error: str) -> None:
    StripeTransfer.objects.filter(pk=transfer_id).update(
        status=StripeTransfer.Status.FAILED, error=error[:2000], updated_at=timezone.now()
    )


def _book_transfer(item_id: int, made: dict[str, Any]) -> str:
    with transaction.atomic():
        item = _lock_with_batch(item_id)
        StripeTransfer.objects.filter(item=item).update(
            transfer_id=made["id"],
            status=StripeTransfer.Status.CREATED,
            error="",
            updated_at=timezone.now(),
        )
        if item.status == PayoutItem.Status.PAID:
            return "paid"
        book = AccountBook(item.batch.cooperative_id)
        post(
            item.batch.cooperative_id,
            kind="payout",
            reference=f"payout-item:{item.pk}",
            description=f"Payout batch {item.batch_id} to member {item.member_id} (Stripe {made['id']})",
            legs=[
                Leg(book.get(K.PAYABLE, item.member_id), item.amount_cents),
                Leg(book.get(K.STRIPE), -item.amount_cents),
            ],
        )
        item.status, item.paid_at, item.provider_id = (
            PayoutItem.Status.PAID,
            timezone.now(),
            made["id"],
        )
        item.save(update_fields=["status", "paid_at", "provider_id"])
        audit_record(
            actor=None,
            action=PayoutAction.PAYOUT_ITEM_TRANSFERRED,
            target=item,
            cooperative_id=item.batch.cooperative_id,
            data={"transfer": made["id"], "cents": item.amount_cents},
        )
    return "paid"


def _overflow(item_id: int, credentials: StripeCredentials, why: str) -> str:
    """The cooperative's choice for an item Stripe cannot pay now: SEPA, or wait."""
    from payouts.services.payouts import IBAN_HOLD_DAYS

    with transaction.atomic():
        item = lock_get("payouts.PayoutItem", item_id)
        if item.status != PayoutItem.Status.PENDING:
            return "done"
        profile = Profile.objects.filter(user_id=item.member_id).select_related("user").first()
        settled_iban = bool(
            profile
            and profile.iban
            and not (
                profile.iban_changed_at
                and profile.iban_changed_at > timezone.now() - timedelta(days=IBAN_HOLD_DAYS)
            )
        )
        # settled_iban implies a profile
        if credentials.overflow == StripeSettings.Overflow.SEPA and settled_iban and profile:
            item.method = PayoutItem.Method.SEPA
            item.iban = profile.iban
            item.account_holder = profile.account_holder or profile.user.full_name
            item.hold_reason = _("%(why)s: paid by SEPA") % {"why": why}
            outcome = "sepa"
        else:
            item.status = PayoutItem.Status.HELD
            item.hold_reason = _("%(why)s: waits for the next batch") % {"why": why}
            outcome = "waits"
        item.save(update_fields=["method", "iban", "account_holder", "status", "hold_reason"])
        audit_record(
            actor=None,
            action=PayoutAction.PAYOUT_ITEM_STRIPE_OVERFLOW,
            target=item,
            cooperative_id=item.batch.cooperative_id,
            data={"outcome": outcome, "why": str(why)},
        )
    return outcome


def payout_batches_resume() -> int:
    """Beat: finish approved batches whose Connect transfers were left undecided."""
    from payouts.services.payouts import payout_batch_execute

    resumed = 0
    for batch in PayoutBatch.objects.filter(
        status=PayoutBatch.Status.APPROVED, items__stripe_transfer__isnull=False
    ).distinct():
        payout_batch_execute(actor=None, batch=batch)
        resumed += 1
    return resumed
