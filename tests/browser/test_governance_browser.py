from datetime import timedelta

import pytest
from django.utils import timezone

from members.models import Proposal, Vote
from members.services.governance import (
    proposal_close,
    proposal_create,
    proposal_open,
    simulation_viewed,
    vote_cast,
)
from payouts.models import RuleSet
from payouts.selectors import rule_set_in_force
from tests.browser.conftest import assert_fits_phone, login
from tests.factories import PASSWORD
from tests.factories.work import ensure_founded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_opens_the_simulation_votes_and_the_rules_come_into_force(phone, live_server, world):
    ensure_founded(world.coop_a)
    proposal = proposal_open(
        actor=world.board_a,
        proposal=proposal_create(
            actor=world.board_a,
            cooperative=world.coop_a,
            kind="payout_rules",
            title="Minder afdracht",
            payload={"spec": {"currency": "EUR", "pots": [{"pot": "coop_fund", "percent": "5"}]}},
            require_simulation=True,
        ),
    )
    login(phone, live_server, world.member_a.email, PASSWORD)
    phone.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    assert_fits_phone(phone)
    # The rules in words name the pot as people do, not by its slug.
    assert phone.locator("text=coöperatiefonds").count() >= 1
    phone.click("a[href='?simulate=1']")
    phone.wait_for_url("**simulate=1")
    phone.check("input[name=choice][value=yes]")
    phone.click("form.row button.primary")
    phone.wait_for_selector(".msg")
    assert Vote.objects.get(proposal=proposal, voter=world.member_a).choice == "yes"
    simulation_viewed(user=world.board_a, proposal=proposal)
    vote_cast(actor=world.board_a, proposal=proposal, choice="yes")
    proposal.refresh_from_db()
    closed = proposal_close(proposal=proposal, now=proposal.closes_at + timedelta(seconds=1))
    assert closed.status == Proposal.Status.ADOPTED
    in_force = rule_set_in_force(world.coop_a.pk, timezone.localdate())
    assert in_force.pk == closed.payload["rule_set"]
    assert in_force.adopted_via == RuleSet.AdoptedVia.VOTE
