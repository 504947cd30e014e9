"""werkstation.money: one rounding rule, per-language formats, and the one home of both.

The last tests read the application code: an amount is converted, rounded or formatted
nowhere but in ``werkstation/money.py`` (and the filter and serializer field that call it).
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation
from djmoney.money import Money
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers

from werkstation import money
from werkstation.api.fields import AmountField

ROOT = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------- converting and rounding


@pytest.mark.parametrize(
    ("amount", "cents"),
    [
        ("12.345", 1235),
        ("12.344", 1234),
        (Decimal("0.005"), 1),
        (Decimal("0.004"), 0),
        ("-0.005", -1),  # half away from zero, on both sides
        ("-12.345", -1235),
        (17, 1700),
        (" 1234.5 ", 123450),
        (Fraction(1, 200), 1),
    ],
)
def test_to_minor_rounds_half_up(amount, cents):
    assert money.to_minor(amount) == cents


@pytest.mark.parametrize("bad", ["", "twelve", "NaN", "Infinity", "-inf", None])
def test_to_minor_refuses_what_is_not_an_amount(bad):
    with pytest.raises(ValueError, match=r"."):
        money.to_minor(bad)


@pytest.mark.parametrize("floating", [12.5, 0.1])
def test_money_never_passes_through_float(floating):
    with pytest.raises(TypeError):
        money.to_minor(floating)


def test_an_optimiser_estimate_becomes_whole_minor_units_half_up():
    # The dispatch objective and its travel term are floats in cents: shown, never paid.
    assert money.minor_of_estimate(12.5) == 13
    assert money.minor_of_estimate(-147932.5) == -147933
    assert money.minor_of_estimate(0.1 + 0.2) == 0
    assert money.minor_of_estimate(7) == 7
    with pytest.raises(TypeError):
        money.minor_of_estimate("12.5")  # type: ignore[arg-type]


def test_minor_units_follow_the_currency():
    assert money.to_minor("12.5", "JPY") == 13
    assert money.to_minor("1.2345", "BHD") == 1235  # three decimals
    assert money.from_minor(1235) == Decimal("12.35")
    assert money.from_minor(1235, "BHD") == Decimal("1.235")
    assert money.from_minor(5, "JPY") == Decimal(5)
    assert str(money.from_minor(-7)) == "-0.07"
    assert money.round_major("12.345") == Decimal("12.35")
    assert money.has_minor_precision("12.34")
    assert not money.has_minor_precision("12.345")


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=60 * 24))
def test_pay_for_minutes_is_the_exact_pay_rounded_half_up(hourly, minutes):
    exact = Fraction(hourly * minutes, 60)
    pay = money.pay_for_minutes(hourly, minutes)
    assert abs(pay - exact) <= Fraction(1, 2)
    assert pay - exact != Fraction(-1, 2)  # a half goes up, never down


def test_part_hour_pay_rounds_half_up_not_down():
    # € 17.01 an hour for 30 minutes is € 8.505: € 8.51, as settlement rounds (it was
    # € 8.50 where pay was truncated to a cent).
    assert money.pay_for_minutes(1701, 30) == 851
    assert money.pay_for_minutes(1, 30) == 1
    assert money.pay_for_minutes(3250, 1) == 54


@given(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.decimals(min_value=0, max_value=100, places=2),
)
def test_percent_of_is_exact_and_half_up(cents, percent):
    exact = Fraction(cents) * Fraction(percent) / 100
    share = money.percent_of(cents, percent)
    assert abs(share - exact) <= Fraction(1, 2)
    if abs(share - exact) == Fraction(1, 2):
        assert abs(share) > abs(exact)  # halves away from zero


# ---------------------------------------------------------------- formatting


@pytest.mark.parametrize(
    ("cents", "nl", "en"),
    [
        (123456, "€ 1.234,56", "€1,234.56"),
        (5, "€ 0,05", "€0.05"),
        (0, "€ 0,00", "€0.00"),
        (-11616, "-€ 116,16", "-€116.16"),
        (123456789, "€ 1.234.567,89", "€1,234,567.89"),
    ],
)
def test_format_money_per_language(cents, nl, en):
    assert money.format_money(cents, "EUR", "nl") == nl
    assert money.format_money(cents, "EUR", "en") == en
    assert money.format_money(cents, "EUR", "en-gb") == en


def test_format_money_other_currencies_and_signs():
    assert money.format_money(123456, "USD", "en") == "USD 1,234.56"
    assert money.format_money(123456, "USD", "nl") == "USD 1.234,56"
    assert money.format_money(1500, "JPY", "en") == "JPY 1,500"
    assert money.format_money(250, "EUR", "nl", sign=True) == "+€ 2,50"
    assert money.format_money(None) == ""
    assert money.format_decimal(Decimal("12.5"), "EUR", "nl") == "€ 12,50"


@pytest.mark.parametrize(
    ("minutes", "nl", "en"),
    [
        (150, "2 u 30 min", "2 h 30 min"),
        (45, "45 min", "45 min"),
        (120, "2 u", "2 h"),
        (0, "0 min", "0 min"),
    ],
)
def test_format_duration_per_language(minutes, nl, en):
    assert money.format_duration(minutes, "nl") == nl
    assert money.format_duration(minutes, "en") == en


def test_decimal_string_is_the_api_representation():
    assert money.decimal_string(9600) == "96.00"
    assert money.decimal_string(-5) == "-0.05"
    assert money.decimal_string(Fraction(2304, 5), places=4) == "4.6080"
    assert money.decimal_string(Fraction(1, 3), places=4) == "0.0033"
    assert money.decimal_string(Fraction(1, 200), places=4) == "0.0001"  # 0.00005 → up
    with pytest.raises(TypeError):
        money.decimal_string(Fraction(1, 3))


# ---------------------------------------------------------------- the template filter


def _render(text: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load money %}" + text).render(Context(context))


@pytest.mark.parametrize(
    ("value", "nl", "en"),
    [
        (123456, "€ 1.234,56", "€1,234.56"),  # an integer is minor units
        (Decimal("17.00"), "€ 17,00", "€17.00"),  # anything else major units
        ("96.00", "€ 96,00", "€96.00"),
        (Money("17.50", "EUR"), "€ 17,50", "€17.50"),
        (None, "", ""),
        ("not money", "", ""),
    ],
)
def test_money_filter_follows_the_active_language(value, nl, en):
    assert _render("{{ v|money }}", "nl", v=value) == nl
    assert _render("{{ v|money }}", "en", v=value) == en


def test_money_filter_takes_a_currency_and_duration_filter_the_language():
    assert _render('{{ v|money:"USD" }}', "en", v=500) == "USD 5.00"
    assert _render("{{ m|duration }}", "nl", m=150) == "2 u 30 min"
    assert _render("{{ m|duration }}", "en", m=150) == "2 h 30 min"
    assert _render("{{ m|duration }}", "en", m=None) == ""


def test_date_filters_write_dutch_months_in_lower_case_and_moments_in_local_time():
    moment = datetime(2026, 12, 4, 13, 30, tzinfo=UTC)  # 14:30 in Amsterdam
    assert _render("{{ d|day }}", "nl", d=moment) == "vr 4 dec"
    assert _render("{{ d|day }}", "en", d=moment) == "Fri 4 Dec"
    assert _render("{{ d|longdate }}", "nl", d=moment) == "4 december 2026"
    assert _render("{{ d|longmoment }}", "nl", d=moment) == "4 december 2026 14:30"
    assert _render("{{ d|longmoment }}", "en", d=moment) == "4 December 2026 14:30"
    assert _render("{{ d|longmoment }}", "nl", d=None) == ""


def test_the_readability_check_finds_a_capitalised_dutch_month():
    from tests.readability import problems

    assert problems("<p>vr 4 Dec · 3 u</p>", language="nl") == ["capitalised month '4 Dec'"]
    assert problems("<p>vr 4 dec · 3 u</p>", language="nl") == []


# ---------------------------------------------------------------- the serializer field


class _Amounts(serializers.Serializer):
    price = AmountField(min_cents=1)


def test_amount_field_shows_and_reads_decimal_strings():
    assert AmountField().to_representation(123456) == "1234.56"
    for given_value, cents in [("12.50", 1250), ("12", 1200), (12, 1200), (12.5, 1250)]:
        data = _Amounts(data={"price": given_value})
        assert data.is_valid(), data.errors
        assert data.validated_data["price"] == cents


@pytest.mark.parametrize(
    ("bad", "words"),
    [
        ("12.345", "at most 2 decimals"),
        ("abc", "Enter an amount"),
        ("0", "at least 0.01"),
        (True, "Enter an amount"),
    ],
)
def test_amount_field_names_what_is_wrong(bad, words):
    with translation.override("en"):
        data = _Amounts(data={"price": bad})
        assert not data.is_valid()
        assert words in str(data.errors["price"][0])


# ---------------------------------------------------------------- one home


def test_money_imports_nothing_from_django_or_celery():
    """So the pure cores (the split engine, the dispatcher) may use it."""
    tree = ast.parse((ROOT / "werkstation" / "money.py").read_text())
    imported = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "decimal", "fractions"}, imported
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            (
                "import sys, werkstation.money, payouts.rules;"
                "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'celery', 'kombu'}))"
            ),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert loaded.stdout.strip() == "[]"


# What converting, rounding or formatting an amount by hand looks like. A percentage is
# not an amount: a line that names one ("percent") may multiply or divide by 100.
PYTHON_PATTERNS = {
    "int(… * 100)": re.compile(r"\bint\(.*\*\s*100\b"),
    "/ 100": re.compile(r"/\s*100\b(?![.%])"),
    "* 100": re.compile(r"\*\s*100\b(?![.%])"),
    "divmod(…, 100)": re.compile(r"divmod\(.*,\s*100\s*\)"),
    "rounding to cents": re.compile(r"ROUND_HALF_\w+|quantize\(\s*Decimal\(\s*[\"']0?\.01[\"']"),
    "pay for minutes by hand": re.compile(r"(cents|tariff|pay)\w*\b.*//\s*(60|120)\b"),
}
EVERYWHERE_PATTERNS = {
    "a local euros helper": re.compile(r"\bdef\s+_?euros\b|\|\s*euros\b"),
    "a euro sign before a value": re.compile(r"€\s*(\{|%\()"),
}
APPLICATION = ("members", "jobs", "payouts", "werkstation")
HOME = {"werkstation/money.py"}
# The dispatch generator's synthetic instances: the family bounds committed in
# bench/bounds.json were computed on exactly these amounts, so they keep their rounding.
ALLOWED = {
    ("jobs/dispatch/generate.py", "rate * (end - start) // 60"),
    # A tender's points out of 100, not an amount.
    ("jobs/challenges/views.py", '(_("Points"), f"{number_format(total, 1)} / 100")'),
}


def _hand_made_money() -> list[str]:
    found = []
    for top in APPLICATION:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix not in (".py", ".html", ".txt") or "migrations" in path.parts:
                continue
            name = path.relative_to(ROOT).as_posix()
            if name in HOME:
                continue
            patterns = dict(EVERYWHERE_PATTERNS)
            if path.suffix == ".py":
                patterns |= PYTHON_PATTERNS
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if "percent" in line.lower():
                    continue
                if any(where == name and text in line for where, text in ALLOWED):
                    continue
                found += [
                    f"{name}:{number}: {what}: {line.strip()}"
                    for what, pattern in patterns.items()
                    if pattern.search(line)
                ]
    return found


def test_no_amount_is_converted_or_formatted_outside_the_money_module():
    assert _hand_made_money() == []


def test_the_scan_finds_what_it_looks_for(tmp_path):
    """The patterns catch the old ways (a scan that finds nothing must be able to)."""
    old = [
        "cents = int(amount * 100)",
        'label = f"€ {cents / 100:.2f}"',
        "return (Decimal(x) * 100).quantize(Decimal('1'), rounding=ROUND_HALF_UP)",
        "def euros(cents):",
        "whole, rest = divmod(abs(cents), 100)",
        '_("€ %(pay).2f")',
        "return (tariff_cents * minutes * 2 + 60) // 120",
        "return (slot_minutes * tariff_cents + 30) // 60",
        '"pay_cents": member_pay_cents * occ.minutes // 60,',
    ]
    for line in old:
        hits = [
            what
            for what, pattern in (PYTHON_PATTERNS | EVERYWHERE_PATTERNS).items()
            if pattern.search(line)
        ]
        assert hits, line
    assert not PYTHON_PATTERNS["/ 100"].search("members who reached 80% / 100% of their cap")
