"""The feed and claims: what a member may take, claiming, withdrawing, and the client's confirm, reject, respond and no-show."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.models import Claim, Shift
from jobs.selectors import FeedFilters, feed_page, feed_row
from jobs.services import claims
from werkstation.api.base import get_object_or_error
from werkstation.api.pagination import Page, list_schema, page_request, paginated

from . import serializers as s


class FeedApi(APIView):
    @list_schema(
        s.FeedRowOutput,
        parameters=[s.FeedQueryInput],
        summary="Open shifts I can really take, paginated (50 a page unless asked)",
    )
    def get(self, request):
        query = s.FeedQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        filters = FeedFilters(
            category=values.get("category"),
            day=values.get("day"),
            max_km=values.get("max_km"),
            include_full=values.get("include_full", False),
        )
        asked = page_request(request)
        found = feed_page(request.user, filters, number=asked.number, size=asked.size)
        page = Page(number=found.number, has_next=found.has_next, items=found.rows)
        return page.response(s.FeedRowOutput([feed_row(r) for r in page.items], many=True).data)


class ClaimListApi(APIView):
    @list_schema(s.ClaimOutput, summary="My claims")
    def get(self, request):
        qs = Claim.objects.filter(
            user=request.user, end__gte=timezone.now() - timezone.timedelta(days=60)
        )
        qs = qs.select_related("shift__job", "shift__cooperative", "user", "timesheet").order_by(
            "start", "pk"
        )
        return paginated(request, qs, s.ClaimOutput)

    @extend_schema(
        request=s.ClaimInput,
        responses={201: s.ClaimOutput},
        summary="Claim a shift (or join its waitlist)",
    )
    def post(self, request):
        data = s.ClaimInput(data=request.data)
        data.is_valid(raise_exception=True)
        shift = get_object_or_error(
            Shift.objects.all(), field="shift", pk=data.validated_data["shift"]
        )
        claim = claims.shift_claim(
            user=request.user,
            shift=shift,
            allow_waitlist=data.validated_data["allow_waitlist"],
            engagement=data.validated_data.get("engagement"),
        )
        return Response(s.ClaimOutput(claim).data, status=status.HTTP_201_CREATED)


class ClaimWithdrawApi(APIView):
    @extend_schema(request=None, responses=s.ClaimOutput, summary="Withdraw my claim")
    def post(self, request, claim_id: int):
        return Response(
            s.ClaimOutput(claims.claim_withdraw(user=request.user, claim_id=claim_id)).data
        )


class ClaimConfirmApi(APIView):
    @extend_schema(
        request=None, responses=s.ClaimOutput, summary="Confirm a claim (client or board)"
    )
    def post(self, request, claim_id: int):
        claims.claim_for_manager(actor=request.user, claim_id=claim_id)
        return Response(
            s.ClaimOutput(claims.claim_confirm(actor=request.user, claim_id=claim_id)).data
        )


class ClaimRejectApi(APIView):
    @extend_schema(
        request=s.ReasonInput, responses=s.ClaimOutput, summary="Reject a claim (client or board)"
    )
    def post(self, request, claim_id: int):
        claims.claim_for_manager(actor=request.user, claim_id=claim_id)
        data = s.ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        claim = claims.claim_reject(
            actor=request.user, claim_id=claim_id, reason=data.validated_data["reason"]
        )
        return Response(s.ClaimOutput(claim).data)


class ClaimRespondApi(APIView):
    @extend_schema(
        request=s.OfferResponseInput,
        responses=s.ClaimOutput,
        summary="Accept or decline a waitlist offer",
    )
    def post(self, request, claim_id: int):
        data = s.OfferResponseInput(data=request.data)
        data.is_valid(raise_exception=True)
        claim = claims.offer_respond(
            user=request.user, claim_id=claim_id, accept=data.validated_data["accept"]
        )
        return Response(s.ClaimOutput(claim).data)


class ClaimNoShowApi(APIView):
    @extend_schema(
        request=None, responses=s.ClaimOutput, summary="Mark a no-show (client or board)"
    )
    def post(self, request, claim_id: int):
        claims.claim_for_manager(actor=request.user, claim_id=claim_id)
        return Response(
            s.ClaimOutput(claims.claim_mark_no_show(actor=request.user, claim_id=claim_id)).data
        )
