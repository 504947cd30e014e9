"""What a proposed rule set would have meant, side by side with the rules in force."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, TypedDict

from django.utils import timezone

from payouts import rules
from payouts.models import RuleSet, Split
from payouts.selectors import rule_set_in_force

if TYPE_CHECKING:
    from members.models import Proposal, User


class SimulatedShift(TypedDict):
    work_date: date
    job: str
    gross_cents: int
    net_now_cents: int
    net_proposed_cents: int


class Simulation(TypedDict):
    since: date
    shifts: list[SimulatedShift]
    member_total_now_cents: int
    member_total_proposed_cents: int
    fund_income_now_cents: int
    fund_income_proposed_cents: int
    change_per_month_cents: int
    rules_now: list[str]
    rules_proposed: list[str]


def _item(split: Split) -> rules.Item:
    job = split.timesheet.claim.shift.job
    return rules.Item(
        id=str(split.pk),
        gross_cents=split.gross_cents,
        minutes=split.minutes,
        category=job.category,
        client_kind=job.client.kind,
        month_gross_before_cents=split.month_gross_before_cents,
    )


def _per_month(cents: int) -> int:
    sign = -1 if cents < 0 else 1
    return sign * ((abs(cents) * 2 + 3) // 6)


def simulate_rule_set(*, proposal: Proposal, user: User) -> Simulation:
    """The member's approved work of the last 3 months under both rule sets, per shift and
    in total, and the cooperative's fund income under both."""
    proposed = rules.parse_rule_set(RuleSet.objects.get(pk=proposal.payload["rule_set"]).spec)
    current_set = rule_set_in_force(proposal.cooperative_id, timezone.localdate())
    current = rules.parse_rule_set(current_set.spec) if current_set else None
    since = timezone.localdate() - timedelta(days=91)
    splits = list(
        Split.objects.filter(
            cooperative_id=proposal.cooperative_id, kind=Split.Kind.SETTLEMENT, work_date__gte=since
        )
        .select_related("timesheet__claim__shift__job__client")
        .order_by("work_date", "id")
    )
    rows: list[SimulatedShift] = []
    mine = {"now": 0, "proposed": 0}
    funds = {"now": 0, "proposed": 0}
    for split in splits:
        item = _item(split)
        now = rules.split_item(current, item) if current else None
        new = rules.split_item(proposed, item)
        funds["now"] += sum(now.pots.values()) if now else 0
        funds["proposed"] += sum(new.pots.values())
        if split.member_id == user.pk:
            mine["now"] += now.member_cents if now else split.gross_cents
            mine["proposed"] += new.member_cents
            rows.append(
                {
                    "work_date": split.work_date,
                    "job": split.timesheet.claim.shift.job.title,
                    "gross_cents": split.gross_cents,
                    "net_now_cents": now.member_cents if now else split.gross_cents,
                    "net_proposed_cents": new.member_cents,
                }
            )
    return {
        "since": since,
        "shifts": rows,
        "member_total_now_cents": mine["now"],
        "member_total_proposed_cents": mine["proposed"],
        "fund_income_now_cents": funds["now"],
        "fund_income_proposed_cents": funds["proposed"],
        # The headline: what the proposal changes for this member in an average month of the
        # three simulated, half a cent away from zero.
        "change_per_month_cents": _per_month(mine["proposed"] - mine["now"]),
        "rules_now": rules.describe(current) if current else [],
        "rules_proposed": rules.describe(proposed),
    }
