"""Money and durations: the one place where amounts are converted, rounded and formatted.

Design overview
---------------
* Amounts are integers of the currency's *minor unit* (cents for EUR) or exact
  ``Decimal`` major units; never floats.
* One rounding rule: **half up** (away from zero on .5), exact ``Decimal`` arithmetic,
  at the currency's minor unit (``to_minor``). The split engine (``payouts/rules.py``)
  keeps its own exact rationals and largest-remainder rounding, because a split must add
  up to its gross; everything else — hourly pay, VAT, Stripe amounts — goes through here.
* Formatting follows the reader's language: "€ 1.234,56" in Dutch, "€1,234.56" in
  English; durations "2 u 30 min" / "2 h 30 min".

This module imports nothing from Django or Celery, so the pure cores may use it. The
language comes from the caller (Django code passes ``get_language()``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

# ISO 4217 minor units of the currencies we handle.
MINOR_UNITS = {"EUR": 2}
SYMBOLS = {"EUR": "€"}

Number = int | Decimal | Fraction | str


def minor_unit(currency: str = "EUR") -> int:
    return MINOR_UNITS.get(currency, 2)


def _decimal(value: Number) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money never passes through float")
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    try:
        return Decimal(value)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


def round_half_up(value: Number) -> int:
    """The nearest integer, halves away from zero (exact)."""
    if isinstance(value, Fraction):
        sign = -1 if value < 0 else 1
        doubled = abs(value) * 2
        return sign * int((doubled + 1) // 2)
    return int(_decimal(value).to_integral_value(rounding=ROUND_HALF_UP))


def to_minor(amount: Number, currency: str = "EUR") -> int:
    """Major units (e.g. euros, ``Decimal("12.345")``) to minor units, half up: 1235."""
    if isinstance(amount, Fraction):
        return round_half_up(amount * 10 ** minor_unit(currency))
    return round_half_up(_decimal(amount).scaleb(minor_unit(currency)))


def from_minor(minor: int, currency: str = "EUR") -> Decimal:
    """Minor units to an exact major-unit ``Decimal``: 1235 → Decimal("12.35")."""
    if not isinstance(minor, int) or isinstance(minor, bool):
        raise TypeError("minor units are integers")
    places = minor_unit(currency)
    return Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def pay_for_minutes(hourly_minor: int, minutes: int) -> int:
    """What ``minutes`` of work earn at ``hourly_minor`` an hour, half up to the minor unit."""
    return round_half_up(Fraction(hourly_minor * minutes, 60))


def percent_of(minor: int, percent: Number) -> int:
    """``percent`` % of ``minor``, half up (e.g. VAT on a line)."""
    return round_half_up(Fraction(minor) * Fraction(_decimal(percent)) / 100)


def _group(digits: str, separator: str) -> str:
    out = []
    while len(digits) > 3:
        out.insert(0, digits[-3:])
        digits = digits[:-3]
    out.insert(0, digits)
    return separator.join(out)


def _base_language(language: str | None) -> str:
    return (language or "nl").split("-")[0].split("_")[0].lower()


def format_money(
    minor: int | None, currency: str = "EUR", language: str | None = "nl", *, sign: bool = False
) -> str:
    """1234.56 € as "€ 1.234,56" (nl) or "€1,234.56" (en); a minus before the symbol."""
    if minor is None:
        return ""
    minor = int(minor)
    places = minor_unit(currency)
    negative = minor < 0
    whole, part = divmod(abs(minor), 10**places)
    lang = _base_language(language)
    thousands, decimal_mark = (".", ",") if lang == "nl" else (",", ".")
    number = _group(str(whole), thousands)
    if places:
        number = f"{number}{decimal_mark}{part:0{places}d}"
    symbol = SYMBOLS.get(currency, currency)
    text = f"{symbol} {number}" if lang == "nl" else f"{symbol}{number}"
    if negative:
        return f"−{text}" if lang == "nl" else f"-{text}"
    return f"+{text}" if sign and minor > 0 else text


def format_decimal(amount: Number, currency: str = "EUR", language: str | None = "nl") -> str:
    """A major-unit amount (``Decimal("12.35")``, a django-money amount) formatted."""
    return format_money(to_minor(amount, currency), currency, language)


def format_duration(minutes: int | None, language: str | None = "nl") -> str:
    """150 minutes as "2 u 30 min" (nl) or "2 h 30 min" (en); 45 as "45 min"; 120 as "2 u"."""
    if minutes is None:
        return ""
    minutes = int(minutes)
    negative = minutes < 0
    hours, rest = divmod(abs(minutes), 60)
    hour = "u" if _base_language(language) == "nl" else "h"
    parts = []
    if hours:
        parts.append(f"{hours} {hour}")
    if rest or not hours:
        parts.append(f"{rest} min")
    text = " ".join(parts)
    return f"-{text}" if negative else text


def decimal_string(minor: int, currency: str = "EUR") -> str:
    """The API's money representation: a decimal string in major units ("12.35")."""
    return str(from_minor(minor, currency))
