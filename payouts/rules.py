"""The payout split engine: how one piece of paid work is divided between pots and the member.

Design overview
---------------
A payout rule set is what a cooperative's members vote on, so it is *data*, never code: a small,
closed JSON vocabulary (``shared/payout-rules-format.md``) of which this module is the only
interpreter. The same file can be checked and applied by a treasurer, an auditor or a test with
``python -m payouts.rules``, without Django, a database or settings; that is why this module
imports nothing but the standard library and ``werkstation.money`` (which formats amounts and
imports nothing else), and why the Django side stores the JSON and calls in
here rather than re-implementing any of it.

Validation is strict and complete. An unknown key is an error rather than ignored, because a
misspelt ``"percnt"`` silently meaning "0 %" in an adopted rule set would be far worse than a
refused proposal. Every error is collected with the JSON path it belongs to, so a proposal form
can show each message next to its field and a treasurer fixes a file in one round.

Arithmetic is exact. Percentages, brackets and the member floor's scaling are computed with
``Fraction``; rounding happens once, at the end, by largest remainder over
``[pots in rule order..., member]``, ties to the earlier position. Rounding any earlier would make
the result depend on pot order and turn "the parts add up to gross" from a theorem into a hope.
With one rounding step the parts sum to gross exactly, none is negative, every part is within a
cent of its exact share, and the result is a pure function of (rule set, item), so a split can be
recomputed years later and give the same cents.

Items are independent: the caller supplies the member's gross earlier in the month (``B``) and
the engine never accumulates it, so a settlement run can be re-run per timesheet, and the
governance simulation can replay a member's history under a proposed rule set.

The member floor scales every pot by the same factor instead of cutting pots in order, so no pot
is privileged by its position; it wins over ``min_cents`` because the floor is the promise made
to the member.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

from werkstation.money import format_money

__all__ = [
    "CATEGORIES",
    "CLIENT_KINDS",
    "Bracket",
    "ExactShares",
    "Item",
    "ItemsError",
    "Pot",
    "RuleSet",
    "RuleSetError",
    "Split",
    "When",
    "describe",
    "exact_shares",
    "items_to_dict",
    "largest_remainder",
    "main",
    "parse_items",
    "parse_rule_set",
    "rule_set_to_dict",
    "split_item",
    "split_items",
    "splits_to_dict",
]

# Slugs the platform uses for `when` conditions. The contract does not restrict `when` lists to
# these (a rule set stays valid if the platform adds a category), so they are informational.
CATEGORIES = ("greening", "energy", "green_maintenance", "cleaning", "removals", "care", "other")
CLIENT_KINDS = ("business", "housing_corporation", "municipality", "foundation")

ROOT = "(root)"  # path of an error about the document as a whole

_SLUG_RE = re.compile(r"[a-z][a-z0-9_]{0,49}")
_PERCENT_RE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,4})?")
_CURRENCY_RE = re.compile(r"[A-Z]{3}")
_RESERVED_SLUG = "member"

_TOP_KEYS = ("currency", "member_floor_hourly_cents", "pots")
_POT_KEYS = (
    "pot",
    "percent",
    "brackets",
    "flat_cents",
    "min_cents",
    "max_cents",
    "when",
    "label",
)
_LABEL_LANG_RE = re.compile(r"[a-z]{2}")
_LABEL_MAX_LENGTH = 80
_BRACKET_KEYS = ("from_cents", "percent")
_WHEN_KEYS = ("categories", "client_kinds")
_ITEMS_TOP_KEYS = ("items",)
_ITEM_KEYS = ("id", "gross_cents", "minutes", "category", "client_kind", "month_gross_before_cents")


def _codes(text: str) -> list[str]:
    return text.split()


# ISO 4217 list one (current codes), plus codes withdrawn so recently that a cooperative may
# still book in them. Their minor units are werkstation.money's.
_CURRENCIES = frozenset(
    _codes(
        """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN
    BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP
    ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IQD IRR
    ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD
    MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR
    PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL
    THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF
    XAG XAU XBA XBB XBC XBD XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG ZWL
    """
    )
)


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


class RuleSetError(ValueError):
    """Invalid input to the engine; ``errors`` lists every problem as ``(path, message)``.

    Paths follow the JSON: ``currency``, ``pots[2].max_cents``,
    ``pots[0].brackets[1].from_cents``, ``pots`` (the rule set as a whole), ``(root)``.
    """

    def __init__(self, errors: Iterable[tuple[str, str]]) -> None:
        self.errors: list[tuple[str, str]] = list(errors)
        super().__init__("\n".join(f"{path}: {message}" for path, message in self.errors))


class ItemsError(RuleSetError):
    """Invalid items (``items[3].gross_cents: ...``).

    A subclass of ``RuleSetError`` so that one ``except RuleSetError`` catches every input
    error of the engine; catch ``ItemsError`` to tell the two apart.
    """


# --------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class When:
    """A pot's condition. ``None`` means the key was absent (no restriction)."""

    categories: tuple[str, ...] | None = None
    client_kinds: tuple[str, ...] | None = None

    def matches(self, item: Item) -> bool:
        # An empty list matches nothing: `x in ()` is False, which is exactly the contract.
        return (self.categories is None or item.category in self.categories) and (
            self.client_kinds is None or item.client_kind in self.client_kinds
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Bracket:
    """Charges ``percent`` on the part of the month's gross from ``from_cents`` to the next one."""

    from_cents: int
    percent: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class Pot:
    """One line of a rule set. Build it through ``parse_rule_set``, which validates."""

    slug: str
    percent: Decimal | None = None
    brackets: tuple[Bracket, ...] | None = None
    flat_cents: int = 0
    min_cents: int = 0
    max_cents: int | None = None
    when: When | None = None
    # Display names by language code, in the order given; they change no amount.
    label: tuple[tuple[str, str], ...] | None = None

    def applies_to(self, item: Item) -> bool:
        return self.when is None or self.when.matches(item)

    def display_name(self, lang: str) -> str:
        """The label in ``lang``, falling back to the slug."""
        return dict(self.label or ()).get(lang, self.slug)


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleSet:
    currency: str
    member_floor_hourly_cents: int = 0
    pots: tuple[Pot, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """One piece of paid work; ``month_gross_before_cents`` is B, supplied by the caller."""

    id: str
    gross_cents: int
    minutes: int
    category: str
    client_kind: str
    month_gross_before_cents: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Split:
    """Whole cents per pot (every pot of the rule set, in rule order) and for the member."""

    id: str
    pots: dict[str, int]
    member_cents: int

    @property
    def gross_cents(self) -> int:
        return sum(self.pots.values()) + self.member_cents

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "pots": dict(self.pots), "member_cents": self.member_cents}


@dataclass(frozen=True, slots=True, kw_only=True)
class ExactShares:
    """The exact (unrounded) working of one split, for "why" pages and simulations.

    ``raw`` is step 1 (0 for a pot whose ``when`` does not match, see ``applies``); ``pots``
    and ``member`` are after the member floor, and add up to ``gross_cents`` exactly.
    """

    id: str
    gross_cents: int
    applies: dict[str, bool]
    raw: dict[str, Fraction]
    deductions: Fraction  # D, the sum of `raw`
    floor: Fraction  # F = member_floor_hourly_cents × minutes / 60
    floor_binds: bool  # M > G − D: every pot was scaled by `scale`
    scale: Fraction
    pots: dict[str, Fraction]
    member: Fraction


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------

_Errors = list[tuple[str, str]]

_INT_MESSAGE = "must be an integer >= 0"
_PERCENT_MESSAGE = 'must be a percentage string like "8.5" (up to 3 digits, up to 4 decimals)'


def _is_cents(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _check_keys(obj: Mapping[Any, Any], allowed: Sequence[str], path: str, errors: _Errors) -> None:
    for key in obj:
        if key not in allowed:
            key_path = f"{path}.{key}" if path else str(key)
            errors.append((key_path, f"unknown key (allowed: {', '.join(allowed)})"))


def _parse_percent(value: object, path: str, errors: _Errors) -> Decimal | None:
    if not isinstance(value, str) or not _PERCENT_RE.fullmatch(value):
        errors.append((path, _PERCENT_MESSAGE))
        return None
    percent = Decimal(value)
    if percent > 100:
        errors.append((path, "must be at most 100"))
        return None
    return percent


def _parse_cents(
    obj: Mapping[str, Any], key: str, path: str, errors: _Errors, *, nullable: bool = False
) -> int | None:
    value = obj[key]
    if value is None and nullable:
        return None
    if not _is_cents(value):
        errors.append((f"{path}.{key}", _INT_MESSAGE + (" or null" if nullable else "")))
        return None
    return int(value)


def _parse_string_list(value: object, path: str, errors: _Errors) -> tuple[str, ...] | None:
    if not isinstance(value, list):
        errors.append((path, "must be a list of strings"))
        return None
    ok = True
    for index, element in enumerate(value):
        if not isinstance(element, str):
            errors.append((f"{path}[{index}]", "must be a string"))
            ok = False
    return tuple(value) if ok else None


def _parse_when(value: object, path: str, errors: _Errors) -> When | None:
    if not isinstance(value, Mapping):
        errors.append((path, "must be an object with optional categories and client_kinds"))
        return None
    before = len(errors)
    _check_keys(value, _WHEN_KEYS, path, errors)
    lists = {
        key: _parse_string_list(value[key], f"{path}.{key}", errors)
        for key in _WHEN_KEYS
        if key in value
    }
    if len(errors) > before:
        return None
    return When(**lists)


def _parse_label(value: object, path: str, errors: _Errors) -> tuple[tuple[str, str], ...] | None:
    if not isinstance(value, Mapping):
        errors.append(
            (path, 'must be an object of names by language code, e.g. {"nl": "Wijkfonds"}')
        )
        return None
    before = len(errors)
    names: list[tuple[str, str]] = []
    for lang, name in value.items():
        if not isinstance(lang, str) or not _LABEL_LANG_RE.fullmatch(lang):
            errors.append((f"{path}.{lang}", "is not a language code: two lowercase letters"))
        elif not isinstance(name, str) or not name.strip() or len(name) > _LABEL_MAX_LENGTH:
            errors.append(
                (
                    f"{path}.{lang}",
                    f"must be a non-empty string of at most {_LABEL_MAX_LENGTH} characters",
                )
            )
        else:
            names.append((lang, name))
    return tuple(names) if len(errors) == before else None


def _parse_brackets(value: object, path: str, errors: _Errors) -> tuple[Bracket, ...] | None:
    if not isinstance(value, list) or not value:
        errors.append((path, "must be a non-empty list of brackets, the first from_cents 0"))
        return None
    before = len(errors)
    brackets: list[Bracket] = []
    previous: int | None = None  # last valid from_cents, to check the rise
    for index, raw in enumerate(value):
        bracket_path = f"{path}[{index}]"
        if not isinstance(raw, Mapping):
            errors.append((bracket_path, "must be an object with from_cents and percent"))
            continue
        _check_keys(raw, _BRACKET_KEYS, bracket_path, errors)
        from_cents: int | None = None
        if "from_cents" not in raw:
            errors.append((f"{bracket_path}.from_cents", "is required"))
        else:
            from_cents = _parse_cents(raw, "from_cents", bracket_path, errors)
        if from_cents is not None:
            if index == 0 and from_cents != 0:
                errors.append((f"{bracket_path}.from_cents", "must be 0: brackets start at 0"))
            elif previous is not None and from_cents <= previous:
                errors.append(
                    (
                        f"{bracket_path}.from_cents",
                        f"must be greater than the previous bracket's from_cents ({previous})",
                    )
                )
            previous = from_cents if previous is None else max(previous, from_cents)
        percent: Decimal | None = None
        if "percent" not in raw:
            errors.append((f"{bracket_path}.percent", "is required"))
        else:
            percent = _parse_percent(raw["percent"], f"{bracket_path}.percent", errors)
        if from_cents is not None and percent is not None:
            brackets.append(Bracket(from_cents=from_cents, percent=percent))
    if len(errors) > before:
        return None
    return tuple(brackets)


def _parse_pot(
    raw: object, index: int, errors: _Errors, seen: dict[str, int]
) -> tuple[Pot | None, Decimal | None]:
    """Return the pot (None if invalid) and what it counts toward the validity limit."""
    path = f"pots[{index}]"
    if not isinstance(raw, Mapping):
        errors.append((path, "must be an object"))
        return None, None
    before = len(errors)
    _check_keys(raw, _POT_KEYS, path, errors)

    slug = raw.get("pot")
    if "pot" not in raw:
        errors.append((f"{path}.pot", "is required"))
    elif not isinstance(slug, str) or not _SLUG_RE.fullmatch(slug):
        errors.append(
            (
                f"{path}.pot",
                (
                    "must be a slug: a lowercase letter, then up to 49 lowercase letters, "
                    "digits or underscores"
                ),
            )
        )
    elif slug == _RESERVED_SLUG:
        errors.append((f"{path}.pot", '"member" is reserved for the member\'s share'))
    elif slug in seen:
        errors.append((f"{path}.pot", f'duplicate pot "{slug}" (also pots[{seen[slug]}])'))
    else:
        seen[slug] = index

    if "percent" in raw and "brackets" in raw:
        errors.append((path, "has both percent and brackets; a pot takes one or the other"))
    percent = (
        _parse_percent(raw["percent"], f"{path}.percent", errors) if "percent" in raw else None
    )
    brackets = (
        _parse_brackets(raw["brackets"], f"{path}.brackets", errors) if "brackets" in raw else None
    )

    flat = _parse_cents(raw, "flat_cents", path, errors) if "flat_cents" in raw else 0
    low = _parse_cents(raw, "min_cents", path, errors) if "min_cents" in raw else 0
    high = (
        _parse_cents(raw, "max_cents", path, errors, nullable=True) if "max_cents" in raw else None
    )
    if low is not None and high is not None and high < low:
        errors.append((f"{path}.max_cents", "must be at least min_cents"))

    when = _parse_when(raw["when"], f"{path}.when", errors) if "when" in raw else None
    label = _parse_label(raw["label"], f"{path}.label", errors) if "label" in raw else None

    # The validity limit counts pots that have no `when` at all (a literal `{}` is a `when`).
    counted: Decimal | None = None
    if "when" not in raw:
        if percent is not None:
            counted = percent
        elif brackets:
            counted = max(bracket.percent for bracket in brackets)

    if len(errors) > before:
        return None, counted
    assert isinstance(slug, str)
    assert flat is not None
    assert low is not None
    pot = Pot(
        slug=slug,
        percent=percent,
        brackets=brackets,
        flat_cents=flat,
        min_cents=low,
        max_cents=high,
        when=when,
        label=label,
    )
    return pot, counted


def parse_rule_set(data: Any) -> RuleSet:
    """Validate a rule set in its JSON form; raise ``RuleSetError`` listing every problem."""
    if not isinstance(data, Mapping):
        raise RuleSetError([(ROOT, "must be a JSON object")])
    errors: _Errors = []
    _check_keys(data, _TOP_KEYS, "", errors)

    currency = data.get("currency")
    if "currency" not in data:
        errors.append(("currency", "is required"))
    elif not isinstance(currency, str) or not _CURRENCY_RE.fullmatch(currency):
        errors.append(("currency", 'must be a 3-letter uppercase ISO 4217 code, like "EUR"'))
    elif currency not in _CURRENCIES:
        errors.append(("currency", f'"{currency}" is not an ISO 4217 currency code'))

    floor = data.get("member_floor_hourly_cents")
    if floor is None:
        floor = 0
    elif not _is_cents(floor):
        errors.append(("member_floor_hourly_cents", _INT_MESSAGE + " or null"))

    pots: list[Pot] = []
    raw_pots = data.get("pots")
    if "pots" not in data:
        errors.append(("pots", "is required (it may be an empty list)"))
    elif not isinstance(raw_pots, list):
        errors.append(("pots", "must be a list"))
    else:
        seen: dict[str, int] = {}
        total = Decimal(0)
        for index, raw in enumerate(raw_pots):
            pot, counted = _parse_pot(raw, index, errors, seen)
            if pot is not None:
                pots.append(pot)
            if counted is not None:
                total += counted
        if total > 100:
            errors.append(
                (
                    "pots",
                    (
                        f"the pots without `when` take {_plain_percent(total)}% together; "
                        "at most 100% is allowed"
                    ),
                )
            )

    if errors:
        raise RuleSetError(errors)
    assert isinstance(currency, str)  # checked above: any other value is an error
    return RuleSet(currency=currency, member_floor_hourly_cents=floor, pots=tuple(pots))


def parse_items(data: Any) -> list[Item]:
    """Validate ``{"items": [...]}``; raise ``ItemsError`` listing every problem."""
    if not isinstance(data, Mapping):
        raise ItemsError([(ROOT, 'must be a JSON object with an "items" list')])
    errors: _Errors = []
    _check_keys(data, _ITEMS_TOP_KEYS, "", errors)
    raw_items = data.get("items")
    if "items" not in data:
        errors.append(("items", "is required"))
        raise ItemsError(errors)
    if not isinstance(raw_items, list):
        errors.append(("items", "must be a list"))
        raise ItemsError(errors)

    items: list[Item] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(raw_items):
        path = f"items[{index}]"
        if not isinstance(raw, Mapping):
            errors.append((path, "must be an object"))
            continue
        before = len(errors)
        _check_keys(raw, _ITEM_KEYS, path, errors)
        for key in _ITEM_KEYS:
            if key not in raw:
                errors.append((f"{path}.{key}", "is required"))
                continue
            value = raw[key]
            if key == "id":
                if not isinstance(value, str) or not value:
                    errors.append((f"{path}.id", "must be a non-empty string"))
                elif value in seen:
                    errors.append(
                        (f"{path}.id", f'duplicate id "{value}" (also items[{seen[value]}])')
                    )
                else:
                    seen[value] = index
            elif key in ("category", "client_kind"):
                if not isinstance(value, str):
                    errors.append((f"{path}.{key}", "must be a string"))
            elif not _is_cents(value):
                errors.append((f"{path}.{key}", _INT_MESSAGE))
        if len(errors) == before:
            items.append(Item(**{key: raw[key] for key in _ITEM_KEYS}))
    if errors:
        raise ItemsError(errors)
    return items


# --------------------------------------------------------------------------------------------
# Serialisation
# --------------------------------------------------------------------------------------------


def rule_set_to_dict(rule_set: RuleSet) -> dict[str, Any]:
    """The canonical JSON form: ``parse_rule_set(rule_set_to_dict(r)) == r``.

    Defaults (``flat_cents`` 0, ``min_cents`` 0, ``max_cents`` null) are left out; the floor is
    always written, so a reader sees it is 0 rather than forgotten.
    """
    pots = []
    for pot in rule_set.pots:
        out: dict[str, Any] = {"pot": pot.slug}
        if pot.percent is not None:
            out["percent"] = str(pot.percent)
        if pot.brackets is not None:
            out["brackets"] = [
                {"from_cents": b.from_cents, "percent": str(b.percent)} for b in pot.brackets
            ]
        if pot.flat_cents:
            out["flat_cents"] = pot.flat_cents
        if pot.min_cents:
            out["min_cents"] = pot.min_cents
        if pot.max_cents is not None:
            out["max_cents"] = pot.max_cents
        if pot.when is not None:
            when: dict[str, list[str]] = {}
            if pot.when.categories is not None:
                when["categories"] = list(pot.when.categories)
            if pot.when.client_kinds is not None:
                when["client_kinds"] = list(pot.when.client_kinds)
            out["when"] = when
        if pot.label is not None:
            out["label"] = dict(pot.label)
        pots.append(out)
    return {
        "currency": rule_set.currency,
        "member_floor_hourly_cents": rule_set.member_floor_hourly_cents,
        "pots": pots,
    }


def items_to_dict(items: Iterable[Item]) -> dict[str, Any]:
    return {
        "items": [{key: getattr(item, key) for key in _ITEM_KEYS} for item in items],
    }


def splits_to_dict(splits: Iterable[Split]) -> dict[str, Any]:
    return {"splits": [split.to_dict() for split in splits]}


# --------------------------------------------------------------------------------------------
# Arithmetic
# --------------------------------------------------------------------------------------------


def _percentage_part(pot: Pot, item: Item) -> Fraction:
    gross = item.gross_cents
    if pot.percent is not None:
        return Fraction(pot.percent) * gross / 100
    if not pot.brackets:
        return Fraction(0)
    # The item covers the month range [B, B + G); each bracket charges on its overlap with it.
    start = item.month_gross_before_cents
    end = start + gross
    total = Fraction(0)
    for index, bracket in enumerate(pot.brackets):
        upper = pot.brackets[index + 1].from_cents if index + 1 < len(pot.brackets) else None
        low = max(start, bracket.from_cents)
        high = end if upper is None else min(end, upper)
        if high > low:
            total += Fraction(bracket.percent) * (high - low) / 100
    return total


def _raw_amount(pot: Pot, item: Item) -> Fraction:
    if not pot.applies_to(item):
        return Fraction(0)  # not min_cents: a pot that does not apply takes nothing at all
    amount = max(pot.flat_cents + _percentage_part(pot, item), Fraction(pot.min_cents))
    if pot.max_cents is not None:
        amount = min(amount, Fraction(pot.max_cents))
    return amount


def exact_shares(rule_set: RuleSet, item: Item) -> ExactShares:
    """Steps 1 and 2 of the contract: every pot's and the member's exact share of the gross."""
    gross = Fraction(item.gross_cents)
    applies = {pot.slug: pot.applies_to(item) for pot in rule_set.pots}
    raw = {pot.slug: _raw_amount(pot, item) for pot in rule_set.pots}
    deductions = sum(raw.values(), Fraction(0))
    floor = Fraction(rule_set.member_floor_hourly_cents * item.minutes, 60)
    member = max(gross - deductions, min(floor, gross))
    floor_binds = member > gross - deductions
    if floor_binds:
        # D > 0 here: with D = 0 the member already has G >= min(F, G).
        scale = (gross - member) / deductions
        pots = {slug: amount * scale for slug, amount in raw.items()}
    else:
        scale = Fraction(1)
        pots = dict(raw)
    return ExactShares(
        id=item.id,
        gross_cents=item.gross_cents,
        applies=applies,
        raw=raw,
        deductions=deductions,
        floor=floor,
        floor_binds=floor_binds,
        scale=scale,
        pots=pots,
        member=member,
    )


def largest_remainder(values: Sequence[Fraction]) -> list[int]:
    """Round non-negative exact values, whose sum is whole, to integers with the same sum.

    Each value gets its floor; the missing units go one each to the largest fractional parts,
    ties to the earlier position.
    """
    total = sum(values, Fraction(0))
    if total.denominator != 1:
        msg = f"values must add up to a whole number, not {total}"
        raise ValueError(msg)
    rounded = [value.numerator // value.denominator for value in values]
    missing = int(total) - sum(rounded)
    by_remainder = sorted(range(len(values)), key=lambda i: (rounded[i] - values[i], i))
    for index in by_remainder[:missing]:
        rounded[index] += 1
    return rounded


def split_item(rule_set: RuleSet, item: Item) -> Split:
    shares = exact_shares(rule_set, item)
    cents = largest_remainder([*shares.pots.values(), shares.member])
    return Split(
        id=item.id,
        pots=dict(zip(shares.pots, cents[:-1], strict=True)),
        member_cents=cents[-1],
    )


def split_items(rule_set: RuleSet, items: Iterable[Item]) -> list[Split]:
    return [split_item(rule_set, item) for item in items]


# --------------------------------------------------------------------------------------------
# Plain-language description (governance pages)
# --------------------------------------------------------------------------------------------

Lang = Literal["nl", "en"]


def _plain_percent(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _describe_percent(value: Decimal, lang: Lang) -> str:
    text = _plain_percent(value)
    return (text.replace(".", ",") if lang == "nl" else text) + "%"


def _alternatives(values: Sequence[str], lang: Lang) -> str:
    word = " of " if lang == "nl" else " or "
    if len(values) == 1:
        return values[0]
    return ", ".join(values[:-1]) + word + values[-1]


def _describe_brackets(brackets: Sequence[Bracket], currency: str, lang: Lang) -> str:
    parts = []
    for index, bracket in enumerate(brackets):
        percent = _describe_percent(bracket.percent, lang)
        low = format_money(bracket.from_cents, currency, lang)
        upper = brackets[index + 1].from_cents if index + 1 < len(brackets) else None
        high = format_money(upper, currency, lang) if upper is not None else None
        if high is None and index == 0:
            parts.append(percent)
        elif index == 0:
            parts.append(f"{percent} tot {high}" if lang == "nl" else f"{percent} below {high}")
        elif high is None:
            parts.append(f"{percent} vanaf {low}" if lang == "nl" else f"{percent} from {low}")
        else:
            parts.append(
                f"{percent} van {low} tot {high}"
                if lang == "nl"
                else f"{percent} from {low} to {high}"
            )
    lead = (
        "naar de bruto-omzet van het lid eerder deze maand: "
        if lang == "nl"
        else "by the member's gross earlier this month: "
    )
    return f"({lead}{', '.join(parts)})"


def _describe_when(when: When, lang: Lang) -> str:
    nl = lang == "nl"
    conditions = []
    empty = []
    for values, nl_name, en_name, nl_list, en_list in (
        (when.categories, "categorie", "category", "categorieën", "categories"),
        (when.client_kinds, "soort opdrachtgever", "client kind", "soorten", "client kinds"),
    ):
        if values is None:
            continue
        if not values:
            empty.append(nl_list if nl else en_list)
        else:
            conditions.append(f"{nl_name if nl else en_name} {_alternatives(values, lang)}")
    if empty:  # an empty list matches nothing, so the other conditions do not matter
        return (
            f", nooit (lege lijst van {' en '.join(empty)})"
            if nl
            else f", never (empty list of {' and '.join(empty)})"
        )
    if conditions:
        return (
            f", alleen bij {' en '.join(conditions)}"
            if nl
            else f", only for {' and '.join(conditions)}"
        )
    return ""  # `when: {}` matches everything


def _describe_pot(pot: Pot, currency: str, lang: Lang, name: str) -> str:
    nl = lang == "nl"

    def money(cents: int) -> str:
        return format_money(cents, currency, lang)

    if pot.percent is not None or pot.brackets:
        if pot.percent is not None:
            share = _describe_percent(pot.percent, lang) + (" van het bruto" if nl else " of gross")
        else:
            share = "een deel van het bruto" if nl else "a share of gross"
        amount = f"{money(pot.flat_cents)} plus {share}" if pot.flat_cents else share
        sentence = f"{amount} {'naar' if nl else 'to'} {name}"
        if pot.brackets:
            sentence += " " + _describe_brackets(pot.brackets, currency, lang)
        if pot.min_cents:
            sentence += f", {'minimaal' if nl else 'at least'} {money(pot.min_cents)}"
        if pot.max_cents is not None:
            sentence += f", {'maximaal' if nl else 'at most'} {money(pot.max_cents)}"
    else:
        # Without a percentage the amount is fixed: flat_cents clamped to [min, max].
        fixed = max(pot.flat_cents, pot.min_cents)
        if pot.max_cents is not None:
            fixed = min(fixed, pot.max_cents)
        if fixed:
            amount = f"{'een vast bedrag van' if nl else 'a flat'} {money(fixed)}"
        else:
            amount = "niets" if nl else "nothing"
        sentence = f"{amount} {'naar' if nl else 'to'} {name}"
    if pot.when is not None:
        sentence += _describe_when(pot.when, lang)
    return sentence[0].upper() + sentence[1:]


def describe(
    rule_set: RuleSet, lang: Lang = "nl", names: Mapping[str, str] | None = None
) -> list[str]:
    """The rule set as plain sentences, one per pot in rule order, then the member's part.

    E.g. ``"8,5% van het bruto naar coop_fund, maximaal € 25,00"``; a pot's ``label`` in ``lang``
    names it, else ``names`` (a display name by slug: ``"… naar het coöperatiefonds …"``).
    """
    if lang not in ("nl", "en"):
        msg = f'lang must be "nl" or "en", not {lang!r}'
        raise ValueError(msg)
    nl = lang == "nl"
    names = names or {}
    sentences = [
        # The rule set's own label in the reader's language first, then the platform's name.
        _describe_pot(
            pot,
            rule_set.currency,
            lang,
            dict(pot.label or ()).get(lang) or names.get(pot.slug, pot.slug),
        )
        for pot in rule_set.pots
    ]
    if rule_set.member_floor_hourly_cents:
        hourly = format_money(rule_set.member_floor_hourly_cents, rule_set.currency, lang)
        sentences.append(
            f"Het lid houdt minstens {hourly} per gewerkt uur (nooit meer dan het bruto); "
            "geen afdracht gaat daaronder"
            if nl
            else f"The member keeps at least {hourly} per hour worked (never more than the "
            "gross); no deduction goes below that"
        )
    if rule_set.pots:
        sentences.append("De rest gaat naar het lid" if nl else "The rest goes to the member")
    else:
        sentences.append("Alles gaat naar het lid" if nl else "Everything goes to the member")
    return sentences


# --------------------------------------------------------------------------------------------
# Command line: python -m payouts.rules check RULES.json | split RULES.json ITEMS.json
# --------------------------------------------------------------------------------------------

EXIT_OK = 0
EXIT_BAD_INPUT = 2  # unreadable file, invalid JSON, or a rule set / items that fail validation


class _LoadError(Exception):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json keeps the last of two equal keys; in a voted rule set that would hide a line.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            msg = f'duplicate key "{key}"'
            raise _LoadError(msg)
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    msg = f"{name} is not a number in JSON"
    raise _LoadError(msg)


def _load_json(filename: str) -> Any:
    label = "<stdin>" if filename == "-" else filename
    try:
        if filename == "-":
            text = sys.stdin.read()
        else:
            with Path(filename).open(encoding="utf-8-sig") as handle:  # tolerate a BOM
                text = handle.read()
    except OSError as exc:
        msg = f"{label}: cannot read file: {exc.strerror or exc}"
        raise _LoadError(msg) from exc
    except UnicodeDecodeError as exc:
        msg = f"{label}: cannot read file: not UTF-8 text"
        raise _LoadError(msg) from exc
    try:
        return json.loads(
            text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant
        )
    except json.JSONDecodeError as exc:
        msg = f"{label}: invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        raise _LoadError(msg) from exc
    except _LoadError as exc:
        msg = f"{label}: invalid JSON: {exc}"
        raise _LoadError(msg) from exc


def _report(errors: Iterable[tuple[str, str]]) -> None:
    for path, message in errors:
        print(f"{path}: {message}", file=sys.stderr)


def _command_check(args: argparse.Namespace) -> int:
    try:
        parse_rule_set(_load_json(args.rules))
    except _LoadError as exc:
        print(exc, file=sys.stderr)
        return EXIT_BAD_INPUT
    except RuleSetError as exc:
        _report(exc.errors)
        return EXIT_BAD_INPUT
    print("ok")
    return EXIT_OK


def _command_split(args: argparse.Namespace) -> int:
    documents = []
    load_failed = False
    for filename in (args.rules, args.items):
        try:
            documents.append(_load_json(filename))
        except _LoadError as exc:
            print(exc, file=sys.stderr)
            load_failed = True
    if load_failed:
        return EXIT_BAD_INPUT
    errors: list[tuple[str, str]] = []
    rule_set: RuleSet | None = None
    items: list[Item] | None = None
    try:
        rule_set = parse_rule_set(documents[0])
    except RuleSetError as exc:
        errors.extend(exc.errors)
    try:
        items = parse_items(documents[1])
    except ItemsError as exc:
        errors.extend(exc.errors)
    if errors or rule_set is None or items is None:
        _report(errors)
        return EXIT_BAD_INPUT
    json.dump(splits_to_dict(split_items(rule_set, items)), sys.stdout, indent=2)
    sys.stdout.write("\n")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m payouts.rules",
        description="Check a payout rule set, or split items with it "
        "(format: shared/payout-rules-format.md).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    check = commands.add_parser("check", help='validate a rule set; print "ok" or the errors')
    check.add_argument("rules", metavar="RULES.json", help="rule set file, or - for stdin")
    check.set_defaults(handler=_command_check)
    split = commands.add_parser("split", help='print {"splits": [...]} for the items')
    split.add_argument("rules", metavar="RULES.json", help="rule set file, or - for stdin")
    split.add_argument("items", metavar="ITEMS.json", help="items file, or - for stdin")
    split.set_defaults(handler=_command_split)
    args = parser.parse_args(argv)
    return int(args.handler(args))


if __name__ == "__main__":
    sys.exit(main())
