"""Tests of the payout split engine (payouts/rules.py) against shared/payout-rules-format.md.

No database: the engine is pure. The property tests compare the engine with an oracle written
here from the contract text alone (dicts in, Fractions out), so a misreading of the contract in
the engine does not silently become the test's expectation too.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from payouts.rules import (
    Bracket,
    Item,
    ItemsError,
    Pot,
    RuleSet,
    RuleSetError,
    Split,
    When,
    describe,
    exact_shares,
    largest_remainder,
    parse_items,
    parse_rule_set,
    rule_set_to_dict,
    split_item,
    split_items,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]

CATEGORIES = ["greening", "energy", "green_maintenance", "cleaning", "removals", "care", "other"]
CLIENT_KINDS = ["business", "housing_corporation", "municipality", "foundation"]

CONTRACT_RULES = {
    "currency": "EUR",
    "member_floor_hourly_cents": 1450,
    "pots": [
        {"pot": "coop_fund", "percent": "8.5"},
        {"pot": "solidarity_fund", "percent": "2", "max_cents": 2500},
        {
            "pot": "training_fund",
            "flat_cents": 50,
            "when": {"categories": ["energy"], "client_kinds": ["municipality"]},
        },
        {
            "pot": "progressive_fund",
            "brackets": [
                {"from_cents": 0, "percent": "0"},
                {"from_cents": 150000, "percent": "5"},
            ],
        },
    ],
}
CONTRACT_ITEM = {
    "id": "t1",
    "gross_cents": 7200,
    "minutes": 240,
    "category": "greening",
    "client_kind": "business",
    "month_gross_before_cents": 120000,
}


def rules(*pots: dict, floor: int | None = None) -> RuleSet:
    data: dict = {"currency": "EUR", "pots": list(pots)}
    if floor is not None:
        data["member_floor_hourly_cents"] = floor
    return parse_rule_set(data)


def item(
    gross: int,
    *,
    minutes: int = 0,
    before: int = 0,
    category: str = "greening",
    client_kind: str = "business",
    id: str = "t",
) -> Item:
    return Item(
        id=id,
        gross_cents=gross,
        minutes=minutes,
        category=category,
        client_kind=client_kind,
        month_gross_before_cents=before,
    )


def cents(rule_set: RuleSet, it: Item) -> tuple[dict[str, int], int]:
    split = split_item(rule_set, it)
    return split.pots, split.member_cents


# --------------------------------------------------------------------------------------------
# Oracle: the contract, read independently, on plain dicts
# --------------------------------------------------------------------------------------------


def oracle_exact(rules_data: dict, item_data: dict) -> tuple[list[Fraction], Fraction, Fraction]:
    """Exact [pot shares...], the member's share and F, following the contract step by step."""
    gross = item_data["gross_cents"]
    before = item_data["month_gross_before_cents"]

    def month_charge(pot: dict, upto: int) -> Fraction:
        # What the brackets charge on the month range [0, upto); the item pays the difference.
        brackets = pot["brackets"]
        total = Fraction(0)
        for i, bracket in enumerate(brackets):
            start = bracket["from_cents"]
            stop = brackets[i + 1]["from_cents"] if i + 1 < len(brackets) else None
            width = upto - start if stop is None else min(upto, stop) - start
            if width > 0:
                total += Fraction(bracket["percent"]) / 100 * width
        return total

    raw = []
    for pot in rules_data["pots"]:
        when = pot.get("when", {})
        matches = item_data["category"] in when.get("categories", [item_data["category"]]) and (
            item_data["client_kind"] in when.get("client_kinds", [item_data["client_kind"]])
        )
        if not matches:
            raw.append(Fraction(0))
            continue
        amount = Fraction(pot.get("flat_cents", 0))
        if "percent" in pot:
            amount += Fraction(pot["percent"]) * gross / 100
        if "brackets" in pot:
            amount += month_charge(pot, before + gross) - month_charge(pot, before)
        amount = max(amount, Fraction(pot.get("min_cents", 0)))
        if pot.get("max_cents") is not None:
            amount = min(amount, Fraction(pot["max_cents"]))
        raw.append(amount)

    deductions = sum(raw, Fraction(0))
    floor = Fraction(rules_data.get("member_floor_hourly_cents") or 0) * item_data["minutes"] / 60
    member = max(gross - deductions, min(floor, Fraction(gross)))
    if member > gross - deductions:
        raw = [amount * (gross - member) / deductions for amount in raw]
    return raw, member, floor


def oracle_round(values: list[Fraction]) -> list[int]:
    """Largest remainder, one missing cent at a time to the largest remainder left, earliest first."""
    result = [int(v // 1) for v in values]
    remainders = [v - r for v, r in zip(values, result, strict=True)]
    for _ in range(int(sum(values)) - sum(result)):
        best = max(range(len(values)), key=lambda i: (remainders[i], -i))
        result[best] += 1
        remainders[best] = Fraction(-1)
    return result


# --------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------

percent_strings = st.one_of(
    st.integers(0, 100).map(str),
    st.integers(0, 1_000_000).map(lambda n: f"{n // 10000}.{n % 10000:04d}"),
    st.integers(0, 1000).map(lambda n: f"{n // 10}.{n % 10}"),
    st.sampled_from(["0", "100", "33.3333", "12.5", "8.5", "0.0001", "99.9999"]),
)
small_cents = st.integers(0, 5000)


@st.composite
def when_conditions(draw):
    when = {}
    if draw(st.booleans()):
        when["categories"] = draw(st.lists(st.sampled_from(CATEGORIES), max_size=3))
    if draw(st.booleans()):
        when["client_kinds"] = draw(st.lists(st.sampled_from(CLIENT_KINDS), max_size=2))
    return when


@st.composite
def pot_dicts(draw, slug: str):
    pot: dict = {"pot": slug}
    kind = draw(st.sampled_from(["percent", "brackets", "neither"]))
    if kind == "percent":
        pot["percent"] = draw(percent_strings)
    elif kind == "brackets":
        edges = draw(st.lists(st.integers(1, 400_000), unique=True, max_size=3))
        starts = [0, *sorted(edges)]
        pot["brackets"] = [{"from_cents": s, "percent": draw(percent_strings)} for s in starts]
    if draw(st.booleans()):
        pot["flat_cents"] = draw(small_cents)
    low = draw(st.none() | small_cents)
    if low is not None:
        pot["min_cents"] = low
    if draw(st.booleans()):
        pot["max_cents"] = draw(st.none() | st.integers(low or 0, 20_000))
    if draw(st.integers(0, 3)) == 0:
        pot["when"] = draw(when_conditions())
    if draw(st.integers(0, 3)) == 0:
        pot["label"] = draw(
            st.dictionaries(
                st.sampled_from(["nl", "en", "tr", "ar"]),
                st.text(min_size=1, max_size=80).filter(str.strip),
            )
        )
    return pot


@st.composite
def rule_set_dicts(draw):
    slugs = draw(
        st.lists(
            st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True).filter(lambda s: s != "member"),
            unique=True,
            max_size=5,
        )
    )
    pots = [draw(pot_dicts(slug)) for slug in slugs]
    # Keep within the validity limit. A pot with `when: {}` matches every item but does not
    # count toward the limit, so this also lets the deductions pass 100 % of gross.
    total = Fraction(0)
    for pot in pots:
        if "when" in pot:
            continue
        top = pot.get("percent") or max(
            (b["percent"] for b in pot.get("brackets", [])), key=Fraction, default="0"
        )
        if total + Fraction(top) > 100:
            pot["when"] = {}
        else:
            total += Fraction(top)
    data = {"currency": "EUR", "pots": pots}
    floor = draw(st.one_of(st.just("absent"), st.none(), st.integers(0, 4000)))
    if floor != "absent":
        data["member_floor_hourly_cents"] = floor
    return data


item_dicts = st.builds(
    lambda gross, minutes, before, category, client_kind: {
        "id": "x",
        "gross_cents": gross,
        "minutes": minutes,
        "category": category,
        "client_kind": client_kind,
        "month_gross_before_cents": before,
    },
    st.one_of(st.integers(0, 50), st.integers(0, 300_000)),
    st.one_of(st.integers(0, 30), st.integers(0, 900)),
    st.integers(0, 500_000),
    st.sampled_from(CATEGORIES),
    st.sampled_from(CLIENT_KINDS),
)

PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(rule_set_dicts(), item_dicts)
def test_split_matches_the_oracle_and_keeps_every_promise(rules_data, item_data):
    rule_set = parse_rule_set(copy.deepcopy(rules_data))
    [it] = parse_items({"items": [item_data]})
    split = split_item(rule_set, it)
    pot_exact, member_exact, floor = oracle_exact(rules_data, item_data)
    gross = item_data["gross_cents"]

    # Every pot of the rule set, in rule order.
    assert list(split.pots) == [pot["pot"] for pot in rules_data["pots"]]
    parts = [*split.pots.values(), split.member_cents]
    assert sum(parts) == gross
    assert all(part >= 0 for part in parts)
    for part, exact in zip(parts, [*pot_exact, member_exact], strict=True):
        assert abs(part - exact) < 1
    assert split.member_cents >= min(floor, gross) // 1
    assert split.member_cents >= member_exact // 1
    assert parts == oracle_round([*pot_exact, member_exact])

    shares = exact_shares(rule_set, it)
    assert list(shares.pots.values()) == pot_exact
    assert shares.member == member_exact
    assert shares.floor == floor
    assert sum(shares.pots.values()) + shares.member == gross

    # Deterministic: the same input gives the same cents, one at a time or in a batch.
    assert split_item(rule_set, it) == split
    assert split_items(rule_set, [it, it]) == [split, split]


@PROPERTY_SETTINGS
@given(rule_set_dicts())
def test_rule_set_round_trips_through_its_json_form(rules_data):
    rule_set = parse_rule_set(rules_data)
    as_dict = rule_set_to_dict(rule_set)
    assert parse_rule_set(json.loads(json.dumps(as_dict))) == rule_set
    for lang in ("nl", "en"):
        sentences = describe(rule_set, lang)
        assert len(sentences) >= len(rule_set.pots) + 1
        assert all(isinstance(s, str) and s for s in sentences)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.fractions(min_value=0, max_value=10_000, max_denominator=1000), min_size=1, max_size=8
    )
)
def test_largest_remainder_matches_the_oracle(values):
    # Make the total whole by topping up the last value.
    total = sum(values, Fraction(0))
    values[-1] += (-total) % 1
    assert largest_remainder(values) == oracle_round(values)
    assert sum(largest_remainder(values)) == sum(values)


def test_largest_remainder_rejects_a_fractional_total():
    with pytest.raises(ValueError, match="whole number"):
        largest_remainder([Fraction(1, 2)])


# --------------------------------------------------------------------------------------------
# Golden vectors (computed by hand)
# --------------------------------------------------------------------------------------------


def test_contract_example():
    rule_set = parse_rule_set(CONTRACT_RULES)
    [it] = parse_items({"items": [CONTRACT_ITEM]})
    assert split_item(rule_set, it) == Split(
        id="t1",
        pots={"coop_fund": 612, "solidarity_fund": 144, "training_fund": 0, "progressive_fund": 0},
        member_cents=6444,
    )


@pytest.mark.parametrize(
    ("pots", "gross", "expected_pots", "expected_member"),
    [
        # 0.5 / 0.5 / 3: one cent missing, equal remainders: the earlier pot gets it.
        (
            [{"pot": "x", "percent": "12.5"}, {"pot": "y", "percent": "12.5"}],
            4,
            {"x": 1, "y": 0},
            3,
        ),
        # 0.5 pot against 0.5 member: the pot comes first in the list.
        ([{"pot": "a", "percent": "50"}], 1, {"a": 1}, 0),
        # 1.5 / 1.5 / 12.
        ([{"pot": "a", "percent": "10"}, {"pot": "b", "percent": "10"}], 15, {"a": 2, "b": 1}, 12),
        # 0.3 / 0.9 / 1.8: two cents missing, to the largest remainders (b, member), not by position.
        ([{"pot": "a", "percent": "10"}, {"pot": "b", "percent": "30"}], 3, {"a": 0, "b": 1}, 2),
    ],
)
def test_rounding_ties(pots, gross, expected_pots, expected_member):
    assert cents(rules(*pots), item(gross)) == (expected_pots, expected_member)


def test_member_floor_scales_every_pot():
    # F = 1200 × 60 / 60 = 1200; D = 130 + 50 = 180; G − D = 1120 < 1200, so M = 1200 and the
    # pots share the remaining 100 in proportion: 650/9 = 72.22…, 250/9 = 27.77…
    rule_set = rules(
        {"pot": "coop", "percent": "10"}, {"pot": "fixed", "flat_cents": 50}, floor=1200
    )
    shares = exact_shares(rule_set, item(1300, minutes=60))
    assert shares.floor_binds
    assert shares.scale == Fraction(5, 9)
    assert shares.pots == {"coop": Fraction(650, 9), "fixed": Fraction(250, 9)}
    assert shares.member == 1200
    assert cents(rule_set, item(1300, minutes=60)) == ({"coop": 72, "fixed": 28}, 1200)


def test_member_floor_wins_over_min_cents():
    # F = 1200 × 30 / 60 = 600 = G: the pot's min_cents 500 is scaled away entirely.
    rule_set = rules({"pot": "coop", "percent": "1", "min_cents": 500}, floor=1200)
    assert cents(rule_set, item(600, minutes=30)) == ({"coop": 0}, 600)


def test_member_floor_above_gross_gives_the_member_everything():
    rule_set = rules({"pot": "coop", "percent": "10"}, floor=1200)
    assert cents(rule_set, item(500, minutes=60)) == ({"coop": 0}, 500)


def test_member_floor_with_a_fractional_floor():
    # F = 1450 × 7 / 60 = 169.1666…; G − D = 170 − 85 = 85, so M = F and the pot keeps 0.8333…;
    # rounding gives the missing cent to the pot (.83 > .17), the member keeps floor(M) = 169.
    rule_set = rules({"pot": "coop", "percent": "50"}, floor=1450)
    assert cents(rule_set, item(170, minutes=7)) == ({"coop": 1}, 169)


def test_member_floor_not_binding_leaves_pots_alone():
    rule_set = rules({"pot": "coop", "percent": "10"}, floor=1200)
    shares = exact_shares(rule_set, item(10000, minutes=60))
    assert not shares.floor_binds
    assert shares.scale == 1
    assert cents(rule_set, item(10000, minutes=60)) == ({"coop": 1000}, 9000)


PROGRESSIVE = (
    {"pot": "coop", "percent": "8.5"},
    {
        "pot": "progressive",
        "brackets": [
            {"from_cents": 0, "percent": "0"},
            {"from_cents": 100000, "percent": "2"},
            {"from_cents": 150000, "percent": "5"},
        ],
    },
)


@pytest.mark.parametrize(
    ("before", "gross", "expected_pots", "expected_member"),
    [
        # [90 000, 160 000): 10 000 at 0 %, 50 000 at 2 % = 1000, 10 000 at 5 % = 500.
        (90000, 70000, {"coop": 5950, "progressive": 1500}, 62550),
        # [140 000, 150 000) ends exactly at an edge: all at 2 %, nothing at 5 %.
        (140000, 10000, {"coop": 850, "progressive": 200}, 8950),
        # [150 000, 151 000) starts exactly at an edge: all at 5 %.
        (150000, 1000, {"coop": 85, "progressive": 50}, 865),
        # Wholly below the first paying bracket.
        (0, 50000, {"coop": 4250, "progressive": 0}, 45750),
    ],
)
def test_brackets_over_the_month_range(before, gross, expected_pots, expected_member):
    assert cents(rules(*PROGRESSIVE), item(gross, before=before)) == (
        expected_pots,
        expected_member,
    )


def test_brackets_spanning_an_edge_with_rounding():
    # [149 990, 156 993): 10 at 0 %, 6993 at 5 % = 349.65; member 6653.35 → 350 / 6653.
    rule_set = rules(
        {
            "pot": "progressive",
            "brackets": [{"from_cents": 0, "percent": "0"}, {"from_cents": 150000, "percent": "5"}],
        }
    )
    shares = exact_shares(rule_set, item(7003, before=149990))
    assert shares.pots == {"progressive": Fraction(34965, 100)}
    assert cents(rule_set, item(7003, before=149990)) == ({"progressive": 350}, 6653)


def test_zero_gross():
    # D = 0 + 50 + 100 = 150 > G = 0; M = max(−150, min(F, 0)) = 0, so every pot scales to 0.
    rule_set = rules(
        {"pot": "coop", "percent": "8.5"},
        {"pot": "fixed", "flat_cents": 50},
        {"pot": "minimum", "percent": "1", "min_cents": 100},
        floor=1450,
    )
    assert cents(rule_set, item(0, minutes=60)) == ({"coop": 0, "fixed": 0, "minimum": 0}, 0)
    assert cents(rule_set, item(0)) == ({"coop": 0, "fixed": 0, "minimum": 0}, 0)
    assert cents(rules(), item(0)) == ({}, 0)


def test_flat_cents_above_gross_are_scaled_down_to_gross():
    # D = 300 > G = 200 and no floor: M = max(−100, 0) = 0, pots scaled by 200/300.
    rule_set = rules({"pot": "a", "flat_cents": 100}, {"pot": "b", "flat_cents": 200})
    assert cents(rule_set, item(200)) == ({"a": 67, "b": 133}, 0)


@pytest.mark.parametrize(
    ("pot", "gross", "expected"),
    [
        ({"pot": "p", "percent": "10", "min_cents": 200, "max_cents": 1000}, 1000, 200),
        ({"pot": "p", "percent": "10", "min_cents": 200, "max_cents": 1000}, 5000, 500),
        ({"pot": "p", "percent": "10", "min_cents": 200, "max_cents": 1000}, 50000, 1000),
        # flat + percent is clamped as a whole: 100 + 200 → 150.
        ({"pot": "p", "flat_cents": 100, "percent": "2", "max_cents": 150}, 10000, 150),
        ({"pot": "p", "percent": "2", "max_cents": 2500}, 200000, 2500),
        ({"pot": "p", "percent": "2", "max_cents": None}, 200000, 4000),
        # No amount keys: 0, raised to min_cents.
        ({"pot": "p", "min_cents": 75}, 10000, 75),
        ({"pot": "p"}, 10000, 0),
        # min == max pins the amount.
        ({"pot": "p", "percent": "50", "min_cents": 30, "max_cents": 30}, 10000, 30),
    ],
)
def test_min_and_max_clamps(pot, gross, expected):
    assert cents(rules(pot), item(gross)) == ({"p": expected}, gross - expected)


TRAINING = {
    "pot": "training",
    "flat_cents": 50,
    "min_cents": 75,
    "when": {"categories": ["energy"], "client_kinds": ["municipality"]},
}


@pytest.mark.parametrize(
    ("pot", "category", "client_kind", "expected"),
    [
        (TRAINING, "energy", "municipality", 75),
        # Not matching takes 0, not min_cents.
        (TRAINING, "greening", "municipality", 0),
        (TRAINING, "energy", "business", 0),
        (TRAINING, "Energy", "municipality", 0),  # case-sensitive
        ({**TRAINING, "when": {"categories": []}}, "energy", "municipality", 0),
        ({**TRAINING, "when": {"client_kinds": []}}, "energy", "municipality", 0),
        ({**TRAINING, "when": {}}, "greening", "business", 75),
        ({**TRAINING, "when": {"categories": ["care", "energy"]}}, "energy", "business", 75),
        ({"pot": "training", "percent": "10", "when": {"categories": ["care"]}}, "energy", "x", 0),
    ],
)
def test_when_conditions(pot, category, client_kind, expected):
    it = item(1000, category=category, client_kind=client_kind)
    assert cents(rules(pot), it) == ({"training": expected}, 1000 - expected)
    assert exact_shares(rules(pot), it).applies == {"training": expected > 0}


def test_non_matching_pot_is_not_lifted_by_the_floor_scaling():
    rule_set = rules(TRAINING, {"pot": "coop", "percent": "50"}, floor=6000)
    # F = 6000: G − D = 500 < 1000 = min(F, G); every pot is scaled to 0, training stays 0.
    assert cents(rule_set, item(1000, minutes=60)) == ({"training": 0, "coop": 0}, 1000)


def test_empty_pots_list():
    assert cents(rules(), item(1234, minutes=60)) == ({}, 1234)
    assert cents(rules(floor=100000), item(1234, minutes=60)) == ({}, 1234)


def test_split_items_keeps_item_order():
    rule_set = rules({"pot": "coop", "percent": "10"})
    items = parse_items(
        {
            "items": [
                {**CONTRACT_ITEM, "id": "b", "gross_cents": 100},
                {**CONTRACT_ITEM, "id": "a", "gross_cents": 0},
                {**CONTRACT_ITEM, "id": "c", "gross_cents": 999},
            ]
        }
    )
    splits = split_items(rule_set, items)
    assert [s.id for s in splits] == ["b", "a", "c"]
    assert [s.pots["coop"] for s in splits] == [10, 0, 100]
    # Items are independent: the engine never adds one item's gross to another's B.
    assert splits[2] == split_item(rule_set, items[2])


# --------------------------------------------------------------------------------------------
# Rule set validation
# --------------------------------------------------------------------------------------------


def errors_of(data) -> list[tuple[str, str]]:
    with pytest.raises(RuleSetError) as info:
        parse_rule_set(data)
    return info.value.errors


def paths_of(data) -> list[str]:
    return [path for path, _ in errors_of(data)]


def with_pot(**pot) -> dict:
    return {"currency": "EUR", "pots": [{"pot": "p", **pot}]}


def test_valid_rule_set_parses_to_dataclasses():
    rule_set = parse_rule_set(CONTRACT_RULES)
    assert rule_set == RuleSet(
        currency="EUR",
        member_floor_hourly_cents=1450,
        pots=(
            Pot(slug="coop_fund", percent=Decimal("8.5")),
            Pot(slug="solidarity_fund", percent=Decimal("2"), max_cents=2500),
            Pot(
                slug="training_fund",
                flat_cents=50,
                when=When(categories=("energy",), client_kinds=("municipality",)),
            ),
            Pot(
                slug="progressive_fund",
                brackets=(
                    Bracket(from_cents=0, percent=Decimal("0")),
                    Bracket(from_cents=150000, percent=Decimal("5")),
                ),
            ),
        ),
    )


def test_rule_set_to_dict_is_canonical():
    assert rule_set_to_dict(parse_rule_set(CONTRACT_RULES)) == CONTRACT_RULES
    assert rule_set_to_dict(parse_rule_set({"currency": "EUR", "pots": []})) == {
        "currency": "EUR",
        "member_floor_hourly_cents": 0,
        "pots": [],
    }


def test_rule_set_error_is_a_value_error_listing_every_line():
    with pytest.raises(ValueError, match=r"^currency: is required\npots: is required"):
        parse_rule_set({})


@pytest.mark.parametrize("data", [[], "x", None, 3])
def test_rule_set_must_be_an_object(data):
    assert errors_of(data) == [("(root)", "must be a JSON object")]


def test_unknown_keys_everywhere_are_errors():
    data = {
        "currency": "EUR",
        "pots": [
            {
                "pot": "p",
                "brackets": [{"from_cents": 0, "percent": "1", "upto": 5}],
                "when": {"categories": [], "weekdays": []},
                "percnt": "2",
            }
        ],
        "version": 3,
    }
    assert sorted(paths_of(data)) == [
        "pots[0].brackets[0].upto",
        "pots[0].percnt",
        "pots[0].when.weekdays",
        "version",
    ]
    assert all(message.startswith("unknown key") for _, message in errors_of(data))


@pytest.mark.parametrize(
    ("data", "expected_path"),
    [
        ({"pots": []}, "currency"),
        ({"currency": "eur", "pots": []}, "currency"),
        ({"currency": "EURO", "pots": []}, "currency"),
        ({"currency": "EU", "pots": []}, "currency"),
        ({"currency": 978, "pots": []}, "currency"),
        ({"currency": None, "pots": []}, "currency"),
        ({"currency": "EUR\n", "pots": []}, "currency"),
        ({"currency": "ABC", "pots": []}, "currency"),  # three letters, but not ISO 4217
        ({"currency": "EUR"}, "pots"),
        ({"currency": "EUR", "pots": {}}, "pots"),
        ({"currency": "EUR", "pots": None}, "pots"),
        (
            {"currency": "EUR", "pots": [], "member_floor_hourly_cents": -1},
            "member_floor_hourly_cents",
        ),
        (
            {"currency": "EUR", "pots": [], "member_floor_hourly_cents": 1.0},
            "member_floor_hourly_cents",
        ),
        (
            {"currency": "EUR", "pots": [], "member_floor_hourly_cents": True},
            "member_floor_hourly_cents",
        ),
        (
            {"currency": "EUR", "pots": [], "member_floor_hourly_cents": "1450"},
            "member_floor_hourly_cents",
        ),
    ],
)
def test_top_level_errors(data, expected_path):
    assert paths_of(data) == [expected_path]


@pytest.mark.parametrize("currency", ["EUR", "USD", "GBP", "JPY", "CHF", "XXX"])
def test_valid_currencies(currency):
    assert parse_rule_set({"currency": currency, "pots": []}).currency == currency


@pytest.mark.parametrize(("floor", "expected"), [("absent", 0), (None, 0), (0, 0), (1450, 1450)])
def test_member_floor_is_optional(floor, expected):
    data: dict = {"currency": "EUR", "pots": []}
    if floor != "absent":
        data["member_floor_hourly_cents"] = floor
    assert parse_rule_set(data).member_floor_hourly_cents == expected


@pytest.mark.parametrize("slug", ["a", "coop_fund", "fund2", "a" * 50, "a_"])
def test_valid_slugs(slug):
    assert parse_rule_set(with_pot() | {"pots": [{"pot": slug}]}).pots[0].slug == slug


@pytest.mark.parametrize(
    "slug", ["", "Coop", "1fund", "_fund", "coop-fund", "coop fund", "a" * 51, "fünd", 7, None]
)
def test_invalid_slugs(slug):
    assert paths_of({"currency": "EUR", "pots": [{"pot": slug}]}) == ["pots[0].pot"]


def test_pot_slug_is_required_reserved_and_unique():
    data = {
        "currency": "EUR",
        "pots": [{"percent": "1"}, {"pot": "member"}, {"pot": "a"}, {"pot": "b"}, {"pot": "a"}],
    }
    assert errors_of(data) == [
        ("pots[0].pot", "is required"),
        ("pots[1].pot", '"member" is reserved for the member\'s share'),
        ("pots[4].pot", 'duplicate pot "a" (also pots[2])'),
    ]


@pytest.mark.parametrize("pot", [3, "coop", None, ["coop"]])
def test_pot_must_be_an_object(pot):
    assert paths_of({"currency": "EUR", "pots": [pot]}) == ["pots[0]"]


@pytest.mark.parametrize("percent", ["0", "8.5", "100", "100.0000", "33.3333", "007", "0.0001"])
def test_valid_percentages(percent):
    assert parse_rule_set(with_pot(percent=percent)).pots[0].percent == Decimal(percent)


@pytest.mark.parametrize(
    ("percent", "message"),
    [
        (8.5, "must be a percentage string"),
        (8, "must be a percentage string"),
        (None, "must be a percentage string"),
        ("8,5", "must be a percentage string"),
        ("8.", "must be a percentage string"),
        (".5", "must be a percentage string"),
        ("-1", "must be a percentage string"),
        ("+1", "must be a percentage string"),
        (" 8.5", "must be a percentage string"),
        ("8.5\n", "must be a percentage string"),
        ("8.12345", "must be a percentage string"),
        ("1000", "must be a percentage string"),
        ("1e2", "must be a percentage string"),
        ("٨", "must be a percentage string"),  # an Arabic-Indic digit is not [0-9]
        ("100.0001", "must be at most 100"),
        ("101", "must be at most 100"),
        ("999.9999", "must be at most 100"),
    ],
)
def test_invalid_percentages(percent, message):
    [(path, got)] = errors_of(with_pot(percent=percent))
    assert path == "pots[0].percent"
    assert got.startswith(message)


def test_percent_and_brackets_are_mutually_exclusive():
    data = with_pot(percent="1", brackets=[{"from_cents": 0, "percent": "1"}])
    assert errors_of(data) == [
        ("pots[0]", "has both percent and brackets; a pot takes one or the other")
    ]


@pytest.mark.parametrize("key", ["flat_cents", "min_cents", "max_cents"])
@pytest.mark.parametrize("value", [-1, 1.0, 1.5, True, False, "5", [5]])
def test_invalid_cents(key, value):
    [(path, message)] = errors_of(with_pot(**{key: value}))
    assert path == f"pots[0].{key}"
    assert message.startswith("must be an integer >= 0")


@pytest.mark.parametrize("key", ["flat_cents", "min_cents"])
def test_only_max_cents_may_be_null(key):
    assert paths_of(with_pot(**{key: None})) == [f"pots[0].{key}"]
    assert parse_rule_set(with_pot(max_cents=None)).pots[0].max_cents is None


def test_max_cents_must_be_at_least_min_cents():
    data = {
        "currency": "EUR",
        "pots": [
            {"pot": "a", "min_cents": 10, "max_cents": 10},
            {"pot": "b", "max_cents": 0},
            {"pot": "c", "min_cents": 11, "max_cents": 10},
        ],
    }
    assert errors_of(data) == [("pots[2].max_cents", "must be at least min_cents")]


@pytest.mark.parametrize(
    ("brackets", "expected_paths"),
    [
        ([], ["pots[0].brackets"]),
        (None, ["pots[0].brackets"]),
        ({"from_cents": 0, "percent": "1"}, ["pots[0].brackets"]),
        ([{"from_cents": 1, "percent": "1"}], ["pots[0].brackets[0].from_cents"]),
        (
            [{"from_cents": 0, "percent": "1"}, {"from_cents": 0, "percent": "2"}],
            ["pots[0].brackets[1].from_cents"],
        ),
        (
            [
                {"from_cents": 0, "percent": "1"},
                {"from_cents": 500, "percent": "2"},
                {"from_cents": 400, "percent": "3"},
            ],
            ["pots[0].brackets[2].from_cents"],
        ),
        ([{"percent": "1"}], ["pots[0].brackets[0].from_cents"]),
        ([{"from_cents": 0}], ["pots[0].brackets[0].percent"]),
        ([{"from_cents": 0, "percent": 1}], ["pots[0].brackets[0].percent"]),
        ([{"from_cents": 0.0, "percent": "1"}], ["pots[0].brackets[0].from_cents"]),
        ([{"from_cents": -5, "percent": "1"}], ["pots[0].brackets[0].from_cents"]),
        ([{"from_cents": 0, "percent": "1"}, "x"], ["pots[0].brackets[1]"]),
    ],
)
def test_invalid_brackets(brackets, expected_paths):
    assert paths_of(with_pot(brackets=brackets)) == expected_paths


def test_bracket_messages():
    data = with_pot(
        brackets=[
            {"from_cents": 0, "percent": "1"},
            {"from_cents": 100, "percent": "2"},
            {"from_cents": 100, "percent": "3"},
        ]
    )
    assert errors_of(data) == [
        (
            "pots[0].brackets[2].from_cents",
            "must be greater than the previous bracket's from_cents (100)",
        )
    ]
    assert errors_of(with_pot(brackets=[{"from_cents": 5, "percent": "1"}])) == [
        ("pots[0].brackets[0].from_cents", "must be 0: brackets start at 0")
    ]


@pytest.mark.parametrize(
    ("when", "expected_paths"),
    [
        (None, ["pots[0].when"]),
        ([], ["pots[0].when"]),
        ("energy", ["pots[0].when"]),
        ({"categories": "energy"}, ["pots[0].when.categories"]),
        ({"categories": None}, ["pots[0].when.categories"]),
        ({"client_kinds": ["business", 3]}, ["pots[0].when.client_kinds[1]"]),
        (
            {"categories": ["energy", None, "care", 1]},
            ["pots[0].when.categories[1]", "pots[0].when.categories[3]"],
        ),
        ({"category": ["energy"]}, ["pots[0].when.category"]),
    ],
)
def test_invalid_when(when, expected_paths):
    assert paths_of(with_pot(when=when)) == expected_paths


def test_valid_when_forms():
    pot = parse_rule_set(with_pot(when={})).pots[0]
    assert pot.when == When()
    pot = parse_rule_set(with_pot(when={"categories": [], "client_kinds": ["x"]})).pots[0]
    assert pot.when == When(categories=(), client_kinds=("x",))


@pytest.mark.parametrize(
    ("pots", "valid"),
    [
        ([{"pot": "a", "percent": "60"}, {"pot": "b", "percent": "40"}], True),
        ([{"pot": "a", "percent": "60"}, {"pot": "b", "percent": "40.0001"}], False),
        ([{"pot": "a", "percent": "100"}, {"pot": "b", "percent": "0.0001"}], False),
        # Pots with a `when` do not count.
        (
            [
                {"pot": "a", "percent": "60"},
                {"pot": "b", "percent": "60", "when": {"categories": ["care"]}},
            ],
            True,
        ),
        # Literally "pots that have no when": `when: {}` is a when.
        ([{"pot": "a", "percent": "60"}, {"pot": "b", "percent": "60", "when": {}}], True),
        # A brackets pot counts its highest bracket, wherever it is.
        (
            [
                {"pot": "a", "percent": "40"},
                {
                    "pot": "b",
                    "brackets": [
                        {"from_cents": 0, "percent": "0"},
                        {"from_cents": 1000, "percent": "61"},
                        {"from_cents": 2000, "percent": "10"},
                    ],
                },
            ],
            False,
        ),
        # Flat amounts do not count.
        ([{"pot": "a", "percent": "100", "flat_cents": 500}, {"pot": "b", "flat_cents": 5}], True),
    ],
)
def test_validity_limit(pots, valid):
    data = {"currency": "EUR", "pots": pots}
    if valid:
        parse_rule_set(data)
    else:
        [(path, message)] = errors_of(data)
        assert path == "pots"
        assert "more than 100" in message or "at most 100" in message


def test_validity_limit_message():
    data = {
        "currency": "EUR",
        "pots": [{"pot": "a", "percent": "60"}, {"pot": "b", "percent": "50.5"}],
    }
    assert errors_of(data) == [
        ("pots", "the pots without `when` take 110.5% together; at most 100% is allowed")
    ]


def test_all_errors_are_reported_at_once_in_document_order():
    data = {
        "currency": "eur",
        "member_floor_hourly_cents": 14.5,
        "pots": [
            {"pot": "coop_fund", "percent": "8.5"},
            {"pot": "solidarity_fund", "percent": "2", "min_cents": 100, "max_cents": 50},
            {"pot": "coop_fund", "flat_cents": True},
            {
                "pot": "progressive",
                "brackets": [
                    {"from_cents": 0, "percent": "0"},
                    {"from_cents": "150000", "percent": "5"},
                ],
            },
        ],
        "notes": "",
    }
    assert errors_of(data) == [
        ("notes", "unknown key (allowed: currency, member_floor_hourly_cents, pots)"),
        ("currency", 'must be a 3-letter uppercase ISO 4217 code, like "EUR"'),
        ("member_floor_hourly_cents", "must be an integer >= 0 or null"),
        ("pots[1].max_cents", "must be at least min_cents"),
        ("pots[2].pot", 'duplicate pot "coop_fund" (also pots[0])'),
        ("pots[2].flat_cents", "must be an integer >= 0"),
        ("pots[3].brackets[1].from_cents", "must be an integer >= 0"),
    ]


# --------------------------------------------------------------------------------------------
# Items validation
# --------------------------------------------------------------------------------------------


def item_errors_of(data) -> list[tuple[str, str]]:
    with pytest.raises(ItemsError) as info:
        parse_items(data)
    return info.value.errors


def test_valid_items():
    zero = {**CONTRACT_ITEM, "id": "t2", "gross_cents": 0, "minutes": 0}
    zero["month_gross_before_cents"] = 0
    assert parse_items({"items": [CONTRACT_ITEM, zero]}) == [
        Item(
            id="t1",
            gross_cents=7200,
            minutes=240,
            category="greening",
            client_kind="business",
            month_gross_before_cents=120000,
        ),
        Item(
            id="t2",
            gross_cents=0,
            minutes=0,
            category="greening",
            client_kind="business",
            month_gross_before_cents=0,
        ),
    ]
    assert parse_items({"items": []}) == []


def test_items_error_is_a_rule_set_error():
    assert issubclass(ItemsError, RuleSetError)
    assert issubclass(ItemsError, ValueError)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], [("(root)", 'must be a JSON object with an "items" list')]),
        ({}, [("items", "is required")]),
        ({"items": {}}, [("items", "must be a list")]),
        ({"items": [], "rules": 1}, [("rules", "unknown key (allowed: items)")]),
        ({"items": [3]}, [("items[0]", "must be an object")]),
    ],
)
def test_items_document_errors(data, expected):
    assert item_errors_of(data) == expected


@pytest.mark.parametrize("key", ["gross_cents", "minutes", "month_gross_before_cents"])
@pytest.mark.parametrize("value", [-1, 1.0, True, "7200", None])
def test_item_integer_fields(key, value):
    data = {"items": [CONTRACT_ITEM, CONTRACT_ITEM, CONTRACT_ITEM, {**CONTRACT_ITEM, "id": "t4"}]}
    data["items"] = [{**it, "id": f"t{i}"} for i, it in enumerate(data["items"])]
    data["items"][3][key] = value
    assert item_errors_of(data) == [(f"items[3].{key}", "must be an integer >= 0")]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"id": ""}, ("items[0].id", "must be a non-empty string")),
        ({"id": 1}, ("items[0].id", "must be a non-empty string")),
        ({"category": None}, ("items[0].category", "must be a string")),
        ({"client_kind": ["business"]}, ("items[0].client_kind", "must be a string")),
        (
            {"note": "x"},
            (
                "items[0].note",
                (
                    "unknown key (allowed: id, gross_cents, minutes, "
                    "category, client_kind, month_gross_before_cents)"
                ),
            ),
        ),
    ],
)
def test_item_field_errors(change, expected):
    assert item_errors_of({"items": [{**CONTRACT_ITEM, **change}]}) == [expected]


def test_item_errors_are_all_reported():
    data = {
        "items": [
            CONTRACT_ITEM,
            {"id": "t1", "gross_cents": -5, "category": "x", "client_kind": "y"},
            {**CONTRACT_ITEM, "id": "t3", "minutes": 2.5},
        ]
    }
    assert item_errors_of(data) == [
        ("items[1].id", 'duplicate id "t1" (also items[0])'),
        ("items[1].gross_cents", "must be an integer >= 0"),
        ("items[1].minutes", "is required"),
        ("items[1].month_gross_before_cents", "is required"),
        ("items[2].minutes", "must be an integer >= 0"),
    ]


# --------------------------------------------------------------------------------------------
# describe()
# --------------------------------------------------------------------------------------------


def test_describe_in_dutch_and_english():
    rule_set = rules(
        {"pot": "coop_fund", "percent": "8.5", "max_cents": 2500},
        {"pot": "solidarity_fund", "flat_cents": 25, "percent": "2.50", "min_cents": 10},
        {"pot": "training_fund", "flat_cents": 50, "when": {"categories": ["energy", "care"]}},
        {
            "pot": "progressive_fund",
            "brackets": [
                {"from_cents": 0, "percent": "0"},
                {"from_cents": 150000, "percent": "5"},
                {"from_cents": 300000, "percent": "7.5"},
            ],
        },
        {"pot": "never_fund", "percent": "1", "when": {"client_kinds": []}},
        {"pot": "empty_fund"},
        floor=1450,
    )
    assert describe(rule_set, "nl") == [
        "8,5% van het bruto naar coop_fund, maximaal € 25,00",
        "€ 0,25 plus 2,5% van het bruto naar solidarity_fund, minimaal € 0,10",
        "Een vast bedrag van € 0,50 naar training_fund, alleen bij categorie energy of care",
        (
            "Een deel van het bruto naar progressive_fund (naar de bruto-omzet van het lid eerder "
            "deze maand: 0% tot € 1.500,00, 5% van € 1.500,00 tot € 3.000,00, 7,5% vanaf € 3.000,00)"
        ),
        "1% van het bruto naar never_fund, nooit (lege lijst van soorten)",
        "Niets naar empty_fund",
        (
            "Het lid houdt minstens € 14,50 per gewerkt uur (nooit meer dan het bruto); "
            "geen afdracht gaat daaronder"
        ),
        "De rest gaat naar het lid",
    ]
    assert describe(rule_set, "en") == [
        "8.5% of gross to coop_fund, at most €25.00",
        "€0.25 plus 2.5% of gross to solidarity_fund, at least €0.10",
        "A flat €0.50 to training_fund, only for category energy or care",
        (
            "A share of gross to progressive_fund (by the member's gross earlier this month: "
            "0% below €1,500.00, 5% from €1,500.00 to €3,000.00, 7.5% from €3,000.00)"
        ),
        "1% of gross to never_fund, never (empty list of client kinds)",
        "Nothing to empty_fund",
        (
            "The member keeps at least €14.50 per hour worked (never more than the gross); "
            "no deduction goes below that"
        ),
        "The rest goes to the member",
    ]


def test_describe_defaults_to_dutch_and_handles_other_currencies():
    assert describe(rules()) == ["Alles gaat naar het lid"]
    assert describe(rules(), "en") == ["Everything goes to the member"]
    jpy = parse_rule_set({"currency": "JPY", "pots": [{"pot": "a", "flat_cents": 1500}]})
    assert describe(jpy, "en")[0] == "A flat JPY 1,500 to a"
    assert describe(jpy, "nl")[0] == "Een vast bedrag van JPY 1.500 naar a"
    with pytest.raises(ValueError, match="lang"):
        describe(rules(), "de")


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    return subprocess.run(
        [sys.executable, "-m", "payouts.rules", *args],
        cwd=PROJECT_ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture
def files(tmp_path):
    def write(name: str, content) -> str:
        path = tmp_path / name
        path.write_text(content if isinstance(content, str) else json.dumps(content))
        return str(path)

    return write


def test_engine_imports_no_django():
    result = subprocess.run(
        [sys.executable, "-c", "import sys, payouts.rules; print('django' in sys.modules)"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.strip() == "False"


def test_cli_check_ok(files):
    result = run_cli("check", files("rules.json", CONTRACT_RULES))
    assert (result.returncode, result.stdout, result.stderr) == (0, "ok\n", "")


def test_cli_check_reports_each_error_on_stderr(files):
    bad = {"currency": "EUR", "pots": [{"pot": "a", "min_cents": 5, "max_cents": 1}, {"pot": "A"}]}
    result = run_cli("check", files("rules.json", bad))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "pots[0].max_cents: must be at least min_cents",
        (
            "pots[1].pot: must be a slug: a lowercase letter, then up to 49 lowercase letters, "
            "digits or underscores"
        ),
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{", "invalid JSON at line 1 column 2"),
        ("", "invalid JSON at line 1 column 1"),
        (
            '{"currency": "EUR", "currency": "USD", "pots": []}',
            'invalid JSON: duplicate key "currency"',
        ),
        ('{"currency": "EUR", "pots": [], "member_floor_hourly_cents": NaN}', "invalid JSON: NaN"),
    ],
)
def test_cli_check_invalid_json(files, content, expected):
    path = files("rules.json", content)
    result = run_cli("check", path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"{path}: {expected}")


def test_cli_check_unreadable_file(tmp_path):
    missing = str(tmp_path / "missing.json")
    result = run_cli("check", missing)
    assert result.returncode == 2
    assert result.stderr == f"{missing}: cannot read file: No such file or directory\n"
    result = run_cli("check", str(tmp_path))
    assert result.returncode == 2
    assert "cannot read file" in result.stderr


def test_cli_check_reads_stdin():
    result = run_cli("check", "-", stdin=json.dumps(CONTRACT_RULES))
    assert (result.returncode, result.stdout) == (0, "ok\n")


def test_cli_split(files):
    items = {
        "items": [
            CONTRACT_ITEM,
            {
                **CONTRACT_ITEM,
                "id": "t2",
                "gross_cents": 10000,
                "category": "energy",
                "client_kind": "municipality",
                "month_gross_before_cents": 145000,
            },
        ]
    }
    result = run_cli("split", files("rules.json", CONTRACT_RULES), files("items.json", items))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    # t2: coop 850, solidarity 200, training 50, progressive 5 % of [150 000, 155 000) = 250.
    assert json.loads(result.stdout) == {
        "splits": [
            {
                "id": "t1",
                "pots": {
                    "coop_fund": 612,
                    "solidarity_fund": 144,
                    "training_fund": 0,
                    "progressive_fund": 0,
                },
                "member_cents": 6444,
            },
            {
                "id": "t2",
                "pots": {
                    "coop_fund": 850,
                    "solidarity_fund": 200,
                    "training_fund": 50,
                    "progressive_fund": 250,
                },
                "member_cents": 8650,
            },
        ]
    }
    # Pots in rule order, in the text itself.
    first = json.loads(result.stdout)["splits"][0]["pots"]
    assert list(first) == ["coop_fund", "solidarity_fund", "training_fund", "progressive_fund"]


def test_cli_split_reports_errors_of_both_files(files):
    bad_rules = {"currency": "EUR", "pots": [{"pot": "a", "percent": "200"}]}
    bad_items = {"items": [{**CONTRACT_ITEM, "gross_cents": -1}]}
    result = run_cli("split", files("rules.json", bad_rules), files("items.json", bad_items))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "pots[0].percent: must be at most 100",
        "items[0].gross_cents: must be an integer >= 0",
    ]


def test_cli_split_unreadable_items(files, tmp_path):
    result = run_cli("split", files("rules.json", CONTRACT_RULES), str(tmp_path / "nope.json"))
    assert result.returncode == 2
    assert "nope.json: cannot read file" in result.stderr


@pytest.mark.parametrize("args", [[], ["check"], ["split", "rules.json"], ["frobnicate", "x"]])
def test_cli_usage_errors(args):
    result = run_cli(*args)
    assert result.returncode == 2
    assert "usage:" in result.stderr


# --- pot labels (display names by language; no amount changes) ------------------------------


def test_a_label_names_the_pot_in_the_readers_language_and_changes_no_amount():
    spec = {
        "currency": "EUR",
        "pots": [
            {
                "pot": "coop_fund",
                "percent": "10",
                "label": {"nl": "Wijkfonds", "en": "Neighbourhood fund"},
            }
        ],
    }
    labelled = parse_rule_set(spec)
    plain = parse_rule_set({"currency": "EUR", "pots": [{"pot": "coop_fund", "percent": "10"}]})
    item = Item(
        id="1",
        gross_cents=10000,
        minutes=60,
        category="greening",
        client_kind="business",
        month_gross_before_cents=0,
    )
    assert split_item(labelled, item) == split_item(plain, item)
    assert describe(labelled, "nl")[0] == "10% van het bruto naar Wijkfonds"
    assert describe(labelled, "en")[0] == "10% of gross to Neighbourhood fund"
    assert labelled.pots[0].display_name("tr") == "coop_fund"  # no Turkish name: the slug
    assert rule_set_to_dict(labelled)["pots"][0]["label"] == {
        "nl": "Wijkfonds",
        "en": "Neighbourhood fund",
    }


@pytest.mark.parametrize(
    ("label", "path", "message"),
    [
        ("Wijkfonds", "pots[0].label", "must be an object"),
        ({"NL": "Wijkfonds"}, "pots[0].label.NL", "is not a language code"),
        ({"nld": "Wijkfonds"}, "pots[0].label.nld", "is not a language code"),
        ({"nl": ""}, "pots[0].label.nl", "non-empty string of at most 80"),
        ({"nl": "   "}, "pots[0].label.nl", "non-empty string of at most 80"),
        ({"nl": "x" * 81}, "pots[0].label.nl", "non-empty string of at most 80"),
        ({"nl": 3}, "pots[0].label.nl", "non-empty string of at most 80"),
    ],
)
def test_a_bad_label_is_refused_naming_its_path(label, path, message):
    with pytest.raises(RuleSetError) as caught:
        parse_rule_set({"currency": "EUR", "pots": [{"pot": "coop_fund", "label": label}]})
    assert [p for p, _ in caught.value.errors] == [path]
    assert message in caught.value.errors[0][1]
