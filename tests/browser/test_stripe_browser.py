"""A client pays an invoice online: the invoice page, Stripe's Checkout, the webhook, paid."""

import pytest

from payouts.models import Payment
from payouts.services.invoices import invoice_issue
from tests.browser.conftest import assert_fits_phone, login
from tests.factories import PASSWORD
from tests.payouts.stripe_support import WEBHOOK_SECRET, stripe_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_client_pays_an_invoice_with_ideal_on_a_phone(phone, live_server, settled, fake_stripe):
    stripe_on(settled.coop_a)
    fake_stripe.webhook_target = (f"{live_server.url}/stripe/webhook/alpha/", WEBHOOK_SECRET)
    sheet = settled.sheets[0]
    invoice = invoice_issue(
        actor=settled.treasurer_a,
        cooperative=settled.coop_a,
        client=settled.client_a,
        period_start=sheet.splits.get().work_date,
        period_end=sheet.splits.get().work_date,
    )
    login(phone, live_server, settled.client_user.email, PASSWORD)
    phone.goto(f"{live_server.url}/invoices/{invoice.pk}/")
    assert_fits_phone(phone)
    phone.click("#pay-online")
    phone.wait_for_selector("#pay-ideal")  # Stripe's hosted Checkout
    assert f"{invoice.total_cents / 100:.2f}" in phone.inner_text("#amount")
    phone.click("#pay-ideal")
    phone.wait_for_url(f"{live_server.url}/invoices/{invoice.pk}/?paid=1")
    assert "€ 0,00" in phone.inner_text("#open-amount")
    assert fake_stripe.deliveries
    assert fake_stripe.deliveries[0][1] == 200
    payment = Payment.objects.get(invoice=invoice)
    assert payment.method == "ideal"
    assert payment.amount_cents == invoice.total_cents


def test_a_member_sets_up_payouts_by_stripe_on_a_phone(phone, live_server, world, fake_stripe):
    stripe_on(world.coop_a)
    fake_stripe.webhook_target = (f"{live_server.url}/stripe/webhook/alpha/", WEBHOOK_SECRET)
    login(phone, live_server, world.member_a.email, PASSWORD)
    phone.goto(f"{live_server.url}/c/alpha/payouts/stripe/")
    assert phone.get_attribute("#connect-state", "data-state") == "none"
    assert_fits_phone(phone)
    phone.click("form button.primary")
    phone.click("#finish-onboarding")  # at Stripe
    phone.wait_for_url(f"{live_server.url}/c/alpha/payouts/stripe/?back=1")
    assert "klaar" in phone.inner_text("#connect-state") or "ready" in phone.inner_text(
        "#connect-state"
    )
    from payouts.models import StripeConnectAccount

    assert StripeConnectAccount.objects.get(user=world.member_a).payouts_enabled
