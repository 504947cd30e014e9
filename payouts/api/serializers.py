"""Output serializers of the member's earnings (``payouts.selectors.earnings``): amounts are
decimal euro strings ("12.50")."""

from __future__ import annotations

from rest_framework import serializers

from werkstation.api.fields import CurrencyField
from werkstation.api.outputs import DictOutput
from werkstation.engagements import Engagement

EUROS = {"max_digits": 14, "decimal_places": 2}


class DeductionOutput(DictOutput):
    pot = serializers.CharField()
    amount = serializers.DecimalField(**EUROS)


class PayoutPartOutput(DictOutput):
    item = serializers.IntegerField()
    batch = serializers.IntegerField()
    method = serializers.CharField()
    status = serializers.CharField()
    sent_at = serializers.DateTimeField(allow_null=True, help_text="When it went to the bank.")
    paid_at = serializers.DateTimeField(allow_null=True)
    amount = serializers.DecimalField(**EUROS)


class SplitSummaryOutput(DictOutput):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    engagement = serializers.ChoiceField(
        choices=Engagement.choices, help_text="How the work was done (the claim's engagement)."
    )
    work_date = serializers.DateField()
    job = serializers.CharField()
    client = serializers.CharField()
    minutes = serializers.IntegerField()
    gross = serializers.DecimalField(**EUROS)
    deductions = DeductionOutput(many=True)
    net = serializers.DecimalField(**EUROS)
    withheld = serializers.DecimalField(
        **EUROS, allow_null=True, help_text="Above a volunteer's allowance maximums."
    )
    withheld_reason = serializers.CharField()
    advanced = serializers.DecimalField(**EUROS, allow_null=True)
    rule_set_version = serializers.IntegerField()
    payout_status = serializers.CharField()
    payout = PayoutPartOutput(many=True)


class EarningsCapStatusOutput(DictOutput):
    year = serializers.IntegerField()
    cap_cents = serializers.IntegerField()
    earned_cents = serializers.IntegerField()
    upcoming_cents = serializers.IntegerField()
    left_cents = serializers.IntegerField()
    percent = serializers.IntegerField()
    projected_percent = serializers.IntegerField()
    would_pass = serializers.BooleanField()
    warned_at = serializers.ListField(
        child=serializers.IntegerField(), help_text="The percentages warned about this year."
    )


class EngagementTotalOutput(DictOutput):
    engagement = serializers.ChoiceField(choices=Engagement.choices)
    gross = serializers.DecimalField(**EUROS)
    net = serializers.DecimalField(**EUROS)


class EarningsOutput(DictOutput):
    year = serializers.IntegerField()
    cap = EarningsCapStatusOutput(
        allow_null=True, help_text="My yearly earnings cap, this year only; null without one."
    )
    gross = serializers.DecimalField(**EUROS)
    net = serializers.DecimalField(**EUROS)
    to_funds = serializers.DecimalField(**EUROS)
    by_engagement = EngagementTotalOutput(
        many=True, help_text="Wage, fees and allowances apart: each is taxed its own way."
    )
    currency = CurrencyField()
    shifts = SplitSummaryOutput(many=True)


class ExplainedTimesheetOutput(DictOutput):
    id = serializers.IntegerField()
    minutes_worked = serializers.IntegerField()
    break_minutes = serializers.IntegerField()
    approved_at = serializers.DateTimeField(allow_null=True)
    auto_approved = serializers.BooleanField()


class ExplainedRuleSetOutput(DictOutput):
    version = serializers.IntegerField()
    adopted_via = serializers.CharField()
    effective_from = serializers.DateField()
    rules = serializers.ListField(child=serializers.CharField())


class LedgerLegOutput(DictOutput):
    account = serializers.CharField()
    amount = serializers.DecimalField(**EUROS)
    reference = serializers.CharField()
    sentence = serializers.CharField(help_text="The line in words, in the reader's language.")


class SplitExplainOutput(SplitSummaryOutput):
    timesheet = ExplainedTimesheetOutput()
    rule_set = ExplainedRuleSetOutput()
    month_gross_before = serializers.DecimalField(**EUROS)
    shown_when_claimed = serializers.DecimalField(
        **EUROS,
        allow_null=True,
        help_text="What the member was shown for this work when they claimed it (null: claimed "
        "before claims kept it).",
    )
    why_different = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why the payout differs from what was shown, one sentence per cause; empty "
        "when it does not differ.",
    )
    floor_applied = serializers.BooleanField()
    exact = serializers.DictField(
        child=serializers.CharField(),
        help_text="Each pot's and the member's exact share in euros, before rounding.",
    )
    ledger = LedgerLegOutput(many=True)
    currency = CurrencyField()


class CorrectionOutput(serializers.Serializer):
    split = serializers.IntegerField(source="pk", help_text="The new split.")
    gross_cents = serializers.IntegerField()
    member_cents = serializers.IntegerField()
    currency = CurrencyField()


class EarningsCapRowOutput(DictOutput):
    member_id = serializers.IntegerField()
    name = serializers.CharField()
    percent = serializers.IntegerField()
    projected_percent = serializers.IntegerField()
    would_pass = serializers.BooleanField()
    cap_cents = serializers.IntegerField(required=False, help_text="For the treasurer only.")
    earned_cents = serializers.IntegerField(required=False, help_text="For the treasurer only.")
    upcoming_cents = serializers.IntegerField(required=False, help_text="For the treasurer only.")


class EarningsCapsOutput(DictOutput):
    would_pass = serializers.IntegerField(help_text="How many would pass their cap this year.")
    currency = CurrencyField(help_text="The currency of the members' *_cents amounts.")
    members = EarningsCapRowOutput(many=True)
