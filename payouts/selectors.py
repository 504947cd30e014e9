"""Reads of payouts."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet, Sum

from .models import Account, Entry, RuleSet, Split


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
        if rule_set.effective_from <= day:
            return rule_set
    return None


def rule_set_in_force(cooperative_id: int, day: date) -> RuleSet | None:
    return pick_in_force(rule_sets_adopted(cooperative_id), day)


def splits_of_member(user, *, since: date | None = None) -> QuerySet[Split]:
    qs = Split.objects.filter(member=user).select_related(
        "rule_set", "cooperative", "timesheet__claim__shift__job__client"
    )
    if since:
        qs = qs.filter(work_date__gte=since)
    return qs.order_by("-work_date", "-id")


def member_gross_between(user, start: date, end: date) -> int:
    """Gross earned (settled, corrections included) with work dates in [start, end]."""
    return (
        Split.objects.filter(member=user, work_date__gte=start, work_date__lte=end).aggregate(
            s=Sum("gross_cents")
        )["s"]
        or 0
    )


def member_net_between(user, start: date, end: date) -> int:
    return (
        Split.objects.filter(member=user, work_date__gte=start, work_date__lte=end).aggregate(
            s=Sum("member_cents")
        )["s"]
        or 0
    )


def account_balance(account: Account) -> int:
    return Entry.objects.filter(account=account).aggregate(s=Sum("amount_cents"))["s"] or 0


def balances(cooperative_id: int) -> list[dict]:
    return list(
        Account.objects.filter(cooperative_id=cooperative_id)
        .annotate(balance=Sum("entries__amount_cents", default=0))
        .values("id", "kind", "key", "name", "balance")
        .order_by("kind", "key")
    )


def entries_of_split(split: Split) -> QuerySet[Entry]:
    return Entry.objects.filter(Q(transaction__reference=f"split:{split.pk}")).select_related(
        "account", "transaction"
    )
