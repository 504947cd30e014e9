"""Import a CAMT.053 bank statement: credits that name an invoice number become payments.

Each credit entry's remittance text is searched for an invoice number (``2026-00001``);
the entry's bank reference makes the import idempotent (importing the same statement
twice records each payment once). Debits and credits without a known invoice number are
reported back for the treasurer to handle by hand.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from defusedxml import ElementTree
from django.db import transaction
from django.utils.translation import gettext as _

from members.access import require_role
from members.models import Cooperative
from werkstation.errors import ApplicationError, ValidationFailed

from ..models import Payment
from .invoices import payment_record

INVOICE_NUMBER = re.compile(r"\b(20\d{2}-\d{5})\b")


@dataclass
class CamtResult:
    matched: list[dict] = field(default_factory=list)
    unmatched: list[dict] = field(default_factory=list)
    skipped: int = 0


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(node, *path):
    for step in path:
        if node is None:
            return None
        node = next((child for child in node if _local(child.tag) == step), None)
    return node


def parse_camt053(data: bytes) -> list[dict]:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
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
    rows = []
    for entry in entries:
        amount = _find(entry, "Amt")
        booked = _find(entry, "BookgDt", "Dt")
        texts = [" ".join((n.text or "") for n in entry.iter() if _local(n.tag) == "Ustrd")]
        rows.append({
            "reference": (_find(entry, "AcctSvcrRef").text if _find(entry, "AcctSvcrRef") is not None else "").strip(),
            "amount": Decimal(amount.text), "currency": amount.get("Ccy", ""),
            "credit": (_find(entry, "CdtDbtInd").text or "") == "CRDT",
            "booked_on": date.fromisoformat(booked.text) if booked is not None else None, "text": " ".join(texts),
        })  # fmt: skip
    return rows


@transaction.atomic
def camt053_import(*, actor, cooperative: Cooperative, data: bytes) -> CamtResult:
    require_role(actor, cooperative, "treasurer")
    result = CamtResult()
    for row in parse_camt053(data):
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
                    actor=actor, cooperative=cooperative, invoice_number=match.group(1), amount=row["amount"],
                    currency=row["currency"], received_on=row["booked_on"], reference=reference,
                )  # fmt: skip
        except ApplicationError as exc:
            result.unmatched.append({**row, "why": exc.message})
        else:
            result.matched.append({**row, "invoice": match.group(1)})
    return result
