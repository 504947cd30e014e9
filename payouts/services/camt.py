"""Import a CAMT.053 bank statement: credits that name an invoice number become payments.

Each credit entry's remittance text is searched for an invoice number (``2026-00001``);
the entry's bank reference makes the import idempotent (importing the same statement
twice records each payment once).

Each debit entry's end-to-end ids (one per transfer, also in a batch booking) are matched to
the cooperative's SEPA payouts that were sent to the bank: a match confirms the payout as paid.
A single transfer must also match in amount. Debits and credits that match nothing are reported
back for the treasurer to handle by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from defusedxml import DefusedXmlException, ElementTree
from django.db import transaction
from django.utils.translation import gettext as _

from members.access import require_role
from members.models import Cooperative
from werkstation.errors import ApplicationError, ValidationFailed
from werkstation.money import has_minor_precision, to_minor

from ..models import Payment, PayoutItem
from .invoices import payment_record
from .payouts import ConfirmedBy, payout_items_confirm, sepa_end_to_end_id

INVOICE_NUMBER = re.compile(r"\b(20\d{2}-\d{5})\b")
# A month's statement of a cooperative is kilobytes; five megabytes is far beyond any.
MAX_STATEMENT_BYTES = 5 * 1024 * 1024
# No single bank entry of a neighbourhood cooperative comes near a hundred million euros.
MAX_ENTRY_AMOUNT = Decimal("100000000")


@dataclass
class CamtResult:
    matched: list[dict] = field(default_factory=list)
    unmatched: list[dict] = field(default_factory=list)
    skipped: int = 0
    payouts_confirmed: list[dict] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(node, *path):
    for step in path:
        if node is None:
            return None
        node = next((child for child in node if _local(child.tag) == step), None)
    return node


def _text(node) -> str:
    return (node.text or "").strip() if node is not None else ""


def _bad_entry(number: int, message: str) -> ValidationFailed:
    return ValidationFailed(
        _("Entry %(n)s of the statement: %(problem)s") % {"n": number, "problem": message},
        code="invalid_camt",
        field="file",
    )


def _entry_amount(entry, number: int) -> tuple[Decimal, str]:
    node = _find(entry, "Amt")
    if node is None or not (node.text or "").strip():
        raise _bad_entry(number, _("the amount is missing."))
    try:
        amount = Decimal(node.text.strip())
    except InvalidOperation as exc:
        raise _bad_entry(number, _("the amount is not a number.")) from exc
    if not amount.is_finite() or amount < 0 or amount >= MAX_ENTRY_AMOUNT:
        raise _bad_entry(number, _("the amount is not a valid amount."))
    if not has_minor_precision(amount):
        raise _bad_entry(number, _("the amount has more than two decimals."))
    return amount, node.get("Ccy", "")


def _entry_date(entry, number: int) -> date | None:
    node = _find(entry, "BookgDt", "Dt")
    if node is None:
        return None
    try:
        return date.fromisoformat((node.text or "").strip())
    except ValueError as exc:
        raise _bad_entry(number, _("the booking date is not a date.")) from exc


def parse_camt053(data: bytes) -> list[dict]:
    if len(data) > MAX_STATEMENT_BYTES:
        raise ValidationFailed(
            _("A bank statement is at most %(mb)s MB.") % {"mb": MAX_STATEMENT_BYTES // 2**20},
            code="too_large",
            field="file",
        )
    try:
        root = ElementTree.fromstring(data, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        raise ValidationFailed(
            _("This is not a CAMT.053 XML file."), code="invalid_camt", field="file"
        ) from exc
    entries = [node for node in root.iter() if _local(node.tag) == "Ntry"]
    if _local(root.tag) != "Document" or not any(
        _local(n.tag) == "BkToCstmrStmt" for n in root.iter()
    ):
        raise ValidationFailed(
            _("This is not a CAMT.053 XML file."), code="invalid_camt", field="file"
        )
    # The account each entry was booked on (a statement names its account): credits on the
    # cooperative's G-account are payments into the G-account.
    account_of: dict[int, str] = {}
    for statement in (n for n in root.iter() if _local(n.tag) == "Stmt"):
        iban = _text(_find(statement, "Acct", "Id", "IBAN")).replace(" ", "").upper()
        for entry in (n for n in statement.iter() if _local(n.tag) == "Ntry"):
            account_of[id(entry)] = iban
    rows = []
    for number, entry in enumerate(entries, start=1):
        amount, currency = _entry_amount(entry, number)
        direction = _text(_find(entry, "CdtDbtInd"))
        if direction not in ("CRDT", "DBIT"):
            raise _bad_entry(number, _("it says neither credit nor debit."))
        texts = [" ".join((n.text or "") for n in entry.iter() if _local(n.tag) == "Ustrd")]
        rows.append(
            {
                "reference": _text(_find(entry, "AcctSvcrRef"))[:100],
                "amount": amount,
                "currency": currency,
                "credit": direction == "CRDT",
                "booked_on": _entry_date(entry, number),
                "text": " ".join(texts)[:2000],
                "account_iban": account_of.get(id(entry), ""),
                "end_to_end_ids": [
                    (n.text or "").strip()
                    for n in entry.iter()
                    if _local(n.tag) == "EndToEndId" and (n.text or "").strip()
                ],
            }
        )
    return rows


@transaction.atomic
def camt053_import(*, actor, cooperative: Cooperative, data: bytes) -> CamtResult:
    require_role(actor, cooperative, "treasurer")
    result = CamtResult()
    rows = parse_camt053(data)
    g_iban = cooperative.g_account_iban.replace(" ", "").upper()
    _confirm_payouts(cooperative, [row for row in rows if not row["credit"]], result)
    for row in rows:
        if not row["credit"]:
            continue
        reference = f"camt:{row['reference']}" if row["reference"] else ""
        if (
            reference
            and Payment.objects.filter(cooperative=cooperative, reference=reference).exists()
        ):
            result.skipped += 1
            continue
        match = INVOICE_NUMBER.search(row["text"])
        if match is None:
            result.unmatched.append({**row, "why": _("no invoice number in the description")})
            continue
        try:
            with transaction.atomic():
                payment_record(
                    actor=actor,
                    cooperative=cooperative,
                    invoice_number=match.group(1),
                    amount=row["amount"],
                    currency=row["currency"],
                    received_on=row["booked_on"],
                    reference=reference,
                    to_g_account=bool(g_iban) and row["account_iban"] == g_iban,
                )
        except ApplicationError as exc:
            result.unmatched.append({**row, "why": exc.message})
        else:
            result.matched.append({**row, "invoice": match.group(1)})
    return result


def _confirm_payouts(cooperative: Cooperative, debits: list[dict], result: CamtResult) -> None:
    sent = {
        sepa_end_to_end_id(item): item
        for item in PayoutItem.objects.filter(
            batch__cooperative=cooperative,
            method=PayoutItem.Method.SEPA,
            status__in=(PayoutItem.Status.SENT, PayoutItem.Status.PAID),
        )
    }
    to_confirm: list[PayoutItem] = []
    for row in debits:
        items = [sent[e2e] for e2e in row["end_to_end_ids"] if e2e in sent]
        if not items:
            result.unmatched.append({**row, "why": _("a debit that is no payout of ours")})
            continue
        cents = sum(item.amount_cents for item in items)
        if len(row["end_to_end_ids"]) == 1 and to_minor(row["amount"], row["currency"]) != cents:
            result.unmatched.append(
                {**row, "why": _("the amount differs from the payout's amount")}
            )
            continue
        for item in items:
            if item.status == PayoutItem.Status.SENT:
                to_confirm.append(item)
                result.payouts_confirmed.append(
                    {"item": item.pk, "batch": item.batch_id, "amount_cents": item.amount_cents}
                )
    if to_confirm:
        payout_items_confirm(
            actor=None,
            cooperative_id=cooperative.pk,
            items=to_confirm,
            confirmed_by=ConfirmedBy.BANK_STATEMENT,
        )
