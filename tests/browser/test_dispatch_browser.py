"""A dispatch run as the board reads it on a 360 px phone: chart drawn, tables in their
own scroll box, amounts in euros, no CSP violation."""

from __future__ import annotations

import pytest

from jobs.models import DispatchRun
from jobs.services.dispatching import dispatch_run_execute
from members.models import Profile
from tests.browser.conftest import assert_fits_phone
from tests.browser.test_roles_browser import _verified_page
from tests.factories.work import at, make_shift

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_board_reads_a_run_on_a_phone(browser, live_server, market):
    Profile.objects.filter(user=market.member_a).update(target_hours_per_week=14)
    make_shift(market.job, at(market.tuesday, 14), hours=3, slots=4)
    make_shift(market.job, at(market.tuesday, 15), hours=1)  # overlaps everyone's work
    make_shift(market.job, at(market.tuesday, 22, 15), hours=0.75)  # nobody is available
    day = market.tuesday.date()
    run = DispatchRun.objects.create(cooperative=market.coop_a, period_start=day, period_end=day)
    run = dispatch_run_execute(run_id=run.pk)
    assert run.status == "done"
    assert run.offers_made == 6

    context, page = _verified_page(browser, live_server, market.board_a)
    try:
        page.goto(f"{live_server.url}/c/alpha/dispatch/")
        page.locator(f'a[href="/c/alpha/dispatch/{run.pk}/"]').click()
        page.wait_for_selector('canvas[data-chart="chart-hours"][data-drawn="true"]')
        box = page.locator('canvas[data-chart="chart-hours"]').bounding_box()
        assert box is not None
        assert 200 <= box["width"] <= 360
        assert box["height"] >= 200
        assert "€" in page.locator("#objective").inner_text()
        assert page.locator("#offers tbody tr").count() == 6
        assert page.locator("#unfilled tbody tr").count() == 2
        assert page.locator("#hours table").is_visible()
        assert_fits_phone(page)
        page.screenshot(path="/tmp/dispatch-run-360.png", full_page=True)
    finally:
        context.close()
