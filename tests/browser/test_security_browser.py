"""Signing in with a second factor in the browser, under the Content-Security-Policy."""

import pytest
from django_otp.oath import totp

from members.models import TotpDevice
from tests.browser.conftest import assert_fits_phone, login
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_policy_watcher_catches_an_inline_script(browser, live_server, world):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.injected === undefined")
    assert browser.violations, "the browser should have reported the blocked inline script"
    browser.violations.clear()
    context.close()


def test_a_treasurer_signs_in_with_password_and_code_on_a_phone(phone, live_server, world):
    device = TotpDevice.objects.create(user=world.treasurer_a, name="telefoon", confirmed=True)
    phone.goto(f"{live_server.url}/accounts/login/")
    phone.fill("input[name=username]", world.treasurer_a.email)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("form.card button[type=submit]")
    phone.wait_for_url("**/account/2fa/verify/**")
    assert_fits_phone(phone)
    # A typo first: the page says the code is wrong, and the right code still works.
    phone.fill("input[name=otp_token]", "000000")
    phone.click("main form.card button[type=submit]")
    assert "klopt niet" in phone.inner_text("main")
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    phone.fill("input[name=otp_token]", f"{code:06d}")
    phone.click("main form.card button[type=submit]")
    phone.wait_for_url(f"{live_server.url}/")
    phone.goto(f"{live_server.url}/account/security/")
    assert "Aan." in phone.inner_text("main")
    assert_fits_phone(phone)


def test_a_member_sees_their_security_page(phone, live_server, world):
    login(phone, live_server, world.member_a.email, PASSWORD)
    phone.goto(f"{live_server.url}/account/security/")
    text = phone.inner_text("main")
    assert "Uit." in text
    assert "API-tokens" in text
    assert_fits_phone(phone)
