"""Claiming, the waitlist, withdrawal and confirmation."""

from datetime import date, timedelta

import pytest
from django.core import mail

from jobs.models import Claim, Shift
from members.models import MemberSkill
from tests.conftest import api_as, row_counts
from tests.factories import MembershipFactory, SkillFactory
from tests.factories.work import make_shift, place_member
from werkstation.models import AuditEntry

pytestmark = pytest.mark.django_db


def _claim(user, shift, **extra):
    return api_as(user).post("/api/v1/claims/", {"shift": shift.pk, **extra})


def test_claim_holds_a_slot_and_client_confirms(market):
    response = _claim(market.member_a, market.shift)
    assert response.status_code == 201, response.data
    assert response.data["status"] == "claimed"
    market.shift.refresh_from_db()
    assert market.shift.filled == 1
    confirm = api_as(market.client_user).post(f"/api/v1/claims/{response.data['id']}/confirm/")
    assert confirm.status_code == 200
    assert confirm.data["status"] == "confirmed"


def test_auto_confirm_jobs_confirm_at_once(market):
    market.job.auto_confirm = True
    market.job.save()
    assert _claim(market.member_a, market.shift).data["status"] == "confirmed"


def test_full_shift_has_a_waitlist_and_a_freed_slot_is_offered(
    market, django_capture_on_commit_callbacks
):
    Shift.objects.filter(pk=market.shift.pk).update(slots=1)
    first = _claim(market.member_a, market.shift).data
    waiting = _claim(market.treasurer_a, market.shift).data
    assert waiting["status"] == "waitlisted"
    assert waiting["waitlist_position"] == 1
    market.shift.refresh_from_db()
    assert market.shift.filled == 1  # a waitlisted member holds no slot
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            api_as(market.member_a).post(f"/api/v1/claims/{first['id']}/withdraw/").status_code
            == 200
        )
    offered = Claim.objects.get(pk=waiting["id"])
    assert offered.status == "offered"
    assert offered.offer_expires_at
    assert any(market.treasurer_a.email in m.to for m in mail.outbox)
    accepted = api_as(market.treasurer_a).post(
        f"/api/v1/claims/{offered.pk}/respond/", {"accept": True}
    )
    assert accepted.status_code == 200
    assert accepted.data["status"] == "claimed"
    market.shift.refresh_from_db()
    assert market.shift.filled == 1


def test_expired_offer_goes_to_the_next(market):
    from jobs.services.claims import offers_expire

    Shift.objects.filter(pk=market.shift.pk).update(slots=1)
    first = _claim(market.member_a, market.shift).data
    second = _claim(market.treasurer_a, market.shift).data
    third = _claim(market.auditor_a, market.shift).data
    api_as(market.member_a).post(f"/api/v1/claims/{first['id']}/withdraw/")
    offered = Claim.objects.get(pk=second["id"])
    offers_expire(now=offered.offer_expires_at + timedelta(seconds=1))
    assert Claim.objects.get(pk=second["id"]).status == "withdrawn"
    assert Claim.objects.get(pk=third["id"]).status == "offered"


def test_withdrawal_deadline(market):
    claim = _claim(market.member_a, market.shift).data
    market.coop_a.claim_withdrawal_hours = 24 * 30
    market.coop_a.save()
    response = api_as(market.member_a).post(f"/api/v1/claims/{claim['id']}/withdraw/")
    assert response.status_code == 409
    assert response.data["error"]["code"] == "withdrawal_deadline_passed"


def test_claim_without_the_skill_is_refused_and_writes_nothing(market):
    skill = SkillFactory(cooperative=market.coop_a, slug="vca", requires_certificate=True)
    market.job.required_skill = skill
    market.job.save()
    Shift.objects.filter(pk=market.shift.pk).update(required_skill=skill)
    before = row_counts(Claim, AuditEntry)
    response = _claim(market.member_a, market.shift)
    assert response.status_code == 403
    assert response.data["error"]["code"] == "skill_required"
    MemberSkill.objects.create(
        user=market.member_a, skill=skill, certificate_expires_on=date(2000, 1, 1)
    )
    response = _claim(market.member_a, market.shift)
    assert response.status_code == 403
    assert response.data["error"]["code"] == "certificate_expired"
    assert row_counts(Claim, AuditEntry) == before
    market.shift.refresh_from_db()
    assert market.shift.filled == 0


def test_claim_in_another_cooperative_is_refused_and_writes_nothing(market):
    before = row_counts(Claim)
    response = _claim(market.member_b, market.shift)
    # Not found, never "forbidden": another cooperative's shift ids cannot be enumerated.
    assert response.status_code == 404
    assert row_counts(Claim) == before


def test_overlap_with_travel_time_is_refused(market):
    _claim(market.member_a, market.shift)
    far_job = type(market.job).objects.create(
        cooperative=market.coop_a,
        client=market.client_a,
        title="Overvecht",
        category="greening",
        street="Zamenhofdreef 1",
        postcode="3562 AA",
        latitude="52.116200",
        longitude="5.104700",
        client_tariff="32",
        status="open",
    )
    # Starts 5 minutes after the first ends, 4.5 km away: not reachable by bike in time.
    tight = make_shift(far_job, market.shift.end + timedelta(minutes=5))
    response = _claim(market.member_a, tight)
    assert response.status_code == 409
    assert response.data["error"]["code"] == "overlap"
    later = make_shift(far_job, market.shift.end + timedelta(minutes=45))
    assert _claim(market.member_a, later).status_code == 201


def test_same_member_cannot_claim_twice(market):
    _claim(market.member_a, market.shift)
    response = _claim(market.member_a, market.shift)
    assert response.status_code == 409
    assert response.data["error"]["code"] == "already_claimed"


def test_reject_frees_the_slot(market):
    claim = _claim(market.member_a, market.shift).data
    response = api_as(market.client_user).post(
        f"/api/v1/claims/{claim['id']}/reject/", {"reason": "Te laat"}
    )
    assert response.status_code == 200
    assert response.data["status"] == "rejected"
    market.shift.refresh_from_db()
    assert market.shift.filled == 0
    # …and the member may claim again later.
    assert _claim(market.member_a, market.shift).status_code == 201


def test_members_of_other_coops_cannot_confirm(market):
    claim = _claim(market.member_a, market.shift).data
    assert api_as(market.member_b).post(f"/api/v1/claims/{claim['id']}/confirm/").status_code == 404
    assert api_as(market.auditor_a).post(f"/api/v1/claims/{claim['id']}/confirm/").status_code in (
        403,
        404,
    )
    assert Claim.objects.get(pk=claim["id"]).status == "claimed"


def test_person_in_two_cooperatives_claims_in_both(market):
    MembershipFactory(user=market.member_b, cooperative=market.coop_a)
    place_member(market.member_b)
    assert _claim(market.member_b, market.shift).status_code == 201


def test_claim_the_feed_would_not_show_is_refused_and_writes_nothing(market):
    """The claim check applies the feed's rules: travel radius, availability, blocked
    clients and a home (jobs.eligibility)."""
    from decimal import Decimal

    from jobs.models import BlockedClient
    from members.models import AvailabilityException, Profile
    from members.selectors import member_work_context_forget

    before = row_counts(Claim, AuditEntry)
    Profile.objects.filter(user=market.member_a).update(travel_radius_km=Decimal("0.3"))
    response = _claim(market.member_a, market.shift)
    assert response.status_code == 403
    assert response.data["error"]["code"] == "outside_radius"
    assert response.data["error"]["field"] == "travel_radius_km"
    assert "0.4 km" in response.data["error"]["message"]  # as the feed measures it
    Profile.objects.filter(user=market.member_a).update(travel_radius_km=Decimal("5"))
    exception = AvailabilityException.objects.create(
        user=market.member_a, date=market.shift.local_date, available=False
    )
    response = _claim(market.member_a, market.shift)
    assert response.data["error"]["code"] == "outside_availability"
    exception.delete()
    BlockedClient.objects.create(user=market.member_a, client=market.client_a)
    response = _claim(market.member_a, market.shift)
    assert response.data["error"]["code"] == "client_blocked"
    BlockedClient.objects.all().delete()
    Profile.objects.filter(user=market.member_a).update(latitude=None, longitude=None)
    member_work_context_forget(market.member_a.pk)
    response = _claim(market.member_a, market.shift)
    assert response.status_code == 400
    assert response.data["error"]["field"] == "postcode"
    assert row_counts(Claim, AuditEntry) == before
    market.shift.refresh_from_db()
    assert market.shift.filled == 0
