"""The factories of ``tests/factories``: each trait leaves the state its name promises, and
what the services make (splits, invoices, batches) is balanced in the ledger."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone

from jobs.challenges.models import Bid, Challenge, Tender
from jobs.models import Claim, Shift, Timesheet
from members.models import Cooperative, Profile
from payouts.models import Entry, Invoice, PayoutBatch, PayoutItem, Split
from tests.factories.challenges import BidFactory, ChallengeFactory, TenderFactory
from tests.factories.jobs import ClaimFactory, ShiftFactory, TimesheetFactory
from tests.factories.payouts import (
    InvoiceFactory,
    PayoutBatchFactory,
    PayoutItemFactory,
    SelfBillingInvoiceFactory,
    SplitFactory,
)

pytestmark = pytest.mark.django_db


def _balanced(cooperative) -> bool:
    entries = Entry.objects.filter(transaction__cooperative=cooperative)
    return entries.exists() and entries.aggregate(total=Sum("amount_cents"))["total"] == 0


def test_work_traits():
    past = ShiftFactory(past=True, days_ago=2)
    assert past.end < timezone.now()
    assert past.local_date == timezone.localdate() - timedelta(days=2)
    assert past.cooperative_id == past.job.cooperative_id  # the feed's copies are kept
    claim = ClaimFactory(confirmed=True, shift=past)
    assert claim.status == Claim.Status.CONFIRMED
    assert claim.confirmed_at is not None
    assert Shift.objects.get(pk=past.pk).filled == 1
    assert ClaimFactory(offered=True).offer_expires_at > timezone.now()
    assert ClaimFactory(past=True).shift.start < timezone.now()
    submitted = TimesheetFactory()
    assert submitted.status == Timesheet.Status.SUBMITTED
    assert submitted.claim.status == Claim.Status.CONFIRMED
    assert submitted.claim.shift.end < timezone.now()
    approved = TimesheetFactory(approved=True)
    assert approved.decided_at is not None
    assert Claim.objects.get(pk=approved.claim_id).status == Claim.Status.COMPLETED
    assert not approved.splits.exists()
    assert TimesheetFactory(disputed=True).status == Timesheet.Status.DISPUTED


def test_settled_work_is_settlement_s_own_split_in_a_balanced_ledger():
    sheet = TimesheetFactory(settled=True, minutes_worked=120)
    split = sheet.splits.get()
    assert split.kind == Split.Kind.SETTLEMENT
    assert split.minutes == 120
    assert split.member_id == sheet.claim.user_id
    assert _balanced(split.cooperative)
    other = SplitFactory()
    assert other.timesheet.status == Timesheet.Status.APPROVED
    assert _balanced(other.cooperative)


def test_invoices_are_issued_and_paid_by_the_services():
    invoice = InvoiceFactory()
    assert invoice.status == Invoice.Status.ISSUED
    assert invoice.lines.count() == 1
    paid = InvoiceFactory(paid=True)
    assert paid.status == Invoice.Status.PAID
    assert paid.open_cents == 0
    assert paid.lines.get().released
    assert _balanced(paid.cooperative)


def test_payout_batches_go_through_four_eyes_and_execution():
    invoice = InvoiceFactory(paid=True)
    member = invoice.lines.get().split.member
    # SEPA needs the cooperative's account, and holds a member's payout without one.
    Cooperative.objects.filter(pk=invoice.cooperative_id).update(iban="NL91ABNA0417164300")
    Profile.objects.filter(user=member).update(iban="NL02ABNA0123456789", account_holder="Lid")
    draft = PayoutBatchFactory(cooperative=invoice.cooperative)
    assert draft.status == PayoutBatch.Status.DRAFT
    assert draft.items.count() == 1
    draft.status = PayoutBatch.Status.CANCELLED  # out of the way for the next one
    draft.save(update_fields=["status"])
    confirmed = PayoutBatchFactory(cooperative=invoice.cooperative, confirmed=True)
    assert confirmed.status == PayoutBatch.Status.EXECUTED
    assert confirmed.approvals.count() == 2
    assert [item.status for item in confirmed.items.all()] == [PayoutItem.Status.PAID]
    assert _balanced(invoice.cooperative)


def test_rows_written_directly():
    sent = PayoutItemFactory()
    assert sent.status == PayoutItem.Status.SENT
    assert sent.batch.status == PayoutBatch.Status.EXECUTED
    paid = PayoutItemFactory(paid=True, booked=True)
    assert paid.status == PayoutItem.Status.PAID
    assert _balanced(paid.batch.cooperative)
    split = SplitFactory()
    invoice = SelfBillingInvoiceFactory(
        cooperative=split.cooperative, member=split.member, split=split
    )
    assert invoice.lines.get().amount_cents == split.member_cents


def test_challenge_traits():
    assert TenderFactory().status == Tender.Status.OPEN
    assert TenderFactory(draft=True).status == Tender.Status.DRAFT
    closed = TenderFactory(closed=True)
    assert closed.status == Tender.Status.CLOSED
    assert closed.submission_deadline < timezone.now()
    assert TenderFactory(awarded=True).status == Tender.Status.AWARDED
    assert BidFactory().status == Bid.Status.DRAFT
    assert BidFactory(capacity_checked=True).capacity_checked_at is not None
    submitted = BidFactory(submitted=True)
    assert submitted.status == Bid.Status.SUBMITTED
    assert submitted.submitted_at is not None
    assert BidFactory(awarded=True).status == Bid.Status.AWARDED
    assert ChallengeFactory().status == Challenge.Status.SUBMITTED
    modified = ChallengeFactory(modification_proposed=True)
    assert modified.status == Challenge.Status.MODIFICATION_PROPOSED
    assert modified.modification
