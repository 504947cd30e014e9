"""The board's payout-rules form: pots as rows, errors that name the pot and field, the live
preview with its warnings, import and export of the JSON, and who may do what."""

import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from members.models import Proposal
from payouts.models import RuleSet
from tests.conftest import row_counts
from tests.factories.api import login_verified
from tests.factories.work import ensure_founded

pytestmark = pytest.mark.django_db

NEW = "/c/alpha/rules/new/"
PREVIEW = "/c/alpha/rules/preview/"


@pytest.fixture
def founded(world):
    world.founding = ensure_founded(world.coop_a)
    return world


@pytest.fixture
def board(client, founded):
    login_verified(client, founded.board_a)
    return client


def _in(client, language: str):
    """The pages speak the language of the cookie the language switch sets."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _pot(index: int, **values) -> dict:
    fields = {"bracket_count": "0", **values}
    return {f"pots-{index}-{name}": value for name, value in fields.items()}


def _post(*pots: dict, **main) -> dict:
    data = {
        "title": "Nieuwe regels",
        "body": "",
        "member_floor": "14.71",
        "effective_from": "",
        "advance_limit": "",
        "example-gross": "72.00",
        "example-minutes": "240",
        "example-category": "greening",
        "example-client_kind": "business",
        "example-month_before": "0",
        "pots-TOTAL_FORMS": str(len(pots)),
        "pots-INITIAL_FORMS": "0",
        "pots-MIN_NUM_FORMS": "0",
        "pots-MAX_NUM_FORMS": "20",
    }
    for pot in pots:
        data.update(pot)
    data.update(main)
    return data


FULL_SPEC = {
    "currency": "EUR",
    "member_floor_hourly_cents": 1471,
    "pots": [
        {
            "pot": "coop_fund",
            "percent": "8.5",
            "label": {"nl": "Wijkfonds", "en": "Neighbourhood fund"},
        },
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


def _full_post(**main) -> dict:
    return _post(
        _pot(
            0, pot="coop_fund", label_nl="Wijkfonds", label_en="Neighbourhood fund", percent="8,5"
        ),
        _pot(1, pot="solidarity_fund", percent="2", max="25.00"),
        _pot(
            2,
            pot="training_fund",
            flat="0.50",
            only_categories="on",
            categories=["energy"],
            only_client_kinds="on",
            client_kinds=["municipality"],
        ),
        _pot(
            3,
            pot="progressive_fund",
            bracket_count="2",
            bracket_from_0="0",
            bracket_percent_0="0",
            bracket_from_1="1500",
            bracket_percent_1="5",
        ),
        **main,
    )


def test_the_board_proposes_rules_with_the_form_and_the_proposal_carries_the_json(board, founded):
    response = board.post(NEW, {**_full_post(), "action": "propose"})
    assert response.status_code == 302, response.context and response.context["errors"]
    proposal = Proposal.objects.get(kind="payout_rules")
    assert response["Location"] == f"/proposals/{proposal.pk}/"
    page = board.get(response["Location"]).content.decode()
    assert f"/c/alpha/rules/{proposal.payload['rule_set']}/rules.json" in page
    assert proposal.status == Proposal.Status.DRAFT
    assert proposal.title == "Nieuwe regels"
    rule_set = RuleSet.objects.get(pk=proposal.payload["rule_set"])
    assert rule_set.spec == FULL_SPEC
    assert rule_set.status == RuleSet.Status.DRAFT


def test_effective_date_and_advances_go_with_the_proposal(board, founded):
    data = _full_post(effective_from="2031-01-01", allow_advances="on", advance_limit="500")
    board.post(NEW, {**data, "action": "propose"})
    proposal = Proposal.objects.get(kind="payout_rules")
    assert proposal.payload["effective_from"] == "2031-01-01"
    assert proposal.payload["allow_advances"] is True
    assert proposal.payload["advance_limit_cents"] == 50000


@pytest.mark.parametrize(
    ("pot", "field", "message"),
    [
        (
            {"pot": "a", "percent": "150"},
            "percent",
            "Pot 2: the percentage must be between 0 and 100",
        ),
        (
            {"pot": "a", "percent": "abc"},
            "percent",
            "Pot 2: the percentage must be between 0 and 100",
        ),
        ({"pot": "Grote Pot!", "percent": "1"}, "pot", "Pot 2: the short name must start"),
        ({"pot": "coop_fund", "percent": "1"}, "pot", "Pot 2: another pot has the same short name"),
        (
            {"pot": "a", "min": "10", "max": "5"},
            "max",
            "Pot 2: the most must be at least the least",
        ),
        ({"pot": "a", "flat": "-1"}, "flat", "Pot 2: "),
        (
            {"pot": "a", "bracket_count": "1", "bracket_from_0": "0"},
            "bracket_percent_0",
            "Pot 2: a bracket needs a starting amount and a percentage",
        ),
        (
            {
                "pot": "a",
                "bracket_count": "2",
                "bracket_from_0": "0",
                "bracket_percent_0": "1",
                "bracket_from_1": "0",
                "bracket_percent_1": "2",
            },
            "bracket_from_1",
            "Pot 2: each bracket must start above the one before",
        ),
        (
            {
                "pot": "a",
                "percent": "1",
                "bracket_count": "1",
                "bracket_from_0": "0",
                "bracket_percent_0": "1",
            },
            "__all__",
            "Pot 2: give a percentage or brackets, not both",
        ),
    ],
)
def test_a_bad_pot_gets_an_error_naming_the_pot_and_nothing_is_written(
    board, founded, pot, field, message
):
    before = row_counts(RuleSet, Proposal)
    data = _post(_pot(0, pot="coop_fund", percent="8"), _pot(1, **pot), action="propose")
    response = _in(board, "en").post(NEW, data)
    assert response.status_code == 200
    errors = response.context["pots"].forms[1].errors[field]
    assert any(e.startswith(message) for e in errors), errors
    assert message in response.content.decode()
    assert row_counts(RuleSet, Proposal) == before


def test_the_pots_together_over_100_are_a_warning_in_the_preview_and_refused(board, founded):
    data = _post(_pot(0, pot="a", percent="60"), _pot(1, pot="b", percent="50"))
    preview = board.post(PREVIEW, data)
    assert "110 %" in preview.content.decode()
    assert 'id="preview-warnings"' in (preview.content.decode())
    before = row_counts(RuleSet, Proposal)
    refused = board.post(NEW, {**data, "action": "propose"})
    assert refused.status_code == 200
    assert any("110 %" in e for e in refused.context["form"].non_field_errors())
    assert row_counts(RuleSet, Proposal) == before


def test_the_preview_warns_of_a_floor_below_the_minimum_wage_and_splits_the_example(board, founded):
    data = _post(_pot(0, pot="coop_fund", percent="10"), member_floor="10.00")
    body = _in(board, "nl").post(PREVIEW, data).content.decode()
    assert "minimumloon" in body
    assert 'id="preview-warnings"' in body
    # 10 % of € 72,00 to the fund, the rest to the member; the rules in force beside it.
    assert "7,20" in body
    assert "64,80" in body
    assert 'id="preview-current"' in body
    fine = board.post(PREVIEW, _post(_pot(0, pot="coop_fund", percent="10"))).content.decode()
    assert "minimumloon" not in fine


def test_adding_and_removing_pots_and_brackets_works_without_javascript(board, founded):
    data = _post(_pot(0, pot="coop_fund", percent="8"))
    added = board.post(NEW, {**data, "action": "add_pot"})
    assert len(added.context["pots"].forms) == 2
    assert added.context["pots"].forms[0]["percent"].value() == "8"
    bracket = board.post(NEW, {**data, "action": "add_bracket-0"})
    assert bracket.context["pots"].forms[0].bracket_rows() == 1
    assert 'name="pots-0-bracket_percent_0"' in bracket.content.decode()
    two = _post(_pot(0, pot="coop_fund", percent="8"), _pot(1, pot="b", percent="1"))
    removed = board.post(NEW, {**two, "action": "remove_pot-0"})
    forms = removed.context["pots"].forms
    assert len(forms) == 1
    assert forms[0]["pot"].value() == "b"
    assert row_counts(RuleSet, Proposal) == {"RuleSet": 1, "Proposal": 0}


def test_export_and_import_round_trip(board, founded):
    rule_set = RuleSet.objects.create(
        cooperative=founded.coop_a, version=2, spec=FULL_SPEC, title="Alles"
    )
    exported = board.get(f"/c/alpha/rules/{rule_set.pk}/rules.json")
    assert exported.status_code == 200
    assert "attachment" in exported["Content-Disposition"]
    assert json.loads(exported.content) == FULL_SPEC
    upload = SimpleUploadedFile("rules.json", exported.content, "application/json")
    imported = board.post(NEW, {"action": "import", "file": upload})
    assert imported.status_code == 200
    assert not imported.context["import_errors"]
    # The form now shows the file: proposing it as shown stores the same JSON.
    pots = imported.context["pots"]
    data = {"action": "propose", "title": "Terug", "body": "", "advance_limit": ""}
    data["member_floor"] = imported.context["form"]["member_floor"].value()
    data.update({f"pots-{k}": v for k, v in _management(pots).items()})
    for index, form in enumerate(pots.forms):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False or value == "":
                continue
            data[f"pots-{index}-{name}"] = "on" if value is True else value
    data.update(
        {f"example-{n}": f.initial for n, f in imported.context["example_form"].fields.items()}
    )
    proposed = board.post(NEW, data)
    assert proposed.status_code == 302, proposed.context and proposed.context["errors"]
    proposal = Proposal.objects.get(kind="payout_rules")
    assert RuleSet.objects.get(pk=proposal.payload["rule_set"]).spec == FULL_SPEC


def _management(pots) -> dict:
    return {
        "TOTAL_FORMS": str(len(pots.forms)),
        "INITIAL_FORMS": "0",
        "MIN_NUM_FORMS": "0",
        "MAX_NUM_FORMS": "20",
    }


def test_a_bad_import_names_the_field_and_leaves_the_form(board, founded):
    bad = {**FULL_SPEC, "pots": [{"pot": "a", "percent": "150"}, {"pot": "b", "percnt": "1"}]}
    upload = SimpleUploadedFile("rules.json", json.dumps(bad).encode(), "application/json")
    response = _in(board, "en").post(NEW, {"action": "import", "file": upload})
    errors = response.context["import_errors"]
    assert errors[0].startswith("Pot 1: the percentage")
    assert errors[1].startswith("Pot 2:")
    assert "percnt" in errors[1]
    broken = _in(board, "nl").post(NEW, {"action": "import", "text": "{nope"})
    assert broken.context["import_errors"]
    assert row_counts(RuleSet, Proposal) == {"RuleSet": 1, "Proposal": 0}


def test_only_the_board_proposes_members_read_the_rules_and_download_them(client, founded):
    w = founded
    client.force_login(w.member_a)
    page = client.get("/c/alpha/rules/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Download" in body or ".json" in body
    assert "/c/alpha/rules/new/" not in body
    download = client.get(f"/c/alpha/rules/{w.founding.pk}/rules.json")
    assert download.status_code == 200
    assert json.loads(download.content) == w.founding.spec
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, {**_full_post(), "action": "propose"}).status_code == 403
    assert client.post(PREVIEW, _full_post()).status_code == 403
    assert row_counts(RuleSet, Proposal) == {"RuleSet": 1, "Proposal": 0}
    login_verified(client, w.board_b)
    assert client.get("/c/alpha/rules/").status_code == 404
    assert client.get(f"/c/alpha/rules/{w.founding.pk}/rules.json").status_code == 404
    client.logout()
    assert client.get("/c/alpha/rules/").status_code == 302


def test_the_form_starts_from_the_rules_in_force_and_links_are_there(board, founded):
    page = board.get(NEW)
    assert page.status_code == 200
    forms = page.context["pots"].forms
    assert [f.initial["pot"] for f in forms] == ["coop_fund", "solidarity_fund"]
    assert 'id="preview-proposed"' in page.content.decode()
    assert "/c/alpha/rules/new/" in board.get("/c/alpha/proposals/").content.decode()
    assert "/c/alpha/rules/" in board.get("/c/alpha/treasury/").content.decode()


def test_an_import_says_what_the_form_cannot_show(board, founded):
    spec = {
        "currency": "EUR",
        "pots": [{"pot": "a", "percent": "1", "when": {}, "label": {"nl": "A", "de": "A"}}],
    }
    upload = SimpleUploadedFile("rules.json", json.dumps(spec).encode(), "application/json")
    response = _in(board, "en").post(NEW, {"action": "import", "file": upload})
    texts = [str(m) for m in response.context["messages"]]
    assert any(t.startswith("Pot 1: its names in de") for t in texts), texts
    assert any(t.startswith("Pot 1: its empty condition") for t in texts), texts


def test_amounts_are_written_and_read_with_a_decimal_comma_in_dutch(board, founded):
    """A Dutch board member types "14,71" as they read it; the form shows amounts that way."""
    page = _in(board, "nl").get(NEW).content.decode()
    assert 'value="72,00"' in page
    data = _post(
        _pot(0, pot="coop_fund", percent="10", max="25,00"),
        member_floor="14,71",
        **{"example-gross": "72,00"},
    )
    body = board.post(PREVIEW, data).content.decode()
    assert "Vul een getal in" not in body
    assert "Voer een getal in" not in body
    assert "64,80" in body
    assert board.post(PREVIEW, _post(member_floor="14.71")).status_code == 200
    response = board.post(NEW, {**data, "action": "propose"})
    assert response.status_code == 302, response.context and response.context["errors"]
    proposal = Proposal.objects.get(kind="payout_rules")
    spec = RuleSet.objects.get(pk=proposal.payload["rule_set"]).spec
    assert spec["member_floor_hourly_cents"] == 1471
    assert spec["pots"][0]["max_cents"] == 2500
