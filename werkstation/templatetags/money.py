"""``{% load money %}``: amounts and durations in the reader's language (``werkstation.money``).

    {{ invoice.total_cents|money }}        integer minor units  → "€ 1.234,56" / "€1,234.56"
    {{ job.member_pay|money }}             a django-money amount, in its own currency
    {{ earnings.gross|money }}             a Decimal or decimal string in major units ("96.00")
    {{ amount_cents|money:"USD" }}         another currency
    {{ timesheet.minutes_worked|duration }} minutes → "2 u 30 min" / "2 h 30 min"

An integer is always minor units (our ``*_cents`` fields); anything else is major units.
Nothing (``None``, "") shows as nothing; what is not an amount shows as nothing too.
"""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import get_language

from werkstation import money as m

register = template.Library()


@register.filter
def money(value, currency: str | None = None) -> str:
    if value is None or value == "":
        return ""
    if hasattr(value, "amount") and hasattr(value, "currency"):  # djmoney's Money
        currency = currency or str(value.currency)
        value = value.amount
    currency = currency or "EUR"
    try:
        if isinstance(value, int) and not isinstance(value, bool):
            return m.format_money(value, currency, get_language())
        if isinstance(value, Decimal | str):
            return m.format_decimal(value, currency, get_language())
    except (TypeError, ValueError):
        return ""
    return ""


@register.filter
def duration(minutes) -> str:
    if minutes is None or minutes == "" or isinstance(minutes, bool):
        return ""
    try:
        return m.format_duration(int(minutes), get_language())
    except (TypeError, ValueError):
        return ""
