"""Plan my week opens on the first week with work and comes back to the week claimed;
hours are entered as hours and minutes."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone

from jobs.models import Claim, Shift, Timesheet
from tests.conftest import row_counts
from tests.factories.jobs import ClaimFactory
from tests.factories.work import at, make_shift

pytestmark = pytest.mark.django_db


def _browser(user) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def _monday(day):
    day = day.date() if hasattr(day, "date") else day
    return day - timedelta(days=day.weekday())


def test_plan_opens_on_the_first_week_with_open_shifts(market):
    # Nothing this week; the market shift is next week's Tuesday.
    response = _browser(market.member_a).get("/work/plan/")
    assert response.status_code == 200
    assert response.context["plan"].week_start == _monday(market.tuesday)
    assert [s.pk for s in response.context["plan"].shifts] == [market.shift.pk]
    # The week field shows that week, in the form a date input reads.
    monday = _monday(market.tuesday).isoformat()
    assert f'name="week" value="{monday}"' in response.content.decode()


def test_plan_skips_a_week_whose_shifts_are_already_taken(market):
    ClaimFactory(shift=market.shift, user=market.member_a, confirmed=True)
    later = make_shift(market.job, at(market.tuesday + timedelta(days=14), 9), hours=2)
    response = _browser(market.member_a).get("/work/plan/")
    assert response.context["plan"].week_start == _monday(later.start)


def test_plan_without_any_open_shift_opens_this_week(market):
    Shift.objects.filter(pk=market.shift.pk).update(filled=2)
    response = _browser(market.member_a).get("/work/plan/")
    assert response.context["plan"].week_start == _monday(timezone.localdate())


def test_claiming_the_whole_plan_shows_the_week_just_claimed(market):
    browser = _browser(market.member_a)
    response = browser.post("/work/plan/?target_hours=10", {"shift": [market.shift.pk]})
    monday = _monday(market.tuesday).isoformat()
    assert response.status_code == 302
    assert response["Location"] == f"/work/plan/?target_hours=10&week={monday}"
    page = browser.get(response["Location"])
    assert page.context["plan"].week_start.isoformat() == monday
    assert [s.pk for s in page.context["plan"].commitments] == [market.shift.pk]
    assert "al van jou" in page.content.decode()
    assert Claim.objects.filter(shift=market.shift, user=market.member_a).exists()


def test_plan_shows_income_as_an_amount(market):
    page = _browser(market.member_a).get("/work/plan/").content.decode()
    income = page.split("<dt>Inkomen</dt><dd>")[1].split("</dd>")[0]
    assert income.startswith("€")
    assert "cents" not in income


# --- hours and minutes ---------------------------------------------------------------


@pytest.fixture
def worked(market):
    start = timezone.now().replace(microsecond=0) - timedelta(days=1, hours=4)
    Shift.objects.filter(pk=market.shift.pk).update(start=start, end=start + timedelta(hours=3))
    market.shift.refresh_from_db()
    market.claim = ClaimFactory(shift=market.shift, user=market.member_a, confirmed=True)
    return market


def _log(world, **values):
    response = _browser(world.member_a).post(
        f"/work/claims/{world.claim.pk}/hours", {"next": "/work/week/", **values}
    )
    assert response.status_code == 302
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("values", "minutes"),
    [
        ({"hours": "2", "minutes": "30"}, 150),
        ({"hours": "2:30"}, 150),
        ({"hours": "3", "minutes": ""}, 180),
        ({"hours": "", "minutes": "45"}, 45),
    ],
)
def test_hours_and_minutes_are_entered_apart_or_as_h_mm(worked, values, minutes):
    _log(worked, break_minutes="15", **values)
    sheet = Timesheet.objects.get(claim=worked.claim)
    assert sheet.minutes_worked == minutes
    assert sheet.break_minutes == 15


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"hours": "2:75"}, "Uren"),
        ({"hours": "twee"}, "Uren"),
        ({"hours": "2", "minutes": "75"}, "Minuten"),
        ({"hours": "2:30", "minutes": "15"}, "Minuten"),
        ({"hours": "0", "minutes": "0"}, "Uren"),
        ({"hours": "2", "break_minutes": "-5"}, "Pauze (minuten)"),
    ],
)
def test_wrong_hours_name_the_field_and_save_nothing(worked, values, field):
    before = row_counts(Timesheet)
    messages = _log(worked, **values)
    assert row_counts(Timesheet) == before
    assert len(messages) == 1
    assert messages[0].startswith(f"{field}: ")


def test_too_many_hours_are_refused_in_hours_and_minutes(worked):
    messages = _log(worked, hours="4", minutes="1")  # the shift (3 h) plus one hour is 4 h
    assert not Timesheet.objects.filter(claim=worked.claim).exists()
    assert messages == ["Hooguit 4 u: de dienst plus één uur."]


def test_the_week_page_offers_hours_and_minutes_fields(worked):
    page = (
        _browser(worked.member_a)
        .get(f"/work/week/?date={worked.claim.start.date().isoformat()}")
        .content.decode()
    )
    form = page.split(f'id="claim-{worked.claim.pk}"')[1].split("</form>")[0]
    assert 'name="hours"' in form
    assert 'value="3"' in form
    assert 'name="minutes"' in form
    assert "minutes_worked" not in form
    assert "3 u" in form  # the planned time, as a duration
