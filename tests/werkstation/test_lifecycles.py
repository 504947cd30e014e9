"""Every stateful model's lifecycle table, and the one helper that moves rows through it.

For each table, each pair of states is tried on a real row: a move the table lists is
made (and saved), every other one is refused with the ``invalid_transition`` conflict on
``status`` and writes nothing: neither the row nor an audit entry.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from jobs.challenges.lifecycle import BID, CHALLENGE, CONTRACT, TENDER
from jobs.challenges.models import Challenge, Contract
from jobs.lifecycle import CLAIM, JOB, OFFER, TIMESHEET
from jobs.models import Claim, Offer
from members.audit_actions import MemberAction
from members.lifecycle import MEMBERSHIP, PROPOSAL
from members.models import Membership
from payouts.lifecycle import INVOICE, PAYOUT_BATCH, RULE_SET
from payouts.models import Invoice, RuleSet
from werkstation.errors import Conflict
from werkstation.lifecycle import Lifecycle, registered_lifecycles, transition
from werkstation.models import AuditEntry

pytestmark = pytest.mark.django_db


class _Rollback(Exception):
    pass


def _row(lifecycle: Lifecycle, t):
    """One row of the lifecycle's model from the shared tenancy."""
    if lifecycle is MEMBERSHIP:
        return Membership.objects.get(user=t.member_a, cooperative=t.coop_a)
    if lifecycle is PROPOSAL:
        return t.proposal_a
    if lifecycle is JOB:
        return t.job_a
    if lifecycle is CLAIM:
        Claim.objects.filter(pk=t.claim_a.pk).update(waitlist_position=1)  # for "waitlisted"
        return t.claim_a
    if lifecycle is TIMESHEET:
        return t.timesheet_a
    if lifecycle is OFFER:
        return Offer.objects.get(pk=t.offer_a.pk)
    if lifecycle is TENDER:
        return t.tender_open
    if lifecycle is BID:
        return t.bid_a
    if lifecycle is CHALLENGE:
        # A rejected challenge has its coded reason (a constraint): give it up front.
        Challenge.objects.filter(pk=t.challenge_a.pk).update(
            reject_reason=Challenge.RejectReason.OTHER
        )
        return t.challenge_a
    if lifecycle is CONTRACT:
        return Contract.objects.get(pk=t.contract_a.pk)
    if lifecycle is INVOICE:
        return Invoice.objects.filter(cooperative=t.coop_a).order_by("pk").first()
    if lifecycle is PAYOUT_BATCH:
        return t.batch_a
    if lifecycle is RULE_SET:
        rule_set = RuleSet.objects.filter(cooperative=t.coop_a).order_by("pk").first()
        # An adopted rule set has its dates (a constraint): give them up front.
        RuleSet.objects.filter(pk=rule_set.pk).update(
            effective_from=timezone.localdate() + timedelta(days=1),
            adopted_at=timezone.now(),
            adopted_via=RuleSet.AdoptedVia.FOUNDING,
        )
        return rule_set
    raise AssertionError(f"no row for {lifecycle.model}")


TABLES = {
    "membership": MEMBERSHIP,
    "proposal": PROPOSAL,
    "job": JOB,
    "claim": CLAIM,
    "timesheet": TIMESHEET,
    "offer": OFFER,
    "tender": TENDER,
    "bid": BID,
    "challenge": CHALLENGE,
    "contract": CONTRACT,
    "invoice": INVOICE,
    "payout_batch": PAYOUT_BATCH,
    "rule_set": RULE_SET,
}


def test_every_stateful_model_has_its_table():
    assert {lc.model for lc in registered_lifecycles()} >= {lc.model for lc in TABLES.values()}
    for lifecycle in TABLES.values():
        model = lifecycle.model.split(".")
        from django.apps import apps

        field = apps.get_model(*model)._meta.get_field(lifecycle.field)
        assert set(lifecycle.states) == {value for value, _label in field.choices}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_the_table_allows_what_it_lists_and_refuses_the_rest(name, tenancy):
    lifecycle = TABLES[name]
    row = _row(lifecycle, tenancy)
    model = type(row)
    for current in lifecycle.states:
        for target in lifecycle.states:
            try:
                with transaction.atomic():
                    model.objects.filter(pk=row.pk).update(**{lifecycle.field: current})
                    obj = model.objects.get(pk=row.pk)
                    before = model.objects.filter(pk=row.pk).values().get()
                    audits = AuditEntry.objects.count()
                    if lifecycle.allows(current, target):
                        lifecycle.transition(
                            obj,
                            target,
                            by=tenancy.board_a,
                            audit_action=MemberAction.PROFILE_UPDATED,
                        )
                        stored = model.objects.filter(pk=row.pk).values_list(
                            lifecycle.field, flat=True
                        )
                        assert stored.get() == target, (current, target)
                        assert AuditEntry.objects.count() == audits + 1
                    else:
                        with pytest.raises(Conflict) as refused:
                            lifecycle.transition(
                                obj,
                                target,
                                by=tenancy.board_a,
                                audit_action=MemberAction.PROFILE_UPDATED,
                            )
                        assert refused.value.code == "invalid_transition", (current, target)
                        assert refused.value.field == "status"
                        assert model.objects.filter(pk=row.pk).values().get() == before
                        assert AuditEntry.objects.count() == audits
                    raise _Rollback
            except _Rollback:
                pass


def test_a_step_writes_the_state_the_stamps_and_exactly_one_audit_row(tenancy):
    membership = Membership.objects.get(user=tenancy.member_a, cooperative=tenancy.coop_a)
    Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.APPLIED)
    membership.refresh_from_db()
    before = AuditEntry.objects.count()
    with transaction.atomic():
        transition(
            membership,
            Membership.Status.ACTIVE,
            by=tenancy.board_a,
            audit_action=MemberAction.MEMBERSHIP_ADMITTED,
            data={"member_number": membership.member_number},
        )
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.latest("pk")
    assert entry.action == "membership.admitted"
    assert entry.actor == tenancy.board_a
    assert entry.object_type == "members.membership"
    assert entry.object_id == str(membership.pk)
    assert entry.cooperative_id == tenancy.coop_a.pk
    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.decided_by == tenancy.board_a
    assert membership.decided_at is not None


def test_a_step_from_a_state_it_does_not_start_from_keeps_the_steps_own_message(tenancy):
    membership = Membership.objects.get(user=tenancy.member_a, cooperative=tenancy.coop_a)
    Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.SUSPENDED)
    membership.refresh_from_db()
    with pytest.raises(Conflict) as refused, transaction.atomic():
        MEMBERSHIP.transition(
            membership,
            Membership.Status.ACTIVE,
            by=tenancy.board_a,
            sources=[Membership.Status.APPLIED],
            message="Only an open application can be admitted.",
            code="invalid_state",
        )
    assert (refused.value.code, refused.value.field) == ("invalid_state", "status")
    assert str(refused.value) == "Only an open application can be admitted."
    assert Membership.objects.get(pk=membership.pk).status == Membership.Status.SUSPENDED


def test_the_refusal_names_both_states(tenancy):
    from django.utils import translation

    job = tenancy.job_a
    job.refresh_from_db()
    with (
        translation.override("en"),
        pytest.raises(Conflict) as refused,
        transaction.atomic(),
    ):
        JOB.transition(job, "draft", by=tenancy.board_a)
    assert str(refused.value) == f"A job that is {job.get_status_display()} cannot become draft."
