"""The right-to-challenge API: one small view per resource or operation."""

from __future__ import annotations

from datetime import date

from django.db.models import Count
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.challenges.access import can_see_bid, can_see_contract, is_municipality_user
from jobs.challenges.models import Bid, Challenge, Contract, TargetGroupMember, Tender
from jobs.challenges.selectors import (
    bids_visible,
    challenges_public,
    contracts_visible,
    reports,
    tenders_visible,
)
from jobs.challenges.services import bids, challenges, contracts, social, tenders
from jobs.models import Client
from members.access import require_role
from members.models import Cooperative, User
from werkstation.api.base import get_object_or_error
from werkstation.api.pagination import list_schema, page_of, paginated
from werkstation.errors import NotFound, ValidationFailed

from . import serializers as s


class PublicReadMixin:
    """Reading is public (the register needs no login); every write needs a login."""

    def get_permissions(self):
        if self.request.method == "GET":
            return [AllowAny()]
        return [IsAuthenticated()]


def _tender(user, tender_id: int) -> Tender:
    return get_object_or_error(tenders_visible(user), field="tender", pk=tender_id)


def _bid(user, bid_id: int) -> Bid:
    bid = get_object_or_error(
        Bid.objects.select_related("tender", "cooperative"), field="bid", pk=bid_id
    )
    if not can_see_bid(user, bid):
        raise NotFound(_("Not found."), field="bid")
    return bid


def _contract(user, contract_id: int) -> Contract:
    contract = get_object_or_error(
        Contract.objects.select_related("client", "cooperative"), field="contract", pk=contract_id
    )
    if not can_see_contract(user, contract):
        raise NotFound(_("Not found."), field="contract")
    return contract


class TenderListApi(PublicReadMixin, APIView):
    @list_schema(s.TenderOutput, summary="Tenders (public register)")
    def get(self, request):
        return paginated(request, tenders_visible(request.user), s.TenderOutput)

    @extend_schema(
        request=s.TenderInput,
        responses={201: s.TenderOutput},
        summary="Put a public task out to tender",
    )
    def post(self, request):
        data = s.TenderInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        client = get_object_or_error(Client.objects.all(), field="client", pk=values.pop("client"))
        challenge_id = values.pop("challenge", None)
        challenge = (
            get_object_or_error(Challenge.objects.all(), field="challenge", pk=challenge_id)
            if challenge_id
            else None
        )
        tender = tenders.tender_create(
            actor=request.user, client=client, challenge=challenge, **values
        )
        return Response(s.TenderOutput(tender).data, status=status.HTTP_201_CREATED)


class TenderDetailApi(PublicReadMixin, APIView):
    @extend_schema(responses=s.TenderOutput, summary="A tender")
    def get(self, request, tender_id: int):
        return Response(s.TenderOutput(_tender(request.user, tender_id)).data)


class TenderPublishApi(APIView):
    @extend_schema(request=None, responses=s.TenderOutput, summary="Publish a draft tender")
    def post(self, request, tender_id: int):
        tender = tenders.tender_publish(actor=request.user, tender=_tender(request.user, tender_id))
        return Response(s.TenderOutput(tender).data)


class TenderBidsApi(APIView):
    @list_schema(s.RankedBidOutput, summary="Bids I may see, with their points once scored")
    def get(self, request, tender_id: int):
        tender = _tender(request.user, tender_id)
        page = page_of(request, bids_visible(request.user, tender))
        points = {}
        if page.items and tender.effective_status != Tender.Status.OPEN:
            points = {row["bid"].pk: row for row in tenders.bid_ranking(tender)}
        return page.response(
            s.RankedBidOutput(page.items, many=True, context={"points": points}).data
        )

    @extend_schema(request=s.BidInput, responses={201: s.BidOutput}, summary="Draft a bid (board)")
    def post(self, request, tender_id: int):
        tender = _tender(request.user, tender_id)
        data = s.BidInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        slug = values.pop("cooperative", None)
        if slug:
            cooperative = get_object_or_error(
                Cooperative.objects.all(), field="cooperative", slug=slug
            )
        else:
            from jobs.challenges.selectors import board_cooperative_ids

            ids = board_cooperative_ids(request.user)
            if len(ids) != 1:
                raise ValidationFailed(
                    _("Name the cooperative that bids."), code="required", field="cooperative"
                )
            cooperative = Cooperative.objects.get(pk=ids[0])
        bid = bids.bid_create(actor=request.user, tender=tender, cooperative=cooperative, **values)
        return Response(s.BidOutput(bid).data, status=status.HTTP_201_CREATED)


class TenderDecisionApi(APIView):
    @extend_schema(
        request=s.DecisionInput,
        responses=s.TenderOutput,
        summary="Award a bid, or none, with reasons",
    )
    def post(self, request, tender_id: int):
        tender = _tender(request.user, tender_id)
        data = s.DecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        bid_id = data.validated_data["bid"]
        bid = (
            get_object_or_error(Bid.objects.filter(tender=tender), field="bid", pk=bid_id)
            if bid_id is not None
            else None
        )
        try:
            rejection = {int(k): v for k, v in data.validated_data["rejection_reasons"].items()}
        except ValueError as exc:
            raise ValidationFailed(
                _("Key the reasons by bid id."), field="rejection_reasons"
            ) from exc
        tender = tenders.tender_decide(
            actor=request.user,
            tender=tender,
            bid=bid,
            reason=data.validated_data["reason"],
            rejection_reasons=rejection,
        )
        return Response(s.TenderOutput(tender).data)


class BidDetailApi(APIView):
    @extend_schema(responses=s.BidOutput, summary="A bid")
    def get(self, request, bid_id: int):
        return Response(s.BidOutput(_bid(request.user, bid_id)).data)

    @extend_schema(request=s.BidInput, responses=s.BidOutput, summary="Change a draft bid (board)")
    def patch(self, request, bid_id: int):
        bid = _bid(request.user, bid_id)
        data = s.BidInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = {
            k: v for k, v in data.validated_data.items() if k != "cooperative" and k in request.data
        }
        return Response(s.BidOutput(bids.bid_update(actor=request.user, bid=bid, **values)).data)


class BidCapacityApi(APIView):
    @extend_schema(
        request=None, responses=s.BidOutput, summary="Run the capacity check on a draft bid"
    )
    def post(self, request, bid_id: int):
        bid = bids.bid_capacity_check(actor=request.user, bid=_bid(request.user, bid_id))
        return Response(s.BidOutput(bid).data)


class BidSubmitApi(APIView):
    @extend_schema(
        request=None, responses=s.BidOutput, summary="Submit a bid; it is locked from then on"
    )
    def post(self, request, bid_id: int):
        return Response(
            s.BidOutput(bids.bid_submit(actor=request.user, bid=_bid(request.user, bid_id))).data
        )


class BidWithdrawApi(APIView):
    @extend_schema(
        request=None, responses=s.BidOutput, summary="Withdraw a bid while the window is open"
    )
    def post(self, request, bid_id: int):
        return Response(
            s.BidOutput(bids.bid_withdraw(actor=request.user, bid=_bid(request.user, bid_id))).data
        )


class BidScoreApi(APIView):
    @extend_schema(
        request=s.ScoreInput,
        responses=s.BidScoreOutput,
        summary="Score a bid on quality and social value",
    )
    def post(self, request, bid_id: int):
        bid = _bid(request.user, bid_id)
        data = s.ScoreInput(data=request.data)
        data.is_valid(raise_exception=True)
        score = tenders.bid_score(actor=request.user, bid=bid, **data.validated_data)
        return Response(s.BidScoreOutput(score).data)


class ChallengeListApi(PublicReadMixin, APIView):
    @list_schema(s.ChallengeOutput, summary="Challenges (public register), newest first")
    def get(self, request):
        rows = challenges_public().order_by("-created_at", "-pk")
        return paginated(request, rows, s.ChallengeOutput)

    @extend_schema(
        request=s.ChallengeInput,
        responses={201: s.ChallengeOutput},
        summary="Challenge a public task (board)",
    )
    def post(self, request):
        data = s.ChallengeInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        cooperative = get_object_or_error(
            Cooperative.objects.all(), field="cooperative", slug=values.pop("cooperative")
        )
        client = get_object_or_error(Client.objects.all(), field="client", pk=values.pop("client"))
        challenge = challenges.challenge_submit(
            actor=request.user, cooperative=cooperative, client=client, **values
        )
        return Response(s.ChallengeOutput(challenge).data, status=status.HTTP_201_CREATED)


class ChallengeDetailApi(PublicReadMixin, APIView):
    @extend_schema(responses=s.ChallengeOutput, summary="A challenge")
    def get(self, request, challenge_id: int):
        return Response(
            s.ChallengeOutput(
                get_object_or_error(challenges_public(), field="challenge", pk=challenge_id)
            ).data
        )


class ChallengeDecisionApi(APIView):
    @extend_schema(
        request=s.ChallengeDecisionInput,
        responses=s.ChallengeOutput,
        summary="Decide on a challenge",
    )
    def post(self, request, challenge_id: int):
        challenge = get_object_or_error(challenges_public(), field="challenge", pk=challenge_id)
        data = s.ChallengeDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        challenge = challenges.challenge_decide(
            actor=request.user, challenge=challenge, **data.validated_data
        )
        return Response(s.ChallengeOutput(challenge).data)


class ChallengeConsentApi(APIView):
    @extend_schema(
        request=s.ConsentInput,
        responses=s.ChallengeOutput,
        summary="Consent to proposed changes (board)",
    )
    def post(self, request, challenge_id: int):
        challenge = get_object_or_error(challenges_public(), field="challenge", pk=challenge_id)
        data = s.ConsentInput(data=request.data)
        data.is_valid(raise_exception=True)
        challenge = challenges.challenge_consent(
            actor=request.user, challenge=challenge, consent=data.validated_data["consent"]
        )
        return Response(s.ChallengeOutput(challenge).data)


class ContractListApi(APIView):
    @list_schema(s.ContractListOutput, summary="Contracts I am party to")
    def get(self, request):
        return paginated(request, contracts_visible(request.user), s.ContractListOutput)


class ContractDetailApi(APIView):
    @extend_schema(responses=s.ContractOutput, summary="A contract with its budget")
    def get(self, request, contract_id: int):
        return Response(s.ContractOutput(_contract(request.user, contract_id)).data)


class ContractGenerateApi(APIView):
    @extend_schema(
        request=None, responses=s.ContractGenerateOutput, summary="Generate the coming shifts now"
    )
    def post(self, request, contract_id: int):
        contract = _contract(request.user, contract_id)
        if not is_municipality_user(request.user, contract.client_id):
            require_role(request.user, contract.cooperative_id, "board")
        created = contracts.contract_generate(contract_id=contract.pk)
        return Response(s.ContractGenerateOutput({"created": created}).data)


class ContractAmendmentsApi(APIView):
    @extend_schema(
        request=s.AmendmentInput,
        responses={201: s.ContractOutput},
        summary="Agree extra budget (municipality)",
    )
    def post(self, request, contract_id: int):
        contract = _contract(request.user, contract_id)
        data = s.AmendmentInput(data=request.data)
        data.is_valid(raise_exception=True)
        contracts.contract_amend(actor=request.user, contract=contract, **data.validated_data)
        contract.refresh_from_db()
        return Response(s.ContractOutput(contract).data, status=status.HTTP_201_CREATED)


def default_report_end(contract: Contract, start: date) -> date:
    """Up to today, within the contract period; never before the start."""
    return max(start, min(contract.period_end, timezone.localdate()))


def _date(value: str | None, field: str, default: date) -> date:
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise ValidationFailed(_("Give a date like 2026-01-31."), field=field) from exc


class ReportQueryInput(serializers.Serializer):
    start = serializers.DateField(required=False, help_text="default: the contract's start")
    end = serializers.DateField(required=False, help_text="default: today, within the contract")
    output = serializers.ChoiceField(choices=["json", "csv", "pdf"], required=False)


class ContractReportApi(APIView):
    @extend_schema(
        parameters=[ReportQueryInput],
        responses={
            (200, "application/json"): s.ContractReportOutput,
            (200, "text/csv"): bytes,
            (200, "application/pdf"): bytes,
        },
        summary="Report to the municipality (?start&end&output=json|csv|pdf)",
    )
    def get(self, request, contract_id: int):
        contract = _contract(request.user, contract_id)
        start = _date(request.query_params.get("start"), "start", contract.period_start)
        end = _date(request.query_params.get("end"), "end", default_report_end(contract, start))
        report = reports.contract_report(contract=contract, start=start, end=end)
        kind = request.query_params.get("output", "json")
        name = f"{contract.reference}-{start.isoformat()}-{end.isoformat()}"
        if kind == "csv":
            response = HttpResponse(
                reports.report_csv(report), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
            return response
        if kind == "pdf":
            response = HttpResponse(reports.report_pdf(report), content_type="application/pdf")
            response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
            return response
        if kind != "json":
            raise ValidationFailed(_("Choose json, csv or pdf."), field="output")
        return Response(s.ContractReportOutput(report).data)


class TargetGroupsApi(APIView):
    @extend_schema(
        responses=s.TargetGroupCountsOutput,
        summary="How many members count for social return, per group (board)",
    )
    def get(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="cooperative", slug=slug)
        require_role(request.user, cooperative, "board")
        counted = dict(
            TargetGroupMember.objects.filter(cooperative=cooperative)
            .values_list("group")
            .annotate(n=Count("pk"))
            .order_by()
        )
        counts = {group: counted.get(group, 0) for group in TargetGroupMember.Group.values}
        return Response(s.TargetGroupCountsOutput(counts).data)

    @extend_schema(
        request=s.TargetGroupInput,
        responses={201: s.TargetGroupMemberOutput},
        summary="Count a member for social return (board)",
    )
    def post(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="cooperative", slug=slug)
        require_role(request.user, cooperative, "board")
        data = s.TargetGroupInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = get_object_or_error(User.objects.all(), field="user", pk=data.validated_data["user"])
        row = social.target_group_record(
            actor=request.user,
            cooperative=cooperative,
            user=user,
            group=data.validated_data["group"],
        )
        return Response(s.TargetGroupMemberOutput(row).data, status=status.HTTP_201_CREATED)
