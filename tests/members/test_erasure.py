"""Erasure and export: each app hands over and erases what it holds about a person.

Over HTTP, in the world of two cooperatives and a shared client: after a member of A
erases their account, their calendar link and API token stop working, their future
claims are released and the freed slot is offered to the next on the waitlist, the
consent-based rows are gone, and the books keep their amounts.
"""

from __future__ import annotations

import pytest
from django.test import Client

from jobs.challenges.models import TargetGroupMember
from jobs.models import Claim, Offer
from members.models import ApiToken, Proxy
from payouts.models import PayoutItem, Split
from tests.factories.api import api_as
from tests.factories.jobs import ClaimFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def busy(tenancy):
    """member_a holds one of two places on a shift; the board holds the other; the
    treasurer waits; member_a counts for social return and carries a proxy."""
    t = tenancy
    ClaimFactory(shift=t.shift_a, user=t.board_a)
    t.waiting = ClaimFactory(
        shift=t.shift_a, user=t.treasurer_a, status="waitlisted", waitlist_position=1
    )
    TargetGroupMember.objects.create(
        cooperative=t.coop_a, user=t.member_a, group="youth", recorded_by=t.board_a
    )
    t.proxy = Proxy.objects.create(cooperative=t.coop_a, grantor=t.auditor_a, holder=t.member_a)
    return t


def test_the_export_holds_work_earnings_and_payouts(busy):
    t = busy
    data = api_as(t.member_a).get("/api/v1/me/export/").data
    assert {c["job"] for c in data["work"]["claims"]} >= {"Tuin A"}
    assert data["work"]["timesheets"]
    assert data["work"]["calendar_link"] is True
    assert data["work"]["offers"][0]["reason"] == "past bij je week"
    assert data["earnings"][0]["gross_cents"] == t.split_a.gross_cents
    assert data["earnings"][0]["member_cents"] == t.split_a.member_cents
    assert data["payouts"][0]["amount_cents"] == 100
    assert data["social_return"][0]["group"] == "youth"
    assert data["governance"]["proxies_held"][0]["grantor"] == t.auditor_a.full_name
    assert len(data["sign_in"]["api_tokens"]) == 1
    assert "digest" not in str(data["sign_in"])  # never the token itself
    # Nobody else's data is in it.
    text = str(data)
    assert t.member_b.full_name not in text
    assert "Tuin B" not in text


def test_erasure_stops_links_releases_work_and_keeps_the_books(busy):
    t = busy
    calendar = f"/calendar/{t.calendar_a.token}.ics"
    assert Client().get(calendar).status_code == 200
    api = api_as(t.member_a)
    token = ApiToken.objects.get(user=t.member_a).digest
    split_before = Split.objects.filter(member=t.member_a).values_list(
        "gross_cents", "member_cents"
    )
    split_before = sorted(split_before)
    assert api.post("/api/v1/me/erase/", {"confirm_email": t.member_a.email}).status_code == 200

    assert Client().get(calendar).status_code == 404
    assert not ApiToken.objects.filter(digest=token).exists()
    assert api.get("/api/v1/me/").status_code == 401
    assert api.get("/api/v1/me/").status_code in (401, 403)
    # The future claim is released and its place offered to the one waiting.
    claim = Claim.objects.get(pk=t.claim_a.pk)
    assert claim.status == Claim.Status.WITHDRAWN
    assert Claim.objects.get(pk=t.waiting.pk).status == Claim.Status.OFFERED
    assert Offer.objects.get(pk=t.offer_a.pk).status == Offer.Status.LAPSED
    # Consent-based rows and powers given to the person are gone.
    assert not TargetGroupMember.objects.filter(user=t.member_a).exists()
    assert Proxy.objects.get(pk=t.proxy.pk).revoked_at is not None
    # The books keep their amounts; past work stays as it was settled.
    after = sorted(
        Split.objects.filter(member=t.member_a).values_list("gross_cents", "member_cents")
    )
    assert after == split_before
    assert PayoutItem.objects.get(pk=t.paid_item_a.pk).amount_cents == 100
    assert Claim.objects.get(pk=t.timesheet_a.claim_id).status == "confirmed"
    # The treasurer of A sees the place offered onward on the shift page.
    treasurer = api_as(t.treasurer_a).get("/api/v1/claims/").data["results"]
    assert any(c["id"] == t.waiting.pk and c["status"] == "offered" for c in treasurer)
