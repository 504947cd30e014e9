"""Engagement per claim: a job says how members may do it (payroll, self-employed,
volunteer); each claim carries one, its member's usual one or the one they choose; pay,
settlement, the volunteer maximums, payouts and the income statement follow the claim."""

import io
from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from jobs.models import Claim, Job, Shift
from jobs.services.dispatching import dispatch_run_execute
from jobs.services.planner import plan_week
from members.models import Membership
from payouts.models import Split
from payouts.selectors.quotes import quote_shift
from tests.conftest import api_as, row_counts
from tests.factories.api import login_verified
from tests.factories.jobs import ClaimFactory
from tests.factories.payouts import SplitFactory
from tests.factories.work import at, ensure_founded, make_shift

pytestmark = pytest.mark.django_db


def _usual(world, engagement, user=None):
    Membership.objects.filter(user=user or world.member_a, cooperative=world.coop_a).update(
        engagement=engagement
    )


def _allow(world, *engagements):
    Job.objects.filter(pk=world.job.pk).update(engagements=list(engagements))
    world.job.refresh_from_db()


def _claim(world, shift, **extra):
    return api_as(world.member_a).post("/api/v1/claims/", {"shift": shift.pk, **extra})


def _work(claim: Claim) -> Split:
    """The claim worked as posted, approved and settled."""
    posted = int((claim.end - claim.start).total_seconds() // 60)
    return SplitFactory(
        timesheet__claim=claim,
        timesheet__minutes_worked=posted,
        timesheet__break_minutes=posted - claim.quote["minutes"],
    )


def test_a_claim_takes_the_member_s_usual_engagement_or_the_one_they_choose(market):
    _usual(market, "self_employed")
    response = _claim(market, market.shift)
    assert response.status_code == 201, response.data
    assert response.data["engagement"] == "self_employed"
    other = make_shift(market.job, at(market.tuesday, 14), hours=2)
    response = _claim(market, other, engagement="volunteer")
    assert response.status_code == 201
    assert response.data["engagement"] == "volunteer"
    assert Claim.objects.get(pk=response.data["id"]).engagement == "volunteer"


def test_an_engagement_the_job_does_not_allow_is_refused_naming_the_field(market):
    _usual(market, "self_employed")
    _allow(market, "employee", "volunteer")
    before = row_counts(Claim)
    response = _claim(market, market.shift)  # their usual one is not allowed: choose
    assert response.status_code == 400
    error = response.data["error"]
    assert error["field"] == "engagement"
    assert error["code"] == "engagement_required"
    assert "vrijwilliger" in error["message"] or "volunteer" in error["message"]
    response = _claim(market, market.shift, engagement="self_employed")
    assert response.status_code == 400
    assert response.data["error"]["code"] == "engagement_not_allowed"
    assert row_counts(Claim) == before
    market.shift.refresh_from_db()
    assert market.shift.filled == 0
    response = _claim(market, market.shift, engagement="employee")
    assert response.status_code == 201
    assert response.data["engagement"] == "employee"


def test_only_the_board_narrows_how_a_job_may_be_done(market):
    job = f"/api/v1/jobs/{market.job.pk}/"
    response = api_as(market.client_user).patch(job, {"engagements": ["volunteer"]})
    assert response.status_code == 403
    assert response.data["error"]["field"] == "engagements"
    response = api_as(market.board_a).patch(job, {"engagements": []})
    assert response.status_code == 400
    assert response.data["error"]["field"] == "engagements"
    response = api_as(market.board_a).patch(job, {"engagements": ["volunteer", "employee"]})
    assert response.status_code == 200, response.data
    assert response.data["engagements"] == ["employee", "volunteer"]
    assert Job.objects.get(pk=market.job.pk).engagements == ["employee", "volunteer"]


@pytest.mark.parametrize("engagement", ["employee", "self_employed", "volunteer"])
def test_the_price_shown_for_each_engagement_is_the_price_paid(market, engagement):
    ensure_founded(market.coop_a)
    _usual(market, "self_employed")
    shown = quote_shift(
        market.member_a,
        Shift.objects.select_related("job__client").get(pk=market.shift.pk),
        engagement=engagement,
    )
    assert shown.engagement == engagement
    response = _claim(market, market.shift, engagement=engagement)
    assert response.status_code == 201, response.data
    split = _work(Claim.objects.get(pk=response.data["id"]))
    assert split.engagement == engagement
    assert split.member_cents == shown.member_cents
    assert split.gross_cents == shown.gross_cents


def _volunteer_day(world, day: date, hours: float = 3, engagement="volunteer") -> Split:
    start = datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone())
    shift = make_shift(world.job, start, hours=hours)
    claim = ClaimFactory(
        shift=shift,
        user=world.member_a,
        engagement=engagement,
        completed=True,
        quote={"minutes": int(hours * 60)},
    )
    return _work(claim)


def test_volunteer_maximums_count_the_member_s_allowances_only(market):
    """A member who volunteers and works self-employed in one month: only the allowances
    count toward the monthly maximum (€ 220 in 2026), the fees never."""
    ensure_founded(market.coop_a)
    _usual(market, "self_employed")
    day = date(2026, 3, 2)
    fees = [
        _volunteer_day(market, day + timedelta(days=d), engagement="self_employed")
        for d in range(3)
    ]
    assert all(s.withheld_cents == 0 for s in fees)
    allowances = [_volunteer_day(market, day + timedelta(days=7 + d)) for d in range(3)]
    received = sum(s.member_cents for s in allowances)
    assert received == 22000  # the 2026 monthly maximum, reached by allowances alone
    assert sum(s.withheld_cents for s in allowances) == 3 * 8640 - 22000
    assert all(s.withheld_cents == 0 for s in fees)


def test_the_member_is_told_before_claiming_when_a_volunteer_maximum_would_be_crossed(
    market, client
):
    ensure_founded(market.coop_a)
    _usual(market, "volunteer")
    first_of_month = market.tuesday.date().replace(day=1)
    earlier = [
        _volunteer_day(market, first_of_month + timedelta(days=d)) for d in range(2)
    ]  # € 172,80 of € 220
    assert sum(s.member_cents for s in earlier) == 17280
    shift = Shift.objects.select_related("job__client").get(pk=market.shift.pk)
    quote = quote_shift(market.member_a, shift)
    assert quote.crosses_volunteer_maximum
    assert quote.member_cents == 22000 - 17280
    row = api_as(market.member_a).get(f"/api/v1/shifts/{shift.pk}/price/").data
    assert row["crosses_volunteer_maximum"] is True
    assert row["engagement"] == "volunteer"
    login_verified(client, market.member_a)
    page = client.get(f"/work/shifts/{shift.pk}/").content.decode()
    assert "hele vergoeding belast" in page or "taxable" in page


def test_the_shift_page_offers_the_choice_with_each_engagement_s_amount(market):
    ensure_founded(market.coop_a)
    _usual(market, "self_employed")
    _allow(market, "employee", "volunteer")
    browser = Client()
    login_verified(browser, market.member_a)
    page = browser.get(f"/work/shifts/{market.shift.pk}/").content.decode()
    assert page.count('name="engagement"') == 2
    assert 'value="employee"' in page
    before = row_counts(Claim)
    browser.post(f"/work/shifts/{market.shift.pk}/claim/")  # no choice made: refused
    assert row_counts(Claim) == before
    browser.post(f"/work/shifts/{market.shift.pk}/claim/", {"engagement": "volunteer"})
    assert Claim.objects.get(shift=market.shift, user=market.member_a).engagement == "volunteer"


def test_dispatch_and_plan_my_week_offer_only_work_the_member_may_take_as_usual(market):
    ensure_founded(market.coop_a)
    for user in (market.member_a, market.board_a, market.treasurer_a, market.auditor_a):
        _usual(market, "self_employed", user=user)
    _usual(market, "volunteer")
    _allow(market, "self_employed")
    plan = plan_week(user=market.member_a, week_start=market.tuesday.date() - timedelta(days=1))
    assert market.shift.pk not in {s.pk for s in plan.shifts}
    day = market.tuesday.date().isoformat()
    response = api_as(market.board_a).post(
        "/api/v1/cooperatives/alpha/dispatch/", {"period_start": day, "period_end": day}
    )
    run = dispatch_run_execute(run_id=response.data["id"])
    offered = set(run.offers.values_list("user_id", flat=True))
    assert offered
    assert market.member_a.pk not in offered
    for offer in run.offers.all():
        response = api_as(offer.user).post(f"/api/v1/offers/{offer.pk}/respond/", {"accept": True})
        assert response.status_code == 200, response.data
        assert Claim.objects.get(shift=market.shift, user=offer.user).engagement == "self_employed"


def test_the_income_statement_shows_wage_fees_and_allowances_apart(market, client):
    ensure_founded(market.coop_a)
    day = date(2026, 3, 2)
    for offset, engagement in enumerate(["employee", "self_employed", "volunteer"]):
        _volunteer_day(market, day + timedelta(days=offset), engagement=engagement)
    login_verified(client, market.member_a)
    response = client.get("/work/earnings/statement.pdf", {"month": "2026-03"})
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for heading in (
        "Loon via de salarisverwerker",
        "Vergoedingen als zelfstandige",
        "Vrijwilligersvergoedingen",
    ):
        assert heading in text
    assert text.count("Subtotaal") == 3
    earnings = api_as(market.member_a).get("/api/v1/me/earnings/", {"year": 2026}).data
    assert [e["engagement"] for e in earnings["by_engagement"]] == [
        "employee",
        "self_employed",
        "volunteer",
    ]
    assert {s["engagement"] for s in earnings["shifts"]} == {
        "employee",
        "self_employed",
        "volunteer",
    }
