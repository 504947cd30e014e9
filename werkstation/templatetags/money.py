"""Money, durations and times in templates, in the reader's language.

Every filter only calls ``werkstation/money.py`` (amounts, durations) or Django's
locale formats (dates), so a page never formats a number itself: "€ 82,50",
"2 u 30 min", "di 8 dec 09:00–12:00".
"""

from __future__ import annotations

from datetime import date, datetime

from django import template
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import get_language

from werkstation import money as m

register = template.Library()


def _minor(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@register.filter
def money(cents) -> str:
    """Integer cents: 8250 → "€ 82,50" (nl) / "€82.50" (en)."""
    minor = _minor(cents)
    return "" if minor is None else m.format_money(minor, language=get_language())


# The name the pages used before; the same formatter.
register.filter("euros", money)


@register.filter
def money_amount(amount) -> str:
    """A major-unit amount (Decimal, a django-money ``Money`` or its ``.amount``)."""
    if amount in (None, ""):
        return ""
    amount = getattr(amount, "amount", amount)
    return m.format_decimal(amount, language=get_language())


@register.filter
def duration(minutes) -> str:
    """Minutes: 150 → "2 u 30 min" (nl) / "2 h 30 min" (en)."""
    value = _minor(minutes)
    return "" if value is None else m.format_duration(value, language=get_language())


def _local(value):
    return timezone.localtime(value) if isinstance(value, datetime) else value


@register.filter
def day(value) -> str:
    """A date as "di 8 dec" (nl) / "Tue 8 Dec" (en); a datetime in local time."""
    if not value:
        return ""
    value = _local(value)
    # Dutch writes month abbreviations in lower case ("di 8 dec"), English capitalised.
    return date_format(value, "D j b" if (get_language() or "nl").startswith("nl") else "D j M")


@register.filter
def timespan(start, end=None) -> str:
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
def longdate(value) -> str:
    """A date in prose: "8 december 2026" (nl) / "8 December 2026" (en)."""
    value = _local(value)
    if not value or not isinstance(value, date):
        return str(value or "")
    return date_format(value, "j F Y")
