"""Money that comes back: refunds, disputes (chargebacks) and returned payouts.

Design overview
---------------
Every one of these is a *new* ledger transaction that reverses (part of) an earlier
one; nothing is edited. Each is idempotent on a unique key: the provider's id where
there is one (``Refund.external_id``, ``Dispute.external_id``,
``PayoutItem.return_external_id``), and always the ledger reference. Those ids are looked
up within the cooperative only: another cooperative's id never decides anything here.

Refunds and dispute withdrawals take cash back out of the account the payment came
into (bank or Stripe balance) and put the client's receivable back up, so the invoice
is open again for that amount (``Invoice.paid_cents`` goes down).

**The re-hold rule.** A payment made the member shares of the lines it fully covered
payable (``invoices._release_covered``: lines oldest first). When a refund or a dispute
takes money back, the released lines the remaining payments no longer cover are taken
back, *newest line first*, from *payable* to *earned* — but only where the member's
payable balance still holds the whole share of that line, i.e. it was not paid out yet.
A share already paid out stays paid: the member keeps it, the line stays released and
the refund records it as ``unrecovered_cents`` (the cooperative carries it, like any
bad debt). A line is never split; a later payment for the invoice releases the re-held
lines again, oldest first, exactly as the first time (reference
``release:<line>:<holds>``).

An *advanced* share (``Split.advanced_cents``) was payable from approval on; its release
only repaid the fund (advanced +share, fund −share). Re-holding such a
line reverses that repayment — the fund lends the share again (advanced −share, fund
+share) — and leaves the member's payable alone; it counts in neither ``reheld_cents``
nor ``unrecovered_cents``.

**Disputes** follow Stripe: ``open`` withdraws the disputed amount (with the re-hold
above), ``won`` returns it (and releases what the payments cover again), ``lost`` makes
the withdrawal final. ``won`` and ``lost`` are terminal. Which ledger effects were
posted is recorded on the dispute (``withdrawn``, ``returned``), so the same events in
any order end in the same state: ``won`` arriving first posts the withdrawal and the
return; an ``open`` after it changes nothing.

**A returned payout** (the bank bounced a SEPA transfer, or Stripe reversed a transfer)
reverses the legs of ``payout-item:<id>``: the money is back in the bank (or Stripe
balance), and owed to the member again (payable), so the next payout batch pays it.
The member is e-mailed to check their bank account.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, cast

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from members.access import require_role
from payouts.audit_actions import DISPUTE_STATUS, PayoutAction
from payouts.lifecycle import INVOICE
from payouts.models import (
    Account,
    Dispute,
    Entry,
    Invoice,
    InvoiceLine,
    Payment,
    PayoutItem,
    Refund,
)
from payouts.selectors import account_balance
from werkstation.audit import audit_record
from werkstation.errors import Conflict, ValidationFailed
from werkstation.locks import lock_first, lock_get, lock_where
from werkstation.money import format_money

from .invoices import _release_covered, coverage_cents
from .ledger import AccountBook, Leg, payable_kind, post
from .settlement import COOP_FUND

if TYPE_CHECKING:
    from members.models import User

logger = logging.getLogger(__name__)
K = Account.Kind


# --- shared helpers --------------------------------------------------------------------


def invoice_status(invoice: Invoice) -> str:
    """The status that follows from the amounts (paid, credited) of an invoice."""
    if invoice.credited_cents >= invoice.total_cents:
        return Invoice.Status.CREDITED
    if invoice.paid_cents > 0 and invoice.open_cents <= 0:
        return Invoice.Status.PAID
    if invoice.paid_cents > 0:
        return Invoice.Status.PARTIALLY_PAID
    return Invoice.Status.ISSUED


def _cents_argument(value: object, field: str = "amount") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed(_("Give the amount in whole cents."), field=field)
    if value <= 0:
        raise ValidationFailed(
            _("The amount must be more than zero."), code="not_positive", field=field
        )
    return value


def _cash_account(payment: Payment, book: AccountBook) -> Account:
    """The account the payment came into (bank or Stripe balance), read from its legs."""
    entry = (
        Entry.objects.filter(transaction__reference=f"payment:{payment.pk}", amount_cents__gt=0)
        .select_related("account")
        .first()
    )
    if entry is not None:
        return entry.account
    cards = (Payment.Method.IDEAL, Payment.Method.CARD)
    return book.get(K.STRIPE if payment.method in cards else K.BANK)


def refundable_cents(payment: Payment) -> int:
    """What can still go back to the client: the payment less refunds and withdrawn disputes."""
    refunded = payment.refunds.aggregate(s=Sum("amount_cents"))["s"] or 0
    disputed = (
        payment.disputes.filter(withdrawn=True, returned=False).aggregate(s=Sum("amount_cents"))[
            "s"
        ]
        or 0
    )
    return payment.amount_cents - refunded - disputed


def _rehold_uncovered(invoice: Invoice, book: AccountBook, why: str) -> tuple[int, int, list[int]]:
    """Take back member shares the payments no longer cover (the re-hold rule above).

    Returns (cents re-held, cents already paid out and so not recoverable, line ids).
    """
    locked = cast(
        "list[InvoiceLine]",  # lock_where returns the queryset's rows, typed as Model
        lock_where(invoice.lines.select_related("split", "credit_line")),
    )
    every = sorted(
        locked,
        key=lambda line: (line.work_date, line.id),
        reverse=True,
    )
    budget = coverage_cents(invoice, every)
    lines = [line for line in every if line.released and not hasattr(line, "credit_line")]
    released_total = sum(line.amount_cents + line.vat_cents for line in lines)
    reheld = unrecovered = 0
    line_ids: list[int] = []
    available: dict[int, int] = {}
    for line in lines:
        if released_total <= budget:
            break
        split = line.split
        if split.advanced_cents:
            # Its release repaid the fund; the share stayed the member's from approval on.
            # Taking the cover back, the fund lends it again.
            what = "the cooperative fund advances the member share again"
            legs = [
                Leg(book.get(K.ADVANCED, COOP_FUND), -split.advanced_cents),
                Leg(book.get(K.FUND, COOP_FUND), split.advanced_cents),
            ]
        else:
            payable = book.get(payable_kind(split.engagement), split.member_id)
            if payable.pk not in available:
                available[payable.pk] = -account_balance(payable)
            if available[payable.pk] < split.member_cents:
                unrecovered += split.member_cents
                continue
            available[payable.pk] -= split.member_cents
            reheld += split.member_cents
            what = "member share held again"
            legs = [
                Leg(payable, split.member_cents),
                Leg(book.get(K.EARNED, split.member_id), -split.member_cents),
            ]
        line.holds += 1
        post(
            invoice.cooperative_id,
            kind="rehold",
            reference=f"rehold:{line.pk}:{line.holds}",
            description=f"Invoice {invoice.display_number}: {why}; {what}",
            legs=legs,
        )
        line.released = False
        line.save(update_fields=["released", "holds"])
        released_total -= line.amount_cents + line.vat_cents
        line_ids.append(line.pk)
    return reheld, unrecovered, line_ids


def _take_back(
    *,
    invoice: Invoice,
    payment: Payment,
    book: AccountBook,
    cents: int,
    kind: str,
    reference: str,
    why: str,
) -> tuple[int, int]:
    """Cash out, receivable up, invoice open again, member shares re-held."""
    post(
        invoice.cooperative_id,
        kind=kind,
        reference=reference,
        description=f"{why} for invoice {invoice.display_number}",
        legs=[
            Leg(_cash_account(payment, book), -cents),
            Leg(book.get(K.RECEIVABLE, invoice.client_id), cents),
        ],
    )
    invoice.paid_cents -= cents
    INVOICE.transition(
        invoice, invoice_status(invoice), by=None, extra_update_fields=["paid_cents"]
    )
    reheld, unrecovered, _lines = _rehold_uncovered(invoice, book, why)
    return reheld, unrecovered


def _give_back(
    *,
    invoice: Invoice,
    payment: Payment,
    book: AccountBook,
    cents: int,
    kind: str,
    reference: str,
    why: str,
) -> int:
    """Cash in again, receivable down, and release what the payments cover again."""
    post(
        invoice.cooperative_id,
        kind=kind,
        reference=reference,
        description=f"{why} for invoice {invoice.display_number}",
        legs=[
            Leg(_cash_account(payment, book), cents),
            Leg(book.get(K.RECEIVABLE, invoice.client_id), -cents),
        ],
    )
    invoice.paid_cents += cents
    INVOICE.transition(
        invoice, invoice_status(invoice), by=None, extra_update_fields=["paid_cents"]
    )
    return _release_covered(invoice, book)


def _lock(payment: Payment) -> tuple[Invoice, Payment]:
    """Lock the invoice, then the payment (the order payment_record uses too)."""
    if payment.invoice_id is None:
        raise Conflict(
            _("This payment is not matched to an invoice."), code="unmatched", field="payment"
        )
    invoice = lock_get("payouts.Invoice", payment.invoice_id)
    payment = lock_get("payouts.Payment", payment.pk)
    return invoice, payment


# --- refunds ---------------------------------------------------------------------------


@transaction.atomic
def payment_refund(
    *,
    actor: User | None,
    payment: Payment,
    amount_cents: int,
    reason: str,
    external_id: str | None = None,
) -> Refund:
    """Pay (part of) a payment back to the client. Idempotent per ``external_id``.

    ``actor`` is None when a webhook reports a refund made at the provider.
    """
    if actor is not None:
        require_role(actor, payment.cooperative_id, "treasurer")
        if not (reason or "").strip():
            raise ValidationFailed(
                _("Say why the money goes back."), code="required", field="reason"
            )
    external_id = (external_id or "").strip() or None
    if external_id:
        existing = Refund.objects.filter(
            cooperative_id=payment.cooperative_id, external_id=external_id
        ).first()
        if existing is not None:
            return existing
    cents = _cents_argument(amount_cents)
    invoice, payment = _lock(payment)
    if external_id:  # a concurrent delivery may have won the race while we waited
        existing = Refund.objects.filter(
            cooperative_id=payment.cooperative_id, external_id=external_id
        ).first()
        if existing is not None:
            return existing
    refundable = refundable_cents(payment)
    if cents > refundable:
        raise ValidationFailed(
            _("At most %(max)s of this payment can still be refunded.")
            % {"max": format_money(refundable, payment.currency, get_language())},
            code="above_refundable",
            field="amount",
        )
    refund = Refund.objects.create(
        cooperative_id=payment.cooperative_id,
        payment=payment,
        amount_cents=cents,
        reason=(reason or "").strip()[:250],
        external_id=external_id,
        recorded_by=actor,
    )
    book = AccountBook(payment.cooperative_id)
    refund.reheld_cents, refund.unrecovered_cents = _take_back(
        invoice=invoice,
        payment=payment,
        book=book,
        cents=cents,
        kind="refund",
        reference=f"refund:{refund.pk}",
        why="Refund",
    )
    refund.save(update_fields=["reheld_cents", "unrecovered_cents"])
    audit_record(
        actor=actor,
        action=PayoutAction.PAYMENT_REFUNDED,
        target=refund,
        cooperative_id=payment.cooperative_id,
        data={
            "payment": payment.pk,
            "invoice": invoice.display_number,
            "cents": cents,
            "reheld_cents": refund.reheld_cents,
            "unrecovered_cents": refund.unrecovered_cents,
            "external_id": external_id,
        },
    )
    return refund


# --- disputes --------------------------------------------------------------------------


@transaction.atomic
def dispute_record(
    *, payment: Payment, amount_cents: int, external_id: str, status: str, reason: str = ""
) -> Dispute:
    """Record a dispute event (open / won / lost). Safe to repeat and to receive out of order."""
    if status not in Dispute.Status.values:
        raise ValidationFailed(
            _("A dispute is open, won or lost."), code="invalid_choice", field="status"
        )
    external_id = (external_id or "").strip()
    if not external_id:
        raise ValidationFailed(
            _("A dispute needs the provider's id."), code="required", field="external_id"
        )
    invoice, payment = _lock(payment)
    dispute: Dispute | None = lock_first(
        Dispute.objects.filter(cooperative_id=payment.cooperative_id, external_id=external_id)
    )
    if dispute is None:
        cents = _cents_argument(amount_cents)
        refundable = refundable_cents(payment)
        if cents > refundable:
            raise ValidationFailed(
                _("At most %(max)s of this payment can be disputed.")
                % {"max": format_money(refundable, payment.currency, get_language())},
                code="above_refundable",
                field="amount",
            )
        try:
            with transaction.atomic():
                dispute = Dispute.objects.create(
                    cooperative_id=payment.cooperative_id,
                    payment=payment,
                    external_id=external_id,
                    amount_cents=cents,
                    reason=(reason or "")[:250],
                )
        except IntegrityError:  # the same dispute of another payment: not ours to change
            raise Conflict(
                _("This dispute belongs to another payment."), code="conflict", field="external_id"
            ) from None
    elif dispute.payment_id != payment.pk:
        raise Conflict(
            _("This dispute belongs to another payment."), code="conflict", field="external_id"
        )
    terminal = (Dispute.Status.WON, Dispute.Status.LOST)
    if dispute.status in terminal:
        if status != dispute.status:
            logger.warning("dispute %s is %s; ignoring %s", external_id, dispute.status, status)
        return dispute
    book = AccountBook(payment.cooperative_id)
    if not dispute.withdrawn:
        _take_back(
            invoice=invoice,
            payment=payment,
            book=book,
            cents=dispute.amount_cents,
            kind="dispute",
            reference=f"dispute:{dispute.pk}:withdrawal",
            why="Disputed payment withdrawn",
        )
        dispute.withdrawn = True
    if status == Dispute.Status.WON and not dispute.returned:
        _give_back(
            invoice=invoice,
            payment=payment,
            book=book,
            cents=dispute.amount_cents,
            kind="dispute",
            reference=f"dispute:{dispute.pk}:return",
            why="Dispute won, payment returned",
        )
        dispute.returned = True
    previous = dispute.status
    dispute.status = status
    if reason:
        dispute.reason = reason[:250]
    dispute.save()
    if previous != status or status == Dispute.Status.OPEN:
        audit_record(
            actor=None,
            action=DISPUTE_STATUS[status],
            target=dispute,
            cooperative_id=payment.cooperative_id,
            data={
                "payment": payment.pk,
                "invoice": invoice.display_number,
                "cents": dispute.amount_cents,
            },
        )
    return dispute


# --- returned payouts ------------------------------------------------------------------


@transaction.atomic
def payout_item_return(
    *, actor: User | None, item: PayoutItem, reason: str, external_id: str | None = None
) -> PayoutItem:
    """A paid payout came back: the money is owed to the member again. Idempotent."""
    from werkstation.notify import email_user_on_commit

    item = lock_get("payouts.PayoutItem", item.pk, select_related=("batch", "member"))
    cooperative_id = item.batch.cooperative_id
    if actor is not None:
        require_role(actor, cooperative_id, "board", "treasurer")
        if not (reason or "").strip():
            raise ValidationFailed(
                _("Say why the payout came back."), code="required", field="reason"
            )
    external_id = (external_id or "").strip() or None
    if item.status == PayoutItem.Status.RETURNED:
        return item
    if item.status == PayoutItem.Status.FAILED:
        return item  # never booked: the balance is still payable, the next batch pays it
    if item.status not in (PayoutItem.Status.SENT, PayoutItem.Status.PAID):
        raise Conflict(
            _("Only a payout that was sent or paid can come back."),
            code="invalid_state",
            field="item",
        )
    if (
        external_id
        and PayoutItem.objects.filter(
            return_external_id=external_id, batch__cooperative_id=cooperative_id
        ).exists()
    ):
        raise Conflict(
            _("This return was recorded for another payout."), code="conflict", field="external_id"
        )
    paid = Entry.objects.filter(transaction__reference=f"payout-item:{item.pk}").select_related(
        "account"
    )
    legs = [Leg(entry.account, -entry.amount_cents) for entry in paid]
    if not legs:
        raise Conflict(_("This payout was never booked."), code="not_booked", field="item")
    post(
        cooperative_id,
        kind="payout_return",
        reference=f"payout-return:{item.pk}",
        description=f"Payout batch {item.batch_id} to member {item.member_id} came back",
        legs=legs,
    )
    item.status = PayoutItem.Status.RETURNED
    item.returned_at = timezone.now()
    item.return_reason = (reason or "").strip()[:250]
    item.return_external_id = external_id
    item.save(update_fields=["status", "returned_at", "return_reason", "return_external_id"])
    email_user_on_commit(
        to=item.member.email,
        language=item.member.preferred_language,
        subject=_("Your payout came back"),
        template="payouts/email/payout_returned.txt",
        context={"item": item, "reason": item.return_reason},
    )
    audit_record(
        actor=actor,
        action=PayoutAction.PAYOUT_ITEM_RETURNED,
        target=item,
        cooperative_id=cooperative_id,
        data={"cents": item.amount_cents, "reason": item.return_reason, "external_id": external_id},
    )
    return item
