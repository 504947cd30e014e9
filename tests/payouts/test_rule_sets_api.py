"""Rule sets through the API: members read them (the list, one, the one in force on a date
and a description in their language); the board drafts one, sees it described and tried on
an example shift, and proposes it to the vote. Another cooperative's rule sets answer 404."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from members.models import Proposal
from members.services.governance import proposal_close, vote_cast
from payouts.models import RuleSet
from payouts.services.rulesets import rule_set_adopt, rule_set_create
from tests.conftest import api_as, row_counts
from tests.factories.work import ensure_founded

pytestmark = pytest.mark.django_db

BASE = "/api/v1/cooperatives/alpha/rule-sets/"
NEW_RULES = {
    "currency": "EUR",
    "member_floor_hourly_cents": 1471,
    "pots": [
        {
            "pot": "coop_fund",
            "percent": "10",
            "label": {"nl": "Wijkfonds", "en": "Neighbourhood fund"},
        },
        {"pot": "solidarity_fund", "percent": "5"},
    ],
}


@pytest.fixture
def founded(world):
    world.founding = ensure_founded(world.coop_a)
    ensure_founded(world.coop_b)
    return world


def _adopted(world, spec, effective_from: date) -> RuleSet:
    draft = rule_set_create(actor=world.board_a, cooperative=world.coop_a, spec=spec, title="Twee")
    return rule_set_adopt(rule_set=draft, effective_from=effective_from, via="vote")


def test_members_list_and_read_their_cooperatives_rule_sets(founded):
    w = founded
    later = _adopted(w, NEW_RULES, timezone.localdate() + timedelta(days=30))
    for reader in (w.member_a, w.board_a, w.treasurer_a, w.auditor_a):
        listed = api_as(reader).get(BASE)
        assert listed.status_code == 200, listed.json()
        body = listed.json()
        assert set(body) == {"page", "has_next", "results"}
        assert [r["version"] for r in body["results"]] == [2, 1]
    detail = api_as(w.member_a).get(f"{BASE}{later.pk}/").json()
    assert detail["status"] == "adopted"
    assert detail["effective_from"] == later.effective_from.isoformat()
    assert detail["currency"] == "EUR"
    assert detail["advance_limit"] == "0.00"
    assert detail["spec"]["pots"][0]["pot"] == "coop_fund"
    assert detail["warnings"] == []
    assert detail["pots"][0]["label"] == "Wijkfonds"


def test_the_rule_set_in_force_on_a_date(founded):
    w = founded
    later = _adopted(w, NEW_RULES, timezone.localdate() + timedelta(days=30))
    member = api_as(w.member_a)
    today = member.get(f"{BASE}in-force/").json()
    assert today["id"] == w.founding.pk
    on = (timezone.localdate() + timedelta(days=30)).isoformat()
    assert member.get(f"{BASE}in-force/", {"on": on}).json()["id"] == later.pk
    before = (w.coop_a.founded_on - timedelta(days=1)).isoformat()
    none = member.get(f"{BASE}in-force/", {"on": before})
    assert none.status_code == 404
    assert none.json()["error"]["code"] == "no_rule_set_in_force"
    assert none.json()["error"]["field"] == "on"
    bad = member.get(f"{BASE}in-force/", {"on": "31-12-2026"})
    assert bad.status_code == 400
    assert bad.json()["error"]["field"] == "on"


def test_the_description_is_in_the_readers_language_with_pot_labels(founded):
    w = founded
    rule_set = _adopted(w, NEW_RULES, timezone.localdate())
    url = f"{BASE}{rule_set.pk}/description/"
    dutch = api_as(w.member_a).get(url).json()
    english = api_as(w.member_a).get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert dutch["language"] == "nl"
    assert english["language"] == "en"
    assert dutch["sentences"][0] == "10% van het bruto naar Wijkfonds"
    assert english["sentences"][0] == "10% of gross to Neighbourhood fund"
    assert "solidarity fund" in english["sentences"][1]
    assert [p["label"] for p in english["pots"]] == ["Neighbourhood fund", "Solidarity fund"]
    assert english["sentences"][-1].startswith("Members' shares are payable")


def test_only_members_read_and_another_cooperatives_ids_answer_404(founded):
    w = founded
    other = RuleSet.objects.get(cooperative=w.coop_b, version=1)
    member = api_as(w.member_a)
    assert member.get(f"{BASE}{other.pk}/").status_code == 404
    assert member.get(f"{BASE}{other.pk}/description/").status_code == 404
    for outsider in (w.member_b, w.client_user, w.applicant_a):
        assert api_as(outsider).get(BASE).status_code == 404, outsider
        assert api_as(outsider).get(f"{BASE}{w.founding.pk}/").status_code == 404
        assert api_as(outsider).get(f"{BASE}in-force/").status_code == 404
    assert api_as(None).get(BASE).status_code == 401


EXAMPLE = {
    "gross": "100.00",
    "minutes": 240,
    "category": "greening",
    "client_kind": "business",
}


def test_the_board_previews_a_draft_with_an_example_split_and_nothing_is_written(founded):
    w = founded
    before = row_counts(RuleSet, Proposal)
    response = api_as(w.board_a).post(
        f"{BASE}preview/",
        {"spec": NEW_RULES, "advance_limit": "250.00", "allow_advances": True, "example": EXAMPLE},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["currency"] == "EUR"
    assert body["advance_limit"] == "250.00"
    assert body["example"] == {
        "currency": "EUR",
        "gross": "100.00",
        "member": "85.00",
        "pots": [
            {"pot": "coop_fund", "label": "Neighbourhood fund", "amount": "10.00"},
            {"pot": "solidarity_fund", "label": "Solidarity fund", "amount": "5.00"},
        ],
    }
    assert "up to €250.00 at once" in body["description"]["sentences"][-1]
    assert body["description"]["warnings"] == []
    assert row_counts(RuleSet, Proposal) == before


def test_a_floor_below_the_minimum_wage_is_previewed_with_its_warning(founded):
    w = founded
    low = {**NEW_RULES, "member_floor_hourly_cents": 1000}
    body = api_as(w.board_a).post(f"{BASE}preview/", {"spec": low}, format="json").json()
    assert len(body["description"]["warnings"]) == 1
    assert "minimumloon" in body["description"]["warnings"][0]


def test_a_bad_draft_names_the_field_and_writes_nothing(founded):
    w = founded
    before = row_counts(RuleSet, Proposal)
    bad = {**NEW_RULES, "pots": [{"pot": "coop_fund", "percent": "150"}]}
    board = api_as(w.board_a)
    for path in ("preview/", "proposals/"):
        response = board.post(f"{BASE}{path}", {"spec": bad, "title": "Fout"}, format="json")
        assert response.status_code == 400
        assert response.json()["error"]["field"] == "spec.pots[0].percent"
    wrong_currency = {**NEW_RULES, "currency": "USD"}
    response = board.post(f"{BASE}preview/", {"spec": wrong_currency}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "spec.currency"
    response = board.post(
        f"{BASE}preview/", {"spec": NEW_RULES, "example": {**EXAMPLE, "minutes": 0}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "example.minutes"
    assert row_counts(RuleSet, Proposal) == before


def test_members_cannot_use_the_boards_draft_flow(founded):
    w = founded
    for path in ("preview/", "proposals/"):
        response = api_as(w.member_a).post(
            f"{BASE}{path}", {"spec": NEW_RULES, "title": "Lid"}, format="json"
        )
        assert response.status_code == 403
        response = api_as(w.board_b).post(
            f"{BASE}{path}", {"spec": NEW_RULES, "title": "Ander"}, format="json"
        )
        assert response.status_code == 404  # another cooperative's board
    assert not Proposal.objects.exists()


def test_the_board_proposes_a_rule_set_which_the_members_vote_into_force(founded):
    w = founded
    effective = timezone.localdate() + timedelta(days=10)
    response = api_as(w.board_a).post(
        f"{BASE}proposals/",
        {
            "title": "Meer naar het wijkfonds",
            "spec": NEW_RULES,
            "effective_from": effective.isoformat(),
            "open_vote": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    proposal = Proposal.objects.get(pk=body["proposal"])
    assert proposal.kind == "payout_rules"
    assert body["proposal_status"] == "open"
    assert body["rule_set"]["status"] == "proposed"
    assert body["rule_set"]["proposal"] == proposal.pk
    assert proposal.payload["rule_set"] == body["rule_set"]["id"]
    listed = api_as(w.member_a).get(BASE).json()["results"]
    assert listed[0]["id"] == body["rule_set"]["id"]
    assert listed[0]["proposal"] == proposal.pk
    for voter in (w.member_a, w.board_a, w.treasurer_a):
        vote_cast(actor=voter, proposal=proposal, choice="yes")
    proposal.refresh_from_db()
    proposal_close(proposal=proposal, now=proposal.closes_at + timedelta(seconds=1))
    in_force = api_as(w.member_a).get(f"{BASE}in-force/", {"on": effective.isoformat()}).json()
    assert in_force["id"] == body["rule_set"]["id"]
    assert in_force["status"] == "adopted"


def test_members_download_a_rule_set_as_its_json_file(founded):
    w = founded
    later = _adopted(w, NEW_RULES, timezone.localdate() + timedelta(days=30))
    response = api_as(w.member_a).get(f"{BASE}{later.pk}/export/")
    assert response.status_code == 200
    assert response.json() == NEW_RULES
    assert response["Content-Disposition"] == (
        f'attachment; filename="alpha-payout-rules-v{later.version}.json"'
    )
    other = api_as(w.member_a).get(f"/api/v1/cooperatives/beta/rule-sets/{later.pk}/export/")
    assert other.status_code == 404
