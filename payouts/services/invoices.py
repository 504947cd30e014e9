"""Invoices per client per period, payments in, and releasing member payables.

Settlement already booked the client's receivable; an invoice collects settled splits
into a legal Dutch invoice with a gapless number. A payment books bank ← receivable, and
the member shares it covers move from *earned* to *payable* (line by line, oldest first,
so a partial payment releases what it fully covers).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jobs.models import Client, ClientCooperative, Timesheet
from members.access import require_role
from payouts.audit_actions import PayoutAction
from payouts.lifecycle import INVOICE
from payouts.models import Account, Invoice, InvoiceLine, Payment, Split
from werkstation.audit import audit_record
from werkstation.db.bulk import insert_rows
from werkstation.errors import Conflict, NotFound, ValidationFailed
from werkstation.legal import Key, legal_value
from werkstation.locks import lock_get, lock_get_or_create, lock_where
from werkstation.money import Number, format_money, percent_of, to_minor

from .ledger import AccountBook, Leg, Posting, payable_kind, post, write_postings
from .settlement import COOP_FUND

if TYPE_CHECKING:
    from decimal import Decimal

    from members.models import Cooperative, User

K = Account.Kind
PAYMENT_TERM_DAYS = 14
# What a line needs of its split (read with ``values_list``), and the columns it is written in.
LINE_SOURCE = (
    "id",
    "work_date",
    "minutes",
    "gross_cents",
    "vat_cents",
    "job__title",
    "job__client_tariff",
    "vat_reverse_charged",
)
LINE_COLUMNS = (
    "invoice_id",
    "split_id",
    "description",
    "work_date",
    "minutes",
    "hourly_cents",
    "amount_cents",
    "vat_cents",
    "vat_reverse_charged",
    "released",
    "holds",
)


def g_account_share(
    cooperative: Cooperative, client: Client, *, total: int, reverse_charged_all: bool, on: date
) -> tuple[Decimal | None, int]:
    """(percent, cents) of the invoice total to pay into the G-account, or (None, 0) without
    a G-account agreement. The percentages are dated legal figures (``werkstation.legal``)."""
    agreed = ClientCooperative.objects.filter(
        client=client, cooperative=cooperative, g_account_agreement=True
    ).exists()
    if not agreed:
        return None, 0
    if not cooperative.g_account_iban:
        raise ValidationFailed(
            _(
                "This client pays part of each invoice into the G-account, but the cooperative "
                "has no G-account IBAN yet: the board records it in the settings first."
            ),
            code="no_g_account_iban",
            field="client",
        )
    key = Key.G_ACCOUNT_PERCENT_REVERSE_CHARGED if reverse_charged_all else Key.G_ACCOUNT_PERCENT
    percent = legal_value(key, on)
    return percent, percent_of(total, percent)


def _supplier(cooperative: Cooperative) -> dict[str, str]:
    iban, bic = cooperative.bank_account()  # a new account only after its hold
    return {
        "name": cooperative.legal_name,
        "address": cooperative.address_line,
        "postcode_city": f"{cooperative.postcode} {cooperative.city}".strip(),
        "kvk": cooperative.kvk_number,
        "vat_id": cooperative.vat_id,
        "lender_registration": cooperative.lender_registration,
        "wtta_number": cooperative.wtta_number,
        "iban": iban,
        "bic": bic,
        "g_iban": cooperative.g_account_iban,
    }


def _customer(client: Client) -> dict[str, str]:
    return {
        "name": client.name,
        "address": client.billing_street,
        "postcode_city": f"{client.billing_postcode} {client.billing_city}".strip(),
        "kvk": client.kvk_number,
        "vat_number": client.vat_number,
        "oin": client.oin,
        "email": client.billing_email,
    }


@transaction.atomic
def invoice_issue(
    *,
    actor: User,
    cooperative: Cooperative,
    client: Client,
    period_start: date,
    period_end: date,
    timesheet_ids: list[int] | None = None,
    issued_on: date | None = None,
) -> Invoice:
    require_role(actor, cooperative, "treasurer")
    if period_end < period_start:
        raise ValidationFailed(
            _("The period ends before it starts."), code="end_before_start", field="period_end"
        )
    if timesheet_ids:
        unapproved = Timesheet.objects.filter(pk__in=timesheet_ids).exclude(
            status=Timesheet.Status.APPROVED
        )
        found = Timesheet.objects.filter(pk__in=timesheet_ids).count()
        if unapproved.exists() or found != len(set(timesheet_ids)):
            raise ValidationFailed(
                _("Only approved work can be invoiced."), code="unapproved_work", field="timesheets"
            )
    # What counts for a timesheet: its settlement, or the correction that replaced it
    # (a reversed split is never billed).
    splits = Split.objects.filter(
        cooperative=cooperative,
        kind__in=[Split.Kind.SETTLEMENT, Split.Kind.CORRECTION],
        reversed_by__isnull=True,
        invoice_line__isnull=True,
        job__client=client,
        work_date__gte=period_start,
        work_date__lte=period_end,
    )
    if timesheet_ids:
        splits = splits.filter(timesheet_id__in=timesheet_ids)
    # Plain rows, not model instances: an invoice may have 100,000 lines.
    rows = list(splits.order_by("work_date", "id").values_list(*LINE_SOURCE))
    if timesheet_ids and len(rows) != len(set(timesheet_ids)):
        raise ValidationFailed(
            _("Some of this work is not settled yet, or was invoiced already."),
            code="not_invoiceable",
            field="timesheets",
        )
    if not rows:
        raise ValidationFailed(
            _("There is no approved, uninvoiced work for this client in this period."),
            code="nothing_to_invoice",
            field="period_start",
        )
    sequence, _created = lock_get_or_create("payouts.InvoiceSequence", cooperative=cooperative)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    issued_on = issued_on or timezone.localdate()
    subtotal = sum(row[3] for row in rows)
    vat = sum(row[4] for row in rows)
    reverse_charged = sum(row[3] for row in rows if row[7])
    g_percent, g_cents = g_account_share(
        cooperative,
        client,
        total=subtotal + vat,
        reverse_charged_all=reverse_charged == subtotal,
        on=issued_on,
    )
    invoice = Invoice.objects.create(
        cooperative=cooperative,
        client=client,
        number=sequence.last_number,
        issued_on=issued_on,
        due_on=issued_on + timedelta(days=PAYMENT_TERM_DAYS),
        period_start=period_start,
        period_end=period_end,
        currency=cooperative.currency,
        vat_rate=cooperative.vat_rate,
        subtotal_cents=subtotal,
        reverse_charged_cents=reverse_charged,
        vat_cents=vat,
        total_cents=subtotal + vat,
        g_account_percent=g_percent,
        g_account_cents=g_cents,
        supplier=_supplier(cooperative),
        customer=_customer(client),
        issued_by=actor,
    )
    hourly = {tariff: to_minor(tariff) for tariff in {row[6] for row in rows}}
    insert_rows(
        InvoiceLine,
        LINE_COLUMNS,
        (
            (
                invoice.pk,
                split_id,
                title[:250],
                work_date,
                minutes,
                hourly[tariff],
                gross,
                vat_cents,
                reverse_charged,
                False,
                0,
            )
            for split_id, work_date, minutes, gross, vat_cents, title, tariff, reverse_charged in rows
        ),
    )
    audit_record(
        actor=actor,
        action=PayoutAction.INVOICE_ISSUED,
        target=invoice,
        cooperative_id=cooperative.pk,
        data={"number": invoice.display_number, "total_cents": invoice.total_cents},
    )
    return invoice


def _amount_cents(value: object, field: str = "amount") -> int:
    try:
        cents = to_minor(str(value))
    except ValueError as exc:
        raise ValidationFailed(_("Enter an amount in euros."), field=field) from exc
    if cents <= 0:
        raise ValidationFailed(
            _("The amount must be more than zero."), code="not_positive", field=field
        )
    return cents


@transaction.atomic
def payment_record(
    *,
    actor: User | None,
    cooperative: Cooperative,
    invoice_number: str,
    amount: Number,
    currency: str,
    received_on: date,
    reference: str = "",
    method: str = Payment.Method.BANK_TRANSFER,
    stripe_id: str | None = None,
    to_g_account: bool = False,
) -> Payment:
    """A payment for an invoice: bank ← receivable, and release what it covers.

    ``to_g_account``: the transfer came into the G-account (chain liability), which holds
    it apart (it may only pay wage tax and VAT); together with the transfer to the regular
    account it settles the invoice."""
    if actor is not None:
        require_role(actor, cooperative, "treasurer")
    if (currency or "").upper() != cooperative.currency:
        raise ValidationFailed(
            _("Payments are in %(currency)s only.") % {"currency": cooperative.currency},
            code="wrong_currency",
            field="currency",
        )
    cents = _amount_cents(amount)
    invoice = _invoice_by_number(cooperative, invoice_number)
    invoice = lock_get("payouts.Invoice", invoice.pk)
    if invoice.status == Invoice.Status.CREDITED:
        raise Conflict(_("This invoice was credited."), code="credited", field="invoice")
    if cents > invoice.open_cents:
        raise ValidationFailed(
            _("This is more than the %(open)s still open on the invoice.")
            % {"open": format_money(invoice.open_cents, invoice.currency, get_language())},
            code="overpayment",
            field="amount",
        )
    if to_g_account:
        if not invoice.g_account_cents:
            raise ValidationFailed(
                _("This invoice has no G-account share."),
                code="no_g_account_share",
                field="to_g_account",
            )
        if cents > invoice.g_account_cents - invoice.g_account_paid_cents:
            raise ValidationFailed(
                _("This is more than the %(open)s still to pay into the G-account.")
                % {
                    "open": format_money(
                        invoice.g_account_cents - invoice.g_account_paid_cents,
                        invoice.currency,
                        get_language(),
                    )
                },
                code="above_g_account_share",
                field="amount",
            )
    payment = Payment.objects.create(
        cooperative=cooperative,
        invoice=invoice,
        to_g_account=to_g_account,
        amount_cents=cents,
        currency=cooperative.currency,
        method=method,
        received_on=received_on,
        reference=reference[:140],
        recorded_by=actor,
        stripe_id=stripe_id,
    )
    book = AccountBook(cooperative.pk)
    cash = K.STRIPE if method in (Payment.Method.IDEAL, Payment.Method.CARD) else K.BANK
    if to_g_account:
        cash = K.G_ACCOUNT
    post(
        cooperative.pk,
        kind="payment",
        reference=f"payment:{payment.pk}",
        description=f"Payment for invoice {invoice.display_number}",
        legs=[Leg(book.get(cash), cents), Leg(book.get(K.RECEIVABLE, invoice.client_id), -cents)],
    )
    invoice.paid_cents += cents
    if to_g_account:
        invoice.g_account_paid_cents += cents
    INVOICE.transition(
        invoice,
        Invoice.Status.PAID if invoice.open_cents == 0 else Invoice.Status.PARTIALLY_PAID,
        by=actor,
        extra_update_fields=["paid_cents", "g_account_paid_cents"],
    )
    released = _release_covered(invoice, book)
    audit_record(
        actor=actor,
        action=PayoutAction.PAYMENT_RECORDED,
        target=payment,
        cooperative_id=cooperative.pk,
        data={"invoice": invoice.display_number, "cents": cents, "released_lines": released},
    )
    return payment


def _invoice_by_number(cooperative: Cooperative, invoice_number: str) -> Invoice:
    text = (invoice_number or "").strip()
    try:
        year, number = text.split("-")
        invoice = Invoice.objects.filter(
            cooperative=cooperative, number=int(number), issued_on__year=int(year)
        ).first()
    except ValueError:
        invoice = None
    if invoice is None:
        raise NotFound(_("No invoice with this number."), code="unknown_invoice", field="invoice")
    return invoice


def coverage_cents(invoice: Invoice, lines: list[InvoiceLine]) -> int:
    """What pays for the invoice's lines: the payments, plus credit notes for an amount.

    A credit note for an amount is the cooperative's cost (the work stays paid to the
    members), so it covers lines like a payment does; credited lines are off the bill.
    """
    credited_lines = sum(
        line.amount_cents + line.vat_cents for line in lines if hasattr(line, "credit_line")
    )
    return invoice.paid_cents + invoice.credited_cents - credited_lines


def release_reference(line_id: int, holds: int) -> str:
    """The ledger reference of a line's release: ``release:<line>``, then
    ``release:<line>:<holds>`` after each re-hold (``reversals._rehold_uncovered``)."""
    return f"release:{line_id}" + (f":{holds}" if holds else "")


def _release_covered(invoice: Invoice, book: AccountBook) -> int:
    """Move the member shares of the lines the payments cover from earned to payable.

    Lines are covered oldest first; a line is released only when the payments cover it
    whole. Each member gets one transaction for what this call releases
    (``release_reference`` of the member's first line released here): their plain shares
    earned → payable, and where the fund advanced a share, the advance back to the fund.
    The lines are read as plain rows and marked released in one statement, so a payment
    for an invoice of 100,000 lines is a handful of statements.
    """
    rows = list(
        invoice.lines.order_by("work_date", "id").values_list(
            "id",
            "work_date",
            "amount_cents",
            "vat_cents",
            "released",
            "holds",
            "credit_line",
            "split__member_id",
            "split__member_cents",
            "split__advanced_cents",
            "split__engagement",
        )
    )
    credited = sum(
        amount + vat for _i, _d, amount, vat, _r, _h, credit, *_s in rows if credit is not None
    )
    covered = invoice.paid_cents + invoice.credited_cents - credited
    rows = [row for row in rows if row[6] is None]
    covered -= sum(amount + vat for _i, _d, amount, vat, released, *_rest in rows if released)
    # (member, payable kind) -> [reference, plain cents, advanced cents, lines]
    releases: dict[tuple[int, str], list[Any]] = {}
    last = None
    for (
        line_id,
        work_date,
        amount,
        vat,
        released,
        holds,
        _credit,
        member,
        member_cents,
        advanced,
        engagement,
    ) in rows:
        if released:
            continue
        if amount + vat > covered:
            break
        covered -= amount + vat
        last = (work_date, line_id)
        key = (member, payable_kind(engagement))
        release = releases.get(key)
        if release is None:
            release = releases[key] = [release_reference(line_id, holds), 0, 0, 0]
        if advanced:  # the fund advanced the member's share: it gets it back
            release[2] += advanced
        else:
            release[1] += member_cents
        release[3] += 1
    if last is None:
        return 0
    postings: list[Posting] = []
    for (member, payable), (reference, plain, advanced, count) in releases.items():
        legs = []
        if plain:
            legs += [(book.id(K.EARNED, member), plain), (book.id(payable, member), -plain)]
        if advanced:
            legs += [
                (book.id(K.ADVANCED, COOP_FUND), advanced),
                (book.id(K.FUND, COOP_FUND), -advanced),
            ]
        what = "member shares payable" if plain else ""
        if advanced:
            what += (" and " if what else "") + "advances back to the cooperative fund"
        postings.append(
            (
                "release",
                reference,
                f"Invoice {invoice.display_number} paid: {what} ({count} lines of member {member})",
                legs,
            )
        )
    write_postings(invoice.cooperative_id, postings)
    # Every line up to the last one covered that was not released is released now.
    work_date, line_id = last
    invoice.lines.filter(released=False, credit_line__isnull=True).filter(
        Q(work_date__lt=work_date) | Q(work_date=work_date, id__lte=line_id)
    ).update(released=True)
    return sum(release[3] for release in releases.values())


def invoices_overdue(*, today: date | None = None) -> QuerySet[Invoice]:
    today = today or timezone.localdate()
    return Invoice.objects.filter(
        Q(status=Invoice.Status.ISSUED) | Q(status=Invoice.Status.PARTIALLY_PAID), due_on__lt=today
    )


@transaction.atomic
def invoice_reminders_send(*, today: date | None = None) -> int:
    """Beat: one reminder per overdue invoice per week, to the client's billing address."""
    from werkstation.notify import email_user_on_commit

    today = today or timezone.localdate()
    week_ago = timezone.now() - timedelta(days=7)
    sent = 0
    overdue = cast(
        "list[Invoice]",  # lock_where returns the queryset's rows, typed as Model
        lock_where(invoices_overdue(today=today).select_related("client"), keep_order=True),
    )
    for invoice in overdue:
        if invoice.reminded_at and invoice.reminded_at > week_ago:
            continue
        email_user_on_commit(
            to=invoice.client.billing_email,
            language="nl",
            subject=_("Payment reminder for invoice %(n)s") % {"n": invoice.display_number},
            template="payouts/email/reminder.txt",
            context={"invoice": invoice},
        )
        invoice.reminded_at = timezone.now()
        invoice.save(update_fields=["reminded_at"])
        audit_record(
            actor=None,
            action=PayoutAction.INVOICE_REMINDED,
            target=invoice,
            cooperative_id=invoice.cooperative_id,
        )
        sent += 1
    return sent
