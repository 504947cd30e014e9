"""``{% load money %}``: amounts and durations in the reader's language (``werkstation.money``).

    {{ invoice.total_cents|money }}        integer minor units  → "€ 1.234,56" / "€1,234.56"
    {{ job.client_tariff|money }}          a django-money amount, in its own currency
    {{ earnings.gross|money }}             a Decimal or decimal string in major units ("96.00")
    {{ amount_cents|money:"USD" }}         another currency
    {{ timesheet.minutes_worked|duration }} minutes → "2 u 30 min" / "2 h 30 min"
    {{ shift.start|timespan:shift.end }}   "di 8 dec 09:00–12:00"; ``day`` and ``longdate`` too

An integer is always minor units (our ``*_cents`` fields); anything else is major units.
Nothing (``None``, "") shows as nothing; what is not an amount shows as nothing too.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import get_language

from werkstation import money as m

register = template.Library()

# The filters take what a page hands them (``Any``): a number, a string, a django-money
# amount, a date, nothing; what is not theirs to format shows as nothing.


@register.filter
def money(value: Any, currency: str | None = None) -> str:
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
def duration(minutes: Any) -> str:
    if minutes is None or minutes == "" or isinstance(minutes, bool):
        return ""
    try:
        return m.format_duration(int(minutes), get_language())
    except (TypeError, ValueError):
        return ""


@register.filter
def money_abs(value: Any, currency: str | None = None) -> str:
    """A sum of cents without its sign, for sentences that say "more" or "less"."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = abs(value)
    return money(value, currency)


# The name the pages used before; the same formatter.
register.filter("euros", money)


@register.filter
def money_amount(amount: Any) -> str:
    """A major-unit amount (Decimal, a django-money ``Money`` or its ``.amount``)."""
    if amount in (None, ""):
        return ""
    amount = getattr(amount, "amount", amount)
    return m.format_decimal(amount, language=get_language())


def _local(value: Any) -> Any:
    return timezone.localtime(value) if isinstance(value, datetime) else value


@register.filter
def day(value: Any) -> str:
    """A date as "di 8 dec" (nl) / "Tue 8 Dec" (en); a datetime in local time."""
    if not value:
        return ""
    value = _local(value)
    # Dutch writes month abbreviations in lower case ("di 8 dec"), English capitalised.
    return date_format(value, "D j b" if (get_language() or "nl").startswith("nl") else "D j M")


@register.filter
def timespan(start: datetime | None, end: datetime | None = None) -> str:
    """A shift's time: "di 8 dec 09:00–12:00"; the end's day too when it differs."""
    if not start:
        return ""
    start = timezone.localtime(start)
    text = f"{day(start)} {time_format(start, 'H:i')}"
    if end:
        end = timezone.localtime(end)
        end_text = time_format(end, "H:i")
        if end.date() != start.date():
            end_text = f"{day(end)} {end_text}"
        text = f"{text}–{end_text}"
    return text


@register.filter
def longdate(value: Any) -> str:
    """A date in prose: "8 december 2026" (nl) / "8 December 2026" (en)."""
    value = _local(value)
    if not value or not isinstance(value, date):
        return str(value or "")
    return date_format(value, "j F Y")


@register.filter
def longmoment(value: datetime | None) -> str:
    """A moment in prose: "8 december 2026 14:00" (nl) / "8 December 2026 14:00" (en)."""
    if not value:
        return ""
    value = timezone.localtime(value)
    return f"{longdate(value)} {time_format(value, 'H:i')}"
