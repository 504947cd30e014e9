from datetime import timedelta

import pytest
from django.utils import timezone

from jobs.models import Claim, Shift, Timesheet
from tests.browser.conftest import assert_fits_phone, login
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_claims_a_shift_on_a_phone(phone, live_server, market):
    login(phone, live_server, market.member_a.email, PASSWORD)
    phone.goto(f"{live_server.url}/work/")
    assert_fits_phone(phone)
    assert phone.locator("li.shift", has_text="Geveltuinen").count() == 1
    phone.click(f"button[data-claim='{market.shift.pk}']")
    phone.wait_for_selector(".msg")
    assert_fits_phone(phone)
    claim = Claim.objects.get(shift=market.shift, user=market.member_a)
    assert claim.status == "claimed"
    phone.goto(
        f"{live_server.url}/work/week/?date={timezone.localtime(market.shift.start).date().isoformat()}"
    )
    assert phone.locator("text=Geveltuinen").count() >= 1
    assert_fits_phone(phone)


def test_client_approves_a_timesheet_on_a_phone(phone, live_server, market):
    start = timezone.now() - timedelta(days=1, hours=5)
    Shift.objects.filter(pk=market.shift.pk).update(
        start=start, end=start + timedelta(hours=3), filled=1
    )
    claim = Claim.objects.create(
        shift=market.shift,
        user=market.member_a,
        status="confirmed",
        start=start,
        end=start + timedelta(hours=3),
    )
    sheet = Timesheet.objects.create(claim=claim, minutes_worked=175, break_minutes=10)
    login(phone, live_server, market.client_user.email, PASSWORD)
    phone.goto(f"{live_server.url}/work/timesheets/")
    assert_fits_phone(phone)
    phone.click(f"button[data-approve='{sheet.pk}']")
    phone.wait_for_selector(".msg")
    sheet.refresh_from_db()
    assert sheet.status == "approved"
    assert (
        phone.locator(".badge", has_text="goedgekeurd").count()
        + phone.locator(".badge", has_text="approved").count()
        >= 1
    )


def test_member_plans_the_week_and_claims_the_bundle_on_a_phone(phone, live_server, market):
    from tests.factories.work import at, make_shift

    afternoon = make_shift(market.job, at(market.tuesday, 14), hours=2)
    login(phone, live_server, market.member_a.email, PASSWORD)
    phone.goto(f"{live_server.url}/work/plan/?week={market.tuesday.date().isoformat()}")
    assert_fits_phone(phone)
    assert phone.locator("text=Geveltuinen").count() == 2
    phone.click("button[data-claim-bundle]")
    # Back on the plan, for the week just claimed: both shifts are now theirs.
    monday = market.tuesday.date() - timedelta(days=market.tuesday.weekday())
    phone.wait_for_url(f"{live_server.url}/work/plan/?week={monday.isoformat()}")
    claimed = set(Claim.objects.filter(user=market.member_a).values_list("shift_id", flat=True))
    assert claimed == {market.shift.pk, afternoon.pk}
    assert phone.locator(".badge", has_text="al van jou").count() == 2
    assert_fits_phone(phone)


def test_member_chooses_how_to_do_a_job_that_does_not_allow_their_usual_engagement(
    phone, live_server, market
):
    """A job the board opened for payroll and volunteers only: the self-employed member sees
    both ways with each one's amount, chooses, and the claim carries the choice."""
    from jobs.models import Job
    from payouts.selectors.quotes import quote_shift
    from tests.factories.work import ensure_founded
    from werkstation.money import format_money

    ensure_founded(market.coop_a)
    Job.objects.filter(pk=market.job.pk).update(engagements=["employee", "volunteer"])
    login(phone, live_server, market.member_a.email, PASSWORD)
    phone.goto(f"{live_server.url}/work/shifts/{market.shift.pk}/")
    assert_fits_phone(phone)
    choices = phone.locator("input[name='engagement']")
    assert choices.count() == 2
    shift = Shift.objects.select_related("job__client").get(pk=market.shift.pk)
    volunteer = quote_shift(market.member_a, shift, engagement="volunteer")
    label = phone.locator("label.choice", has=phone.locator("input[value='volunteer']"))
    assert format_money(volunteer.member_cents, language="nl") in label.inner_text()
    label.click()
    phone.click("form[action$='/claim/'] button[type='submit']")
    phone.wait_for_selector(".msg")
    claim = Claim.objects.get(shift=market.shift, user=market.member_a)
    assert claim.engagement == "volunteer"
    assert claim.quote["member_cents"] == volunteer.member_cents
