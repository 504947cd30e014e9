"""Money and durations: the one place where amounts are converted, rounded and formatted.

Design overview
---------------
* Amounts are integers of the currency's *minor unit* (cents for EUR) or exact
  ``Decimal`` major units; never floats.
* One rounding rule: **half up** (away from zero on .5), exact arithmetic, at the
  currency's minor unit (``to_minor``, ``pay_for_minutes``, ``percent_of``). The split
  engine (``payouts/rules.py``) keeps its own exact rationals and largest-remainder
  rounding, because a split must add up to its gross; everything else — hourly pay, VAT,
  amounts people type, Stripe amounts — goes through here.
* Formatting follows the reader's language: "€ 1.234,56" in Dutch, "€1,234.56" in
  English; durations "2 u 30 min" / "2 h 30 min". The API's representation is a decimal
  string in major units ("1234.56", ``decimal_string``).

This module imports nothing from Django or Celery, so the pure cores may use it. The
language comes from the caller (Django code passes ``get_language()``; the template
filters in ``werkstation/templatetags/money.py`` and the serializer field in
``werkstation/api/fields.py`` do that).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction


def _codes(text: str) -> list[str]:
    return text.split()


# ISO 4217 minor units (list one, current codes, plus codes withdrawn so recently that a
# cooperative may still book in them). Codes without a minor unit (precious metals, XXX,
# ...) count as 0. Every other currency has 2 decimals.
_MINOR_UNIT_EXCEPTIONS = {
    **dict.fromkeys(
        _codes("BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"), 0
    ),
    **dict.fromkeys(_codes("BHD IQD JOD KWD LYD OMR TND"), 3),
    **dict.fromkeys(_codes("CLF UYW"), 4),
    **dict.fromkeys(_codes("XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX"), 0),
}
SYMBOLS = {"EUR": "€"}

Number = int | Decimal | Fraction | str


def minor_unit(currency: str = "EUR") -> int:
    """How many decimals the currency's minor unit has (EUR: 2)."""
    return _MINOR_UNIT_EXCEPTIONS.get(currency, 2)


def _decimal(value: Number) -> Decimal:
    if isinstance(value, float | bool):
        msg = "money never passes through float"
        raise TypeError(msg)
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    try:
        amount = Decimal(value.strip() if isinstance(value, str) else value)
    except (InvalidOperation, ValueError, TypeError) as exc:
        msg = f"not an amount: {value!r}"
        raise ValueError(msg) from exc
    if not amount.is_finite():
        msg = f"not an amount: {value!r}"
        raise ValueError(msg)
    return amount


def _div_half_up(numerator: int, denominator: int) -> int:
    """numerator / denominator to the nearest integer, halves away from zero (exact)."""
    if denominator < 0:
        numerator, denominator = -numerator, -denominator
    quotient = (2 * abs(numerator) + denominator) // (2 * denominator)
    return -quotient if numerator < 0 else quotient


def round_half_up(value: Number) -> int:
    """The nearest integer, halves away from zero (exact)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Fraction):
        return _div_half_up(value.numerator, value.denominator)
    return int(_decimal(value).to_integral_value(rounding=ROUND_HALF_UP))


def minor_of_estimate(value: float) -> int:
    """A figure the optimiser computed in floating point, already in minor units (its
    objective, travel priced per km), as whole minor units, half up. Such figures are
    estimates that are shown, never amounts that are paid: the float is read by its
    shortest decimal form, so 12.5 becomes 13 and 0.1 + 0.2 becomes 0."""
    if not isinstance(value, float | int) or isinstance(value, bool):
        msg = f"not an estimate: {value!r}"
        raise TypeError(msg)
    return round_half_up(Decimal(repr(float(value))))


def to_minor(amount: Number, currency: str = "EUR") -> int:
    """Major units (e.g. euros, ``Decimal("12.345")`` or ``"12.345"``) to minor units,
    half up: 1235. Raises ``ValueError`` for text that is not a finite amount."""
    if isinstance(amount, Fraction):
        return round_half_up(amount * 10 ** minor_unit(currency))
    return round_half_up(_decimal(amount).scaleb(minor_unit(currency)))


def has_minor_precision(amount: Number, currency: str = "EUR") -> bool:
    """Whether ``amount`` (major units) is a whole number of minor units: "12.34", not "12.345"."""
    exact = _decimal(amount).scaleb(minor_unit(currency))
    return exact == exact.to_integral_value()


def from_minor(minor: int, currency: str = "EUR") -> Decimal:
    """Minor units to an exact major-unit ``Decimal``: 1235 → Decimal("12.35")."""
    if not isinstance(minor, int) or isinstance(minor, bool):
        msg = "minor units are integers"
        raise TypeError(msg)
    places = minor_unit(currency)
    return Decimal(minor).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def round_major(amount: Number, currency: str = "EUR") -> Decimal:
    """A major-unit amount rounded half up to the minor unit: "12.345" → Decimal("12.35")."""
    return from_minor(to_minor(amount, currency), currency)


def pay_for_minutes(hourly_minor: int, minutes: int) -> int:
    """What ``minutes`` of work earn at ``hourly_minor`` an hour, half up to the minor unit."""
    return _div_half_up(hourly_minor * minutes, 60)


def percent_of(minor: int, percent: Number) -> int:
    """``percent`` % of ``minor``, half up (e.g. VAT on a line)."""
    share = Fraction(minor) * Fraction(_decimal(percent)) / 100
    return _div_half_up(share.numerator, share.denominator)


def _group(digits: str, separator: str) -> str:
    out: list[str] = []
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
    """123456 cents as "€ 1.234,56" (nl) or "€1,234.56" (en); a minus before the symbol.

    A currency without a symbol shows its code and a space: "USD 1,234.56". ``sign`` puts
    a plus before a positive amount.
    """
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
    symbol = SYMBOLS.get(currency)
    if symbol is None:
        text = f"{currency} {number}"
    else:
        text = f"{symbol} {number}" if lang == "nl" else f"{symbol}{number}"
    if negative:
        # The ASCII minus: every font of the printed documents has it.
        return f"-{text}"
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


def decimal_string(
    minor: int | Fraction, currency: str = "EUR", *, places: int | None = None
) -> str:
    """The API's money representation: a decimal string in major units ("12.35").

    ``places`` asks for more decimals than the minor unit has, for exact shares (a
    ``Fraction`` of minor units), rounded half up: Fraction(1, 3) cents, places=4 → "0.0033".
    """
    if places is None:
        if isinstance(minor, Fraction):
            msg = "an exact share needs places"
            raise TypeError(msg)
        return str(from_minor(minor, currency))
    scaled = Fraction(minor) * 10 ** (places - minor_unit(currency))
    return str(Decimal(round_half_up(scaled)).scaleb(-places).quantize(Decimal(1).scaleb(-places)))


def decimal_hours(minutes: int) -> str:
    """Minutes as hours with two decimals, for files ("2.50" for 150 minutes)."""
    return str((Decimal(minutes) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
