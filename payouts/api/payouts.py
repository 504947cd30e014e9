from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from payouts.models import PayoutBatch, PayoutItem
from payouts.services.payouts import (
    payout_batch_approve,
    payout_batch_confirm,
    payout_batch_create,
    payout_batch_execute,
    payout_file_read,
)
from werkstation.api.base import get_object_or_error
from werkstation.api.fields import CurrencyField
from werkstation.api.pagination import list_schema, paginated

from .invoices import treasury_cooperative


class PayoutItemOutput(serializers.ModelSerializer):
    member = serializers.CharField(source="member.full_name")
    currency = CurrencyField()

    class Meta:
        model = PayoutItem
        fields = [
            "id",
            "member",
            "amount_cents",
            "currency",
            "method",
            "status",
            "hold_reason",
            "sent_at",
            "paid_at",
            "confirmed_by",
            "returned_at",
            "return_reason",
        ]


class PayoutBatchOutput(serializers.ModelSerializer):
    items = PayoutItemOutput(many=True, read_only=True)
    approvals = serializers.SerializerMethodField()

    class Meta:
        model = PayoutBatch
        fields = [
            "id",
            "status",
            "execution_date",
            "created_at",
            "executed_at",
            "approvals",
            "items",
        ]

    def get_approvals(self, batch) -> list[str]:
        return [a.user.full_name for a in batch.approvals.all()]


def _batches(cooperative):
    return PayoutBatch.objects.filter(cooperative=cooperative).prefetch_related(
        "items__member", "approvals__user"
    )


class PayoutBatchListApi(APIView):
    @list_schema(PayoutBatchOutput, summary="Payout batches (board and treasury), newest first")
    def get(self, request, slug: str):
        return paginated(request, _batches(treasury_cooperative(request, slug)), PayoutBatchOutput)

    @extend_schema(
        request=None,
        responses={201: PayoutBatchOutput},
        summary="Draft a batch of all payable balances",
    )
    def post(self, request, slug: str):
        batch = payout_batch_create(
            actor=request.user, cooperative=treasury_cooperative(request, slug)
        )
        return Response(PayoutBatchOutput(batch).data, status=status.HTTP_201_CREATED)


class PayoutBatchActionApi(APIView):
    action = ""

    @extend_schema(
        request=None,
        responses=PayoutBatchOutput,
        summary="Approve (four eyes), execute a batch, or confirm that the bank paid its SEPA "
        "transfers (items 'sent' become 'paid')",
    )
    def post(self, request, slug: str, batch_id: int):
        cooperative = treasury_cooperative(request, slug)
        batch = get_object_or_error(_batches(cooperative), field="batch", pk=batch_id)
        if self.action == "approve":
            payout_batch_approve(actor=request.user, batch=batch)
        elif self.action == "confirm-paid":
            payout_batch_confirm(actor=request.user, batch=batch)
        else:
            payout_batch_execute(actor=request.user, batch=batch)
        return Response(PayoutBatchOutput(_batches(cooperative).get(pk=batch.pk)).data)


class PayoutBatchFileApi(APIView):
    kind = ""

    def get(self, request, slug: str, batch_id: int):
        cooperative = treasury_cooperative(request, slug)
        batch = get_object_or_error(_batches(cooperative), field="batch", pk=batch_id)
        content, content_type, name = payout_file_read(
            actor=request.user, batch=batch, kind=self.kind
        )
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class SepaFileApi(PayoutBatchFileApi):
    kind = "sepa"

    @extend_schema(
        responses={(200, "application/xml"): bytes},
        summary="SEPA file (pain.001.001.09) of the batch (treasurer; every download is logged)",
    )
    def get(self, request, slug: str, batch_id: int):
        return super().get(request, slug, batch_id)


class PayrollFileApi(PayoutBatchFileApi):
    kind = "payroll"

    @extend_schema(
        responses={(200, "text/csv"): bytes},
        summary="Payroll CSV of the batch (treasurer; every download is logged)",
    )
    def get(self, request, slug: str, batch_id: int):
        return super().get(request, slug, batch_id)
