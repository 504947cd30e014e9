"""Money: splits, invoices and payout batches, made by the services that make them.

* ``SplitFactory()``: the settlement split of a settled timesheet (``TimesheetFactory(
  settled=True)``, which ``settlement_run`` settled under the founding rules). Pass
  ``timesheet=`` or ``timesheet__…`` to choose the work.
* ``InvoiceFactory(timesheets=[…])``: ``invoice_issue`` over settled timesheets (one fresh
  one by default), issued by a treasurer of the cooperative (one is made if it has none).
  Trait ``paid``: ``payment_record`` received the whole total, which releases the members'
  shares to payable.
* ``PayoutBatchFactory(cooperative=…)``: ``payout_batch_create`` over what is payable (it
  refuses when nothing is). Traits ``approved`` (two approvals through
  ``payout_batch_approve``; two board members are made unless ``approvers=`` names two),
  ``executed`` (then ``payout_batch_execute``; SEPA items are "sent to the bank") and
  ``confirmed`` (then ``payout_batch_confirm``: paid). SEPA needs the cooperative's IBAN,
  and holds the payout of a member without one, as in production.

Written directly, for the states no service reaches in one step:

* ``PayoutItemFactory``: one item of an executed batch, ``sent`` (default) or ``paid``;
  ``booked=True`` also posts the payout to the ledger as execution does (payable → bank).
* ``SelfBillingInvoiceFactory``: a member's self-billing invoice; ``split=`` adds the
  split's line, as the self-billing service writes it.

These are plain ``factory.Factory`` classes whose ``_create`` calls the service; use them
with the create strategy (calling the class), not ``build``.
"""

from __future__ import annotations

from decimal import Decimal

import factory
from django.utils import timezone

from members.models import Membership
from payouts.models import (
    Invoice,
    PayoutBatch,
    PayoutItem,
    SelfBillingInvoice,
    SelfBillingLine,
    Split,
)

from . import MembershipFactory
from .jobs import TimesheetFactory


def treasurer_of(cooperative):
    """An active treasurer of ``cooperative``; one is made if it has none."""
    membership = (
        Membership.objects.filter(
            cooperative=cooperative, status=Membership.Status.ACTIVE, is_treasurer=True
        )
        .select_related("user")
        .first()
    )
    if membership is None:
        membership = MembershipFactory(cooperative=cooperative, is_treasurer=True)
    return membership.user


class SplitFactory(factory.Factory):
    class Meta:
        model = Split

    timesheet = factory.SubFactory(TimesheetFactory, settled=True)

    @classmethod
    def _create(cls, model_class, *, timesheet):
        return timesheet.splits.get(kind=Split.Kind.SETTLEMENT)


class InvoiceFactory(factory.Factory):
    class Meta:
        model = Invoice

    class Params:
        paid = factory.Trait(payment=True)

    timesheets = factory.LazyFunction(lambda: [TimesheetFactory(settled=True)])
    cooperative = factory.LazyAttribute(lambda o: o.timesheets[0].claim.shift.cooperative)
    client = factory.LazyAttribute(lambda o: o.timesheets[0].claim.shift.job.client)
    actor = factory.LazyAttribute(lambda o: treasurer_of(o.cooperative))
    issued_on = None
    payment = False

    @classmethod
    def _create(cls, model_class, *, timesheets, cooperative, client, actor, issued_on, payment):
        from payouts.services.invoices import invoice_issue, payment_record

        days = [
            split.work_date
            for sheet in timesheets
            for split in sheet.splits.filter(kind=Split.Kind.SETTLEMENT)
        ]
        invoice = invoice_issue(
            actor=actor,
            cooperative=cooperative,
            client=client,
            period_start=min(days),
            period_end=max(days),
            timesheet_ids=[sheet.pk for sheet in timesheets],
            issued_on=issued_on,
        )
        if payment:
            payment_record(
                actor=None,
                cooperative=cooperative,
                invoice_number=invoice.display_number,
                amount=Decimal(invoice.open_cents) / 100,
                currency=invoice.currency,
                received_on=timezone.localdate(),
            )
            invoice.refresh_from_db()
        return invoice


def _two_approvers(cooperative):
    return [MembershipFactory(cooperative=cooperative, is_board=True).user for _ in range(2)]


class PayoutBatchFactory(factory.Factory):
    class Meta:
        model = PayoutBatch

    class Params:
        approved = factory.Trait(stage="approved")
        executed = factory.Trait(stage="executed")
        confirmed = factory.Trait(stage="confirmed")

    cooperative = factory.LazyFunction(lambda: InvoiceFactory(paid=True).cooperative)
    actor = None
    execution_date = None
    approvers = None
    stage = "draft"

    @classmethod
    def _create(cls, model_class, *, cooperative, actor, execution_date, approvers, stage):
        from payouts.services.payouts import (
            payout_batch_approve,
            payout_batch_confirm,
            payout_batch_create,
            payout_batch_execute,
        )

        batch = payout_batch_create(
            actor=actor, cooperative=cooperative, execution_date=execution_date
        )
        if stage == "draft":
            return batch
        approvers = approvers or _two_approvers(cooperative)
        for approver in approvers:
            batch = payout_batch_approve(actor=approver, batch=batch)
        if stage in ("executed", "confirmed"):
            batch = payout_batch_execute(actor=None, batch=batch)
        if stage == "confirmed":
            payout_batch_confirm(actor=approvers[0], batch=batch)
        batch.refresh_from_db()
        return batch


class PayoutItemFactory(factory.django.DjangoModelFactory):
    """One SEPA item of an executed batch (rows written directly); ``batch__cooperative=``
    chooses the cooperative."""

    class Meta:
        model = PayoutItem

    class Params:
        paid = factory.Trait(
            status=PayoutItem.Status.PAID,
            paid_at=factory.LazyFunction(timezone.now),
            iban="NL20INGB0001234567",
        )

    batch = factory.SubFactory("tests.factories.payouts._ExecutedBatchRowFactory")
    member = factory.SubFactory("tests.factories.UserFactory")
    amount_cents = 100
    method = PayoutItem.Method.SEPA
    status = PayoutItem.Status.SENT
    sent_at = factory.LazyFunction(timezone.now)
    idempotency_key = factory.Sequence(lambda n: f"factory-payout-{n}")
    booked = False  # not a field: post the payout to the ledger

    @classmethod
    def _create(cls, model_class, *args, booked=False, **kwargs):
        item = super()._create(model_class, *args, **kwargs)
        if booked:
            from payouts.services.ledger import AccountBook, Leg, post

            coop_id = item.batch.cooperative_id
            book = AccountBook(coop_id)
            post(
                coop_id,
                kind="payout",
                reference=f"payout-item:{item.pk}",
                description="test",
                legs=[
                    Leg(book.get("payable", item.member_id), item.amount_cents),
                    Leg(book.get("bank"), -item.amount_cents),
                ],
            )
        return item


class _ExecutedBatchRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PayoutBatch

    cooperative = factory.SubFactory("tests.factories.CooperativeFactory")
    status = PayoutBatch.Status.EXECUTED
    execution_date = factory.LazyFunction(timezone.localdate)


class SelfBillingInvoiceFactory(factory.django.DjangoModelFactory):
    """A member's first self-billing invoice this month (rows written directly)."""

    class Meta:
        model = SelfBillingInvoice
        skip_postgeneration_save = True

    cooperative = factory.SubFactory("tests.factories.CooperativeFactory")
    member = factory.SubFactory("tests.factories.UserFactory")
    sequence_number = 1
    number = factory.LazyAttribute(
        lambda o: f"SB-{o.member.pk}-{timezone.localdate().year}-{o.sequence_number:04d}"
    )
    issued_on = factory.LazyFunction(timezone.localdate)
    period_start = factory.LazyAttribute(lambda o: o.issued_on.replace(day=1))
    period_end = factory.LazyAttribute(lambda o: o.issued_on)
    vat_rate = Decimal("0")
    kor = True
    subtotal_cents = 100
    vat_cents = 0
    total_cents = factory.LazyAttribute(lambda o: o.subtotal_cents + o.vat_cents)
    supplier = factory.LazyAttribute(
        lambda o: {"name": o.member.full_name, "address": "", "postcode_city": ""}
    )
    customer = factory.LazyAttribute(
        lambda o: {"name": o.cooperative.legal_name, "address": "", "postcode_city": "", "kvk": ""}
    )

    @factory.post_generation
    def split(obj, create, extracted, **kwargs):
        """``split=``: one line for the split (its date, minutes and the member's share)."""
        if create and extracted is not None:
            SelfBillingLine.objects.create(
                invoice=obj,
                split=extracted,
                work_date=extracted.work_date,
                description="Werk",
                minutes=extracted.minutes,
                amount_cents=extracted.member_cents,
            )
