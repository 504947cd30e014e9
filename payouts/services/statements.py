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
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from members.access import require_role
from payouts.formats.camt import parse_camt053
from payouts.formats.sepa import sepa_end_to_end_id
from payouts.models import Payment, PayoutItem
from werkstation.errors import ApplicationError
from werkstation.money import to_minor

from .invoices import payment_record
from .payouts import ConfirmedBy, payout_items_confirm

if TYPE_CHECKING:
    from members.models import Cooperative, User

INVOICE_NUMBER = re.compile(r"\b(20\d{2}-\d{5})\b")


@dataclass
class CamtResult:
    matched: list[dict[str, Any]] = field(default_factory=list)
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0
    payouts_confirmed: list[dict[str, int]] = field(default_factory=list)


@transaction.atomic
def camt053_import(*, actor: User, cooperative: Cooperative, data: bytes) -> CamtResult:
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


def _confirm_payouts(
    cooperative: Cooperative, debits: list[dict[str, Any]], result: CamtResult
) -> None:
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
