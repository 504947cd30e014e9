"""The bijstand arrangement is read for every member by dispatch, plan my week and the
reminder beat: a date so far off that its last month falls outside the calendar, or a
maximum beyond its column, must be refused naming the field, not stored to break those
readers (for every member of the cooperative) or answer 500."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from members.models import BenefitArrangement
from members.services.benefits import benefit_arrangement_reminders_send
from payouts.selectors.benefit_room import max_pay_rooms
from tests.conftest import api_as

pytestmark = pytest.mark.django_db
URL = "/api/v1/me/benefit-arrangement/"
BODY = {
    "keep_percent": 25,
    "monthly_max_cents": 25012,
    "starts_on": "2026-01-01",
    "months": 12,
    "municipality": "Utrecht",
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"monthly_max_cents": 10**12}, "monthly_max_cents"),
        ({"monthly_max_cents": 2**31}, "monthly_max_cents"),
        ({"starts_on": "9999-12-01", "months": 1}, "starts_on"),
        ({"starts_on": "9999-06-01", "months": 12}, "starts_on"),
        ({"starts_on": "1999-12-31"}, "starts_on"),
    ],
)
def test_out_of_range_figures_are_refused_naming_the_field(world, change, field):
    answer = api_as(world.member_a).put(URL, {**BODY, **change}, format="json")
    assert answer.status_code == 400, answer.content[:300]
    assert answer.json()["error"]["field"] == field
    assert not BenefitArrangement.objects.exists()
    # What other members depend on still works.
    benefit_arrangement_reminders_send()
    max_pay_rooms([world.member_a.pk, world.board_a.pk])


def test_the_profile_form_refuses_a_start_far_off(world, client):
    client.force_login(world.member_a)
    page = client.post(
        "/profile/benefit/",
        {
            "keep_percent": "25",
            "monthly_max": "250.12",
            "starts_on": "9999-12-01",
            "months": "1",
            "municipality": "",
        },
    )
    assert page.status_code == 200
    assert page.context["benefit_form"].errors["starts_on"]
    assert not BenefitArrangement.objects.exists()


def test_a_start_from_2000_to_five_years_ahead_is_kept(world):
    client = api_as(world.member_a)
    ahead = timezone.localdate() + timedelta(days=5 * 365)
    for starts in (date(2000, 1, 1), ahead):
        answer = client.put(URL, {**BODY, "starts_on": starts.isoformat()}, format="json")
        assert answer.status_code == 200, answer.content[:300]
    assert max_pay_rooms([world.member_a.pk]) is not None
