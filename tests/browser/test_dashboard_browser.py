"""The board's dashboard on a 360 px phone: charts drawn, tables there, no CSP violation."""

from __future__ import annotations

import pytest

from tests.browser.conftest import assert_fits_phone
from tests.browser.test_roles_browser import _verified_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_treasurer_reads_the_dashboard_charts_and_tables_on_a_phone(
    browser, live_server, settled
):
    context, page = _verified_page(browser, live_server, settled.treasurer_a)
    try:
        page.goto(f"{live_server.url}/c/alpha/dashboard/")
        for key in ("fund", "money", "work", "targets", "shifts"):
            canvas = page.locator(f'canvas[data-chart="chart-{key}"]')
            canvas.wait_for()
            page.wait_for_selector(f'canvas[data-chart="chart-{key}"][data-drawn="true"]')
            box = canvas.bounding_box()
            assert box is not None
            assert 200 <= box["width"] <= 360
            assert box["height"] >= 200
        # Chart.js drew on the canvas: it holds pixels that are not blank.
        drawn = page.evaluate(
            """() => { const c = document.querySelector('canvas[data-chart="chart-work"]');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                for (let i = 3; i < d.length; i += 4) { if (d[i] !== 0) return true; }
                return false; }"""
        )
        assert drawn
        assert page.locator("section.figure table").count() == 5
        fund_table = page.locator("#figure-fund table")
        assert fund_table.is_visible()  # the first table is open; the others one tap away
        assert "€" in fund_table.inner_text()
        page.locator("#figure-work summary").click()
        assert " u" in page.locator("#figure-work table").inner_text()
        assert page.locator("#decisions li").count() == 6
        assert_fits_phone(page)
        page.screenshot(path="/tmp/dashboard-360.png", full_page=True)
    finally:
        context.close()
