"""Plan my week: the exact best bundle, claimed all or nothing."""

from datetime import timedelta
from decimal import Decimal

import pytest

from jobs.models import Claim, Shift
from jobs.services.planner import plan_week
from members.models import AvailabilitySlot, Profile
from members.selectors import member_work_context_forget
from tests.conftest import api_as, row_counts
from tests.factories.jobs import ClaimFactory
from tests.factories.work import at, make_shift

pytestmark = pytest.mark.django_db


def _week(market):
    return market.tuesday.date() - timedelta(days=1)


def test_plan_takes_the_best_non_overlapping_shifts(market):
    # Tuesday 9-12 (the market shift, € 51) overlaps 10-13 (€ 68 for 4 h); the better one wins.
    long = make_shift(market.job, at(market.tuesday, 10), hours=4)
    afternoon = make_shift(market.job, at(market.tuesday, 15), hours=2)
    plan = plan_week(user=market.member_a, week_start=_week(market))
    chosen = {s.pk for s in plan.shifts}
    assert long.pk in chosen
    assert afternoon.pk in chosen
    assert market.shift.pk not in chosen
    assert plan.income_cents == 11520 + 5760  # € 32 an hour less the 8 % and 2 % funds


def test_hours_target_caps_the_plan(market):
    make_shift(market.job, at(market.tuesday, 15), hours=2)
    plan = plan_week(user=market.member_a, week_start=_week(market), target_minutes=120)
    assert plan.minutes <= 120
    assert len(plan.shifts) == 1


def test_yearly_earnings_cap_limits_the_plan(market):
    Profile.objects.filter(user=market.member_a).update(yearly_earnings_cap=Decimal("40.00"))
    member_work_context_forget(market.member_a.pk)
    make_shift(market.job, at(market.tuesday, 15), hours=2)  # € 34
    plan = plan_week(user=market.member_a, week_start=_week(market))
    assert plan.cap_left_cents == 4000
    assert plan.income_cents <= 4000


def test_existing_claims_are_kept_as_commitments(market):
    ClaimFactory(shift=market.shift, user=market.member_a, confirmed=True)
    plan = plan_week(user=market.member_a, week_start=_week(market))
    assert [s.pk for s in plan.commitments] == [market.shift.pk]


def test_api_plans_and_claims_the_bundle(market):
    make_shift(market.job, at(market.tuesday, 15), hours=2)
    api = api_as(market.member_a)
    plan = api.get(
        "/api/v1/me/plan/", {"week": market.tuesday.date().isoformat(), "target_hours": 10}
    ).data
    ids = [row["id"] for row in plan["shifts"]]
    assert len(ids) == 2
    assert plan["income"] == "144.00"
    response = api.post("/api/v1/me/plan/claim/", {"shifts": ids})
    assert response.status_code == 201
    assert len(response.data) == 2


def test_bundle_is_all_or_nothing_and_names_the_taken_shift(market):
    evening = make_shift(market.job, at(market.tuesday, 15), hours=2)
    Shift.objects.filter(pk=evening.pk).update(filled=1)  # someone else took the last place
    before = row_counts(Claim)
    response = api_as(market.member_a).post(
        "/api/v1/me/plan/claim/", {"shifts": [market.shift.pk, evening.pk]}
    )
    assert response.status_code == 409
    assert response.data["error"]["shift"] == evening.pk
    assert row_counts(Claim) == before
    market.shift.refresh_from_db()
    assert market.shift.filled == 0


def test_plan_without_availability_explains_what_is_missing(market):
    AvailabilitySlot.objects.filter(user=market.member_a).delete()
    response = api_as(market.member_a).get("/api/v1/me/plan/")
    assert response.status_code == 400
    assert response.data["error"]["field"] == "availability"


def test_plan_page(client, market):
    client.force_login(market.member_a)
    page = client.get("/work/plan/", {"week": market.tuesday.date().isoformat()})
    assert page.status_code == 200
    assert b"Geveltuinen" in page.content
    response = client.post(
        f"/work/plan/?week={market.tuesday.date().isoformat()}", {"shift": [market.shift.pk]}
    )
    assert response.status_code == 302
    assert Claim.objects.filter(user=market.member_a).count() == 1
