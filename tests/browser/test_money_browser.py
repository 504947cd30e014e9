from decimal import Decimal

import pytest

from members.models import Profile
from payouts.services.earnings_caps import earnings_cap_warnings_send
from tests.browser.conftest import assert_fits_phone, login
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_sees_they_are_close_to_their_earnings_cap_on_a_phone(phone, live_server, settled):
    Profile.objects.filter(user=settled.member_a).update(yearly_earnings_cap=Decimal("350.00"))
    earnings_cap_warnings_send()
    login(phone, live_server, settled.member_a.email, PASSWORD)
    phone.goto(f"{live_server.url}/work/earnings/")
    card = phone.locator("#earnings-cap")
    assert card.count() == 1
    assert "€ 288,00" in card.inner_text()
    assert "€ 350,00" in card.inner_text()
    assert "82%" in card.inner_text()
    assert_fits_phone(phone)
