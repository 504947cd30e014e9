"""Reads of payouts."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet, Sum
from django.utils import timezone

from .models import Account, Entry, MoneySettings, RuleSet, Split


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


def earnings_this_year(user, *, today: date | None = None) -> int:
    """Gross the member earned this calendar year, in cents (the provider ``jobs`` asks)."""
    today = today or timezone.localdate()
    return (
        Split.objects.filter(member=user, work_date__year=today.year).aggregate(
            s=Sum("gross_cents")
        )["s"]
        or 0
    )


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


def money_settings_of(cooperative_id: int) -> MoneySettings:
    """The cooperative's money settings, or the defaults until its board saves its own."""
    return MoneySettings.objects.filter(cooperative_id=cooperative_id).first() or MoneySettings(
        cooperative_id=cooperative_id
    )
