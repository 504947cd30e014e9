"""Credit notes against issued invoices (Dutch: *creditnota*).

A credit note has its own gapless number series per cooperative (``C2026-00001``; a
locked sequence row, like invoices), names the invoice it corrects, keeps the legal
details of both parties as they were on the day of issue, and carries VAT at the
invoice's rate. It lowers what the client owes (``Invoice.credited_cents``). Two kinds:

* **Lines**: work taken off the bill (it should not have been invoiced). Each line's
  split is reversed (a reversal split pointing at it, as a correction does) and its
  ledger legs are negated: receivable down, VAT back, each pot back, and the member's
  share back from *earned* — or from *payable* when the client's payment had released
  it. A line whose share was already paid out to the member cannot be credited this way
  (credit an amount instead: the member keeps what they were paid).
* **An amount** (a goodwill discount): the member shares stay as they are; the
  cooperative carries the discount (``credits`` account). It counts towards covering
  the invoice's lines like a payment (``invoices.coverage_cents``).

Crediting a paid invoice leaves the client in credit; the treasurer then refunds the
payment (``reversals.payment_refund``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from members.access import require_role
from payouts.audit_actions import PayoutAction
from payouts.lifecycle import INVOICE
from payouts.models import Account, CreditNote, CreditNoteLine, Entry, Invoice, InvoiceLine
from werkstation.audit import audit_record
from werkstation.errors import Conflict, ValidationFailed
from werkstation.locks import lock_cooperatives, lock_get, lock_get_or_create, lock_one, lock_where
from werkstation.money import Number, format_money, percent_of

from .corrections import reverse_splits
from .invoices import _amount_cents, _customer, _supplier
from .ledger import AccountBook, Leg, payable_kind, post
from .reversals import invoice_status

if TYPE_CHECKING:
    from datetime import date

    from members.models import User

K = Account.Kind


def _member_payable(cooperative_id: int, member_id: int, kind: str = K.PAYABLE) -> int:
    total = Entry.objects.filter(
        account__cooperative_id=cooperative_id, account__kind=kind, account__key=str(member_id)
    ).aggregate(s=Sum("amount_cents"))["s"]
    return -(total or 0)


@transaction.atomic
def credit_note_issue(
    *,
    actor: User,
    invoice: Invoice,
    reason: str,
    line_ids: list[int] | None = None,
    amount: Number | None = None,
    issued_on: date | None = None,
) -> CreditNote:
    """Credit some lines of an invoice, or an amount (in euros, without VAT)."""
    require_role(actor, invoice.cooperative_id, "treasurer")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(
            _("Say why the invoice is credited."), code="required", field="reason"
        )
    if bool(line_ids) == (amount is not None and amount != ""):
        raise ValidationFailed(
            _("Credit either some lines of the invoice or an amount."),
            code="lines_or_amount",
            field="lines",
        )
    # The cooperative and the client with the invoice, in the lock order.
    lock_cooperatives([invoice.cooperative_id])
    lock_one("jobs.Client", invoice.client_id)
    invoice = lock_get("payouts.Invoice", invoice.pk, select_related=("cooperative", "client"))
    if invoice.status == Invoice.Status.CREDITED:
        raise Conflict(
            _("This invoice was credited in full already."), code="credited", field="invoice"
        )
    creditable = invoice.total_cents - invoice.credited_cents
    book = AccountBook(invoice.cooperative_id)
    lines: list[InvoiceLine] = []
    if line_ids:
        wanted = set(line_ids)
        locked = cast(
            "list[InvoiceLine]",  # lock_where returns the queryset's rows, typed as Model
            lock_where(invoice.lines.select_related("split", "credit_line").filter(pk__in=wanted)),
        )
        lines = sorted(
            locked,
            key=lambda line: (line.work_date, line.id),
        )
        if len(lines) != len(wanted):
            raise ValidationFailed(
                _("Some of these lines are not on this invoice."),
                code="unknown_line",
                field="lines",
            )
        if any(hasattr(line, "credit_line") for line in lines):
            raise ValidationFailed(
                _("Some of these lines were credited already."),
                code="already_credited",
                field="lines",
            )
        needed: dict[tuple[int, str], int] = {}
        for line in lines:
            # A released or advanced share is payable: it is taken back from there.
            if not (line.released or line.split.advanced_cents):
                continue
            member_id, kind = line.split.member_id, payable_kind(line.split.engagement)
            needed[(member_id, kind)] = needed.get((member_id, kind), 0) + line.split.member_cents
            if _member_payable(invoice.cooperative_id, member_id, kind) < needed[(member_id, kind)]:
                raise ValidationFailed(
                    _(
                        "The member was paid for the line of %(day)s already; credit an amount instead."
                    )
                    % {"day": f"{line.work_date:%d-%m-%Y}"},
                    code="paid_out",
                    field="lines",
                )
        subtotal = sum(line.amount_cents for line in lines)
        vat = sum(line.vat_cents for line in lines)
    else:
        subtotal = _amount_cents(amount)
        # An invoice whose VAT was all reverse-charged is credited without VAT too.
        vat = (
            0
            if invoice.reverse_charged_cents == invoice.subtotal_cents
            else percent_of(subtotal, invoice.vat_rate)
        )
    if subtotal + vat > creditable:
        raise ValidationFailed(
            _("At most %(max)s of this invoice can still be credited.")
            % {"max": format_money(creditable, invoice.currency, get_language())},
            code="above_creditable",
            field="amount",
        )
    sequence, _created = lock_get_or_create(
        "payouts.CreditNoteSequence", cooperative_id=invoice.cooperative_id
    )
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    cooperative = invoice.cooperative
    note = CreditNote.objects.create(
        cooperative=cooperative,
        invoice=invoice,
        number=sequence.last_number,
        issued_on=issued_on or timezone.localdate(),
        reason=reason[:250],
        currency=invoice.currency,
        vat_rate=invoice.vat_rate,
        subtotal_cents=subtotal,
        vat_cents=vat,
        total_cents=subtotal + vat,
        supplier=_supplier(cooperative),
        customer=_customer(invoice.client),
        issued_by=actor,
    )
    if lines:
        CreditNoteLine.objects.bulk_create(
            [
                CreditNoteLine(
                    credit_note=note,
                    invoice_line=line,
                    description=line.description,
                    amount_cents=line.amount_cents,
                    vat_cents=line.vat_cents,
                )
                for line in lines
            ]
        )
        _reverse_lines(note, lines, book)
    else:
        CreditNoteLine.objects.create(
            credit_note=note, description=reason[:250], amount_cents=subtotal, vat_cents=vat
        )
        post(
            invoice.cooperative_id,
            kind="credit_note",
            reference=f"credit-note:{note.pk}",
            description=f"Credit note {note.display_number} on invoice {invoice.display_number}",
            legs=[
                Leg(book.get(K.RECEIVABLE, invoice.client_id), -(subtotal + vat)),
                Leg(book.get(K.VAT), vat),
                Leg(book.get(K.CREDITS), subtotal),
            ],
        )
    invoice.credited_cents += note.total_cents
    INVOICE.transition(
        invoice, invoice_status(invoice), by=actor, extra_update_fields=["credited_cents"]
    )
    if not lines:
        from .invoices import _release_covered

        _release_covered(invoice, book)  # a discount may complete what the payments cover
    audit_record(
        actor=actor,
        action=PayoutAction.CREDIT_NOTE_ISSUED,
        target=note,
        cooperative_id=invoice.cooperative_id,
        data={
            "number": note.display_number,
            "invoice": invoice.display_number,
            "total_cents": note.total_cents,
            "lines": [line.pk for line in lines],
            "reason": reason,
        },
    )
    return note


def _reverse_lines(note: CreditNote, lines: list[InvoiceLine], book: AccountBook) -> None:
    """Reverse each credited line's split, with what was withheld or advanced for it."""
    reverse_splits(
        book,
        [line.split for line in lines],
        released=[line.released for line in lines],
        kind="credit_note",
        descriptions=[
            f"Credit note {note.display_number}: line of {line.work_date:%d-%m-%Y} reversed"
            for line in lines
        ],
    )
