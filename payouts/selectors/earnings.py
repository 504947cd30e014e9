"""Every euro a member earns, traced: timesheet → split (rule version) → ledger → payout."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from payouts import rules
from payouts.pots import account_label, ledger_sentence, pot_label, pot_names, rule_pot_label
from payouts.selectors import entries_of_split, payout_trace, splits_of_member
from werkstation.engagements import ALL, Engagement
from werkstation.errors import NotFound
from werkstation.money import decimal_string

from .quotes import why_different

if TYPE_CHECKING:
    from members.models import User
    from payouts.models import RuleSet, Split
    from payouts.selectors import SplitTrace

PAYOUT_STATUS = {
    "awaiting_payment": gettext_lazy("awaiting the client's payment"),
    "advanced": gettext_lazy("advanced by the cooperative fund: payable now"),
    "payable": gettext_lazy("payable: goes out with the next payout batch"),
    "partly_paid": gettext_lazy("partly paid out; the rest goes with the next payout batch"),
    "sent": gettext_lazy("sent to the bank: paid once the bank confirms it"),
    "paid": gettext_lazy("paid out"),
    "corrected": gettext_lazy("replaced by a correction"),
    "reversal": gettext_lazy("correction: takes back an earlier amount"),
}


def _payout(trace: SplitTrace | None) -> list[dict[str, Any]]:
    return [
        {
            "item": part["item"].pk,
            "batch": part["item"].batch_id,
            "method": part["item"].get_method_display(),
            "status": part["item"].get_status_display(),
            "sent_at": part["item"].sent_at,
            "paid_at": part["item"].paid_at,
            "amount": decimal_string(part["amount_cents"]),
        }
        for part in (trace["items"] if trace else [])
    ]


def _pot_labels(rule_set: RuleSet) -> dict[str, str]:
    """The rule set's pots by their labels in the active language (parsed once per rule set
    and language on the instance)."""
    language = translation.get_language() or "nl"
    cache: dict[str, dict[str, str]] = rule_set.__dict__.setdefault("_pot_labels", {})
    if language not in cache:
        engine = rules.parse_rule_set(rule_set.spec)
        cache[language] = {pot.slug: rule_pot_label(pot, language) for pot in engine.pots}
    return cache[language]


def split_summary(
    split: Split, trace: SplitTrace | None = None, *, readable: bool = False
) -> dict[str, Any]:
    shift = split.timesheet.claim.shift
    labels = _pot_labels(split.rule_set) if readable else {}
    return {
        "id": split.pk,
        "kind": split.kind,
        "engagement": split.engagement,
        "work_date": split.work_date,
        "job": shift.job.title,
        "client": shift.job.client.name,
        "minutes": split.minutes,
        "gross": decimal_string(split.gross_cents),
        "deductions": [
            {"pot": slug, "amount": decimal_string(cents)}
            | ({"name": labels.get(slug) or pot_label(slug)} if readable else {})
            for slug, cents in split.pots.items()
        ],
        "net": decimal_string(split.member_cents),
        # Above a volunteer's allowance maximums: stays with the cooperative fund.
        "withheld": decimal_string(split.withheld_cents) if split.withheld_cents else None,
        "withheld_reason": split.get_withheld_reason_display(),
        "advanced": decimal_string(split.advanced_cents) if split.advanced_cents else None,
        "rule_set_version": split.rule_set.version,
        "payout_status": str(PAYOUT_STATUS[(trace or {}).get("status", "awaiting_payment")]),
        "payout": _payout(trace),
    } | ({"engagement_label": Engagement(split.engagement).label} if readable else {})


def member_earnings(*, user: User, year: int, readable: bool = False) -> dict[str, Any]:
    """The year's earnings; ``readable`` (the web page) adds pot names to the deductions."""
    from django.utils import timezone

    from payouts.services.earnings_caps import earnings_cap_status

    splits = list(splits_of_member(user).filter(work_date__year=year))
    trace = payout_trace(user)
    today = timezone.localdate()
    return {
        "year": year,
        "cap": earnings_cap_status(user=user, today=today) if year == today.year else None,
        "gross": decimal_string(sum(s.gross_cents for s in splits)),
        "net": decimal_string(sum(s.member_cents for s in splits)),
        "to_funds": decimal_string(sum(sum(s.pots.values()) for s in splits)),
        # Wage, fees and allowances apart: each is taxed its own way.
        "by_engagement": [
            {
                "engagement": engagement,
                "gross": decimal_string(sum(s.gross_cents for s in group)),
                "net": decimal_string(sum(s.member_cents for s in group)),
            }
            | ({"label": Engagement(engagement).label} if readable else {})
            for engagement in ALL
            if (group := [s for s in splits if s.engagement == engagement])
        ],
        "shifts": [split_summary(s, trace.get(s.pk), readable=readable) for s in splits],
    }


def split_explain(*, user: User, split_id: int, readable: bool = False) -> dict[str, Any]:
    """Why this amount: the timesheet, the rule set in words, the exact shares, the legs.

    ``readable`` (the web page) names pots and ledger accounts as people do, in the
    reader's language; the API keeps slugs and the books' account names."""
    split = splits_of_member(user).filter(pk=split_id).first()
    if split is None:
        raise NotFound(_("Not found."), field="split")
    timesheet = split.timesheet
    engine = rules.parse_rule_set(split.rule_set.spec)
    exact = rules.exact_shares(
        engine,
        rules.Item(
            id=str(timesheet.pk),
            gross_cents=split.gross_cents,
            minutes=split.minutes,
            category=timesheet.claim.shift.job.category,
            client_kind=timesheet.claim.shift.job.client.kind,
            month_gross_before_cents=split.month_gross_before_cents,
        ),
    )
    language = translation.get_language() or "nl"
    shown = timesheet.claim.quote
    return {
        **split_summary(split, payout_trace(user).get(split.pk), readable=readable),
        "timesheet": {
            "id": timesheet.pk,
            "minutes_worked": timesheet.minutes_worked,
            "break_minutes": timesheet.break_minutes,
            "approved_at": timesheet.decided_at,
            "auto_approved": timesheet.auto_approved,
        },
        "rule_set": {
            "version": split.rule_set.version,
            "adopted_via": split.rule_set.adopted_via,
            "effective_from": split.rule_set.effective_from,
            "rules": rules.describe(
                engine,
                "en" if language.startswith("en") else "nl",
                pot_names(pot.slug for pot in engine.pots) if readable else None,
            ),
        },
        "month_gross_before": decimal_string(split.month_gross_before_cents),
        "shown_when_claimed": decimal_string(shown["member_cents"]) if shown else None,
        "why_different": why_different(split, shown),
        "floor_applied": exact.floor_binds,
        "exact": {slug: decimal_string(value, places=4) for slug, value in exact.pots.items()}
        | {"member": decimal_string(exact.member, places=4)},
        "ledger": [
            {
                "account": account_label(entry.account) if readable else entry.account.name,
                "amount": decimal_string(entry.amount_cents),
                "reference": entry.transaction.reference,
                "sentence": ledger_sentence(
                    entry.account, entry.amount_cents, timesheet.claim.shift.job.client.name
                ),
            }
            for entry in entries_of_split(split)
        ],
    }
