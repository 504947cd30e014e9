"""The board's dashboard: who sees it, what it shows, its CSV files and its API."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client as WebClient
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from payouts.dashboard import cooperative_dashboard
from payouts.services.settlement import settlement_run
from tests.factories.api import api_as, login_verified
from tests.factories.money import approved_timesheet

pytestmark = pytest.mark.django_db


def _web(user) -> WebClient:
    client = WebClient()
    login_verified(client, user)
    return client


def _series(dashboard) -> dict[str, list[int]]:
    return {s.key: s.values for f in dashboard.figures for s in f.series}


@pytest.fixture
def worked(settled):
    """Coop A: three settled timesheets of member A (3 hours each) in the last days."""
    return settled


def test_board_treasurer_and_auditor_see_the_charts_and_their_tables(worked):
    for user in (worked.board_a, worked.treasurer_a, worked.auditor_a):
        response = _web(user).get("/c/alpha/dashboard/")
        assert response.status_code == 200
        html = response.content.decode()
        for key in ("fund", "money", "work", "targets", "shifts"):
            assert f'<script id="chart-{key}" type="application/json">' in html
            assert f'data-chart="chart-{key}"' in html
        assert "vendor/chartjs/chart.umd.min.js" in html
        assert "js/dashboard.js" in html
        # The table shows hours and euros, not minutes and cents.
        assert "9 u" in html
        assert html.count("<table>") == 5


def test_members_get_403_and_other_cooperatives_and_strangers_get_404(worked):
    assert _web(worked.member_a).get("/c/alpha/dashboard/").status_code == 403
    assert _web(worked.member_a).get("/c/alpha/dashboard/fund.csv").status_code == 403
    for outsider in (worked.board_b, worked.member_b, worked.client_user):
        assert _web(outsider).get("/c/alpha/dashboard/").status_code == 404
        assert _web(outsider).get("/c/alpha/dashboard/money.csv").status_code == 404
    assert WebClient().get("/c/alpha/dashboard/").status_code == 302  # to the login page
    assert api_as(worked.member_a).get("/api/v1/cooperatives/alpha/dashboard/").status_code == 403
    for outsider in (worked.board_b, worked.member_b, worked.client_user):
        response = api_as(outsider).get("/api/v1/cooperatives/alpha/dashboard/")
        assert response.status_code == 404
    assert api_as(None).get("/api/v1/cooperatives/alpha/dashboard/").status_code in (401, 403)


def test_one_cooperatives_work_never_shows_in_anothers_dashboard(worked):
    # Cooperative B's board sees its own (empty) dashboard, not A's hours or money.
    response = api_as(worked.board_b).get("/api/v1/cooperatives/beta/dashboard/")
    assert response.status_code == 200
    for figure in response.json()["figures"]:
        for series in figure["series"]:
            assert set(series["values"]) == {0}, (figure["key"], series)
    own = api_as(worked.board_a).get("/api/v1/cooperatives/alpha/dashboard/").json()
    work = next(f for f in own["figures"] if f["key"] == "work")
    assert sum(work["series"][0]["values"]) == 3 * 180
    html = _web(worked.board_b).get("/c/beta/dashboard/").content.decode()
    assert "9 u" not in html


def test_the_api_returns_every_series_per_month_and_the_open_decisions(worked):
    response = api_as(worked.treasurer_a).get("/api/v1/cooperatives/alpha/dashboard/?months=6")
    assert response.status_code == 200
    body = response.json()
    assert body["cooperative"] == "alpha"
    assert body["currency"] == "EUR"
    assert len(body["months"]) <= 6
    assert body["months"][-1] == timezone.localdate().replace(day=1).isoformat()
    figures = {f["key"]: f for f in body["figures"]}
    assert set(figures) == {"fund", "money", "work", "targets", "shifts"}
    for figure in figures.values():
        for series in figure["series"]:
            assert len(series["values"]) == len(body["months"])
    expected = _series(cooperative_dashboard(worked.coop_a, months=6))
    got = {s["key"]: s["values"] for f in body["figures"] for s in f["series"]}
    assert got == expected
    assert got["fund_balance_cents"][-1] > 0  # 8 % of three settled shifts
    assert figures["work"]["series"][0]["unit"] == "minutes"
    decisions = {d["key"]: d for d in body["decisions"]}
    assert decisions["applications"]["count"] == 1  # applicant A
    # The treasurer reads the count; the board handles applications on its own page.
    assert decisions["applications"]["url"] == ""
    assert decisions["payout_batches"]["url"] == "/c/alpha/treasury/"
    board = api_as(worked.board_a).get("/api/v1/cooperatives/alpha/dashboard/").json()
    assert {d["key"]: d["url"] for d in board["decisions"]}["applications"] == (
        "/c/alpha/board/members/"
    )


def test_each_figure_downloads_as_csv_in_euros_and_hours(worked):
    client = _web(worked.board_a)
    response = client.get("/c/alpha/dashboard/work.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="alpha-work.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert len(rows) == 1 + len(cooperative_dashboard(worked.coop_a).months)
    assert rows[-1][0] == timezone.localdate().strftime("%Y-%m")
    assert sum(Decimal(r[1]) for r in rows[1:]) == Decimal("9.00")  # three times three hours
    money = list(
        csv.reader(io.StringIO(client.get("/c/alpha/dashboard/fund.csv").content.decode()))
    )
    assert "EUR" in money[0][1]
    balance = cooperative_dashboard(worked.coop_a).figure("fund").series[0].values[-1]
    assert balance > 0
    assert money[-1][1] == f"{balance // 100}.{balance % 100:02d}"  # euros, a dot for decimals
    assert client.get("/c/alpha/dashboard/nothing.csv").status_code == 404
    api = api_as(worked.auditor_a).get("/api/v1/cooperatives/alpha/dashboard/money.csv")
    assert api.status_code == 200
    assert api["Content-Type"].startswith("text/csv")
    assert (
        api_as(worked.auditor_a).get("/api/v1/cooperatives/alpha/dashboard/nothing.csv").status_code
        == 404
    )


def test_the_dashboard_costs_the_same_queries_for_more_work(worked):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            cooperative_dashboard(worked.coop_a, viewer=worked.board_a)
        return len(ctx.captured_queries)

    count()  # the viewer's memberships are read once and kept
    before = count()
    for days in (4, 5, 6, 7):
        approved_timesheet(worked, days_ago=days, user=worked.board_a)
    settlement_run()
    assert count() == before
    assert before <= 15


def test_the_cooperative_page_links_the_dashboard_for_its_readers_only(worked):
    assert "/c/alpha/dashboard/" in _web(worked.auditor_a).get("/c/alpha/").content.decode()
    assert "/c/alpha/dashboard/" not in _web(worked.member_a).get("/c/alpha/").content.decode()


def test_the_page_costs_the_same_queries_for_more_work_and_months(worked):
    client = _web(worked.board_a)

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    before = count("/c/alpha/dashboard/")
    for days in (4, 5, 6, 7):
        approved_timesheet(worked, days_ago=days, user=worked.board_a)
    settlement_run()
    assert count("/c/alpha/dashboard/") == before
    assert count("/c/alpha/dashboard/?months=36") == before
    # A months value out of range shows the default year.
    html = client.get("/c/alpha/dashboard/?months=9999").content.decode()
    assert '<option value="12" selected>' in html


def test_months_start_at_the_founding_and_the_current_month_counts_up_to_today():
    from datetime import date
    from types import SimpleNamespace

    from payouts.dashboard import dashboard_months, months_asked, target_minutes

    young = SimpleNamespace(founded_on=date(2026, 9, 20))
    assert dashboard_months(young, today=date(2026, 12, 6)) == [
        date(2026, 9, 1),
        date(2026, 10, 1),
        date(2026, 11, 1),
        date(2026, 12, 1),
    ]
    old = SimpleNamespace(founded_on=date(2020, 1, 1))
    shown = dashboard_months(old, today=date(2026, 2, 28), months=12)
    assert shown[0] == date(2025, 3, 1)
    assert shown[-1] == date(2026, 2, 1)
    assert len(shown) == 12
    assert len(dashboard_months(old, today=date(2026, 2, 28), months=99)) == 36
    assert [months_asked(v) for v in ("6", "0", "37", "x", None)] == [6, 12, 12, 12, 12]
    # 14 hours a week: 60 hours in a 30-day month, 12 hours after the first 6 days of one.
    assert target_minutes(14, date(2026, 11, 1), date(2026, 12, 6)) == 60 * 60
    assert target_minutes(14, date(2026, 12, 1), date(2026, 12, 6)) == 12 * 60
