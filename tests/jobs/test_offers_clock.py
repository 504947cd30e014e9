"""Offers end by the clock: one past its deadline shows as expired and cannot be
accepted, whether or not beat has passed the shift on yet."""

from datetime import datetime, timedelta
from unittest import mock

import pytest

from jobs.models import Claim, Offer, Shift
from jobs.services.claims import offers_expire
from jobs.services.dispatching import dispatch_run_execute, offers_expire_dispatch
from tests.conftest import api_as

pytestmark = pytest.mark.django_db


def _at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def _dispatch_offers(market) -> list[Offer]:
    day = market.tuesday.date().isoformat()
    response = api_as(market.board_a).post(
        "/api/v1/cooperatives/alpha/dispatch/", {"period_start": day, "period_end": day}
    )
    assert response.status_code == 201, response.data
    run = dispatch_run_execute(run_id=response.data["id"])
    return list(Offer.objects.filter(run=run))


def test_an_expired_dispatch_offer_shows_as_expired_and_cannot_be_accepted(market):
    offer = _dispatch_offers(market)[0]
    member = api_as(offer.user)
    with _at(offer.deadline + timedelta(seconds=1)):
        listed = member.get("/api/v1/me/offers/").json()["results"]
        accepted = member.post(f"/api/v1/offers/{offer.pk}/respond/", {"accept": True})
    assert [o["status"] for o in listed if o["id"] == offer.pk] == ["expired"]
    assert accepted.status_code == 409
    assert accepted.json()["error"]["code"] == "offer_closed"
    assert not Claim.objects.filter(shift=offer.shift, user=offer.user).exists()
    # Beat then stores the expiry and offers the shift again, once.
    assert offers_expire_dispatch(now=offer.deadline + timedelta(seconds=2)) >= 1
    assert Offer.objects.get(pk=offer.pk).status == "expired"
    assert offers_expire_dispatch(now=offer.deadline + timedelta(seconds=3)) == 0


def test_an_offer_can_be_accepted_until_its_deadline(market):
    offer = _dispatch_offers(market)[0]
    with _at(offer.deadline - timedelta(seconds=1)):
        listed = api_as(offer.user).get("/api/v1/me/offers/").json()["results"]
        accepted = api_as(offer.user).post(f"/api/v1/offers/{offer.pk}/respond/", {"accept": True})
    assert [o["status"] for o in listed if o["id"] == offer.pk] == ["open"]
    assert accepted.status_code == 200


def test_a_waitlist_offer_lapses_at_its_expiry_without_beat(market):
    Shift.objects.filter(pk=market.shift.pk).update(slots=1)
    first = api_as(market.member_a).post("/api/v1/claims/", {"shift": market.shift.pk}).data
    waiting = api_as(market.treasurer_a).post("/api/v1/claims/", {"shift": market.shift.pk}).data
    api_as(market.member_a).post(f"/api/v1/claims/{first['id']}/withdraw/")
    offered = Claim.objects.get(pk=waiting["id"])
    assert offered.status == "offered"
    member = api_as(market.treasurer_a)
    with _at(offered.offer_expires_at + timedelta(seconds=1)):
        mine = {c["id"]: c for c in member.get("/api/v1/claims/").json()["results"]}
        accepted = member.post(f"/api/v1/claims/{offered.pk}/respond/", {"accept": True})
    assert mine[offered.pk]["status"] == "withdrawn"
    assert mine[offered.pk]["can_withdraw"] is False
    assert accepted.status_code == 409
    assert Claim.objects.get(pk=offered.pk).status == "offered"  # stored: beat's to do
    assert offers_expire(now=offered.offer_expires_at + timedelta(seconds=1)) == 1
    assert offers_expire(now=offered.offer_expires_at + timedelta(seconds=1)) == 0


def test_a_claim_says_until_when_it_can_be_withdrawn(market):
    claim = api_as(market.member_a).post("/api/v1/claims/", {"shift": market.shift.pk}).data
    deadline = market.shift.start - timedelta(hours=market.coop_a.claim_withdrawal_hours)
    assert claim["can_withdraw"] is True
    with _at(deadline + timedelta(seconds=1)):
        mine = api_as(market.member_a).get("/api/v1/claims/").json()["results"]
        refused = api_as(market.member_a).post(f"/api/v1/claims/{claim['id']}/withdraw/")
    row = next(c for c in mine if c["id"] == claim["id"])
    assert row["can_withdraw"] is False
    assert datetime.fromisoformat(row["withdrawal_deadline"]) == deadline
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "withdrawal_deadline_passed"
