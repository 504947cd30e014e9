"""One walk per role on a 360 px phone, in Dutch: the role's main task to the end, with
what the person sees asserted — amounts formatted, no English, confirmations shown."""

from __future__ import annotations

import pytest
from django.test import Client as WebClient

from jobs.models import Job
from members.models import Proxy
from payouts.models import PayoutBatch
from tests.browser.conftest import assert_fits_phone, login
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.factories.api import login_verified
from tests.readability import problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _readable(page) -> None:
    found = problems(page.content(), language="nl")
    assert not found, found
    assert_fits_phone(page)


def _verified_page(browser, live_server, user):
    """A phone signed in as someone who passed the code check (board, treasurer)."""
    client = WebClient()
    login_verified(client, user)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="nl-NL")
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    return context, page


def test_member_finds_work_with_pay_in_euros_and_claims_it(phone, live_server, market):
    login(phone, live_server, market.member_a.email, PASSWORD)
    phone.goto(f"{live_server.url}/work/")
    shift = phone.locator("li.shift", has_text="Geveltuinen").first
    assert "€ 86,40" in shift.inner_text()  # 3 hours at € 32,00, less 8 % and 2 % for the funds
    assert "Coöperatiefonds € 7,68" in shift.inner_text()
    _readable(phone)
    shift.locator("button[data-claim]").click()
    phone.wait_for_selector(".msg")
    _readable(phone)


def test_member_gives_a_proxy_after_a_search_and_a_confirmation(phone, live_server, world):
    from members.services.governance import proposal_create, proposal_open

    MembershipFactory(cooperative=world.coop_a, user=UserFactory(full_name="Fatima El Amrani"))
    proposal = proposal_open(
        actor=world.board_a,
        proposal=proposal_create(
            actor=world.board_a, cooperative=world.coop_a, kind="motion", title="Buurtfeest"
        ),
    )
    login(phone, live_server, world.member_a.email, PASSWORD)
    phone.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    phone.click("#proxy summary")
    phone.fill("#proxy-q", "fati")
    phone.wait_for_selector("input[name=holder]")
    assert phone.locator("input[name=holder]:checked").count() == 0
    phone.check("input[name=holder]")
    phone.click("#give-proxy")
    dialog = phone.locator("dialog[data-confirm]")
    dialog.wait_for()
    assert "Fatima El Amrani" in dialog.inner_text()
    assert not Proxy.objects.exists()
    _readable(phone)
    phone.click("#confirm-yes")
    phone.wait_for_selector(".msg")
    assert Proxy.objects.get().holder.full_name == "Fatima El Amrani"


def test_client_posts_a_job_by_address_and_cancels_it_after_confirming(phone, live_server, market):
    login(phone, live_server, market.client_user.email, PASSWORD)
    phone.goto(f"{live_server.url}/work/jobs/new/")
    assert "€ 32,00" in phone.locator("#prices").inner_text()
    assert phone.locator("input[name=latitude], input[name=member_pay]").count() == 0
    _readable(phone)
    phone.fill("input[name=title]", "Etalage schilderen")
    phone.select_option("select[name=category]", "greening")
    phone.fill("input[name=street]", "Marshalllaan 12")
    phone.fill("input[name=postcode]", "3526 GA")
    phone.click("main form.card button[type=submit]")
    phone.wait_for_url("**/work/jobs/*/")
    job = Job.objects.get(title="Etalage schilderen")
    assert job.latitude is not None
    phone.click("#cancel-job")
    dialog = phone.locator("dialog[data-confirm]")
    dialog.wait_for()
    assert "Etalage schilderen" in dialog.inner_text()
    _readable(phone)
    phone.click("#confirm-no")  # going back changes nothing
    assert Job.objects.get(pk=job.pk).status == "open"
    phone.click("#cancel-job")
    phone.locator("dialog[data-confirm]").wait_for()
    phone.click("#confirm-yes")
    phone.wait_for_selector(".msg")
    assert Job.objects.get(pk=job.pk).status == "cancelled"
    assert phone.locator("#nav-invoices").count() == 1


def test_board_searches_and_filters_the_member_list(browser, live_server, world):
    MembershipFactory(cooperative=world.coop_a, user=UserFactory(full_name="Yasmina Ouali"))
    context, page = _verified_page(browser, live_server, world.board_a)
    page.goto(f"{live_server.url}/c/alpha/board/members/")
    _readable(page)
    page.fill("input[name=q]", "yasm")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**q=yasm**")
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert "Yasmina Ouali" in rows.first.inner_text()
    _readable(page)
    context.close()


def test_treasurer_executes_a_payout_batch_after_a_summary(browser, live_server, settled):
    from payouts.services.payouts import payout_batch_approve, payout_batch_create
    from tests.payouts.test_payouts import _pay

    payable = _pay(settled)
    batch = payout_batch_create(actor=payable.treasurer_a, cooperative=payable.coop_a)
    payout_batch_approve(actor=payable.treasurer_a, batch=batch)
    payout_batch_approve(actor=payable.board_a, batch=batch)
    context, page = _verified_page(browser, live_server, payable.treasurer_a)
    page.goto(f"{live_server.url}/c/alpha/treasury/")
    _readable(page)
    page.click(f"form[action$='/batches/{batch.pk}/execute/'] button")
    dialog = page.locator("dialog[data-confirm]")
    dialog.wait_for()
    assert "€ 259,20" in dialog.inner_text()
    assert PayoutBatch.objects.get(pk=batch.pk).status == "approved"
    _readable(page)
    page.click("#confirm-yes")
    page.wait_for_selector(".msg")
    assert PayoutBatch.objects.get(pk=batch.pk).status == "executed"
    context.close()


def test_auditor_reads_the_books_and_is_offered_no_action(browser, live_server, settled):
    """The audit committee checks the books: invoices, batches and the funds, in euros and in
    Dutch, with no button that would change them."""
    from tests.factories.money import _issue

    assert _issue(settled).status_code == 201
    context, page = _verified_page(browser, live_server, settled.auditor_a)
    page.goto(f"{live_server.url}/c/{settled.coop_a.slug}/treasury/")
    _readable(page)
    main = page.locator("main")
    assert "€" in main.inner_text()
    assert (
        main.locator("form[method=post] button, form[method=post] input[type=submit]").count() == 0
    )
    context.close()


def test_staff_find_the_legal_figures_to_verify_on_a_phone(browser, live_server, world):
    """Platform staff keep the legal table: on a phone they find the figures still marked
    "verify", each with its date and source, in Dutch."""
    world.staff.is_superuser = True
    world.staff.save()
    context, page = _verified_page(browser, live_server, world.staff)
    page.goto(f"{live_server.url}/admin/werkstation/legalparameter/?verify__exact=1")
    text = page.locator("#content").inner_text()
    assert "wettelijk bedrag" in text.lower()
    assert "te controleren" in text.lower()
    assert "minimumloon per uur, 21 jaar en ouder" in text
    assert "_" not in text
    assert "14,71" in text or "14.71" in text  # the minimum wage from 1 January 2026
    assert page.locator("#result_list tbody tr").count() >= 3
    assert_fits_phone(page)
    context.close()
