"""Phone first: what a member notices on a 360 × 740 screen.

The navigation folds into a menu (a <details>, so it works without JavaScript), every
tap target in it is at least 44 px tall, the work feed shows at least four cards on one
screen grouped under day headings, the calendar link can be copied and opened in the
phone's calendar, and the site can go on the home screen (manifest and icons).
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from jobs.services.calendar import calendar_feed_rotate
from tests.browser.a11y import serious_violations
from tests.browser.conftest import assert_fits_phone, login
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAP = 44


def _heights(page, selector: str) -> dict[str, float]:
    """Height of every visible element matching selector, by its text."""
    return page.evaluate(
        """(selector) => Object.fromEntries([...document.querySelectorAll(selector)]
            .filter((e) => e.offsetParent !== null)
            .map((e) => [e.textContent.trim() || e.outerHTML, e.getBoundingClientRect().height]))""",
        selector,
    )


def _assert_tap_targets(page, selector: str) -> None:
    heights = _heights(page, selector)
    assert heights, f"nothing visible matches {selector}"
    small = {text: h for text, h in heights.items() if h < TAP}
    assert not small, f"tap targets under {TAP}px: {small}"


def test_the_navigation_is_a_menu_with_tall_tap_targets_on_a_phone(phone, live_server, market):
    login(phone, live_server, market.member_a.email, PASSWORD)
    phone.goto(f"{live_server.url}/work/week/")
    header = phone.locator("header.top").bounding_box()
    assert header["height"] <= 60, f"the header takes {header['height']}px of a 740px screen"
    nav = phone.get_by_role("navigation", name="Hoofdmenu")
    assert not nav.is_visible()
    _assert_tap_targets(phone, "header.top summary, header.top .brand, header.top .lang button")

    phone.get_by_text("Menu", exact=True).click()
    assert nav.is_visible()
    assert nav.get_by_role("link", name="Mijn week", exact=True).is_visible()
    _assert_tap_targets(phone, "header.top nav a, header.top nav button")
    assert_fits_phone(phone)

    nav.get_by_role("link", name="Werk zoeken").click()
    phone.wait_for_url(f"{live_server.url}/work/")
    assert not nav.is_visible(), "a new page starts with the menu closed"
    _assert_tap_targets(phone, "main button, main input:not([type=hidden]), main select")


def test_the_menu_works_without_javascript(browser, live_server, market):
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="nl-NL", java_script_enabled=False
    )
    page = context.new_page()
    try:
        login(page, live_server, market.member_a.email, PASSWORD)
        nav = page.get_by_role("navigation", name="Hoofdmenu")
        assert not nav.is_visible()
        page.locator("header.top summary").click()
        assert nav.get_by_role("link", name="Mijn week", exact=True).is_visible()
        page.get_by_role("link", name="Mijn week", exact=True).click()
        page.wait_for_url(f"{live_server.url}/work/week/")
    finally:
        context.close()


def test_on_a_wide_screen_the_navigation_is_always_shown(browser, live_server, market):
    for javascript in (True, False):
        context = browser.new_context(
            viewport={"width": 1024, "height": 768}, locale="nl-NL", java_script_enabled=javascript
        )
        page = context.new_page()
        try:
            login(page, live_server, market.member_a.email, PASSWORD)
            assert not page.locator("header.top summary").is_visible()
            assert page.get_by_role("link", name="Mijn week", exact=True).is_visible()
        finally:
            context.close()


def _more_shifts(market) -> None:
    from tests.factories.work import at, make_shift

    for hour in (13, 15, 17):
        make_shift(market.job, at(market.tuesday, hour), hours=1.5)
    make_shift(market.job, at(market.tuesday + timedelta(days=1), 9), hours=2)


def test_four_feed_cards_fit_a_phone_screen_under_day_headings(phone, live_server, market):
    _more_shifts(market)
    login(phone, live_server, market.member_a.email, PASSWORD)
    phone.goto(f"{live_server.url}/work/")
    assert_fits_phone(phone)
    headings = phone.locator("h2.feed-day")
    assert headings.count() == 2
    tuesday = headings.first.inner_text().lower()
    assert "dinsdag" in tuesday
    assert str(market.tuesday.day) in tuesday

    cards = phone.locator("li.feed-card")
    assert cards.count() == 5
    on_screen = [
        box
        for box in (cards.nth(i).bounding_box() for i in range(5))
        if box["y"] + box["height"] <= 740
    ]
    assert len(on_screen) >= 4, f"only {len(on_screen)} cards fit on a 740px screen"

    first = cards.first
    text = first.inner_text()
    assert "09:00–12:00" in text  # time
    assert "Marshalllaan 40" in text  # place
    assert "€" in first.locator(".amount").inner_text()  # amount, from the price quote
    claim = first.get_by_role("button", name="Aanmelden")
    assert claim.is_visible()
    assert claim.bounding_box()["height"] >= TAP
    assert first.locator("time").inner_text().startswith("di ")  # date on the card too

    # The filter bar stays on screen while the member scrolls through the cards.
    phone.evaluate("window.scrollTo(0, 600)")
    assert phone.evaluate("window.scrollY") > 100
    box = phone.locator(".filterbar").bounding_box()
    assert box["y"] <= 1, box


def test_the_calendar_link_can_be_copied_and_opened_on_a_phone(phone, live_server, market):
    feed = calendar_feed_rotate(user=market.member_a)
    phone.context.grant_permissions(["clipboard-read", "clipboard-write"])
    login(phone, live_server, market.member_a.email, PASSWORD)
    phone.goto(f"{live_server.url}/work/week/")
    assert_fits_phone(phone)
    field = phone.locator("#calendar-url")  # labelled "Calendar link" (visually hidden)
    url = field.input_value()
    assert url.endswith(f"/calendar/{feed.token}.ics")
    assert url.startswith("http")
    assert field.get_attribute("readonly") is not None

    webcal = phone.locator("main a[href^='webcal:']")
    assert webcal.is_visible()
    assert webcal.bounding_box()["height"] >= TAP
    assert webcal.get_attribute("href") == "webcal://" + url.split("://", 1)[1]

    assert field.evaluate("(e) => e.labels[0].textContent") != ""
    copy = phone.locator("button[data-copy='#calendar-url']")
    assert copy.is_visible()
    assert copy.bounding_box()["height"] >= TAP
    copy.click()
    phone.locator(".copy-status", has_text=copy.get_attribute("data-copied")).wait_for()
    assert phone.evaluate("navigator.clipboard.readText()") == url


def test_without_javascript_the_calendar_link_is_a_field_to_select(browser, live_server, market):
    calendar_feed_rotate(user=market.member_a)
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="nl-NL", java_script_enabled=False
    )
    page = context.new_page()
    try:
        login(page, live_server, market.member_a.email, PASSWORD)
        page.goto(f"{live_server.url}/work/week/")
        field = page.locator("#calendar-url")
        assert field.is_visible()
        assert field.get_attribute("readonly") is not None
        assert not page.locator("button[data-copy]").is_visible()
        assert_fits_phone(page)
    finally:
        context.close()


def test_werkstation_can_go_on_the_home_screen(phone, live_server, market):
    phone.goto(f"{live_server.url}/accounts/login/")
    href = phone.locator("link[rel=manifest]").get_attribute("href")
    response = phone.request.get(f"{live_server.url}{href}")
    assert response.ok
    assert response.headers["content-type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["name"] == "Werkstation"
    assert manifest["start_url"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"] == phone.locator("meta[name=theme-color]").get_attribute(
        "content"
    )
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        got = phone.request.get(f"{live_server.url}{icon['src']}")
        assert got.ok, icon
        assert got.headers["content-type"].startswith(icon["type"]), icon
    for link in phone.locator("link[rel=icon]").all():
        got = phone.request.get(f"{live_server.url}{link.get_attribute('href')}")
        assert got.ok
        assert got.headers["content-type"].startswith(link.get_attribute("type"))


def test_the_phone_pages_pass_axe(phone, live_server, market):
    """The pages this file changed, each with 0 serious or critical axe violations."""
    _more_shifts(market)
    calendar_feed_rotate(user=market.member_a)
    login(phone, live_server, market.member_a.email, PASSWORD)
    for path in ("/", "/work/", "/work/week/"):
        phone.goto(f"{live_server.url}{path}")
        assert serious_violations(phone) == [], path
        phone.locator("header.top summary").click()
        assert serious_violations(phone) == [], f"{path} with the menu open"


def test_the_axe_check_finds_what_it_must(phone, live_server, market):
    """The checker itself, on a real page under its Content-Security-Policy: a nameless
    button and an unlabelled field are reported."""
    login(phone, live_server, market.member_a.email, PASSWORD)
    phone.goto(f"{live_server.url}/work/week/")
    assert serious_violations(phone) == []
    phone.evaluate(
        """() => {
          const main = document.querySelector("main");
          main.append(document.createElement("button"));
          const field = document.createElement("input");
          field.type = "text";
          main.append(field);
        }"""
    )
    found = " ".join(serious_violations(phone))
    assert "button-name (critical)" in found
    assert "label (critical)" in found
