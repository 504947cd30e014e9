"""Benefit-aware earnings limits (bijstand): the room this month, the smallest room in
dispatch and plan my week, and the warning in euros before and on claiming."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from jobs.eligibility import work_context
from jobs.models import Claim, DispatchRun
from jobs.services.dispatching import build_instance
from jobs.services.planner import plan_week
from members.models import BenefitArrangement, Membership, Profile
from members.selectors import member_work_context_forget
from payouts.models import Split
from payouts.selectors.benefit_room import benefit_room, max_pay_rooms
from payouts.selectors.quotes import quote_shift
from tests.conftest import api_as
from tests.factories.jobs import ClaimFactory
from tests.factories.work import make_shift

pytestmark = pytest.mark.django_db


def _months_ago(months: int) -> date:
    first = timezone.localdate().replace(day=1)
    index = first.year * 12 + first.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _arrange(user, *, keep=25, maximum=25000, starts_on=None, months=12):
    return BenefitArrangement.objects.create(
        user=user,
        keep_percent=keep,
        monthly_max_cents=maximum,
        starts_on=starts_on or _months_ago(1),
        months=months,
        municipality="Utrecht",
    )


@pytest.fixture
def this_month(settled):
    if timezone.localdate().day <= 4:
        pytest.skip("the settled work of the fixture falls partly in last month")
    return settled


def _member_share(user, **filters) -> int:
    month = timezone.localdate().replace(day=1)
    return (
        Split.objects.filter(member=user, work_date__gte=month, **filters).aggregate(
            t=Sum("member_cents")
        )["t"]
        or 0
    )


def test_room_is_the_maximum_over_the_share_kept_minus_the_member_share_earned(this_month):
    member = this_month.member_a
    _arrange(member, keep=25, maximum=25000)  # € 250 kept of 25 %: € 1.000 may be earned
    earned = _member_share(member)
    assert earned > 0
    room = benefit_room(member)
    assert room.limit_cents == 100000
    assert (room.settled_cents, room.unsettled_cents) == (earned, 0)
    assert room.room_cents == 100000 - earned


def test_volunteer_allowances_do_not_count(this_month):
    member = this_month.member_a
    _arrange(member)
    split = Split.objects.filter(member=member).first()
    before = benefit_room(member).room_cents
    Split.objects.filter(pk=split.pk).update(engagement="volunteer")
    assert benefit_room(member).room_cents == before + split.member_cents


def test_claims_not_settled_yet_count_at_the_price_truth(this_month):
    member = this_month.member_a
    _arrange(member)
    start = timezone.now().replace(microsecond=0) + timedelta(hours=2)
    if start.astimezone(timezone.get_current_timezone()).month != timezone.localdate().month:
        pytest.skip("no hours left this month")
    shift = make_shift(this_month.job, start, hours=3)
    price = quote_shift(member, shift).member_cents
    before = benefit_room(member)
    ClaimFactory(shift=shift, user=member, confirmed=True)
    after = benefit_room(member)
    assert after.unsettled_cents == price > 0
    assert after.room_cents == before.room_cents - price


def test_only_while_the_period_covers_the_month(world):
    member = world.member_a
    arrangement = _arrange(member, starts_on=_months_ago(11) + timedelta(days=14), months=12)
    assert arrangement.last_month == timezone.localdate().replace(day=1)
    assert benefit_room(member) is not None  # the last month still counts
    arrangement.months = 11
    arrangement.save()
    assert benefit_room(member) is None  # ended last month
    arrangement.starts_on = _months_ago(-1)  # starts next month
    arrangement.months = 3
    arrangement.save()
    assert benefit_room(member) is None
    assert benefit_room(member, today=_months_ago(-1)) is not None


def test_the_room_is_never_negative_and_the_effect_is_in_euros(world):
    from payouts.selectors.benefit_room import BenefitRoom

    room = BenefitRoom(
        month=date(2026, 3, 1),
        keep_percent=25,
        monthly_max_cents=25000,
        limit_cents=100000,
        settled_cents=96000,
        unsettled_cents=0,
    )
    effect = room.effect(8000, "self_employed")
    assert (effect["above_cents"], effect["deducted_cents"]) == (4000, 3000)
    assert "€ 40,00" in effect["message"] or "€40.00" in effect["message"]
    assert room.effect(4000, "employee") is None
    assert room.effect(8000, "volunteer") is None
    over = BenefitRoom(date(2026, 3, 1), 25, 25000, 100000, 120000, 0)
    assert over.room_cents == 0


def test_dispatch_and_plan_take_the_smallest_room(market):
    member = market.member_a
    _arrange(member, keep=50, maximum=1500)  # € 30 may be earned this month
    room = benefit_room(member).room_cents
    assert room == 3000
    assert work_context(member, earnings=True).earnings_room_cents == 3000
    # A yearly cap with less room wins.
    Profile.objects.filter(user=member).update(yearly_earnings_cap=Decimal("20.00"))
    member_work_context_forget(member.pk)
    assert work_context(member, earnings=True).earnings_room_cents == 2000
    Profile.objects.filter(user=member).update(yearly_earnings_cap=None)
    run = DispatchRun.objects.create(
        cooperative=market.coop_a,
        period_start=market.tuesday.date(),
        period_end=market.tuesday.date(),
    )
    instance, _rows = build_instance(run)
    row = next(m for m in instance["members"] if m["id"] == str(member.pk))
    if market.tuesday.month == timezone.localdate().month:
        assert row["max_pay_cents"] == 3000
    plan = plan_week(user=member, week_start=market.tuesday.date() - timedelta(days=1))
    assert plan.cap_left_cents == 3000
    assert plan.income_cents <= 3000


def test_volunteer_maximums_count_only_for_members_who_volunteer(market):
    member = market.member_a
    assert member.pk not in max_pay_rooms([member.pk])
    Membership.objects.filter(user=member).update(engagement="volunteer")
    rooms = max_pay_rooms([member.pk])
    assert rooms[member.pk] > 0
    assert work_context(member, earnings=True).earnings_room_cents == rooms[member.pk]


def test_claiming_beyond_the_room_warns_with_euros_but_is_allowed(market, client):
    member = market.member_a
    shift = market.shift
    if timezone.localtime(shift.start).month != timezone.localdate().month:
        # The room is of the shift's month: record an arrangement covering both.
        pass
    _arrange(member, keep=25, maximum=250, starts_on=_months_ago(1), months=6)  # € 10 room
    price = quote_shift(member, shift).member_cents
    above = price - 1000
    deducted = above * 75 // 100
    euros = f"{above // 100},{above % 100:02d}"
    # Before claiming: the price API, the feed row, the shift page.
    api = api_as(member)
    priced = api.get(f"/api/v1/shifts/{shift.pk}/price/")
    assert priced.status_code == 200, priced.content
    assert priced.data["above_benefit_room"] == f"{above // 100}.{above % 100:02d}"
    assert priced.data["benefit_deduction"] == f"{deducted // 100}.{deducted % 100:02d}"
    feed = api.get("/api/v1/feed/")
    row = next(r for r in feed.data["results"] if r["id"] == shift.pk)
    assert row["above_benefit_room"] == priced.data["above_benefit_room"]
    client.force_login(member)
    page = client.get(f"/work/shifts/{shift.pk}/").content.decode()
    assert 'id="benefit-room-warning"' in page
    assert euros in page
    # Claiming: allowed, with the warning.
    claimed = api.post("/api/v1/claims/", {"shift": shift.pk})
    assert claimed.status_code in (200, 201), claimed.content
    assert any(euros in w and "25" in w for w in claimed.data["warnings"])


def test_the_web_claim_warns_and_the_pages_show_the_room(market, client):
    member = market.member_a
    _arrange(member, keep=25, maximum=250, starts_on=_months_ago(1), months=6)
    client.force_login(member)
    for url in ("/work/", "/work/week/", "/work/plan/", "/"):
        page = client.get(url, follow=True).content.decode()
        assert "€ 10,00" in page or "€10.00" in page, url
    answer = client.post(f"/work/shifts/{market.shift.pk}/claim/", follow=True)
    assert Claim.objects.filter(shift=market.shift, user=member).exists()
    warnings = [str(m) for m in answer.context["messages"] if m.level_tag == "warning"]
    assert any("25" in w for w in warnings), warnings


def test_the_year_overview_pdf_has_a_row_per_month_and_what_counts(this_month, client):
    import io

    from pypdf import PdfReader

    from werkstation.money import format_money

    member = this_month.member_a
    splits = list(Split.objects.filter(member=member).order_by("pk"))
    Split.objects.filter(pk=splits[0].pk).update(engagement="volunteer")
    Split.objects.filter(pk=splits[1].pk).update(engagement="employee")
    Split.objects.filter(pk=splits[2].pk).update(engagement="self_employed")
    year = timezone.localdate().year
    client.force_login(member)
    response = client.get("/work/earnings/statement.pdf", {"year": str(year)})
    assert response["Content-Type"] == "application/pdf"
    assert f"inkomsten-{year}.pdf" in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert f"Inkomstenoverzicht {year}" in text
    assert member.full_name in text
    for month in ("januari", "juni", "december"):
        assert month in text
    for header in ("Bruto", "Loon", "Zelfstandige", "Vrijwilliger", "Telt mee"):
        assert header in text
    month_name = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ][timezone.localdate().month - 1]
    lines = [ln.strip() for ln in text.splitlines()]
    at_month = lines.index(month_name)
    cells = lines[at_month + 1 : at_month + 6]  # pypdf reads the cells one per line
    counts = splits[1].member_cents + splits[2].member_cents
    gross = sum(s.gross_cents for s in splits)
    expected = [
        format_money(gross, language="nl"),
        format_money(splits[1].member_cents, language="nl"),
        format_money(splits[2].member_cents, language="nl"),
        format_money(splits[0].member_cents, language="nl"),
        format_money(counts, language="nl"),
    ]
    assert cells == expected, cells


def test_plan_my_week_says_why_the_room_leaves_shifts_out(market, client):
    # With € 10 room no shift fits; the plan used to say only "no open shifts fit this
    # week" while the feed showed plenty: a dead end without a reason.
    member = market.member_a
    _arrange(member, keep=25, maximum=250, starts_on=_months_ago(1), months=6)
    client.force_login(member)
    week = (market.tuesday.date() - timedelta(days=1)).isoformat()
    page = client.get(f"/work/plan/?week={week}").content.decode()
    limit = page.split('id="plan-limit"', 1)[1].split("</p>", 1)[0]
    assert "(€ 10,00)" in limit
    if 'id="plan-empty"' in page:
        assert 'href="/work/">' in page.split('id="plan-empty"', 1)[1].split("</li>", 1)[0]
