"""The bijstand arrangement and its room, on a 360 px phone."""

import pytest
from django.utils import timezone

from members.models import BenefitArrangement
from tests.browser.conftest import assert_fits_phone, login
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_arrangement_and_the_room_fit_a_phone(phone, live_server, market):
    login(phone, live_server, market.member_a.email, PASSWORD)
    phone.goto(f"{live_server.url}/profile/#benefit")
    phone.fill("#id_keep_percent", "25")
    phone.fill("#id_monthly_max", "2.50")
    phone.fill("#id_starts_on", timezone.localdate().replace(day=1).isoformat())
    phone.fill("#id_months", "6")
    phone.fill("#id_municipality", "Utrecht")
    phone.click("#benefit button[type=submit]")
    phone.wait_for_url("**/profile/**")
    assert BenefitArrangement.objects.filter(user=market.member_a).exists()
    assert_fits_phone(phone)
    phone.screenshot(path="/tmp/x/benefit-profile.png", full_page=False)
    phone.goto(f"{live_server.url}/work/shifts/{market.shift.pk}/")
    assert phone.locator("#benefit-room-warning").is_visible()
    assert_fits_phone(phone)
    phone.screenshot(path="/tmp/x/benefit-shift.png", full_page=True)
    phone.goto(f"{live_server.url}/work/")
    assert "10,00" in phone.locator("#benefit-room").inner_text()
    assert_fits_phone(phone)
