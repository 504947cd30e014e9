"""Volunteers: an allowance within the cooperative's monthly and yearly maximums, nothing beyond."""

import threading
from datetime import date, datetime, time, timedelta

import pytest
from django.db import close_old_connections, connection
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from jobs.models import Claim, Shift
from members.models import Membership
from payouts.models import Entry, MoneySettings, Split, Transaction
from payouts.services.settlement import settlement_run
from tests.conftest import api_as, row_counts
from tests.factories.api import login_verified
from tests.factories.money import approved_timesheet
from tests.factories.work import ensure_founded

pytestmark = pytest.mark.django_db

SHARE = 8640  # € 96.00 for 3 h at € 32, minus 8% and 2%


def _worked_on(world, day: date, user=None):
    sheet = approved_timesheet(world, user=user)
    start = datetime.combine(day, time(10), tzinfo=timezone.get_current_timezone())
    Claim.objects.filter(pk=sheet.claim_id).update(start=start, end=start + timedelta(hours=3))
    Shift.objects.filter(pk=sheet.claim.shift_id).update(
        start=start, end=start + timedelta(hours=3)
    )
    return sheet


@pytest.fixture
def volunteer(market):
    ensure_founded(market.coop_a)
    Membership.objects.filter(user=market.member_a, cooperative=market.coop_a).update(
        engagement="volunteer"
    )
    return market


def _balance(coop, kind, key):
    return (
        Entry.objects.filter(
            account__cooperative=coop, account__kind=kind, account__key=str(key)
        ).aggregate(s=Sum("amount_cents"))["s"]
        or 0
    )


def test_volunteer_allowance_stops_at_the_monthly_maximum_and_the_rest_stays_with_the_fund(
    volunteer,
):
    october = [_worked_on(volunteer, date(2025, 10, d)) for d in (6, 7, 8, 9)]
    november = _worked_on(volunteer, date(2025, 11, 3))
    colleague = _worked_on(volunteer, date(2025, 10, 6), user=volunteer.board_a)  # self-employed
    settlement_run()
    splits = [Split.objects.get(timesheet=s) for s in [*october, november]]
    assert [s.member_cents for s in splits] == [SHARE, SHARE, 21000 - 2 * SHARE, 0, SHARE]
    assert [s.withheld_cents for s in splits] == [0, 0, 3 * SHARE - 21000, SHARE, 0]
    assert [s.withheld_reason for s in splits] == ["", "", "volunteer_month", "volunteer_month", ""]
    assert Split.objects.get(timesheet=colleague).member_cents == SHARE  # not a volunteer: no cap
    for split in splits:
        assert (
            sum(split.pots.values()) + split.member_cents + split.withheld_cents
            == split.gross_cents
        )
    # October's allowance is exactly the maximum; what was withheld went to the cooperative fund.
    withheld = sum(s.withheld_cents for s in splits)
    assert -_balance(volunteer.coop_a, "earned", volunteer.member_a.pk) == sum(
        s.member_cents for s in splits
    )
    assert -_balance(volunteer.coop_a, "fund", "coop_fund") == 6 * 768 + withheld
    legs = Transaction.objects.get(reference=f"withheld:{splits[3].pk}").entries.select_related(
        "account"
    )
    assert {(e.account.kind, e.account.key, e.amount_cents) for e in legs} == {
        ("earned", str(volunteer.member_a.pk), SHARE),
        ("fund", "coop_fund", -SHARE),
    }
    assert settlement_run() == 0
    # The why page and API say what was withheld, why, and where it went.
    why = api_as(volunteer.member_a).get(f"/api/v1/me/earnings/{splits[2].pk}/").data
    assert why["net"] == "37.20"
    assert why["withheld"] == "49.20"
    assert "maximum for the month" in why["withheld_reason"] or "maand" in why["withheld_reason"]
    assert any(leg["reference"] == f"withheld:{splits[2].pk}" for leg in why["ledger"])


def test_the_yearly_maximum_counts_across_months_and_a_new_year_starts_again(volunteer):
    response = api_as(volunteer.board_a).put(
        "/api/v1/cooperatives/alpha/money-settings/",
        {"volunteer_month_max_cents": 21000, "volunteer_year_max_cents": 30000},
    )
    assert response.status_code == 200, response.data
    sheets = [
        _worked_on(volunteer, day)
        for day in (
            date(2025, 11, 4),
            date(2025, 11, 5),
            date(2025, 11, 6),  # the month's maximum: 21,000
            date(2025, 12, 2),
            date(2025, 12, 3),  # the year's room left: 9,000
            date(2026, 1, 6),  # a new year
        )
    ]
    # Settled in two runs, as approvals come in: the totals are read back from the splits.
    settlement_run(timesheet_ids=[s.pk for s in sheets[:3]])
    settlement_run()
    splits = [Split.objects.get(timesheet=s) for s in sheets]
    assert [s.member_cents for s in splits] == [
        SHARE,
        SHARE,
        21000 - 2 * SHARE,
        SHARE,
        9000 - SHARE,
        SHARE,
    ]
    assert [s.withheld_reason for s in splits] == [
        "",
        "",
        "volunteer_month",
        "",
        "volunteer_year",
        "",
    ]
    year_2025 = sum(s.member_cents for s in splits if s.work_date.year == 2025)
    assert year_2025 == 30000


def test_a_correction_recaps_the_volunteer_share(volunteer):
    from payouts.services.corrections import timesheet_correct

    _first, second, third = (_worked_on(volunteer, date(2025, 10, d)) for d in (6, 7, 8))
    settlement_run()
    assert Split.objects.get(timesheet=third).member_cents == 21000 - 2 * SHARE
    # The second shift was only 1 hour: the third now fits under the maximum... but it is
    # already settled; its own correction recomputes with what the month holds now.
    timesheet_correct(
        actor=volunteer.board_a,
        timesheet_id=second.pk,
        minutes_worked=60,
        break_minutes=0,
        reason="1 uur",
    )
    corrected = Split.objects.get(timesheet=second, kind="correction")
    assert corrected.member_cents == 2880
    assert corrected.withheld_cents == 0
    timesheet_correct(
        actor=volunteer.board_a,
        timesheet_id=third.pk,
        minutes_worked=180,
        break_minutes=0,
        reason="herberekend",
    )
    recapped = Split.objects.get(timesheet=third, kind="correction")
    assert recapped.member_cents == SHARE
    assert recapped.withheld_cents == 0
    month = Split.objects.filter(member=volunteer.member_a, work_date__month=10).aggregate(
        s=Sum("member_cents")
    )
    assert month["s"] == 2 * SHARE + 2880 <= 21000
    assert Entry.objects.aggregate(s=Sum("amount_cents"))["s"] == 0
    earned = _balance(volunteer.coop_a, "earned", volunteer.member_a.pk)
    assert -earned == month["s"]


def test_money_settings_are_the_boards_with_the_dutch_maximums_by_default(volunteer, client):
    treasury = api_as(volunteer.treasurer_a)
    assert treasury.get("/api/v1/cooperatives/alpha/money-settings/").data == {
        "volunteer_month_max_cents": 21000,
        "volunteer_year_max_cents": 210000,
        "currency": "EUR",
    }
    body = {"volunteer_month_max_cents": 15000, "volunteer_year_max_cents": 150000}
    assert treasury.put("/api/v1/cooperatives/alpha/money-settings/", body).status_code == 403
    assert (
        api_as(volunteer.member_a)
        .put("/api/v1/cooperatives/alpha/money-settings/", body)
        .status_code
        == 403
    )
    assert (
        api_as(volunteer.board_b).get("/api/v1/cooperatives/alpha/money-settings/").status_code
        == 404
    )
    before = row_counts(MoneySettings)
    bad = api_as(volunteer.board_a).put(
        "/api/v1/cooperatives/alpha/money-settings/",
        {"volunteer_month_max_cents": 30000, "volunteer_year_max_cents": 20000},
    )
    assert bad.status_code == 400
    assert bad.data["error"]["field"] == "volunteer_month_max_cents"
    negative = api_as(volunteer.board_a).put(
        "/api/v1/cooperatives/alpha/money-settings/",
        {"volunteer_month_max_cents": -1, "volunteer_year_max_cents": 20000},
    )
    assert negative.status_code == 400
    assert negative.data["error"]["field"] == "volunteer_month_max_cents"
    assert row_counts(MoneySettings) == before
    # The page.
    client.force_login(volunteer.member_a)
    assert client.get("/c/alpha/treasury/settings/").status_code == 403
    login_verified(client, volunteer.board_a)
    page = client.get("/c/alpha/treasury/settings/")
    assert page.status_code == 200
    assert b"210" in page.content
    saved = client.post(
        "/c/alpha/treasury/settings/",
        {"volunteer_month_max": "150.00", "volunteer_year_max": "1500"},
    )
    assert saved.status_code == 302
    settings = MoneySettings.objects.get(cooperative=volunteer.coop_a)
    assert (settings.volunteer_month_max_cents, settings.volunteer_year_max_cents) == (
        15000,
        150000,
    )
    refused = client.post(
        "/c/alpha/treasury/settings/", {"volunteer_month_max": "200", "volunteer_year_max": "100"}
    )
    message = gettext("The maximum per month cannot be more than the maximum per year.")
    assert refused.status_code == 200
    assert message in refused.content.decode()
    settings.refresh_from_db()
    assert settings.volunteer_month_max_cents == 15000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_workers_settling_one_volunteer_keep_to_the_maximum(volunteer):
    """Four workers settle four shifts of one volunteer at once (the outbox delivers each)."""
    from payouts.tasks import settle_timesheet

    MoneySettings.objects.create(
        cooperative=volunteer.coop_a,
        volunteer_month_max_cents=20000,
        volunteer_year_max_cents=210000,
    )
    sheets = [_worked_on(volunteer, date(2025, 10, d)) for d in (6, 7, 8, 9)]
    barrier = threading.Barrier(len(sheets))

    def settle(sheet_id):
        try:
            barrier.wait(timeout=30)
            settle_timesheet(sheet_id)
        finally:
            connection.close()

    threads = [threading.Thread(target=settle, args=(s.pk,)) for s in sheets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    close_old_connections()
    splits = Split.objects.filter(member=volunteer.member_a)
    assert splits.count() == 4
    assert splits.aggregate(s=Sum("member_cents"))["s"] == 20000
    assert splits.aggregate(s=Sum("withheld_cents"))["s"] == 4 * SHARE - 20000
