"""The Working Time Act across all of a member's jobs: each rule at its edges, across midnight
and across two clients; refused where it binds, a warning for self-employed work alone."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.html import escape

from jobs.eligibility import working_time as wt
from jobs.models import Claim
from jobs.selectors.working_time import near_limits
from jobs.services.dispatching import dispatch_run_execute
from jobs.services.planner import plan_week
from members.models import Membership, Profile
from tests.conftest import api_as, row_counts
from tests.factories.api import login_verified
from tests.factories.jobs import ClaimFactory
from tests.factories.work import at, make_shift, payroll_evening_elsewhere

AMS = ZoneInfo("Europe/Amsterdam")
ADULT = wt.Limits(
    max_shift=12 * 60,
    max_week=60 * 60,
    average_4=55 * 60,
    average_16=48 * 60,
    daily_rest=11 * 60,
    daily_rest_short=8 * 60,
    weekly_rest_7=36 * 60,
    weekly_rest_14=72 * 60,
)
MINOR = wt.Limits(
    max_shift=9 * 60,
    max_week=45 * 60,
    average_4=40 * 60,
    average_16=None,
    daily_rest=12 * 60,
    daily_rest_short=None,
    weekly_rest_7=36 * 60,
    weekly_rest_14=72 * 60,
)
CALENDAR = wt.Calendar("Europe/Amsterdam")
MONDAY = datetime(2026, 3, 2, tzinfo=AMS)  # a week without a clock change


def work(day: int, hour: float, hours: float, key=None) -> wt.Work:
    start = MONDAY + timedelta(days=day, hours=hour)
    end = start + timedelta(hours=hours)
    return wt.Work(key or f"{day}@{hour}", wt.epoch_minute(start), wt.epoch_minute(end))


def check(existing, new, limits=ADULT):
    return wt.Checker(limits, existing, CALENDAR).check(new)


def test_two_shifts_on_one_day_with_an_hour_between_them_pass():
    assert check([work(1, 8, 4)], work(1, 13, 4)) is None


def test_a_shift_ending_at_23_followed_by_one_at_8_passes_as_the_week_s_short_rest():
    assert check([work(1, 15, 8)], work(2, 8, 4)) is None  # 9 hours: shortened, once


def test_a_rest_shorter_than_eight_hours_fails_and_names_the_other_shift():
    earlier = work(1, 15.5, 8, key="evening")  # ends 23:30
    breach = check([earlier], work(2, 7, 4))  # 7.5 hours later
    assert breach.rule == wt.DAILY_REST
    assert breach.other.key == "evening"
    assert breach.measured == 7 * 60 + 30


def test_the_short_rest_is_allowed_once_in_seven_days():
    week = [work(0, 15, 8), work(1, 8, 4)]  # Monday 23:00 → Tuesday 08:00: 9 hours
    assert check(week[:1], week[1]) is None
    breach = check([*week, work(3, 15, 8)], work(4, 8, 4))  # Thursday → Friday: again
    assert breach is not None
    assert breach.rule == wt.DAILY_REST
    assert check([*week, work(3, 15, 8)], work(4, 10, 4)) is None  # 11 hours: fine


def test_across_midnight_a_night_shift_counts_its_rest_from_its_end():
    night = work(1, 22, 6, key="night")  # Tuesday 22:00 – Wednesday 04:00
    assert check([night], work(2, 14, 4)) is None  # 10 hours: the short rest
    breach = check([night], work(2, 11, 4))  # 7 hours
    assert breach.rule == wt.DAILY_REST
    assert breach.other.key == "night"


def test_a_shift_of_twelve_hours_passes_and_a_quarter_more_fails():
    assert check([], work(1, 7, 12)) is None
    breach = check([], work(1, 7, 12.25))
    assert breach.rule == wt.SHIFT
    assert breach.measured == 12 * 60 + 15


def test_sixty_hours_a_week_pass_and_a_quarter_more_fails():
    days = [work(d, 7, 12) for d in range(4)]  # Monday to Thursday, 48 hours
    assert check(days, work(4, 7, 12)) is None  # 60
    breach = check(days, work(4, 6.75, 12.25))
    assert breach.rule in (wt.SHIFT, wt.WEEK_TOTAL)
    breach = check([*days, work(4, 7, 12)], work(5, 9, 0.25))  # Saturday: 60 h 15
    assert breach.rule == wt.WEEK_TOTAL
    assert breach.measured == 60 * 60 + 15


def _week(offset: int, hours_per_day: float, days: int = 5) -> list[wt.Work]:
    return [work(7 * offset + d, 7, hours_per_day) for d in range(days)]


def test_fifty_five_hours_on_average_over_four_weeks():
    busy = _week(0, 12) + _week(1, 12) + _week(2, 12)  # 180 hours in three weeks
    assert check(busy + _week(3, 8, 4), work(25, 7, 8)) is None  # 40 in the fourth: 220
    breach = check(busy + _week(3, 8, 4), work(25, 7, 9))  # 221
    assert breach.rule == wt.AVERAGE_4
    assert breach.measured == 221 * 60


def test_forty_eight_hours_on_average_over_sixteen_weeks():
    weeks = [w for k in range(15) for w in _week(k, 10.25)]  # 51 h 15 a week
    breach = check(weeks, work(7 * 15, 7, 10.25))
    assert breach.rule == wt.AVERAGE_16
    assert check(weeks[:-30], work(7 * 15, 7, 10.25)) is None  # six weeks fewer: fine


def test_weekly_rest_of_36_hours_or_72_over_two_weeks():
    # Work every day 09:00–16:30 for five weeks: never a rest of 36 hours, nor 72 in two weeks.
    daily = {day: work(day, 9, 7.5) for day in range(-8, 27)}
    new = daily.pop(9)  # a Wednesday in the middle
    breach = check(list(daily.values()), new)
    assert breach.rule == wt.WEEKLY_REST
    assert breach.measured == 16 * 60 + 30
    # A free Saturday before that week: Friday 16:30 to Sunday 09:00 is 40 h 30 in a row.
    del daily[5]
    assert check(list(daily.values()), new) is None


def test_members_under_18_have_the_stricter_figures():
    assert check([], work(1, 8, 9), MINOR) is None
    assert check([], work(1, 8, 9.25), MINOR).rule == wt.SHIFT
    # 11 hours of rest is enough for an adult, not for a minor (12, never shortened).
    assert check([work(1, 14, 8)], work(2, 9, 4), ADULT) is None
    assert check([work(1, 14, 8)], work(2, 9, 4), MINOR).rule == wt.DAILY_REST


# --- claims: across two clients, by engagement -----------------------------------------


@pytest.fixture
def evening_elsewhere(market):
    """The member worked until 23:30 for another client the evening before a market shift at
    07:00 (7.5 hours of rest)."""
    market.evening = payroll_evening_elsewhere(market)
    market.early = make_shift(market.job, at(market.tuesday, 7), hours=4)
    return market


def test_a_payroll_claim_that_breaks_the_daily_rest_is_refused_naming_the_rule_and_shift(
    evening_elsewhere,
):
    market = evening_elsewhere
    before = row_counts(Claim)
    response = api_as(market.member_a).post(
        "/api/v1/claims/", {"shift": market.early.pk, "engagement": "employee"}
    )
    assert response.status_code == 409, response.data
    error = response.data["error"]
    assert error["code"] == "working_time_daily_rest"
    assert error["field"] == "shift"
    assert "Trappenhuis schoonmaken" in error["message"]
    assert "7 u 30 min" in error["message"] or "7 h 30 min" in error["message"]
    assert row_counts(Claim) == before


def test_volunteer_work_keeps_the_same_limits_as_the_cooperative_s_policy(evening_elsewhere):
    market = evening_elsewhere
    Claim.objects.filter(pk=market.evening.pk).update(engagement="volunteer")
    response = api_as(market.member_a).post(
        "/api/v1/claims/", {"shift": market.early.pk, "engagement": "volunteer"}
    )
    assert response.status_code == 409
    assert response.data["error"]["code"] == "working_time_daily_rest"


def test_self_employed_work_alone_is_warned_not_stopped(evening_elsewhere):
    market = evening_elsewhere
    Claim.objects.filter(pk=market.evening.pk).update(engagement="self_employed")
    Membership.objects.filter(user=market.member_a, cooperative=market.coop_a).update(
        engagement="self_employed"
    )
    response = api_as(market.member_a).post("/api/v1/claims/", {"shift": market.early.pk})
    assert response.status_code == 201, response.data
    assert response.data["warnings"]
    assert "Trappenhuis" in response.data["warnings"][0]


def test_self_employed_hours_count_when_the_member_has_payroll_work_then(evening_elsewhere):
    market = evening_elsewhere  # the evening before is payroll work
    response = api_as(market.member_a).post(
        "/api/v1/claims/", {"shift": market.early.pk, "engagement": "self_employed"}
    )
    assert response.status_code == 409
    assert response.data["error"]["code"] == "working_time_daily_rest"


def test_plan_my_week_proposes_only_plans_that_keep_every_rule(evening_elsewhere):
    """The 07:00 shift pays more than the 09:00 one it overlaps, but leaves 7.5 hours of rest
    after the payroll evening: the planner drops it and solves again."""
    market = evening_elsewhere
    week = market.tuesday.date() - timedelta(days=1)
    plan = plan_week(user=market.member_a, week_start=week)
    chosen = {s.pk for s in plan.shifts}
    assert market.early.pk not in chosen
    assert market.shift.pk in chosen
    # Without the evening the early shift is the better one, and it is planned.
    Claim.objects.filter(pk=market.evening.pk).update(status="withdrawn")
    plan = plan_week(user=market.member_a, week_start=week)
    assert market.early.pk in {s.pk for s in plan.shifts}


def test_dispatch_never_offers_a_shift_that_breaks_a_rule(evening_elsewhere):
    market = evening_elsewhere
    # Only the member is placed: the early shift is theirs or nobody's.
    Profile.objects.exclude(user=market.member_a).update(latitude=None, longitude=None)
    day = market.tuesday.date().isoformat()
    response = api_as(market.board_a).post(
        "/api/v1/cooperatives/alpha/dispatch/", {"period_start": day, "period_end": day}
    )
    run = dispatch_run_execute(run_id=response.data["id"])
    offered = set(run.offers.values_list("user_id", "shift_id"))
    assert (market.member_a.pk, market.early.pk) not in offered
    assert (market.member_a.pk, market.shift.pk) in offered


def test_the_board_sees_who_came_near_a_limit_without_their_other_work(evening_elsewhere, client):
    """A member who worked 56 hours in a week (of 60) for two clients is on the board's
    list, by name and rule only; a member of another cooperative's board sees nothing."""
    market = evening_elsewhere
    now = timezone.now()
    monday = now - timedelta(days=now.weekday() + 7)  # last week
    for day in range(5):
        start = monday.replace(hour=6, minute=0) + timedelta(days=day)
        shift = make_shift(market.job, start, hours=11.25)
        ClaimFactory(shift=shift, user=market.member_a, engagement="employee", completed=True)
    near = near_limits(market.coop_a.pk, now=now)
    rules = {(n.user_id, n.rule) for n in near}
    assert (market.member_a.pk, "week_hours") in rules
    assert all(n.user_id == market.member_a.pk for n in near)
    response = api_as(market.board_a).get("/api/v1/cooperatives/alpha/working-time/")
    assert response.status_code == 200
    row = next(r for r in response.data["results"] if r["rule"] == "week_hours")
    assert row["name"] == market.member_a.full_name
    assert row["limit_minutes"] == 3600
    assert set(row) == {"member", "name", "rule", "measured_minutes", "limit_minutes"}
    assert (
        api_as(market.member_a).get("/api/v1/cooperatives/alpha/working-time/").status_code == 403
    )
    login_verified(client, market.board_a)
    page = client.get("/c/alpha/dashboard/").content.decode()
    assert escape(market.member_a.full_name) in page
    assert "Trappenhuis" not in page
