"""A member who stacks jobs, on a phone: the Working Time Act stops a claim that would cut their
night's rest short and says why, with the other shift involved; they take another shift and
see their room under their benefit (bijstand) limit shrink."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from jobs.models import Claim, Shift
from members.models import BenefitArrangement
from payouts.selectors.quotes import quote_shift
from tests.browser.conftest import assert_fits_phone, login
from tests.factories import PASSWORD
from tests.factories.work import ensure_founded, make_shift, payroll_evening_elsewhere
from werkstation.money import format_money

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _room(phone) -> str:
    return phone.locator("#benefit-room").inner_text()


def test_a_claim_that_breaks_the_rest_rule_is_refused_and_another_shift_taken(
    phone, live_server, market
):
    ensure_founded(market.coop_a)
    today = timezone.localdate()
    tomorrow = today + timedelta(days=1)
    # The payroll evening at another client ends at 23:30 today; tomorrow's work is here.
    market.tuesday = datetime.combine(tomorrow, time(0), tzinfo=timezone.get_current_timezone())
    evening = payroll_evening_elsewhere(market)
    early = make_shift(market.job, market.tuesday.replace(hour=7), hours=2)
    later = make_shift(market.job, market.tuesday.replace(hour=9), hours=3)
    # On bijstand: 25 percent of earnings kept, at most € 100 a month: room € 400 a month.
    BenefitArrangement.objects.create(
        user=market.member_a,
        keep_percent=25,
        monthly_max_cents=10000,
        starts_on=today.replace(day=1),
        months=6,
        municipality="Utrecht",
    )
    login(phone, live_server, market.member_a.email, PASSWORD)

    phone.goto(f"{live_server.url}/work/shifts/{early.pk}/")
    phone.click("form[action$='/claim/'] button[type='submit']")
    message = phone.locator(".msg").first
    message.wait_for()
    text = message.inner_text()
    assert "Arbeidstijdenwet" in text
    assert "rust" in text
    assert "Trappenhuis schoonmaken" in text
    assert "7 u 30 min" in text
    assert_fits_phone(phone)
    assert not Claim.objects.filter(shift=early, user=market.member_a).exists()

    phone.goto(f"{live_server.url}/work/")
    room_before = _room(phone)
    pay = quote_shift(market.member_a, Shift.objects.select_related("job__client").get(pk=later.pk))
    phone.goto(f"{live_server.url}/work/shifts/{later.pk}/")  # 09:00: 9.5 hours of rest
    phone.click("form[action$='/claim/'] button[type='submit']")
    phone.wait_for_selector(".msg")
    assert_fits_phone(phone)
    assert Claim.objects.get(shift=later, user=market.member_a).status == "claimed"

    phone.goto(f"{live_server.url}/work/")
    assert_fits_phone(phone)
    if tomorrow.month == today.month:  # both shifts count toward this month's room
        shift = Shift.objects.select_related("job__client").get(pk=evening.shift_id)
        worked = quote_shift(market.member_a, shift, engagement="employee").member_cents
        left = 40000 - worked
        assert room_before.endswith(format_money(left, language="nl"))
        assert _room(phone).endswith(format_money(left - pay.member_cents, language="nl"))
    else:  # the last day of a month: the room shown is this month's, which stays
        assert _room(phone) == room_before
