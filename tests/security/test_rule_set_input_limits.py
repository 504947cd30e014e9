"""Hostile rule-set input, through the API, the members' proposal route and the board's
import form: too many pots or brackets, amounts beyond any money the books can hold, an
advance limit beyond the ledger's integers, JSON nested deeper than the parser recurses.
Each is a 400 (or the form again) whose error names the field; nothing is written."""

import pytest

from members.models import Proposal
from payouts.models import RuleSet
from payouts.services.rulesets import SPEC_MAX_BRACKETS, SPEC_MAX_CENTS, SPEC_MAX_POTS
from tests.conftest import api_as, row_counts
from tests.factories.api import login_verified
from tests.factories.work import ensure_founded

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cooperatives/alpha/rule-sets/"
TOO_MUCH = SPEC_MAX_CENTS + 1


def spec(*pots, **top) -> dict:
    return {"currency": "EUR", "member_floor_hourly_cents": 1471, "pots": list(pots), **top}


HOSTILE = {
    "too many pots": (
        spec(*({"pot": f"pot_{i}", "percent": "0"} for i in range(SPEC_MAX_POTS + 1))),
        "spec.pots",
    ),
    "too many brackets": (
        spec(
            {
                "pot": "coop_fund",
                "brackets": [
                    {"from_cents": 100 * i, "percent": "1"} for i in range(SPEC_MAX_BRACKETS + 1)
                ],
            }
        ),
        "spec.pots[0].brackets",
    ),
    "huge flat amount": (
        spec({"pot": "coop_fund", "flat_cents": 10**30}),
        "spec.pots[0].flat_cents",
    ),
    "huge least": (
        spec({"pot": "coop_fund", "percent": "1", "min_cents": TOO_MUCH}),
        "spec.pots[0].min_cents",
    ),
    "huge most": (
        spec({"pot": "coop_fund", "percent": "1", "max_cents": TOO_MUCH}),
        "spec.pots[0].max_cents",
    ),
    "huge bracket start": (
        spec(
            {
                "pot": "coop_fund",
                "brackets": [
                    {"from_cents": 0, "percent": "1"},
                    {"from_cents": TOO_MUCH, "percent": "2"},
                ],
            }
        ),
        "spec.pots[0].brackets[1].from_cents",
    ),
    "huge floor": (spec(member_floor_hourly_cents=10**30), "spec.member_floor_hourly_cents"),
    "negative percent": (spec({"pot": "coop_fund", "percent": "-5"}), "spec.pots[0].percent"),
    "percent over 100": (spec({"pot": "coop_fund", "percent": "150"}), "spec.pots[0].percent"),
    "percent as a number": (spec({"pot": "coop_fund", "percent": 5}), "spec.pots[0].percent"),
    "pots not a list": ({"currency": "EUR", "pots": "coop_fund"}, "spec.pots"),
}


@pytest.fixture
def founded(world):
    ensure_founded(world.coop_a)
    return world


@pytest.mark.parametrize("case", sorted(HOSTILE))
@pytest.mark.parametrize("action", ["preview/", "proposals/"])
def test_the_api_names_the_field_of_a_hostile_spec_and_writes_nothing(founded, case, action):
    body, field = HOSTILE[case]
    before = row_counts(RuleSet, Proposal)
    answer = api_as(founded.board_a).post(
        BASE + action, {"spec": body, "title": "Regels"}, format="json"
    )
    assert answer.status_code == 400, answer.content[:300]
    assert answer.json()["error"]["field"] == field
    assert row_counts(RuleSet, Proposal) == before


def test_a_members_proposal_of_rules_meets_the_same_limits(founded):
    body, field = HOSTILE["huge flat amount"]
    answer = api_as(founded.member_a).post(
        "/api/v1/cooperatives/alpha/proposals/",
        {"kind": "payout_rules", "title": "Regels", "payload": {"spec": body}},
        format="json",
    )
    assert answer.status_code == 400, answer.content[:300]
    assert answer.json()["error"]["field"] == field
    assert not Proposal.objects.exists()


def test_an_advance_limit_beyond_the_ledger_is_refused_naming_it(founded):
    before = row_counts(RuleSet, Proposal)
    answer = api_as(founded.board_a).post(
        BASE + "proposals/",
        {
            "spec": spec({"pot": "coop_fund", "percent": "8"}),
            "title": "Voorschotten",
            "allow_advances": True,
            "advance_limit": "100000000000000000000000",
        },
        format="json",
    )
    assert answer.status_code == 400, answer.content[:300]
    assert answer.json()["error"]["field"] == "advance_limit"
    assert row_counts(RuleSet, Proposal) == before


def test_the_service_refuses_an_advance_limit_beyond_the_ledger(founded):
    from payouts.services.rulesets import validate_advances
    from werkstation.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        validate_advances(True, 10**20)
    assert refused.value.field == "advance_limit_cents"


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"currency": "EUR", "pots": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"currency": "EUR",' + " " * 200_000 + '"pots": []}',
    ],
    ids=["nested", "nested pots", "too large"],
)
def test_the_import_form_refuses_hostile_json_with_an_error(founded, client, text):
    login_verified(client, founded.board_a)
    before = row_counts(RuleSet, Proposal)
    page = client.post("/c/alpha/rules/new/", {"action": "import", "text": text})
    assert page.status_code == 200
    assert page.context["import_errors"]
    assert row_counts(RuleSet, Proposal) == before
