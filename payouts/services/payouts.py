"""Payout batches: every member's payable balance, paid once, after four eyes.

A batch is drafted from the payable balances (not yet in another open batch). Two
different people holding the board or treasurer role approve it. Executing it posts,
per item, member payable → bank (SEPA) or → payroll provider, under the unique ledger
reference ``payout-item:<id>``, so an item is paid at most once however often the
execution is retried. The SEPA credit-transfer file (pain.001.001.09) is built by
``payouts.formats.sepa``, the payroll provider's list by ``payouts.formats.payroll``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, cast

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from members.access import require_role
from members.audit_actions import MemberAction
from members.models import Cooperative, Profile, User
from members.services.approvals import board_notify, second_person_eligible, staff_may_second
from payouts.audit_actions import PayoutAction
from payouts.formats.payroll import payroll_csv
from payouts.formats.sepa import sepa_credit_transfer
from payouts.lifecycle import PAYOUT_BATCH
from payouts.models import Account, Entry, PayoutApproval, PayoutBatch, PayoutItem
from werkstation.audit import audit_record
from werkstation.errors import Conflict, PermissionDenied, ValidationFailed
from werkstation.locks import lock_cooperatives, lock_get, lock_where
from werkstation.money import format_money
from werkstation.templatetags.money import longdate

from .ledger import AccountBook, Leg, post

if TYPE_CHECKING:
    from collections.abc import Iterable

K = Account.Kind
IBAN_HOLD_DAYS = 3
OPEN_ITEM_STATUSES = (PayoutItem.Status.PENDING, PayoutItem.Status.HELD)


# Where an item's money waits: wages through the payroll provider, the rest to the member.
PAYROLL = PayoutItem.Method.PAYROLL


def _source(method: str) -> str:
    return K.WAGES if method == PAYROLL else K.PAYABLE


def _payable_balances(cooperative: Cooperative) -> dict[tuple[int, str], int]:
    """What the cooperative owes each member now (positive cents), by where it waits:
    (member, ``payable``) for fees and allowances, (member, ``wages``) for payroll wages."""
    rows = (
        Entry.objects.filter(
            account__cooperative=cooperative, account__kind__in=[K.PAYABLE, K.WAGES]
        )
        .values("account__key", "account__kind")
        .annotate(total=Sum("amount_cents"))
    )
    return {
        (int(r["account__key"]), r["account__kind"]): -r["total"] for r in rows if r["total"] < 0
    }


@transaction.atomic
def payout_batch_create(
    *, actor: User | None, cooperative: Cooperative, execution_date: date | None = None
) -> PayoutBatch:
    if actor is not None:
        require_role(actor, cooperative, "board", "treasurer")
    lock_cooperatives([cooperative.pk])
    balances = _payable_balances(cooperative)
    in_open_batches = {
        (member, method): total
        for member, method, total in PayoutItem.objects.filter(
            batch__cooperative=cooperative,
            batch__status__in=[PayoutBatch.Status.DRAFT, PayoutBatch.Status.APPROVED],
            status__in=OPEN_ITEM_STATUSES,
        )
        .values("member_id", "method")
        .annotate(total=Sum("amount_cents"))
        .values_list("member_id", "method", "total")
    }
    waiting: dict[tuple[int, str], int] = {}
    for (member, method), total in in_open_batches.items():
        key = (member, _source(method))
        waiting[key] = waiting.get(key, 0) + total
    to_pay = {key: amount - waiting.get(key, 0) for key, amount in balances.items()}
    to_pay = {member: amount for member, amount in to_pay.items() if amount > 0}
    if not to_pay:
        raise ValidationFailed(
            _("Nobody has a payable balance to pay out."),
            code="nothing_to_pay",
            field="cooperative",
        )
    batch = PayoutBatch.objects.create(
        cooperative=cooperative,
        created_by=actor,
        execution_date=execution_date or timezone.localdate() + timedelta(days=1),
    )
    members = {member for member, _kind in to_pay}
    profiles = {
        p.user_id: p for p in Profile.objects.filter(user_id__in=members).select_related("user")
    }
    hold_until = timezone.now() - timedelta(days=IBAN_HOLD_DAYS)
    from payouts.stripe.connect import members_paid_by_connect

    by_connect = members_paid_by_connect(cooperative, members)
    items = []
    # One item per member and way of paying: payroll wages go to the payroll provider, fees
    # and allowances to the member (Stripe or SEPA).
    for (member_id, kind), amount in sorted(to_pay.items()):
        profile = profiles.get(member_id)
        method = (
            PayoutItem.Method.PAYROLL
            if kind == K.WAGES
            else PayoutItem.Method.STRIPE
            if member_id in by_connect
            else PayoutItem.Method.SEPA
        )
        suffix = "-payroll" if method == PAYROLL else ""
        item = PayoutItem(
            batch=batch,
            member_id=member_id,
            amount_cents=amount,
            method=method,
            idempotency_key=f"payout-{cooperative.pk}-{batch.pk}-{member_id}{suffix}",
            iban=profile.iban if profile else "",
            account_holder=(profile.account_holder or profile.user.full_name) if profile else "",
        )
        if method == PayoutItem.Method.SEPA and not item.iban:
            item.status, item.hold_reason = (
                PayoutItem.Status.HELD,
                _("no bank account on the profile yet"),
            )
        elif (
            method == PayoutItem.Method.SEPA
            and profile is not None  # without a profile the item has no IBAN: held above
            and profile.iban_changed_at
            and profile.iban_changed_at > hold_until
        ):
            release = timezone.localtime(profile.iban_changed_at + timedelta(days=IBAN_HOLD_DAYS))
            item.status, item.hold_reason = (
                PayoutItem.Status.HELD,
                _("new bank account: held until %(when)s, in case the change was not theirs")
                % {"when": f"{longdate(release)} {time_format(release, 'H:i')}"},
            )
        items.append(item)
    PayoutItem.objects.bulk_create(items)
    audit_record(
        actor=actor,
        action=PayoutAction.PAYOUT_BATCH_CREATED,
        target=batch,
        cooperative_id=cooperative.pk,
        data={"items": len(items), "total_cents": sum(i.amount_cents for i in items)},
    )
    return batch


BATCH_APPROVER_ROLES = ("board", "treasurer")


@transaction.atomic
def payout_batch_approve(*, actor: User, batch: PayoutBatch) -> PayoutBatch:
    """Four eyes: the first approval asks, a second, independent person decides.

    The second person holds the board or treasurer role, already held it when the first
    approval was given, and did not get it from the first approver
    (``members.services.approvals.second_person_eligible``). Where the cooperative has
    nobody who qualifies, platform staff may give it (admin action, with 2FA).
    """
    lock_cooperatives([batch.cooperative_id])  # the tenant's balances, then the batch
    batch = lock_get("payouts.PayoutBatch", batch.pk, select_related=("cooperative",))
    first = PayoutApproval.objects.filter(batch=batch).select_related("user").first()
    as_staff = False
    if first is None or not (actor.is_staff or actor.is_superuser):
        require_role(actor, batch.cooperative_id, *BATCH_APPROVER_ROLES)
    PAYOUT_BATCH.check(
        batch,
        PayoutBatch.Status.APPROVED,
        message=_("This batch is not waiting for approval."),
        code="invalid_state",
    )
    if first is not None and first.user_id == actor.pk:
        raise Conflict(
            _("You approved this batch already; a second person must approve it."),
            code="four_eyes",
            field="batch",
        )
    if first is not None:
        eligible = second_person_eligible(
            cooperative_id=batch.cooperative_id,
            requester_id=first.user_id,
            candidate=actor,
            roles=BATCH_APPROVER_ROLES,
            requested_at=first.created_at,
        )
        if not eligible and (actor.is_staff or actor.is_superuser):
            as_staff = staff_may_second(
                cooperative_id=batch.cooperative_id,
                requester_id=first.user_id,
                roles=BATCH_APPROVER_ROLES,
                requested_at=first.created_at,
            )
        if not (eligible or as_staff):
            raise PermissionDenied(
                _(
                    "The second approval must come from another board member or treasurer who "
                    "already held that role when the batch was first approved, and did not get "
                    "it from the first approver."
                ),
                code="four_eyes",
            )
    PayoutApproval.objects.create(batch=batch, user=actor)
    if first is not None:
        PAYOUT_BATCH.transition(batch, PayoutBatch.Status.APPROVED, by=actor)
    audit_record(
        actor=actor,
        action=PayoutAction.PAYOUT_BATCH_APPROVED,
        target=batch,
        cooperative_id=batch.cooperative_id,
        data={"second": first is not None, "as_staff": as_staff},
    )
    total = batch.items.aggregate(total=Sum("amount_cents"))["total"] or 0
    count = batch.items.count()
    board_notify(
        cooperative=batch.cooperative,
        subject=(
            gettext_lazy("A payout batch is approved")
            if first is not None
            else gettext_lazy("A payout batch waits for a second approval")
        ),
        lines=lambda: [
            _("Payout batch %(id)s: %(amount)s for %(count)s members.")
            % {
                "id": batch.pk,
                "amount": format_money(total, batch.cooperative.currency, get_language()),
                "count": count,
            },
            _("Approved by %(name)s.") % {"name": actor},
        ],
    )
    return batch


def payout_batch_execute(*, actor: User | None, batch: PayoutBatch) -> PayoutBatch:
    """Pay every pending item once. Retrying (or rerunning after a crash) pays nobody twice.

    Stripe Connect items are transferred first, each outside the booking transaction
    (``stripe_connect.stripe_items_pay``); while any of them is undecided the batch stays
    approved and the rerun finishes it. Then the rest is booked and the SEPA file built.
    """
    if actor is not None:
        require_role(actor, batch.cooperative_id, "board", "treasurer")
    batch = PayoutBatch.objects.select_related("cooperative").get(pk=batch.pk)
    if batch.status == PayoutBatch.Status.EXECUTED:
        return batch
    if batch.status != PayoutBatch.Status.APPROVED:
        raise PermissionDenied(
            _(
                "Two different people of the board or treasury must approve a batch before money moves."
            ),
            code="four_eyes",
        )
    from payouts.stripe.connect import stripe_items_pay

    if stripe_items_pay(batch=batch):
        return PayoutBatch.objects.get(pk=batch.pk)
    return _payout_batch_book(actor=actor, batch=batch)


@transaction.atomic
def _payout_batch_book(*, actor: User | None, batch: PayoutBatch) -> PayoutBatch:
    lock_cooperatives([batch.cooperative_id])  # the tenant's balances, then the batch
    batch = lock_get("payouts.PayoutBatch", batch.pk, select_related=("cooperative",))
    if batch.status == PayoutBatch.Status.EXECUTED:
        return batch
    book = AccountBook(batch.cooperative_id)
    balances = _payable_balances(batch.cooperative)
    pending = cast(
        "list[PayoutItem]",  # lock_where returns the queryset's rows, typed as Model
        lock_where(
            batch.items.filter(status=PayoutItem.Status.PENDING).exclude(
                method=PayoutItem.Method.STRIPE
            )
        ),
    )
    for item in pending:
        source = (item.member_id, _source(item.method))
        if item.amount_cents > balances.get(source, 0):
            item.status, item.hold_reason = (
                PayoutItem.Status.FAILED,
                _("more than the member's payable balance"),
            )
            item.save(update_fields=["status", "hold_reason"])
            continue
        target = K.PAYROLL if item.method == PayoutItem.Method.PAYROLL else K.BANK
        post(
            batch.cooperative_id,
            kind="payout",
            reference=f"payout-item:{item.pk}",
            description=f"Payout batch {batch.pk} to member {item.member_id}",
            legs=[
                Leg(book.get(source[1], item.member_id), item.amount_cents),
                Leg(book.get(target), -item.amount_cents),
            ],
        )
        balances[source] -= item.amount_cents
        if item.method == PayoutItem.Method.SEPA:
            # In the file for the bank, not paid: the bank statement or the treasurer says so.
            item.status, item.sent_at = PayoutItem.Status.SENT, timezone.now()
            item.save(update_fields=["status", "sent_at"])
        else:
            item.status, item.paid_at = PayoutItem.Status.PAID, timezone.now()
            item.save(update_fields=["status", "paid_at"])
    batch.sepa_xml = sepa_credit_transfer(batch)
    executed: PayoutBatch = PAYOUT_BATCH.transition(
        batch,
        PayoutBatch.Status.EXECUTED,
        by=actor,
        extra_update_fields=["sepa_xml"],
        audit_action=PayoutAction.PAYOUT_BATCH_EXECUTED,
    )
    return executed


class ConfirmedBy:
    BANK_STATEMENT = "bank_statement"
    TREASURER = "treasurer"


@transaction.atomic
def payout_items_confirm(
    *,
    actor: User | None,
    cooperative_id: int,
    items: Iterable[PayoutItem],
    confirmed_by: str = ConfirmedBy.TREASURER,
) -> list[PayoutItem]:
    """SEPA payouts the bank has paid: "sent to the bank" becomes "paid". Idempotent: an item
    that is paid already stays as it is; one that came back or failed is refused."""
    if actor is not None:
        require_role(actor, cooperative_id, "board", "treasurer")
    ids = sorted(item.pk for item in items)
    locked = cast(
        "list[PayoutItem]",  # lock_where returns the queryset's rows, typed as Model
        lock_where(PayoutItem.objects.filter(pk__in=ids, batch__cooperative_id=cooperative_id)),
    )
    if len(locked) != len(ids):
        raise ValidationFailed(_("No such payout in this cooperative."), field="items")
    confirmed: list[PayoutItem] = []
    now = timezone.now()
    for item in locked:
        if item.status == PayoutItem.Status.PAID:
            continue
        if item.status != PayoutItem.Status.SENT:
            raise Conflict(
                _(
                    "Only a payout sent to the bank can be confirmed as paid (payout %(id)s is %(status)s)."
                )
                % {"id": item.pk, "status": item.get_status_display()},
                code="invalid_state",
                field="items",
            )
        item.status, item.paid_at, item.confirmed_by = PayoutItem.Status.PAID, now, confirmed_by
        item.save(update_fields=["status", "paid_at", "confirmed_by"])
        confirmed.append(item)
        audit_record(
            actor=actor,
            action=PayoutAction.PAYOUT_ITEM_CONFIRMED,
            target=item,
            cooperative_id=cooperative_id,
            data={"cents": item.amount_cents, "by": confirmed_by},
        )
    return confirmed


@transaction.atomic
def payout_batch_confirm(*, actor: User, batch: PayoutBatch) -> list[PayoutItem]:
    """The treasurer saw the whole batch leave the bank account: every item still "sent to the
    bank" becomes "paid"."""
    require_role(actor, batch.cooperative_id, "board", "treasurer")
    items = list(batch.items.filter(status=PayoutItem.Status.SENT))
    if not items:
        raise Conflict(
            _("No payout of this batch is waiting for the bank."),
            code="invalid_state",
            field="batch",
        )
    return payout_items_confirm(actor=actor, cooperative_id=batch.cooperative_id, items=items)


PAYOUT_FILES = {
    "sepa": ("application/xml", "uitbetaling-{pk}.xml"),
    "payroll": ("text/csv", "payroll-{pk}.csv"),
}


def payout_file_read(*, actor: User, batch: PayoutBatch, kind: str) -> tuple[str, str, str]:
    """A payout file (SEPA with IBANs, or payroll), for the treasurer only; every download
    is logged as a sensitive read of the members in it. (content, content type, file name)"""
    require_role(actor, batch.cooperative_id, "treasurer")
    if kind not in PAYOUT_FILES:
        raise ValidationFailed(_("Unknown file."), field="kind")
    if kind == "sepa":
        content = batch.sepa_xml
        method = PayoutItem.Method.SEPA
    else:
        content = payroll_csv(batch)
        method = PayoutItem.Method.PAYROLL
    members = sorted(batch.items.filter(method=method).values_list("member_id", flat=True))
    audit_record(
        actor=actor,
        action=MemberAction.PRIVACY_SENSITIVE_READ,
        target=batch,
        cooperative_id=batch.cooperative_id,
        data={"file": kind, "members": members},
    )
    content_type, name = PAYOUT_FILES[kind]
    return content, content_type, name.format(pk=batch.pk)
