"""The member's home, their to-do list, on a 360 px phone."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.models import Claim, DispatchRun, Offer
from tests.browser.conftest import assert_fits_phone, login
from tests.factories import PASSWORD
from tests.factories.work import at, make_shift

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_home_is_a_to_do_list_on_a_phone(phone, live_server, market):
    Claim.objects.create(
        shift=market.shift,
        user=market.member_a,
        status="confirmed",
        start=market.shift.start,
        end=market.shift.end,
    )
    other = make_shift(market.job, at(market.tuesday + timedelta(days=1), 9), hours=2)
    run = DispatchRun.objects.create(
        cooperative=market.coop_a,
        period_start=other.start.date(),
        period_end=other.start.date(),
        status="done",
    )
    offer = Offer.objects.create(
        run=run,
        shift=other,
        user=market.member_a,
        reason="Dichtbij",
        deadline=timezone.now() + timedelta(days=1),
    )
    login(phone, live_server, market.member_a.email, PASSWORD)
    assert_fits_phone(phone)
    for card in ("next-shift", "offers", "hours", "votes", "earnings", "payout"):
        assert phone.locator(f"#todo-{card}").is_visible(), card
    assert phone.locator("#todo-next-shift", has_text="Marshalllaan 40").count() == 1
    phone.screenshot(path="/tmp/home-todo-360.png", full_page=True)
    phone.locator("#todo-offers button.primary").click()
    phone.wait_for_selector(".msg")
    assert phone.url == f"{live_server.url}/"
    assert Offer.objects.get(pk=offer.pk).status == "accepted"
    assert_fits_phone(phone)
