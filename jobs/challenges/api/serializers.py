from __future__ import annotations

from rest_framework import serializers

from werkstation.api.fields import AmountField
from werkstation.money import decimal_string

from ...models.work import CATEGORY_CHOICES
from ..models import Bid, Challenge, Contract, Tender


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
    member_pay = serializers.DecimalField(max_digits=8, decimal_places=2)
    plan = serializers.CharField()
    staffing_plan = serializers.ListField(child=serializers.DictField())
    social_member_hours = serializers.IntegerField(default=0)
    social_target_group_members = serializers.IntegerField(default=0)


class BidOutput(serializers.ModelSerializer):
    cooperative = serializers.CharField(source="cooperative.slug")
    tender = serializers.IntegerField(source="tender_id")
    price = AmountField(source="price_cents", read_only=True)
    hourly_tariff = AmountField(source="hourly_tariff_cents", read_only=True)
    member_pay = AmountField(source="member_pay_cents", read_only=True)

    class Meta:
        model = Bid
        fields = [
            "id",
            "tender",
            "cooperative",
            "status",
            "price",
            "hourly_tariff",
            "member_pay",
            "plan",
            "staffing_plan",
            "social_member_hours",
            "social_target_group_members",
            "capacity",
            "capacity_checked_at",
            "submitted_at",
            "decision_reason",
        ]


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

    def get_budget(self, obj) -> dict:
        from ..services.contracts import contract_budget

        return {
            key: (decimal_string(value) if key.endswith("_cents") else value)
            for key, value in contract_budget(obj).items()
        }

    def get_jobs(self, obj) -> list[int]:
        return [cj.job_id for cj in obj.contract_jobs.all()]


class AmendmentInput(serializers.Serializer):
    extra_budget = serializers.DecimalField(max_digits=12, decimal_places=2)
    reason = serializers.CharField()


class TargetGroupInput(serializers.Serializer):
    user = serializers.IntegerField()
    group = serializers.CharField()
