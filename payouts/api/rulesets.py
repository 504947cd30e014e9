"""Rule sets through the API.

Members of a cooperative (its board, treasurer and auditor too) read its rule sets: the
list, one, the one in force on a date and a plain-language description in the reader's
language. The board drafts a new one (checked, described and tried on an example shift,
nothing written) and proposes it to the members' vote. Adoption happens only by that vote.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.models.work import CATEGORY_CHOICES
from members.access import require_role
from members.models import Cooperative
from payouts.models import RuleSet
from payouts.selectors import proposals_of_rule_sets, rule_set_in_force, rule_sets_of
from payouts.services import rulesets as service
from werkstation.api.base import get_object_or_error
from werkstation.api.fields import AmountField
from werkstation.api.outputs import DictOutput
from werkstation.api.pagination import list_schema, page_of
from werkstation.errors import NotFound
from werkstation.templatetags.money import longdate

if TYPE_CHECKING:
    from datetime import date

# ---- outputs -------------------------------------------------------------------------------


class PotLabelOutput(DictOutput):
    pot = serializers.CharField(help_text="The pot's slug in the rule set.")
    label = serializers.CharField(help_text="Its name in the reader's language.")


class RuleSetOutput(serializers.Serializer):
    id = serializers.IntegerField()
    version = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.ChoiceField(choices=RuleSet.Status.choices)
    effective_from = serializers.DateField(
        allow_null=True, help_text="From this day it applies; null until adopted."
    )
    adopted_at = serializers.DateTimeField(allow_null=True)
    adopted_via = serializers.CharField(help_text='"founding", "vote", or empty until adopted.')
    allow_advances = serializers.BooleanField(
        help_text="May the cooperative fund advance members' shares before the client pays?"
    )
    advance_limit = AmountField(
        source="advance_limit_cents", help_text="The most the fund may have advanced at once."
    )
    currency = serializers.CharField(source="spec.currency")
    spec = serializers.JSONField(help_text="The rules, in the payout-rules file format.")
    proposal = serializers.SerializerMethodField(
        help_text="The proposal that put it to the vote; null for the founding rule set."
    )

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_proposal(self, rule_set) -> int | None:
        return self.context.get("proposals", {}).get(rule_set.pk)


class RuleSetDetailOutput(RuleSetOutput):
    pots = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField(
        help_text="E.g. a member floor below the statutory minimum wage on its effective date."
    )

    def _description(self, rule_set) -> service.Description:
        cache = self.context.setdefault("descriptions", {})
        if rule_set.pk not in cache:
            cache[rule_set.pk] = service.describe_stored(rule_set)
        return cache[rule_set.pk]

    @extend_schema_field(PotLabelOutput(many=True))
    def get_pots(self, rule_set) -> list[dict]:
        return PotLabelOutput(self._description(rule_set).pots, many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_warnings(self, rule_set) -> list[str]:
        return self._description(rule_set).warnings


class RuleSetFileOutput(DictOutput):
    """The rule set exactly as the payout-rules file format writes it."""

    currency = serializers.CharField(help_text="ISO 4217; amounts are in its minor unit.")
    member_floor_hourly_cents = serializers.IntegerField(min_value=0)
    pots = serializers.ListField(
        child=serializers.DictField(),
        help_text="Applied in this order: pot, label, percent or brackets, flat_cents, "
        "min_cents, max_cents, when.",
    )


class DescriptionOutput(DictOutput):
    rule_set = serializers.IntegerField(allow_null=True)
    language = serializers.ChoiceField(choices=[("nl", "nl"), ("en", "en")])
    sentences = serializers.ListField(
        child=serializers.CharField(), help_text="The rules in plain words, one per pot."
    )
    pots = PotLabelOutput(many=True)
    warnings = serializers.ListField(child=serializers.CharField())


class ExamplePotOutput(DictOutput):
    pot = serializers.CharField()
    label = serializers.CharField()
    amount = serializers.CharField(help_text="Decimal string in the currency's major unit.")


class ExampleSplitOutput(DictOutput):
    currency = serializers.CharField()
    gross = serializers.CharField()
    member = serializers.CharField(help_text="What the member keeps.")
    pots = ExamplePotOutput(many=True)


class PreviewOutput(DictOutput):
    spec = serializers.JSONField(help_text="The rules as they would be stored.")
    allow_advances = serializers.BooleanField()
    advance_limit = serializers.CharField()
    currency = serializers.CharField()
    description = DescriptionOutput()
    example = ExampleSplitOutput(allow_null=True)


class RuleSetProposalOutput(DictOutput):
    proposal = serializers.IntegerField(help_text="Open it, co-sign it or vote under /proposals/.")
    proposal_status = serializers.CharField()
    rule_set = RuleSetDetailOutput()


# ---- inputs --------------------------------------------------------------------------------


class ExampleShiftInput(serializers.Serializer):
    gross = AmountField(min_cents=0, help_text="What the client pays for the work, before VAT.")
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    category = serializers.ChoiceField(choices=CATEGORY_CHOICES)
    client_kind = serializers.CharField(
        max_length=30, help_text='The kind of client, e.g. "business" or "municipality".'
    )
    month_gross_before = AmountField(
        min_cents=0,
        required=False,
        default=0,
        help_text="What the member earned earlier that month (for progressive brackets).",
    )


class RuleSetDraftInput(serializers.Serializer):
    spec = serializers.JSONField(help_text="The rules, in the payout-rules file format.")
    allow_advances = serializers.BooleanField(required=False, default=False)
    advance_limit = AmountField(
        min_cents=0, max_cents=service.SPEC_MAX_CENTS, required=False, default=0
    )
    effective_from = serializers.DateField(
        required=False, allow_null=True, help_text="When it would take effect (default: adoption)."
    )


class RuleSetPreviewInput(RuleSetDraftInput):
    example = ExampleShiftInput(required=False, allow_null=True)


class RuleSetProposeInput(RuleSetDraftInput):
    title = serializers.CharField(max_length=150)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    secret = serializers.BooleanField(required=False, default=False)
    require_simulation = serializers.BooleanField(
        required=False, default=False, help_text="Members open their simulation before voting."
    )
    open_vote = serializers.BooleanField(
        required=False, default=False, help_text="Open the vote at once (else it stays a draft)."
    )


class InForceQuery(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="YYYY-MM-DD; today unless given.")


# ---- helpers -------------------------------------------------------------------------------


def _cooperative_for_members(user, slug: str) -> Cooperative:
    cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
    require_role(user, cooperative, "member")
    return cooperative


def _rule_set(cooperative: Cooperative, rule_set_id: int) -> RuleSet:
    return get_object_or_error(rule_sets_of(cooperative.pk), field="rule_set", pk=rule_set_id)


def _detail(rule_set: RuleSet) -> dict:
    proposals = proposals_of_rule_sets(rule_set.cooperative_id, [rule_set.pk])
    return RuleSetDetailOutput(rule_set, context={"proposals": proposals}).data


def _amount(cents: int, currency: str) -> str:
    return AmountField(currency=currency).to_representation(cents)


def _description_data(description: service.Description, rule_set_id: int | None) -> dict:
    return {
        "rule_set": rule_set_id,
        "language": description.language,
        "sentences": description.sentences,
        "pots": description.pots,
        "warnings": description.warnings,
    }


# ---- views ---------------------------------------------------------------------------------


class RuleSetListApi(APIView):
    @list_schema(RuleSetOutput, summary="Rule sets of the cooperative (members), newest first")
    def get(self, request, slug: str):
        cooperative = _cooperative_for_members(request.user, slug)
        page = page_of(request, rule_sets_of(cooperative.pk))
        proposals = proposals_of_rule_sets(cooperative.pk, [r.pk for r in page.items])
        return page.response(
            RuleSetOutput(page.items, many=True, context={"proposals": proposals}).data
        )


class RuleSetInForceApi(APIView):
    @extend_schema(
        parameters=[InForceQuery],
        responses=RuleSetDetailOutput,
        summary="The rule set in force on a date (members); 404 when none was",
    )
    def get(self, request, slug: str):
        cooperative = _cooperative_for_members(request.user, slug)
        query = InForceQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        on: date = query.validated_data.get("on") or timezone.localdate()
        rule_set = rule_set_in_force(cooperative.pk, on)
        if rule_set is None:
            raise NotFound(
                _("No rule set was in force on %(day)s.") % {"day": longdate(on)},
                code="no_rule_set_in_force",
                field="on",
            )
        return Response(_detail(rule_set))


class RuleSetDetailApi(APIView):
    @extend_schema(responses=RuleSetDetailOutput, summary="A rule set (members)")
    def get(self, request, slug: str, rule_set_id: int):
        cooperative = _cooperative_for_members(request.user, slug)
        return Response(_detail(_rule_set(cooperative, rule_set_id)))


class RuleSetDescriptionApi(APIView):
    @extend_schema(
        responses=DescriptionOutput,
        summary="A rule set in plain words, in the reader's language (members)",
    )
    def get(self, request, slug: str, rule_set_id: int):
        cooperative = _cooperative_for_members(request.user, slug)
        rule_set = _rule_set(cooperative, rule_set_id)
        description = service.describe_stored(rule_set)
        return Response(DescriptionOutput(_description_data(description, rule_set.pk)).data)


class RuleSetExportApi(APIView):
    @extend_schema(
        responses=RuleSetFileOutput,
        summary="A rule set as a .json file in the payout-rules format (members); "
        "check it with python -m payouts.rules check",
    )
    def get(self, request, slug: str, rule_set_id: int):
        cooperative = _cooperative_for_members(request.user, slug)
        rule_set = _rule_set(cooperative, rule_set_id)
        response = Response(RuleSetFileOutput(rule_set.spec).data)
        response["Content-Disposition"] = (
            f'attachment; filename="{service.rule_set_filename(cooperative, rule_set)}"'
        )
        return response


class RuleSetPreviewApi(APIView):
    @extend_schema(
        request=RuleSetPreviewInput,
        responses=PreviewOutput,
        summary="Check a draft rule set, describe it and split an example shift (board); "
        "writes nothing",
    )
    def post(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        require_role(request.user, cooperative, "board")
        data = RuleSetPreviewInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        example = values.get("example")
        preview = service.rule_set_preview(
            actor=request.user,
            cooperative=cooperative,
            spec=values["spec"],
            allow_advances=values["allow_advances"],
            advance_limit_cents=values["advance_limit"],
            effective_from=values.get("effective_from"),
            example=service.ExampleShift(
                gross_cents=example["gross"],
                minutes=example["minutes"],
                category=example["category"],
                client_kind=example["client_kind"],
                month_gross_before_cents=example["month_gross_before"],
            )
            if example
            else None,
        )
        currency = preview.currency
        split = preview.example
        return Response(
            PreviewOutput(
                {
                    "spec": preview.spec,
                    "allow_advances": preview.allow_advances,
                    "advance_limit": _amount(preview.advance_limit_cents, currency),
                    "currency": currency,
                    "description": _description_data(preview.description, None),
                    "example": {
                        "currency": currency,
                        "gross": _amount(split["gross_cents"], currency),
                        "member": _amount(split["member_cents"], currency),
                        "pots": [
                            {
                                "pot": row["pot"],
                                "label": row["label"],
                                "amount": _amount(row["cents"], currency),
                            }
                            for row in split["pots"]
                        ],
                    }
                    if split
                    else None,
                }
            ).data
        )


class RuleSetProposeApi(APIView):
    @extend_schema(
        request=RuleSetProposeInput,
        responses={201: RuleSetProposalOutput},
        summary="Propose a rule set to the members' vote (board)",
    )
    def post(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        require_role(request.user, cooperative, "board")
        data = RuleSetProposeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        proposal = service.rule_set_propose(
            actor=request.user,
            cooperative=cooperative,
            title=values["title"],
            body=values["body"],
            spec=values["spec"],
            allow_advances=values["allow_advances"],
            advance_limit_cents=values["advance_limit"],
            effective_from=values.get("effective_from"),
            secret=values["secret"],
            require_simulation=values["require_simulation"],
            open_vote=values["open_vote"],
        )
        rule_set = RuleSet.objects.get(
            pk=proposal.payload["rule_set"], cooperative_id=cooperative.pk
        )
        return Response(
            RuleSetProposalOutput(
                {
                    "proposal": proposal.pk,
                    "proposal_status": proposal.status,
                    "rule_set": rule_set,
                },
                context={"proposals": {rule_set.pk: proposal.pk}},
            ).data,
            status=status.HTTP_201_CREATED,
        )
