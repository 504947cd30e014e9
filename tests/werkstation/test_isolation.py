"""Nobody reads or changes another cooperative's data."""

import json

import pytest

from tests.conftest import api_as
from tests.factories import ClientFactory, ClientUserFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_board_of_b_cannot_touch_memberships_of_a(world):
    target = world.membership(world.applicant_a)
    client = api_as(world.board_b)
    for action in ("admit", "reject", "suspend", "reinstate"):
        response = client.post(f"/api/v1/memberships/{target.pk}/{action}/", {"reason": "x"})
        assert response.status_code == 404, action
    target.refresh_from_db()
    assert target.status == "applied"


def test_member_lists_and_settings_stay_inside_the_cooperative(world):
    a_view = api_as(world.member_a).get("/api/v1/cooperatives/alpha/members/")
    names = {m["user"]["full_name"] for m in a_view.data["results"]}
    assert world.member_b.full_name not in names
    assert world.member_a.full_name in names
    public_b = api_as(world.member_a).get("/api/v1/cooperatives/beta/")
    assert "iban" not in public_b.data
    assert "quorum_percent" not in public_b.data
    own = api_as(world.member_a).get("/api/v1/cooperatives/alpha/")
    assert "quorum_percent" in own.data


def test_clients_of_b_are_invisible_to_a(world):
    client_b = ClientFactory(cooperatives=[world.coop_b], name="Alleen Beta")
    ClientUserFactory(client=client_b)
    for user in (world.board_a, world.treasurer_a, world.member_a, world.client_user):
        listing = api_as(user).get("/api/v1/clients/")
        assert "Alleen Beta" not in json.dumps(listing.data)
        assert api_as(user).get(f"/api/v1/clients/{client_b.pk}/").status_code == 404
    assert "Alleen Beta" in json.dumps(api_as(world.board_b).get("/api/v1/clients/").data)


def test_person_in_two_cooperatives_sees_both_but_no_more(world):
    MembershipFactory(user=world.member_a, cooperative=world.coop_b)
    client = api_as(world.member_a)
    assert client.get("/api/v1/cooperatives/beta/members/").status_code == 200
    # …but holds no board role in B because of a role in A (and, not being a member of B,
    # does not even learn what is there).
    board_a_in_b = api_as(world.board_a).get("/api/v1/cooperatives/beta/applications/")
    assert board_a_in_b.status_code == 404


def test_web_pages_do_not_leak_other_cooperatives(client, world):
    client.force_login(world.member_a)
    page = client.get("/c/beta/")
    assert page.status_code == 200
    assert world.member_b.full_name.encode() not in page.content
