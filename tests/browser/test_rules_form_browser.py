"""The board proposes payout rules with the form on a phone: no JSON typed, the preview
warns while the floor is below the minimum wage, and the proposal carries the rules."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from members.models import Proposal
from payouts.models import RuleSet
from tests.browser.conftest import assert_fits_phone
from tests.factories import PASSWORD
from tests.factories.work import ensure_founded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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


def test_the_board_proposes_rules_with_the_form_and_sees_the_minimum_wage_warning(
    phone, live_server, world
):
    ensure_founded(world.coop_a)
    _board_login(phone, live_server, world.board_a)
    phone.goto(f"{live_server.url}/c/alpha/proposals/")
    phone.click("#propose-rules")
    phone.wait_for_url("**/c/alpha/rules/new/")
    assert_fits_phone(phone)
    # The form starts from the rules in force: two pots, the floor at the minimum wage.
    assert phone.input_value("input[name=pots-0-pot]") == "coop_fund"
    assert phone.input_value("input[name=pots-1-percent]") == "2"
    assert phone.locator("#preview-warnings").count() == 0

    phone.fill("input[name=title]", "Opleidingsfonds erbij")
    # A pot is added by a button (a full page round trip, it works without JavaScript).
    phone.click("#add-pot")
    phone.wait_for_selector("input[name=pots-2-label_nl]")
    assert phone.input_value("input[name=title]") == "Opleidingsfonds erbij"
    phone.fill("input[name=pots-2-label_nl]", "Opleidingsfonds")
    phone.fill("input[name=pots-2-pot]", "training_fund")
    phone.fill("input[name=pots-2-percent]", "1,5")

    # Typing a floor below the minimum wage: the live preview warns, in Dutch.
    phone.fill("input[name=member_floor]", "10.00")
    warning = phone.locator("#preview-warnings")
    warning.wait_for()
    assert "minimumloon" in warning.inner_text()
    proposed = phone.locator("#preview-proposed").inner_text()
    assert "Opleidingsfonds" in proposed
    assert "1,5%" in proposed
    assert phone.locator("#preview-current").count() == 1
    assert_fits_phone(phone)

    phone.click("#propose")
    phone.wait_for_url("**/proposals/*/")
    proposal = Proposal.objects.get(kind="payout_rules")
    assert proposal.status == Proposal.Status.DRAFT
    assert proposal.title == "Opleidingsfonds erbij"
    assert RuleSet.objects.get(pk=proposal.payload["rule_set"]).spec == {
        "currency": "EUR",
        "member_floor_hourly_cents": 1000,
        "pots": [
            {"pot": "coop_fund", "percent": "8"},
            {"pot": "solidarity_fund", "percent": "2"},
            {"pot": "training_fund", "percent": "1.5", "label": {"nl": "Opleidingsfonds"}},
        ],
    }
    # The proposal page carries the same warning; the board still opens the vote.
    assert "minimumloon" in phone.locator("main").inner_text()
    assert phone.locator("button[name=action][value=open]").count() == 1
