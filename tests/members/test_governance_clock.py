"""A vote closes by the clock: refused after closes_at, its outcome shown at once, and
beat then only stores it and does what follows."""

from datetime import timedelta
from unittest import mock

import pytest

from members.models import Proposal, Vote
from members.services.governance import (
    proposal_create,
    proposal_open,
    proposals_close_due,
    vote_cast,
)
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def _open(world):
    proposal = proposal_create(
        actor=world.board_a, cooperative=world.coop_a, kind="motion", title="Voorstel"
    )
    return proposal_open(actor=world.board_a, proposal=proposal)


def _at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_voting_is_refused_after_closes_at_and_the_outcome_shows_without_beat(world):
    proposal = _open(world)
    for voter in (world.member_a, world.board_a):
        vote_cast(actor=voter, proposal=proposal, choice="yes")
    with _at(proposal.closes_at + timedelta(seconds=1)):
        late = api_as(world.treasurer_a).post(
            f"/api/v1/proposals/{proposal.pk}/vote/", {"choice": "no"}
        )
        shown = api_as(world.member_a).get(f"/api/v1/proposals/{proposal.pk}/").json()
        listed = api_as(world.member_a).get("/api/v1/cooperatives/alpha/proposals/").json()
    assert late.status_code == 409
    assert late.json()["error"]["code"] == "voting_closed"
    assert Vote.objects.filter(proposal=proposal).count() == 2
    assert shown["status"] == "adopted"
    assert shown["result"]["yes"] == 2
    assert shown["result"]["turnout"] == 2
    assert [p["status"] for p in listed["results"] if p["id"] == proposal.pk] == ["adopted"]
    assert Proposal.objects.get(pk=proposal.pk).status == "open"  # beat has not run
    # Beat stores the same outcome, once.
    assert proposals_close_due(now=proposal.closes_at + timedelta(seconds=2)) == 1
    assert Proposal.objects.get(pk=proposal.pk).status == "adopted"
    assert proposals_close_due(now=proposal.closes_at + timedelta(seconds=3)) == 0


def test_a_vote_is_open_until_its_last_second(world):
    proposal = _open(world)
    with _at(proposal.closes_at - timedelta(seconds=1)):
        response = api_as(world.member_a).post(
            f"/api/v1/proposals/{proposal.pk}/vote/", {"choice": "yes"}
        )
        shown = api_as(world.member_a).get(f"/api/v1/proposals/{proposal.pk}/").json()
    assert response.status_code == 200
    assert shown["status"] == "open"
    assert shown["result"] is None


def test_the_page_shows_the_outcome_and_no_ballot_after_closes_at(world, client):
    proposal = _open(world)
    vote_cast(actor=world.member_a, proposal=proposal, choice="no")
    client.force_login(world.member_a)
    with _at(proposal.closes_at + timedelta(seconds=1)):
        page = client.get(f"/proposals/{proposal.pk}/").content.decode()
    assert 'value="vote"' not in page
