"""A secret ballot: nobody but the voter sees an individual choice.

Over HTTP on PostgreSQL, in the world of two cooperatives and a shared client: the
auditor gets no counts while the vote is open and recounts after it closes, the audit
rows say that a vote was cast and not by whom, and whether the vote is secret cannot
change once it opens (service, model and database).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.test import Client

from members.models import Proposal, Vote
from members.services.governance import proposal_close
from tests.factories.api import api_as, login_verified
from werkstation.errors import Conflict
from werkstation.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _web(user) -> Client:
    client = Client()
    login_verified(client, user)
    return client


@pytest.fixture
def voted(tenancy):
    t = tenancy
    url = f"/api/v1/proposals/{t.proposal_a.pk}/"
    assert api_as(t.member_a).post(url + "vote/", {"choice": "no"}).status_code == 200
    page = _web(t.board_a).post(url.replace("/api/v1", ""), {"action": "vote", "choice": "yes"})
    assert page.status_code == 302
    t.url = url
    return t


def _close(t):
    Proposal.objects.filter(pk=t.proposal_a.pk).update(
        opens_at=t.proposal_a.opens_at - timedelta(days=30),
        closes_at=t.proposal_a.opens_at - timedelta(days=1),
    )
    return proposal_close(proposal=Proposal.objects.get(pk=t.proposal_a.pk))


def test_no_counts_while_open_not_even_for_the_auditor(voted):
    t = voted
    tally = api_as(t.auditor_a).get(t.url + "tally/")
    assert tally.status_code == 409
    assert tally.data["error"]["code"] == "still_open"
    assert "yes" not in json.dumps(tally.data)
    for who in (t.member_a, t.treasurer_a, t.auditor_a, t.board_a):
        seen = api_as(who).get(t.url).data
        assert seen["turnout"] == 2
        assert seen["result"] is None
        assert "votes" not in seen
    page = _web(t.auditor_a).get(f"/proposals/{t.proposal_a.pk}/?recount=1").content.decode()
    assert "Herteld" not in page
    assert "2 voor" not in page
    assert "1 voor" not in page
    # Another cooperative (and the shared client) do not even find the proposal.
    for outsider in (t.member_b, t.board_b, t.shared_user):
        assert api_as(outsider).get(t.url).status_code == 404
        assert api_as(outsider).get(t.url + "tally/").status_code == 404


def test_the_auditor_recounts_after_close(voted):
    t = voted
    _close(t)
    tally = api_as(t.auditor_a).get(t.url + "tally/").data
    assert (tally["yes"], tally["no"], tally["recorded_result"]["turnout"]) == (1, 1, 2)
    page = _web(t.auditor_a).get(f"/proposals/{t.proposal_a.pk}/?recount=1").content.decode()
    assert "Herteld uit de opgeslagen stemmen: 1 voor, 1 tegen" in page
    assert api_as(t.board_a).get(t.url + "tally/").status_code == 403


def test_the_audit_log_records_that_a_vote_was_cast_not_by_whom(voted):
    t = voted
    rows = AuditEntry.objects.filter(action="vote.cast", object_id=str(t.proposal_a.pk))
    assert rows.count() == 2
    voters = {t.member_a.pk, t.board_a.pk}
    for row in rows:
        assert row.actor_id is None
        assert row.data == {"secret": True}
    everything = json.dumps(list(AuditEntry.objects.values("data")), default=str)
    assert all(f'"voter": {pk}' not in everything for pk in voters)
    # Staff reading the audit log in the admin do not learn who voted.
    from tests.factories import UserFactory

    operator = UserFactory(email="beheer@example.org", is_staff=True, is_superuser=True)
    listing = _web(operator).get("/admin/werkstation/auditentry/?action=vote.cast")
    assert listing.status_code == 200
    page = listing.content.decode()
    assert t.member_a.full_name not in page
    assert t.board_a.full_name not in page


def test_only_the_voter_sees_their_choice_in_the_export(voted):
    t = voted
    own = api_as(t.member_a).get("/api/v1/me/export/").data["votes"]
    assert [v["choice"] for v in own] == ["no"]
    for other in (t.board_a, t.auditor_a, t.treasurer_a):
        export = json.dumps(api_as(other).get("/api/v1/me/export/").data, default=str)
        assert '"no"' not in export


def test_secret_cannot_change_once_the_vote_is_open(voted):
    t = voted
    refused = api_as(t.board_a).patch(t.url, {"secret": False}, format="json")
    assert refused.status_code == 409
    assert refused.data["error"]["code"] == "secret_locked"
    page = _web(t.board_a).get(f"/proposals/{t.proposal_a.pk}/").content.decode()
    assert 'value="edit"' not in page
    proposal = Proposal.objects.get(pk=t.proposal_a.pk)
    proposal.secret = False
    with pytest.raises(Conflict):
        proposal.save()
    with pytest.raises(DatabaseError), transaction.atomic():
        Proposal.objects.filter(pk=proposal.pk).update(secret=False)
    assert Proposal.objects.get(pk=proposal.pk).secret
    # Nobody sees the votes of the still-secret ballot.
    assert "votes" not in api_as(t.treasurer_a).get(t.url).data
    assert Vote.objects.filter(proposal=proposal).count() == 2


def test_a_draft_can_still_become_secret_or_not(tenancy):
    t = tenancy
    draft = api_as(t.member_a).post(
        "/api/v1/cooperatives/alpha/proposals/", {"kind": "motion", "title": "Bankjes"}
    )
    url = f"/api/v1/proposals/{draft.data['id']}/"
    changed = api_as(t.member_a).patch(url, {"secret": True}, format="json")
    assert changed.status_code == 200
    assert changed.data["secret"] is True
    assert api_as(t.member_b).patch(url, {"secret": False}, format="json").status_code == 404
    assert api_as(t.treasurer_a).patch(url, {"secret": False}, format="json").status_code == 403
