"""Governance: one member, one vote; quorum and thresholds; proxies; adoption by vote."""

import threading
from datetime import timedelta

import pytest
from django.db import close_old_connections, connection
from django.utils import timezone

from jobs.models import DispatchPolicy
from jobs.services.dispatching import policy_in_force
from members.access import forget_memberships
from members.models import Membership, Proposal, Vote
from members.services.governance import (
    is_adopted,
    proposal_close,
    proposal_create,
    proposal_kinds,
    proposal_open,
    proposal_tally,
    proxy_grant,
    simulation_viewed,
    vote_cast,
)
from payouts.models import RuleSet
from payouts.selectors import rule_set_in_force
from tests.factories import MembershipFactory
from tests.factories.work import ensure_founded
from werkstation.errors import ApplicationError, Conflict, PermissionDenied, ValidationFailed
from werkstation.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_RULES = {
    "currency": "EUR",
    "member_floor_hourly_cents": 1471,
    "pots": [{"pot": "coop_fund", "percent": "5"}],
}


def _open(world, kind="motion", **extra):
    proposal = proposal_create(
        actor=world.board_a, cooperative=world.coop_a, kind=kind, title="Voorstel", **extra
    )
    return proposal_open(actor=world.board_a, proposal=proposal)


def _close(proposal):
    return proposal_close(proposal=proposal, now=proposal.closes_at + timedelta(seconds=1))


def test_electorate_is_fixed_when_the_vote_opens(world):
    proposal = _open(world)
    # The active members of A when it opened: member, board, treasurer, auditor.
    assert proposal.electorate_size == 4
    late = MembershipFactory(cooperative=world.coop_a).user
    with pytest.raises(PermissionDenied):
        vote_cast(actor=late, proposal=proposal, choice="yes")


def test_one_vote_per_member_which_can_be_changed(world):
    proposal = _open(world)
    vote_cast(actor=world.member_a, proposal=proposal, choice="yes")
    vote_cast(actor=world.member_a, proposal=proposal, choice="no")
    assert Vote.objects.get(proposal=proposal, voter=world.member_a).choice == "no"
    assert Vote.objects.filter(proposal=proposal).count() == 1


def test_suspended_members_and_non_members_cannot_vote(world):
    proposal = _open(world)
    Membership.objects.filter(user=world.member_a, cooperative=world.coop_a).update(
        status="suspended"
    )
    forget_memberships(world.member_a)
    for voter in (world.member_a, world.member_b):
        with pytest.raises(PermissionDenied):
            vote_cast(actor=voter, proposal=proposal, choice="yes")
    assert Vote.objects.count() == 0


def test_no_vote_after_closing(world):
    proposal = _open(world)
    Proposal.objects.filter(pk=proposal.pk).update(
        closes_at=timezone.now() - timedelta(seconds=1), opens_at=timezone.now() - timedelta(days=1)
    )
    with pytest.raises(Conflict):
        vote_cast(actor=world.member_a, proposal=proposal, choice="yes")


@pytest.mark.parametrize(
    ("votes", "majority", "status"),
    [
        (["yes", "yes", "no"], "simple", "adopted"),
        (["yes", "no"], "simple", "rejected"),  # a tie is not adopted
        (["yes", "no", "abstain", "abstain"], "simple", "rejected"),
        (["yes", "yes", "no"], "two_thirds", "adopted"),
        (["yes", "yes", "no", "no"], "two_thirds", "rejected"),
        (["abstain"], "simple", "failed_quorum"),  # 1 of 4 < 30%
        (["abstain", "abstain"], "simple", "rejected"),  # quorum met by abstentions, no yes
    ],
)
def test_quorum_and_thresholds(world, votes, majority, status):
    proposal = _open(world)
    Proposal.objects.filter(pk=proposal.pk).update(majority=majority)
    voters = [world.member_a, world.board_a, world.treasurer_a, world.auditor_a]
    for voter, choice in zip(voters, votes, strict=False):
        vote_cast(actor=voter, proposal=proposal, choice=choice)
    proposal.refresh_from_db()
    closed = _close(proposal)
    assert closed.status == status
    tally = proposal_tally(closed)
    assert (tally.yes, tally.no, tally.abstain) == (
        votes.count("yes"),
        votes.count("no"),
        votes.count("abstain"),
    )


def test_two_thirds_edge():
    from members.services.governance import Tally

    assert is_adopted(Tally(electorate=9, yes=6, no=3, abstain=0, quorum_needed=1), "two_thirds")
    assert not is_adopted(
        Tally(electorate=9, yes=5, no=3, abstain=0, quorum_needed=1), "two_thirds"
    )


def test_proxies_limits_chains_and_in_person_override(world):
    world.coop_a.max_proxies_per_member = 1
    world.coop_a.save()
    proposal = _open(world)
    with pytest.raises(ValidationFailed):
        proxy_grant(grantor=world.member_a, holder=world.member_a, cooperative=world.coop_a)
    with pytest.raises(ValidationFailed):
        proxy_grant(grantor=world.member_a, holder=world.member_b, cooperative=world.coop_a)
    proxy_grant(
        grantor=world.member_a, holder=world.board_a, cooperative=world.coop_a, proposal=proposal
    )
    with pytest.raises(Conflict) as limit:
        proxy_grant(grantor=world.treasurer_a, holder=world.board_a, cooperative=world.coop_a)
    assert limit.value.code == "proxy_limit"
    with pytest.raises(Conflict) as chain:
        proxy_grant(grantor=world.board_a, holder=world.auditor_a, cooperative=world.coop_a)
    assert chain.value.code == "proxy_chain"
    vote = vote_cast(
        actor=world.board_a, proposal=proposal, choice="yes", on_behalf_of=world.member_a
    )
    assert vote.by_proxy
    with pytest.raises(PermissionDenied):  # no proxy from the treasurer
        vote_cast(
            actor=world.board_a, proposal=proposal, choice="yes", on_behalf_of=world.treasurer_a
        )
    vote_cast(actor=world.member_a, proposal=proposal, choice="no")  # in person overrides
    with pytest.raises(Conflict):
        vote_cast(actor=world.board_a, proposal=proposal, choice="yes", on_behalf_of=world.member_a)
    assert Vote.objects.get(voter=world.member_a).choice == "no"


def test_adopted_payout_rules_come_into_force_and_earlier_splits_keep_theirs(world):
    ensure_founded(world.coop_a)
    proposal = _open(
        world, kind="payout_rules", payload={"spec": NEW_RULES}, require_simulation=True
    )
    assert proposal.majority == "two_thirds"
    rule_set = RuleSet.objects.get(pk=proposal.payload["rule_set"])
    assert rule_set.status == "proposed"
    with pytest.raises(PermissionDenied) as required:
        vote_cast(actor=world.member_a, proposal=proposal, choice="yes")
    assert required.value.code == "simulation_required"
    for voter in (world.member_a, world.board_a, world.treasurer_a):
        simulation_viewed(user=voter, proposal=proposal)
        vote_cast(actor=voter, proposal=proposal, choice="yes")
    proposal.refresh_from_db()
    assert _close(proposal).status == "adopted"
    rule_set.refresh_from_db()
    assert rule_set.status == "adopted"
    assert rule_set.adopted_via == "vote"
    assert rule_set_in_force(world.coop_a.pk, timezone.localdate()).pk == rule_set.pk


def test_invalid_rule_set_in_a_proposal_is_refused_and_writes_nothing(world):
    before = (Proposal.objects.count(), RuleSet.objects.count())
    with pytest.raises(ValidationFailed) as error:
        proposal_create(
            actor=world.board_a,
            cooperative=world.coop_a,
            kind="payout_rules",
            title="x",
            payload={"spec": {"currency": "EUR", "pots": [{"pot": "member", "percent": "5"}]}},
        )
    assert error.value.field.startswith("spec.pots[0]")
    assert (Proposal.objects.count(), RuleSet.objects.count()) == before


def test_adopted_dispatch_policy_becomes_the_policy_in_force(world):
    proposal = _open(
        world,
        kind="dispatch_policy",
        payload={"km_cost_cents": 20, "shortfall_cents_per_minute": 9},
    )
    for voter in (world.member_a, world.board_a):
        vote_cast(actor=voter, proposal=proposal, choice="yes")
    proposal.refresh_from_db()
    _close(proposal)
    assert DispatchPolicy.objects.get().adopted
    assert policy_in_force(world.coop_a.pk, timezone.localdate()) == {
        "km_cost_cents": 20,
        "shortfall_cents_per_minute": 9,
    }


def test_the_payout_rules_kind_checks_without_writing_and_drafts_when_proposed(world):
    """``validate`` is a pure check; the rule set is drafted by ``on_create``, once."""
    kind = proposal_kinds()["payout_rules"]
    payload = {
        "spec": NEW_RULES,
        "effective_from": "2030-01-01",
        "allow_advances": True,
        "advance_limit_cents": 5000,
    }

    def written():
        return (RuleSet.objects.count(), AuditEntry.objects.count(), Proposal.objects.count())

    before = written()
    clean = kind.validate(cooperative=world.coop_a, payload=payload, actor=world.board_a)
    assert written() == before
    assert "rule_set" not in clean
    assert clean["spec"]["pots"][0]["pot"] == "coop_fund"
    with pytest.raises(ValidationFailed) as error:
        kind.validate(
            cooperative=world.coop_a,
            payload={**payload, "advance_limit_cents": -1},
            actor=world.board_a,
        )
    assert error.value.field == "advance_limit_cents"
    assert written() == before

    proposal = proposal_create(
        actor=world.board_a,
        cooperative=world.coop_a,
        kind="payout_rules",
        title="Regels",
        payload=payload,
    )
    rule_set = RuleSet.objects.get(cooperative=world.coop_a, status="draft")
    assert proposal.payload == {
        "rule_set": rule_set.pk,
        "effective_from": "2030-01-01",
        "allow_advances": True,
        "advance_limit_cents": 5000,
    }
    assert AuditEntry.objects.filter(action="ruleset.drafted", object_id=str(rule_set.pk)).exists()
    assert RuleSet.objects.count() == before[0] + 1


def test_an_adopted_dispatch_policy_is_the_next_version_with_an_audit_row(world):
    for weights, version in (((20, 9), 1), ((15, 4), 2)):
        proposal = _open(
            world,
            kind="dispatch_policy",
            payload={"km_cost_cents": weights[0], "shortfall_cents_per_minute": weights[1]},
        )
        for voter in (world.member_a, world.board_a):
            vote_cast(actor=voter, proposal=proposal, choice="yes")
        proposal.refresh_from_db()
        _close(proposal)
        policy = DispatchPolicy.objects.get(cooperative=world.coop_a, version=version)
        entry = AuditEntry.objects.get(action="dispatch_policy.adopted", object_id=str(policy.pk))
        assert entry.cooperative_id == world.coop_a.pk
        assert entry.actor is None
        assert entry.data == {
            "version": version,
            "km_cost_cents": weights[0],
            "shortfall_cents_per_minute": weights[1],
            "effective_from": timezone.localdate().isoformat(),
            "proposal_id": proposal.pk,
        }
    assert policy_in_force(world.coop_a.pk, timezone.localdate()) == {
        "km_cost_cents": 15,
        "shortfall_cents_per_minute": 4,
    }


def test_members_proposal_needs_cosigners(world):
    from members.services.governance import proposal_cosign

    world.coop_a.cosigners_required = 2
    world.coop_a.save()
    proposal = proposal_create(
        actor=world.member_a, cooperative=world.coop_a, kind="motion", title="Meer groen"
    )
    with pytest.raises(Conflict):
        proposal_open(actor=world.member_a, proposal=proposal)
    proposal_cosign(actor=world.treasurer_a, proposal=proposal)
    proposal_cosign(actor=world.auditor_a, proposal=proposal)
    assert proposal_open(actor=world.member_a, proposal=proposal).status == "open"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_double_votes_leave_one_vote(world):
    """Eight requests of one member at once: each either records the vote or is told that a
    racing request just did; nothing else goes wrong in any thread, and one vote is left."""
    proposal = _open(world)
    barrier = threading.Barrier(8)
    cast_choices = []  # what the requests that succeeded recorded
    refused = []  # ApplicationError codes
    unexpected = []  # anything else raised in a thread, barrier timeouts included

    def cast(choice):
        try:
            barrier.wait(timeout=30)
            vote = vote_cast(actor=world.member_a, proposal=proposal, choice=choice)
            cast_choices.append(vote.choice)
        except ApplicationError as exc:
            refused.append(exc.code)
        except BaseException as exc:  # reported by the assertion below
            unexpected.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=("yes" if i % 2 else "no",)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    close_old_connections()
    assert not [thread for thread in threads if thread.is_alive()], "a vote thread hung"
    assert unexpected == []
    assert set(refused) <= {"concurrent_vote"}, refused
    assert len(cast_choices) + len(refused) == 8
    assert cast_choices, "no request recorded the vote"
    assert Vote.objects.filter(proposal=proposal, voter=world.member_a).count() == 1
    assert Vote.objects.get(proposal=proposal, voter=world.member_a).choice in cast_choices


def test_secret_ballot_shows_only_turnout_and_own_vote_in_the_api(world):
    from tests.conftest import api_as

    proposal = _open(world, secret=True)
    api_as(world.member_a).post(f"/api/v1/proposals/{proposal.pk}/vote/", {"choice": "no"})
    api_as(world.board_a).post(f"/api/v1/proposals/{proposal.pk}/vote/", {"choice": "yes"})
    seen = api_as(world.treasurer_a).get(f"/api/v1/proposals/{proposal.pk}/").data
    assert seen["turnout"] == 2
    assert seen["my_vote"] is None
    assert "votes" not in seen
    mine = api_as(world.member_a).get(f"/api/v1/proposals/{proposal.pk}/").data
    assert mine["my_vote"] == "no"
    assert "votes" not in mine
    open_ballot = _open(world)
    api_as(world.member_a).post(f"/api/v1/proposals/{open_ballot.pk}/vote/", {"choice": "yes"})
    assert (
        api_as(world.treasurer_a)
        .get(f"/api/v1/proposals/{open_ballot.pk}/")
        .data["votes"][0]["choice"]
        == "yes"
    )
    # No counts while the vote is open, not even for the auditor...
    early = api_as(world.auditor_a).get(f"/api/v1/proposals/{proposal.pk}/tally/")
    assert early.status_code == 409
    assert "yes" not in early.data
    # ...who recounts from the stored votes once it closed.
    _close(proposal)
    tally = api_as(world.auditor_a).get(f"/api/v1/proposals/{proposal.pk}/tally/").data
    assert (tally["yes"], tally["no"]) == (1, 1)
    assert api_as(world.board_a).get(f"/api/v1/proposals/{proposal.pk}/tally/").status_code == 403


def test_simulation_compares_my_last_three_months_and_the_fund(world):
    from payouts.services.settlement import settlement_run
    from tests.conftest import api_as
    from tests.factories.money import approved_timesheet
    from tests.factories.work import place_member

    ensure_founded(world.coop_a)
    from decimal import Decimal

    from jobs.models import Job

    place_member(world.member_a)
    world.job = Job.objects.create(
        cooperative=world.coop_a,
        client=world.client_a,
        title="Tuin",
        category="greening",
        street="x",
        postcode="3526 KL",
        latitude=Decimal("52.07"),
        longitude=Decimal("5.09"),
        client_tariff=Decimal("32"),
        status="open",
    )
    approved_timesheet(world)
    settlement_run()
    proposal = _open(world, kind="payout_rules", payload={"spec": NEW_RULES})
    simulation = api_as(world.member_a).get(f"/api/v1/proposals/{proposal.pk}/simulation/").data
    assert simulation["member_total_now_cents"] == 8640
    assert simulation["member_total_proposed_cents"] == 9120
    assert simulation["fund_income_now_cents"] == 960
    assert simulation["fund_income_proposed_cents"] == 480
    assert simulation["shifts"][0]["net_proposed_cents"] == 9120
    assert simulation["change_per_month_cents"] == 160  # € 4,80 more over three months


def test_governance_pages_show_rules_simulate_and_vote(client, world):
    ensure_founded(world.coop_a)
    proposal = _open(
        world, kind="payout_rules", payload={"spec": NEW_RULES}, require_simulation=True
    )
    client.force_login(world.member_a)
    listing = client.get("/c/alpha/proposals/")
    assert proposal.title.encode() in listing.content
    page = client.get(f"/proposals/{proposal.pk}/")
    assert "5% van het bruto naar het coöperatiefonds" in page.content.decode()
    client.post(f"/proposals/{proposal.pk}/", {"action": "vote", "choice": "yes"})
    assert not Vote.objects.exists()  # the simulation comes first here
    simulated = client.get(f"/proposals/{proposal.pk}/?simulate=1")
    assert "Dit voorstel verandert niet wat je krijgt." in simulated.content.decode()
    client.post(f"/proposals/{proposal.pk}/", {"action": "vote", "choice": "yes"})
    assert Vote.objects.get().choice == "yes"


def test_board_proposes_a_dispatch_policy_from_the_page(client, world):
    from tests.factories.api import login_verified

    login_verified(client, world.board_a)
    response = client.post(
        "/c/alpha/proposals/",
        {
            "kind": "dispatch_policy",
            "title": "Minder reizen",
            "km_cost_cents": 25,
            "shortfall_cents_per_minute": 4,
        },
    )
    assert response.status_code == 302
    assert Proposal.objects.get().payload == {"km_cost_cents": 25, "shortfall_cents_per_minute": 4}
    # Payout rules have their own form (tests/payouts/test_rules_form.py), no JSON box here.
    bad = client.post(
        "/c/alpha/proposals/",
        {"kind": "payout_rules", "title": "Regels", "spec": '{"currency": "EUR"}'},
    )
    assert bad.status_code == 200
    assert "kind" in bad.context["form"].errors
    assert Proposal.objects.count() == 1


def test_secrecy_holds_in_the_admin_and_the_export(world):
    from django.contrib import admin

    from members.services.privacy import personal_data_export

    assert Vote not in admin.site._registry
    proposal = _open(world, secret=True)
    vote_cast(actor=world.member_a, proposal=proposal, choice="no")
    assert personal_data_export(user=world.member_a)["votes"][0]["choice"] == "no"
    assert personal_data_export(user=world.board_a)["votes"] == []


def test_a_vote_changes_later_splits_while_earlier_splits_keep_their_rules(world):
    from decimal import Decimal

    from jobs.models import Job
    from payouts.models import Split
    from payouts.services.settlement import settlement_run
    from tests.factories.money import approved_timesheet
    from tests.factories.work import place_member

    ensure_founded(world.coop_a)
    place_member(world.member_a)
    world.job = Job.objects.create(
        cooperative=world.coop_a,
        client=world.client_a,
        title="Tuin",
        category="greening",
        street="x",
        postcode="3526 KL",
        latitude=Decimal("52.07"),
        longitude=Decimal("5.09"),
        client_tariff=Decimal("32"),
        status="open",
    )
    before = approved_timesheet(world, days_ago=2)
    settlement_run()
    proposal = _open(world, kind="payout_rules", payload={"spec": NEW_RULES})
    for voter in (world.member_a, world.board_a, world.treasurer_a):
        simulation_viewed(user=voter, proposal=proposal)
        vote_cast(actor=voter, proposal=proposal, choice="yes")
    proposal.refresh_from_db()
    _close(proposal)
    local_now = timezone.localtime()
    ten = local_now.replace(
        hour=10, minute=0, second=0, microsecond=0
    )  # today, whatever the hour now
    after = approved_timesheet(
        world, days_ago=0, hours_earlier=(local_now - ten).total_seconds() / 3600 - 4
    )
    settlement_run()
    old, new = Split.objects.get(timesheet=before), Split.objects.get(timesheet=after)
    assert old.rule_set.version == 1
    assert old.pots == {"coop_fund": 768, "solidarity_fund": 192}
    assert new.rule_set.adopted_via == "vote"
    assert new.pots == {"coop_fund": 480}


def test_members_hear_when_a_vote_opens_closes_soon_and_has_a_result(
    world, django_capture_on_commit_callbacks
):
    from django.core import mail

    from members.services.governance import proposals_remind

    with django_capture_on_commit_callbacks(execute=True):
        proposal = _open(world)
    assert len(mail.outbox) == 4  # the electorate
    vote_cast(actor=world.member_a, proposal=proposal, choice="yes")
    mail.outbox.clear()
    proposal.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert proposals_remind(now=proposal.closes_at - timedelta(hours=2)) == 1
        assert proposals_remind(now=proposal.closes_at - timedelta(hours=1)) == 0  # once
    assert len(mail.outbox) == 3
    assert not any(world.member_a.email in m.to for m in mail.outbox)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        _close(proposal)
    assert len(mail.outbox) == 4
