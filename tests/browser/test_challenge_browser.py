"""Right to challenge in the browser: tender → bid → award → shifts on the job board."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from jobs.challenges.models import Bid, Contract, Tender
from jobs.challenges.services.tenders import tenders_close_due
from jobs.models import Shift
from tests.browser.conftest import assert_fits_phone, login
from tests.challenges.conftest import close_window, rtc  # noqa: F401  (rtc: the fixture)
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(30000)
    return context, page


def _board_login(page, live_server, user) -> None:
    """Password, then the authenticator code, as a board member signs in."""
    device = TOTPDevice.objects.create(user=user, name="telefoon", confirmed=True)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.card button[type=submit]")
    page.wait_for_url("**/account/2fa/verify/**")
    code = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
    )
    page.fill("input[name=otp_token]", f"{code:0{device.digits}d}")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_tender_bid_award_and_the_shifts_appear_on_the_job_board(browser, live_server, rtc):  # noqa: F811
    # 1. The municipality publishes a tender.
    muni_context, muni = _page(browser)
    login(muni, live_server, rtc.muni_user.email, PASSWORD)
    muni.goto(f"{live_server.url}/right-to-challenge/tenders/new/")
    assert_fits_phone(muni)
    deadline = timezone.localtime() + timedelta(days=7)
    muni.select_option("select[name=client]", str(rtc.municipality.pk))
    muni.fill("input[name=title]", "Groenonderhoud Park Transwijk")
    muni.fill("textarea[name=description]", "Maaien en snoeien in het park.")
    muni.select_option("select[name=category]", "green_maintenance")
    muni.fill("input[name=area]", "Transwijk")
    muni.fill("input[name=street]", "Marshalllaan 40")
    muni.fill("input[name=postcode]", "3526 GA")
    muni.fill("input[name=period_start]", rtc.period_start.isoformat())
    muni.fill("input[name=period_end]", rtc.period_end.isoformat())
    muni.fill("input[name=budget_ceiling]", "20000")
    muni.fill("textarea[name=required_outcomes]", "Gras kort\nGeen zwerfvuil")
    muni.fill("input[name=submission_deadline]", deadline.strftime("%Y-%m-%dT%H:%M"))
    muni.fill("input[name=decision_deadline]", (rtc.period_start + timedelta(days=14)).isoformat())
    muni.click("main form button[type=submit]")
    muni.wait_for_url("**/right-to-challenge/tenders/*/")
    tender = Tender.objects.get()
    assert tender.status == "open"

    # The register shows it to anyone, without a login.
    anon_context, anon = _page(browser)
    anon.goto(f"{live_server.url}/right-to-challenge/")
    assert anon.locator("li.tender", has_text="Groenonderhoud Park Transwijk").count() == 1
    assert_fits_phone(anon)
    anon_context.close()

    # 2. The board drafts a bid, runs the capacity check and submits.
    board_context, board = _page(browser)
    _board_login(board, live_server, rtc.board_a)
    board.goto(f"{live_server.url}/right-to-challenge/tenders/{tender.pk}/")
    board.click("#draft-bid")
    board.fill("input[name=price]", "15000")
    board.fill("input[name=hourly_tariff]", "32")
    board.fill("textarea[name=plan]", "Vijf tuiniers uit de buurt.")
    board.fill("input[name=social_member_hours]", "400")
    board.fill("input[name=social_target_group_members]", "2")
    board.fill("input[name='rule-0-title']", "Maaien en snoeien")
    board.check("input[name='rule-0-weekdays'][value='0']")
    board.check("input[name='rule-0-weekdays'][value='2']")
    board.fill("input[name='rule-0-start']", "09:00")
    board.fill("input[name='rule-0-end']", "13:00")
    board.fill("input[name='rule-0-slots']", "2")
    board.select_option("select[name='rule-0-skill']", "groen")
    board.click("main form.card button[type=submit]")
    board.wait_for_url("**/right-to-challenge/bids/*/")
    board.click("#run-check")
    board.wait_for_selector("tr.week")
    assert board.locator("#capacity", has_text=re.compile(r"100[,.]0%")).count() == 1
    assert_fits_phone(board)
    board.click("#submit-bid")
    dialog = board.locator("dialog[data-confirm]")
    dialog.wait_for()
    assert dialog.locator("dd", has_text="€ 15.000,00").count() == 1
    assert_fits_phone(board)
    board.click("#confirm-yes")
    board.wait_for_selector(".msg")
    bid = Bid.objects.get()
    assert bid.status == "submitted"
    board_context.close()

    # 3. The window closes on beat; the municipality scores and awards.
    close_window(tender)
    assert tenders_close_due() == 1
    muni.goto(f"{live_server.url}/right-to-challenge/tenders/{tender.pk}/")
    muni.click(f"div.bid[data-bid='{bid.pk}'] summary")
    muni.fill(f"input[name='s{bid.pk}-quality']", "8")
    muni.fill(f"input[name='s{bid.pk}-social']", "9")
    muni.click(f"div.bid[data-bid='{bid.pk}'] button[type=submit]")
    muni.wait_for_selector(".msg")
    # Nothing is chosen beforehand; the choice is confirmed on a summary.
    assert muni.locator("input[type=radio][name=bid]:checked").count() == 0
    muni.check(f"input[type=radio][name=bid][value='{bid.pk}']")
    muni.fill("textarea[name=reason]", "Sterk lokaal plan met sociale waarde.")
    muni.click("#decide")
    dialog = muni.locator("dialog[data-confirm]")
    dialog.wait_for()
    assert "Sterk lokaal plan" in dialog.inner_text()
    assert not Contract.objects.exists()
    muni.click("#confirm-yes")
    muni.wait_for_selector(".msg")
    contract = Contract.objects.get()
    assert Bid.objects.get().status == "awarded"
    muni_context.close()

    # 4. A member finds the contract's shifts on the job board.
    shifts = Shift.objects.filter(job__contract_link__contract=contract)
    assert shifts.exists()
    member_context, member = _page(browser)
    login(member, live_server, rtc.gardeners[0].email, PASSWORD)
    member.goto(f"{live_server.url}/work/")
    assert member.locator("li.shift", has_text="Maaien en snoeien").count() >= 1
    assert_fits_phone(member)
    member_context.close()
