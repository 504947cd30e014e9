"""The member's feed shows only shifts the member can really take."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobs.models import Job, Shift
from members.models import AvailabilityException, AvailabilitySlot, MemberSkill, Profile
from members.selectors import member_work_context_forget
from tests.conftest import api_as
from tests.factories import SkillFactory
from tests.factories.jobs import ClaimFactory, JobFactory
from tests.factories.work import at, make_shift, place_member

pytestmark = pytest.mark.django_db


def _update_profile(user, **fields):
    """A direct update, as an admin or a migration might do; .update() sends no signal."""
    Profile.objects.filter(user=user).update(**fields)
    member_work_context_forget(user.pk)


def _ids(user, **params):
    response = api_as(user).get("/api/v1/feed/", params)
    assert response.status_code == 200, response.data
    return [row["id"] for row in response.data["results"]]


def test_feed_lists_an_open_shift_with_distance_and_pay(market):
    response = api_as(market.member_a).get("/api/v1/feed/")
    row = response.data["results"][0]
    assert row["id"] == market.shift.pk
    assert 0 < row["distance_km"] < 1
    assert row["pay"] == "86.40"  # 3 h × € 32, less 8 % and 2 % for the funds
    assert [pot["amount"] for pot in row["pots"]] == ["7.68", "1.92"]
    assert row["open_slots"] == 2


def test_skill_with_certificate_valid_on_the_shift_date(market):
    vca = SkillFactory(cooperative=market.coop_a, slug="vca", requires_certificate=True)
    Job.objects.filter(pk=market.job.pk).update(required_skill=vca)
    Shift.objects.filter(pk=market.shift.pk).update(required_skill=vca)
    assert market.shift.pk not in _ids(market.member_a)
    held = MemberSkill.objects.create(
        user=market.member_a,
        skill=vca,
        certificate_expires_on=market.shift.start.date() - timedelta(days=1),
    )
    assert market.shift.pk not in _ids(market.member_a)
    held.certificate_expires_on = market.shift.start.date()
    held.save()
    assert market.shift.pk in _ids(market.member_a)


def test_outside_travel_radius_is_hidden(market):
    _update_profile(market.member_a, travel_radius_km=Decimal("0.3"))
    assert _ids(market.member_a) == []
    _update_profile(market.member_a, travel_radius_km=Decimal("2"))
    assert _ids(market.member_a) == [market.shift.pk]
    assert _ids(market.member_a, max_km=0.2) == []


def test_outside_availability_or_on_a_day_off_is_hidden(market):
    AvailabilitySlot.objects.filter(user=market.member_a).delete()
    AvailabilitySlot.objects.create(user=market.member_a, weekday=1, start=time(10), end=time(18))
    assert _ids(market.member_a) == []  # the shift starts at 9
    AvailabilitySlot.objects.create(user=market.member_a, weekday=1, start=time(8), end=time(10))
    assert _ids(market.member_a) == [market.shift.pk]  # touching windows count as one
    AvailabilityException.objects.create(
        user=market.member_a, date=market.shift.local_date, available=False
    )
    assert _ids(market.member_a) == []


def test_conflicts_with_own_claims_count_travel_time(market):
    other_job = JobFactory(
        cooperative=market.coop_a,
        client=market.client_a,
        title="Ver weg",
        street="Zamenhofdreef 1",
        postcode="3562 AA",
        latitude=Decimal("52.116200"),
        longitude=Decimal("5.104700"),
        client_tariff=Decimal("30"),
    )
    near_after = make_shift(market.job, market.shift.end + timedelta(minutes=5))
    far_after = make_shift(other_job, market.shift.end + timedelta(minutes=5))
    far_later = make_shift(other_job, market.shift.end + timedelta(minutes=40))
    _update_profile(market.member_a, travel_radius_km=Decimal("10"))
    ClaimFactory(shift=market.shift, user=market.member_a, confirmed=True)
    ids = _ids(market.member_a)
    assert market.shift.pk not in ids
    assert near_after.pk in ids
    assert far_later.pk in ids
    assert far_after.pk not in ids  # 4.5 km at 15 km/h does not fit in 5 minutes


def test_full_shifts_and_other_cooperatives_are_hidden(market):
    Shift.objects.filter(pk=market.shift.pk).update(filled=2)
    assert _ids(market.member_a) == []
    assert _ids(market.member_a, include_full="true") == [market.shift.pk]
    place_member(market.member_b)
    assert _ids(market.member_b, include_full="true") == []


def test_sorted_by_start_then_distance_and_filtered(market):
    far_job = JobFactory(
        cooperative=market.coop_a,
        client=market.client_a,
        title="Iets verder",
        category="cleaning",
        street="Beneluxlaan 1",
        postcode="3526 EH",
        latitude=Decimal("52.069800"),
        longitude=Decimal("5.093100"),
        client_tariff=Decimal("30"),
    )
    same_time_farther = make_shift(far_job, market.shift.start)
    earlier = make_shift(market.job, market.shift.start - timedelta(hours=2), hours=1)
    ids = _ids(market.member_a)
    assert ids == [earlier.pk, market.shift.pk, same_time_farther.pk]
    assert _ids(market.member_a, category="cleaning") == [same_time_farther.pk]
    assert _ids(market.member_a, day=market.shift.local_date.isoformat()) == ids
    assert (
        _ids(market.member_a, day=(market.shift.local_date + timedelta(days=1)).isoformat()) == []
    )


def test_feed_explains_what_is_missing(market):
    AvailabilitySlot.objects.filter(user=market.member_a).delete()
    response = api_as(market.member_a).get("/api/v1/feed/")
    assert response.status_code == 400
    assert response.data["error"]["field"] == "availability"
    _update_profile(market.member_a, latitude=None, longitude=None)
    response = api_as(market.member_a).get("/api/v1/feed/")
    assert response.status_code == 400
    assert response.data["error"]["code"] == "no_home_location"


def test_bad_filter_names_the_field(market):
    response = api_as(market.member_a).get("/api/v1/feed/", {"day": "morgen"})
    assert response.status_code == 400
    assert response.data["error"]["field"] == "day"


def _feed_queries(user) -> int:
    client = api_as(user)
    client.get("/api/v1/feed/")
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/feed/")
    assert response.status_code == 200
    return len(ctx.captured_queries), len(response.data["results"])


def test_query_count_is_constant_in_the_page_size(market):
    few_queries, few_rows = _feed_queries(market.member_a)
    for day in range(1, 60):
        make_shift(market.job, at(market.tuesday, 9) + timedelta(days=day), hours=2)
    ClaimFactory(
        shift=make_shift(market.job, at(market.tuesday, 7), hours=1),
        user=market.member_a,
        confirmed=True,
    )
    many_queries, many_rows = _feed_queries(market.member_a)
    assert few_rows == 1
    assert many_rows == 50
    assert many_queries == few_queries


def test_feed_page_in_the_browser_shows_shifts(client, market):
    client.force_login(market.member_a)
    page = client.get("/work/")
    assert page.status_code == 200
    assert market.job.title.encode() in page.content
    detail = client.get(f"/work/shifts/{market.shift.pk}/")
    assert b"openstreetmap.org" in detail.content
    assert b"Marshalllaan 40" in detail.content


def test_blocked_clients_are_never_in_the_feed_or_the_plan(market):
    from jobs.services.planner import plan_week

    api = api_as(market.member_a)
    assert (
        api.post(
            "/api/v1/me/blocked-clients/", {"client": market.client_a.pk, "reason": "ruzie"}
        ).status_code
        == 201
    )
    assert _ids(market.member_a) == []
    assert (
        plan_week(user=market.member_a, week_start=market.tuesday.date() - timedelta(days=1)).shifts
        == []
    )
    assert api.delete(f"/api/v1/me/blocked-clients/{market.client_a.pk}/").status_code == 204
    assert _ids(market.member_a) == [market.shift.pk]
