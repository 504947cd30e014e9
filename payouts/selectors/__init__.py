"""Reads of payouts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from payouts.models import Account, Entry, MoneySettings, RuleSet, Split

if TYPE_CHECKING:
    from collections.abc import Collection
    from datetime import date

    from django.db.models.expressions import Combinable

    from members.models import User
    from payouts.models import Payment, PayoutItem, SelfBillingInvoice


def rule_sets_adopted(cooperative_id: int) -> list[RuleSet]:
    """Adopted rule sets, latest effective first (ties: the higher version wins)."""
    return list(
        RuleSet.objects.filter(
            cooperative_id=cooperative_id, status=RuleSet.Status.ADOPTED
        ).order_by("-effective_from", "-version")
    )


def pick_in_force(adopted: list[RuleSet], day: date) -> RuleSet | None:
    """The rule set in force on ``day``: the latest effective on or before it."""
    for rule_set in adopted:
        # Adopted rule sets always carry their date (constraint ruleset_adopted_has_dates).
        assert rule_set.effective_from is not None
        if rule_set.effective_from <= day:
            return rule_set
    return None


def rule_set_in_force(cooperative_id: int, day: date) -> RuleSet | None:
    return pick_in_force(rule_sets_adopted(cooperative_id), day)


def rule_sets_of(cooperative_id: int) -> QuerySet[RuleSet]:
    """Every rule set of one cooperative, newest version first: drafts, proposed, adopted
    and rejected (drafts exist only as proposals' rule sets, which members see anyway)."""
    return RuleSet.objects.filter(cooperative_id=cooperative_id).order_by("-version", "-pk")


def proposals_of_rule_sets(cooperative_id: int, rule_set_ids: Collection[int]) -> dict[int, int]:
    """The proposal that carries each rule set (by rule set id), in one query."""
    from members.models import Proposal

    found: dict[int, int] = {}
    rows = Proposal.objects.filter(
        cooperative_id=cooperative_id,
        kind="payout_rules",
        payload__rule_set__in=list(rule_set_ids),
    ).values_list("pk", "payload")
    for pk, payload in rows:
        found.setdefault(payload["rule_set"], pk)
    return found


def splits_of_member(user: User, *, since: date | None = None) -> QuerySet[Split]:
    qs = Split.objects.filter(member=user).select_related(
        "rule_set", "cooperative", "timesheet__claim__shift__job__client"
    )
    if since:
        qs = qs.filter(work_date__gte=since)
    return qs.order_by("-work_date", "-id")


def earnings_this_year(user_ids: Collection[int], *, today: date | None = None) -> dict[int, int]:
    """Gross each member earned this calendar year, in cents, by user id, in one query
    (the provider ``jobs`` asks); members who earned nothing are missing."""
    today = today or timezone.localdate()
    rows = (
        Split.objects.filter(member_id__in=list(user_ids), work_date__year=today.year)
        .values("member_id")
        .annotate(total=Sum("gross_cents"))
        .values_list("member_id", "total")
    )
    return {member_id: total or 0 for member_id, total in rows}


def account_balance(account: Account) -> int:
    return Entry.objects.filter(account=account).aggregate(s=Sum("amount_cents"))["s"] or 0


def entries_of_split(split: Split) -> QuerySet[Entry]:
    """The split's own posting, and what the volunteer maximums withheld or the fund advanced."""
    references = [f"{prefix}:{split.pk}" for prefix in ("split", "withheld", "advance")]
    return (
        Entry.objects.filter(transaction__reference__in=references)
        .select_related("account", "transaction")
        .order_by("transaction_id", "id")
    )


def entries_of_splits(split_ids: list[int]) -> list[tuple[int, int, int]]:
    """(split id, account id, cents) of the postings ``entries_of_split`` reads, for many
    splits in one query, in the order they were written."""
    references = {
        f"{prefix}:{pk}": pk for pk in split_ids for prefix in ("split", "withheld", "advance")
    }
    rows = (
        Entry.objects.filter(transaction__reference__in=list(references))
        .order_by("transaction_id", "id")
        .values_list("transaction__reference", "account_id", "amount_cents")
    )
    return [(references[reference], account, cents) for reference, account, cents in rows]


def money_settings_of(cooperative_id: int) -> MoneySettings:
    """The cooperative's money settings, or the defaults until its board saves its own."""
    return MoneySettings.objects.filter(cooperative_id=cooperative_id).first() or MoneySettings(
        cooperative_id=cooperative_id
    )


def payments_of(cooperative_id: int) -> QuerySet[Payment]:
    """Payments received, newest first, each with ``refundable`` cents (one query)."""
    from django.db.models import F, OuterRef, Subquery, Value
    from django.db.models.functions import Coalesce

    from payouts.models import Dispute, Payment, Refund

    def total(qs: QuerySet[Any]) -> Combinable:
        return Coalesce(
            Subquery(
                qs.filter(payment=OuterRef("pk"))
                .values("payment")
                .annotate(s=Sum("amount_cents"))
                .values("s")
            ),
            Value(0),
        )

    return (
        Payment.objects.filter(cooperative_id=cooperative_id)
        .select_related("invoice")
        .annotate(
            refundable=F("amount_cents")
            - total(Refund.objects.all())
            - total(Dispute.objects.filter(withdrawn=True, returned=False))
        )
    )


class PaidShare(TypedDict):
    """The part of a split one payout item paid."""

    item: PayoutItem
    amount_cents: int


class SplitTrace(TypedDict):
    """Where one split went (``payout_trace``)."""

    status: str
    items: list[PaidShare]


def payout_trace(user: User) -> dict[int, SplitTrace]:
    """Where each of a member's splits went: awaiting payment, payable, or paid out by which item.

    A payout item pays a member's whole payable balance, not single shifts, so the shares
    are matched to the paid items first in, first out, in the order they became payable
    (work date, then split). A returned payout is back in the balance and pays nothing here.
    Shares taken back by a correction (the reversed split and its reversal) are left out.
    """
    from payouts.models import InvoiceLine, PayoutItem

    splits = list(
        Split.objects.filter(member=user)
        .only("id", "cooperative_id", "kind", "member_cents", "work_date")
        .order_by("work_date", "id")
    )
    reversed_ids = set(
        Split.objects.filter(member=user, reverses__isnull=False).values_list(
            "reverses_id", flat=True
        )
    )
    released = set(
        InvoiceLine.objects.filter(split__member=user, released=True).values_list(
            "split_id", flat=True
        )
    )
    advanced = set(
        Split.objects.filter(member=user, advanced_cents__gt=0).values_list("id", flat=True)
    )
    # Per cooperative: [payout item, cents of it not yet matched to a split].
    items: dict[int, list[list[Any]]] = {}
    for item in (
        PayoutItem.objects.filter(
            member=user, status__in=(PayoutItem.Status.SENT, PayoutItem.Status.PAID)
        )
        .select_related("batch")
        .order_by(Coalesce("sent_at", "paid_at"), "id")
    ):
        items.setdefault(item.batch.cooperative_id, []).append([item, item.amount_cents])
    trace: dict[int, SplitTrace] = {}
    for split in splits:
        if split.kind == Split.Kind.REVERSAL:
            trace[split.pk] = {"status": "reversal", "items": []}
            continue
        if split.pk in reversed_ids:
            trace[split.pk] = {"status": "corrected", "items": []}
            continue
        if split.pk not in released and split.pk not in advanced:
            trace[split.pk] = {"status": "awaiting_payment", "items": []}
            continue
        need = split.member_cents
        paid_by: list[PaidShare] = []
        pool = items.get(split.cooperative_id, [])
        while need > 0 and pool:
            item, left = pool[0]
            share = min(need, left)
            paid_by.append({"item": item, "amount_cents": share})
            need -= share
            pool[0][1] -= share
            if pool[0][1] == 0:
                pool.pop(0)
        unpaid = "payable" if split.pk in released else "advanced"
        if not paid_by:
            status = unpaid
        elif need > 0:
            status = "partly_paid"
        elif any(part["item"].status == PayoutItem.Status.SENT for part in paid_by):
            status = "sent"  # in the bank's file; paid once the bank statement confirms it
        else:
            status = "paid"
        trace[split.pk] = {"status": status, "items": paid_by}
    return trace


def self_billing_invoices_of_member(user: User) -> QuerySet[SelfBillingInvoice]:
    """A member's own self-billing invoices, in every cooperative."""
    from payouts.models import SelfBillingInvoice

    return (
        SelfBillingInvoice.objects.filter(member_id=user.pk)
        .select_related("cooperative", "member")
        .prefetch_related("lines")
        .order_by("-issued_on", "-id")
    )


def self_billing_invoices_of_cooperative(cooperative_id: int) -> QuerySet[SelfBillingInvoice]:
    from payouts.models import SelfBillingInvoice

    return (
        SelfBillingInvoice.objects.filter(cooperative_id=cooperative_id)
        .select_related("cooperative", "member")
        .prefetch_related("lines")
        .order_by("-issued_on", "-id")
    )
