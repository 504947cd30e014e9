"""CAMT.053 bank statements (ISO 20022 ``BkToCstmrStmt``), read safely (defusedxml): each
entry as a plain dict (amount, date, credit or debit, bank reference, remittance text,
end-to-end ids). ``payouts.services.statements`` turns them into payments and confirmed
payouts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from defusedxml import DefusedXmlException, ElementTree
from django.utils.translation import gettext as _

from werkstation.errors import ValidationFailed
from werkstation.money import has_minor_precision

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

# A month's statement of a cooperative is kilobytes; five megabytes is far beyond any.
MAX_STATEMENT_BYTES = 5 * 1024 * 1024
# No single bank entry of a neighbourhood cooperative comes near a hundred million euros.
MAX_ENTRY_AMOUNT = Decimal("100000000")


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _find(node: Element | None, *path: str) -> Element | None:
    for step in path:
        if node is None:
            return None
        node = next((child for child in node if _local(child.tag) == step), None)
    return node


def _text(node: Element | None) -> str:
    return (node.text or "").strip() if node is not None else ""


def _bad_entry(number: int, message: str) -> ValidationFailed:
    return ValidationFailed(
        _("Entry %(n)s of the statement: %(problem)s") % {"n": number, "problem": message},
        code="invalid_camt",
        field="file",
    )


def _entry_amount(entry: Element, number: int) -> tuple[Decimal, str]:
    node = _find(entry, "Amt")
    if node is None or not (node.text or "").strip():
        raise _bad_entry(number, _("the amount is missing."))
    try:
        amount = Decimal((node.text or "").strip())  # not empty: checked above
    except InvalidOperation as exc:
        raise _bad_entry(number, _("the amount is not a number.")) from exc
    if not amount.is_finite() or amount < 0 or amount >= MAX_ENTRY_AMOUNT:
        raise _bad_entry(number, _("the amount is not a valid amount."))
    if not has_minor_precision(amount):
        raise _bad_entry(number, _("the amount has more than two decimals."))
    return amount, node.get("Ccy", "")


def _entry_date(entry: Element, number: int) -> date:
    """The booking date (``BookgDt``), as a date (``Dt``) or a moment (``DtTm``); banks that
    leave it out give the value date (``ValDt``). An entry with neither is refused: a payment
    without a date cannot be booked."""
    for kind in ("BookgDt", "ValDt"):
        node = _find(entry, kind, "Dt")
        moment = _find(entry, kind, "DtTm")
        text = (node.text if node is not None else moment.text if moment is not None else "") or ""
        if text.strip():
            try:
                return date.fromisoformat(text.strip()[:10])
            except ValueError as exc:
                raise _bad_entry(number, _("the booking date is not a date.")) from exc
    raise _bad_entry(number, _("the booking date is missing."))


def parse_camt053(data: bytes) -> list[dict[str, Any]]:
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
    rows: list[dict[str, Any]] = []
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
