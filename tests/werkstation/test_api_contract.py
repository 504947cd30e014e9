"""The API as a contract: who is asked to authenticate, in which language it answers,
and the documented status of a suspended member's vote."""

import pytest

from members.access import forget_memberships
from members.models import Membership, Vote
from members.services.governance import proposal_create, proposal_open
from members.services.tokens import api_token_create

pytestmark = pytest.mark.django_db

BAD_PROPOSAL = {"kind": "no_such_kind", "title": "Voorstel"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/api/v1/me/"),
        ("get", "/api/v1/cooperatives/alpha/proposals/"),
        ("post", "/api/v1/cooperatives/alpha/proposals/"),
        ("post", "/api/v1/proposals/1/vote/"),
    ],
)
def test_an_anonymous_call_is_asked_to_authenticate(api, world, method, path):
    response = getattr(api, method)(path, {}, format="json")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "not_authenticated"


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_bad_token_is_asked_to_authenticate_again(api, world, method):
    response = getattr(api, method)(
        "/api/v1/cooperatives/alpha/proposals/",
        {},
        format="json",
        HTTP_AUTHORIZATION="Token not-a-real-token",
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"
    assert response.json()["error"]["code"] == "authentication_failed"


def _messages(response) -> list[str]:
    return [detail["message"] for detail in response.json()["error"]["details"]]


def test_the_same_bad_request_answers_in_the_language_asked(api, world):
    api.force_authenticate(world.member_a)
    dutch = api.post("/api/v1/cooperatives/alpha/proposals/", BAD_PROPOSAL, format="json")
    english = api.post(
        "/api/v1/cooperatives/alpha/proposals/",
        BAD_PROPOSAL,
        format="json",
        HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9,nl;q=0.5",
    )
    assert dutch.status_code == english.status_code == 400
    assert dutch.json()["error"]["message"] == "Onbekend soort voorstel."
    assert english.json()["error"]["message"] == "Unknown kind of proposal."
    assert english.headers["Content-Language"] == "en"
    # DRF's own field messages follow too.
    missing = api.post(
        "/api/v1/cooperatives/alpha/proposals/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "This field is required." in _messages(missing)


def test_an_unsupported_language_falls_back_to_dutch(api, world):
    api.force_authenticate(world.member_a)
    response = api.post(
        "/api/v1/cooperatives/alpha/proposals/",
        BAD_PROPOSAL,
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr-FR,fr",
    )
    assert response.json()["error"]["message"] == "Onbekend soort voorstel."


def test_without_a_header_a_token_answers_in_the_persons_language_and_the_header_wins(api, world):
    world.member_a.preferred_language = "en"
    world.member_a.save(update_fields=["preferred_language"])
    _token, plain = api_token_create(user=world.member_a, second_factor=False)
    api.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    own = api.post("/api/v1/cooperatives/alpha/proposals/", BAD_PROPOSAL, format="json")
    assert own.json()["error"]["message"] == "Unknown kind of proposal."
    assert own.headers["Content-Language"] == "en"
    asked = api.post(
        "/api/v1/cooperatives/alpha/proposals/",
        BAD_PROPOSAL,
        format="json",
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert asked.json()["error"]["message"] == "Onbekend soort voorstel."


def test_an_unauthenticated_call_answers_in_the_language_asked(api, world):
    response = api.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "Authentication credentials were not provided."


def test_a_suspended_members_vote_is_refused_with_403(api, world):
    proposal = proposal_create(
        actor=world.board_a, cooperative=world.coop_a, kind="motion", title="Voorstel"
    )
    proposal = proposal_open(actor=world.board_a, proposal=proposal)
    Membership.objects.filter(user=world.member_a, cooperative=world.coop_a).update(
        status="suspended"
    )
    forget_memberships(world.member_a)
    api.force_authenticate(world.member_a)
    response = api.post(f"/api/v1/proposals/{proposal.pk}/vote/", {"choice": "yes"})
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_active"
    assert not Vote.objects.filter(proposal=proposal).exists()
    # Someone of another cooperative still cannot tell the proposal exists.
    api.force_authenticate(world.member_b)
    response = api.post(f"/api/v1/proposals/{proposal.pk}/vote/", {"choice": "yes"})
    assert response.status_code == 404


def test_a_money_field_ends_in_cents_only_when_it_holds_an_integer(world):
    """Every output of the schema: a ``*_cents`` property is an integer; a decimal amount
    is named for what it is, and sits next to a ``currency``."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    wrong = []
    for component_name, component in components.items():
        if component_name.endswith("Request"):
            continue
        for name, prop in (component.get("properties") or {}).items():
            in_cents = name.endswith("_cents") or "_cents_" in name
            if in_cents and prop.get("type") != "integer":
                wrong.append(f"{component_name}.{name}")
    assert wrong == []
    budget = components["ContractBudgetOutput"]["properties"]
    assert {"budget", "total", "committed", "used", "left", "currency"} <= set(budget)
    for output in ("TenderOutput", "BidOutput", "JobOutput", "EarningsOutput"):
        assert "currency" in components[output]["properties"], output
