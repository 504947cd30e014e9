"""Self-billing on a 360 px phone: the treasurer issues last month's invoices, the member
finds theirs on the earnings page."""

import pytest

from members.models import Profile
from payouts.models import SelfBillingInvoice
from tests.browser.conftest import assert_fits_phone, login
from tests.browser.test_roles_browser import _verified_page
from tests.factories import PASSWORD
from tests.payouts.test_self_billing import work_last_month

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_treasurer_issues_a_month_and_the_member_finds_the_invoice(
    browser, phone, live_server, market
):
    month = work_last_month(market, 10, 11)
    Profile.objects.filter(user=market.member_a).update(kor=True, kvk_number="12345678")
    context, page = _verified_page(browser, live_server, market.treasurer_a)
    page.goto(f"{live_server.url}/c/alpha/treasury/")
    page.click("a[href='/c/alpha/treasury/self-billing/']")
    page.fill("input[name=month]", month)
    page.click("form button.primary")
    dialog = page.locator("dialog[data-confirm]")  # issuing cannot be undone: it asks first
    dialog.wait_for()
    assert month[:4] in dialog.inner_text()
    page.click("#confirm-yes")
    page.wait_for_selector(".msg")
    invoice = SelfBillingInvoice.objects.get()
    assert invoice.number in page.locator("table").inner_text()
    assert_fits_phone(page)
    context.close()

    login(phone, live_server, market.member_a.email, PASSWORD)
    phone.goto(f"{live_server.url}/work/earnings/")
    card = phone.locator("#self-billing")
    assert invoice.number in card.inner_text()
    link = card.locator("a").first.get_attribute("href")
    assert link == f"/work/earnings/self-billing/{invoice.pk}.pdf"
    assert_fits_phone(phone)
