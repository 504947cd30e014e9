"""Refunds to clients and returned payouts, recorded by the treasury by hand.

(Stripe's webhooks call the same services with ``actor=None``.)
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from payouts.models import Payment, PayoutItem, Refund
from payouts.services.invoices import _amount_cents
from payouts.services.reversals import payment_refund, payout_item_return
from werkstation.api.base import get_object_or_error
from werkstation.api.fields import CurrencyField

from .invoices import treasury_cooperative
from .payouts import PayoutItemOutput


class RefundInput(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="euros")
    reason = serializers.CharField(max_length=250)


class RefundOutput(serializers.ModelSerializer):
    invoice = serializers.CharField(
        source="payment.invoice.display_number", default=None, allow_null=True
    )
    currency = CurrencyField()

    class Meta:
        model = Refund
        fields = [
            "id",
            "payment",
            "invoice",
            "amount_cents",
            "currency",
            "reason",
            "reheld_cents",
            "unrecovered_cents",
            "external_id",
            "created_at",
        ]


class PaymentRefundApi(APIView):
    @extend_schema(
        request=RefundInput,
        responses={201: RefundOutput},
        summary="Refund (part of) a payment to the client (treasurer)",
    )
    def post(self, request, slug: str, payment_id: int):
        cooperative = treasury_cooperative(request, slug)
        payment = get_object_or_error(
            Payment.objects.filter(cooperative=cooperative), field="payment", pk=payment_id
        )
        data = RefundInput(data=request.data)
        data.is_valid(raise_exception=True)
        refund = payment_refund(
            actor=request.user,
            payment=payment,
            amount_cents=_amount_cents(data.validated_data["amount"]),
            reason=data.validated_data["reason"],
        )
        return Response(RefundOutput(refund).data, status=status.HTTP_201_CREATED)


class PayoutReturnInput(serializers.Serializer):
    reason = serializers.CharField(max_length=250)


class PayoutItemReturnApi(APIView):
    @extend_schema(
        request=PayoutReturnInput,
        responses=PayoutItemOutput,
        summary="A paid payout came back from the bank: owed to the member again (board, treasurer)",
    )
    def post(self, request, slug: str, item_id: int):
        cooperative = treasury_cooperative(request, slug)
        item = get_object_or_error(
            PayoutItem.objects.filter(batch__cooperative=cooperative), field="item", pk=item_id
        )
        data = PayoutReturnInput(data=request.data)
        data.is_valid(raise_exception=True)
        item = payout_item_return(
            actor=request.user, item=item, reason=data.validated_data["reason"]
        )
        return Response(PayoutItemOutput(item).data)
