"""A member who stacks jobs, on a phone: the Working Time Act stops a claim that would cut their
night's rest short, says why and which other shift is involved, and they take another shift."""

import pytest

from jobs.models import Claim
from tests.browser.conftest import assert_fits_phone, login
from tests.factories import PASSWORD
from tests.factories.work import at, ensure_founded, make_shift, payroll_evening_elsewhere

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_claim_that_breaks_the_rest_rule_is_refused_and_another_shift_taken(
    phone, live_server, market
):
    ensure_founded(market.coop_a)
    payroll_evening_elsewhere(market)
    early = make_shift(market.job, at(market.tuesday, 7), hours=2)
    login(phone, live_server, market.member_a.email, PASSWORD)

    phone.goto(f"{live_server.url}/work/shifts/{early.pk}/")
    phone.click("form[action$='/claim/'] button[type='submit']")
    message = phone.locator(".msg").first
    message.wait_for()
    text = message.inner_text()
    assert "Arbeidstijdenwet" in text and "rust" in text
    assert "Trappenhuis schoonmaken" in text and "7 u 30 min" in text
    assert_fits_phone(phone)
    assert not Claim.objects.filter(shift=early, user=market.member_a).exists()

    phone.goto(f"{live_server.url}/work/shifts/{market.shift.pk}/")  # 09:00: 9.5 hours of rest
    phone.click("form[action$='/claim/'] button[type='submit']")
    phone.wait_for_selector(".msg")
    assert_fits_phone(phone)
    assert Claim.objects.get(shift=market.shift, user=market.member_a).status == "claimed"
