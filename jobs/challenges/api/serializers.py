from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from jobs.challenges.models import Bid, Challenge, Contract, Tender
from jobs.models.work import CATEGORY_CHOICES
from werkstation.api.fields import AmountField, CurrencyField
from werkstation.api.outputs import DictOutput
from werkstation.money import decimal_string


class TenderInput(serializers.Serializer):
    client = serializers.IntegerField()
    title = serializers.CharField(max_length=150)
    description = serializers.CharField()
    category = serializers.ChoiceField(choices=CATEGORY_CHOICES)
    area = serializers.CharField(max_length=200)
    street = serializers.CharField(max_length=150)
    postcode = serializers.CharField(max_length=8)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    budget_ceiling = serializers.DecimalField(max_digits=12, decimal_places=2)
    required_outcomes = serializers.ListField(child=serializers.CharField(max_length=300))
    weight_price = serializers.IntegerField()
    weight_quality = serializers.IntegerField()
    weight_social = serializers.IntegerField()
    submission_deadline = serializers.DateTimeField()
    decision_deadline = serializers.DateField()
    challenge = serializers.IntegerField(required=False, allow_null=True)
    publish = serializers.BooleanField(default=False)


class TenderOutput(serializers.ModelSerializer):
    client = serializers.CharField(source="client.name")
    budget_ceiling = AmountField(source="budget_ceiling_cents", read_only=True)
    weights = serializers.DictField(read_only=True)
    currency = CurrencyField()
    status = serializers.ChoiceField(
        choices=Tender.Status.choices,
        source="effective_status",
        read_only=True,
        help_text="As the clock decides: closed from the submission deadline on.",
    )

    class Meta:
        model = Tender
        fields = [
            "id",
            "reference",
            "client",
            "title",
            "description",
            "category",
            "area",
            "street",
            "postcode",
            "period_start",
            "period_end",
            "budget_ceiling",
            "currency",
            "required_outcomes",
            "weights",
            "submission_opens",
            "submission_deadline",
            "decision_deadline",
            "status",
            "published_at",
            "decided_at",
            "decision_reason",
            "challenge",
        ]


class RuleSerializer(serializers.Serializer):
    title = serializers.CharField()
    weekdays = serializers.ListField(child=serializers.IntegerField())
    start = serializers.CharField()
    end = serializers.CharField()
    slots = serializers.IntegerField(default=1)
    skill = serializers.CharField(required=False, allow_null=True, allow_blank=True)


class BidInput(serializers.Serializer):
    cooperative = serializers.SlugField(required=False)
    price = serializers.DecimalField(max_digits=12, decimal_places=2)
    hourly_tariff = serializers.DecimalField(max_digits=8, decimal_places=2)
    plan = serializers.CharField()
    staffing_plan = serializers.ListField(child=serializers.DictField())
    social_member_hours = serializers.IntegerField(default=0)
    social_target_group_members = serializers.IntegerField(default=0)


class BidOutput(serializers.ModelSerializer):
    cooperative = serializers.CharField(source="cooperative.slug")
    tender = serializers.IntegerField(source="tender_id")
    price = AmountField(source="price_cents", read_only=True)
    hourly_tariff = AmountField(source="hourly_tariff_cents", read_only=True)
    currency = CurrencyField()
    status = serializers.ChoiceField(
        choices=Bid.Status.choices,
        source="effective_status",
        read_only=True,
        help_text="As the clock decides: a draft not submitted by the deadline has lapsed.",
    )

    class Meta:
        model = Bid
        fields = [
            "id",
            "tender",
            "cooperative",
            "status",
            "price",
            "hourly_tariff",
            "currency",
            "plan",
            "staffing_plan",
            "social_member_hours",
            "social_target_group_members",
            "capacity",
            "capacity_checked_at",
            "submitted_at",
            "decision_reason",
        ]


class BidPointsOutput(serializers.Serializer):
    """Points out of 10 per criterion and the weighted total out of 100; null until
    assessors scored the bid."""

    price = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    quality = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    social = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)
    total = serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True)


class RankedBidOutput(BidOutput):
    points = serializers.SerializerMethodField(
        help_text="Null while the tender is open and for bids that are not ranked."
    )

    class Meta(BidOutput.Meta):
        fields = [*BidOutput.Meta.fields, "points"]

    @extend_schema_field(BidPointsOutput(allow_null=True))
    def get_points(self, bid) -> dict | None:
        ranked = self.context.get("points", {}).get(bid.pk)
        return None if ranked is None else BidPointsOutput(ranked).data


class BidScoreOutput(serializers.Serializer):
    bid = serializers.IntegerField(source="bid_id")
    quality = serializers.DecimalField(max_digits=4, decimal_places=1)
    social = serializers.DecimalField(max_digits=4, decimal_places=1)


class ScoreInput(serializers.Serializer):
    quality = serializers.DecimalField(max_digits=4, decimal_places=1)
    social = serializers.DecimalField(max_digits=4, decimal_places=1)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class DecisionInput(serializers.Serializer):
    bid = serializers.IntegerField(allow_null=True)
    reason = serializers.CharField()
    rejection_reasons = serializers.DictField(
        child=serializers.CharField(allow_blank=True), required=False, default=dict
    )


class ChallengeInput(serializers.Serializer):
    cooperative = serializers.SlugField()
    client = serializers.IntegerField()
    task = serializers.CharField(max_length=200)
    area = serializers.CharField(max_length=200)
    plan = serializers.CharField()
    signatures = serializers.IntegerField(default=0)
    support_evidence = serializers.CharField(required=False, allow_blank=True, default="")
    partners = serializers.CharField(required=False, allow_blank=True, default="")


class ChallengeOutput(serializers.ModelSerializer):
    cooperative = serializers.CharField(source="cooperative.name")
    client = serializers.CharField(source="client.name")

    class Meta:
        model = Challenge
        fields = [
            "id",
            "cooperative",
            "client",
            "task",
            "area",
            "plan",
            "signatures",
            "support_evidence",
            "partners",
            "status",
            "decision_deadline",
            "reject_reason",
            "decision_note",
            "modification",
            "decided_at",
            "created_at",
        ]


class ChallengeDecisionInput(serializers.Serializer):
    decision = serializers.ChoiceField(choices=["accept", "accept_modified", "reject"])
    reject_reason = serializers.CharField(required=False, allow_blank=True, default="")
    note = serializers.CharField(required=False, allow_blank=True, default="")
    modification = serializers.CharField(required=False, allow_blank=True, default="")


class ConsentInput(serializers.Serializer):
    consent = serializers.BooleanField()


class ContractListOutput(serializers.ModelSerializer):
    cooperative = serializers.CharField(source="cooperative.slug")
    client = serializers.CharField(source="client.name")

    class Meta:
        model = Contract
        fields = [
            "id",
            "reference",
            "title",
            "cooperative",
            "client",
            "period_start",
            "period_end",
            "status",
        ]


_EUROS = {"max_digits": 14, "decimal_places": 2}


class ContractBudgetOutput(DictOutput):
    """The contract's budget: amounts are decimal strings in ``currency`` ("1234.50")."""

    currency = CurrencyField()
    budget = serializers.DecimalField(**_EUROS, help_text="The budget awarded.")
    total = serializers.DecimalField(**_EUROS, help_text="With the agreed amendments.")
    committed = serializers.DecimalField(
        **_EUROS, help_text="What the shifts on the board will cost (hours × slots × tariff)."
    )
    used = serializers.DecimalField(**_EUROS, help_text="Approved work.")
    left = serializers.DecimalField(**_EUROS)
    committed_percent = serializers.FloatField()
    used_percent = serializers.FloatField()
    warning = serializers.BooleanField()
    exhausted = serializers.BooleanField()
    approved_hours = serializers.FloatField()


class ContractOutput(serializers.ModelSerializer):
    cooperative = serializers.CharField(source="cooperative.slug")
    client = serializers.CharField(source="client.name")
    budget = serializers.SerializerMethodField()
    jobs = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id",
            "reference",
            "title",
            "cooperative",
            "client",
            "period_start",
            "period_end",
            "status",
            "kpis",
            "recurrence",
            "budget",
            "generated_through",
            "warned_at",
            "exhausted_at",
            "jobs",
        ]

    @extend_schema_field(ContractBudgetOutput)
    def get_budget(self, obj) -> dict:
        from jobs.challenges.services.contracts import contract_budget

        budget = {
            (key.removesuffix("_cents")): (
                decimal_string(value, obj.cooperative.currency) if key.endswith("_cents") else value
            )
            for key, value in contract_budget(obj).items()
        }
        return ContractBudgetOutput({**budget, "currency": obj.cooperative.currency}).data

    def get_jobs(self, obj) -> list[int]:
        return [cj.job_id for cj in obj.contract_jobs.all()]


class AmendmentInput(serializers.Serializer):
    extra_budget = serializers.DecimalField(max_digits=12, decimal_places=2)
    reason = serializers.CharField()


class ContractGenerateOutput(serializers.Serializer):
    created = serializers.IntegerField(help_text="Shifts put on the board by this call.")


class ContractReportOutput(DictOutput):
    """The report to the municipality. Counts of fewer than ``minimum_count`` people are
    null (suppressed), so that nobody can be recognised."""

    contract = serializers.CharField(help_text="The contract's reference.")
    title = serializers.CharField()
    client = serializers.CharField()
    cooperative = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    hours_worked = serializers.FloatField()
    members_involved = serializers.IntegerField(allow_null=True)
    members_suppressed = serializers.BooleanField()
    shifts_planned = serializers.IntegerField()
    shifts_filled = serializers.IntegerField()
    currency = CurrencyField(help_text="The currency of the *_cents amounts (ISO 4217).")
    budget_used_in_period_cents = serializers.IntegerField()
    budget_used_cents = serializers.IntegerField()
    budget_committed_cents = serializers.IntegerField()
    budget_total_cents = serializers.IntegerField()
    social_return_members = serializers.IntegerField(allow_null=True)
    social_return_hours = serializers.FloatField(allow_null=True)
    social_return_suppressed = serializers.BooleanField()
    minimum_count = serializers.IntegerField()
    committed_member_hours = serializers.IntegerField()
    committed_target_group_members = serializers.IntegerField()
    member_hours_to_date = serializers.FloatField()


class TargetGroupInput(serializers.Serializer):
    user = serializers.IntegerField()
    group = serializers.CharField()


class TargetGroupCountsOutput(serializers.Serializer):
    """How many members of the cooperative count for social return, per target group."""

    def get_fields(self):
        from jobs.challenges.models import TargetGroupMember

        return {
            group: serializers.IntegerField(help_text=str(label))
            for group, label in TargetGroupMember.Group.choices
        }


class TargetGroupMemberOutput(serializers.Serializer):
    user = serializers.IntegerField(source="user_id")
    group = serializers.CharField()
