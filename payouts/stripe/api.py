from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from members.access import require_role
from members.models import Cooperative
from payouts.models import Invoice, StripeEvent
from werkstation.api.base import get_object_or_error, site_url
from werkstation.api.fields import CurrencyField
from werkstation.api.outputs import DictOutput
from werkstation.api.pagination import list_schema, paginated

from .checkout import can_pay_invoice, invoice_payment_link
from .connect import connect_onboarding_link, connect_status
from .setup import stripe_settings_clear, stripe_settings_save, stripe_status


class StripeSettingsOutput(DictOutput):
    source = serializers.ChoiceField(choices=["cooperative", "environment", "none"])
    payments_on = serializers.BooleanField()
    secret_key_set = serializers.BooleanField()
    webhook_secret_set = serializers.BooleanField()
    connect_webhook_secret_set = serializers.BooleanField()
    connect_enabled = serializers.BooleanField()
    connect_overflow = serializers.ChoiceField(choices=["wait", "sepa"])
    keys_waiting_for_approval = serializers.ListField(
        child=serializers.CharField(),
        help_text="Keys saved that take effect once a second board member approves.",
    )
    webhook_url = serializers.CharField()


class StripeSettingsInput(serializers.Serializer):
    # Write-only: the secrets are never in any answer.
    secret_key = serializers.CharField(
        required=False, allow_blank=True, write_only=True, max_length=255
    )
    webhook_secret = serializers.CharField(
        required=False, allow_blank=True, write_only=True, max_length=255
    )
    connect_webhook_secret = serializers.CharField(
        required=False, allow_blank=True, write_only=True, max_length=255
    )
    connect_enabled = serializers.BooleanField(required=False)
    connect_overflow = serializers.ChoiceField(choices=["wait", "sepa"], required=False)


def _cooperative(slug: str) -> Cooperative:
    return get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)


def _settings_answer(request, cooperative: Cooperative) -> dict:
    return StripeSettingsOutput(
        {
            **stripe_status(cooperative),
            "webhook_url": request.build_absolute_uri(
                reverse("payouts:stripe-webhook", kwargs={"slug": cooperative.slug})
            ),
        }
    ).data


class StripeSettingsApi(APIView):
    @extend_schema(
        responses=StripeSettingsOutput,
        summary="Stripe set-up of the cooperative (treasurer, board); secrets are never shown",
    )
    def get(self, request, slug: str):
        cooperative = _cooperative(slug)
        require_role(request.user, cooperative, "treasurer", "board")
        return Response(_settings_answer(request, cooperative))

    @extend_schema(
        request=StripeSettingsInput,
        responses=StripeSettingsOutput,
        summary="Set Stripe keys (stored encrypted) and Connect (treasurer, board)",
    )
    def patch(self, request, slug: str):
        cooperative = _cooperative(slug)
        require_role(request.user, cooperative, "treasurer", "board")
        data = StripeSettingsInput(data=request.data)
        data.is_valid(raise_exception=True)
        stripe_settings_save(actor=request.user, cooperative=cooperative, **data.validated_data)
        return Response(_settings_answer(request, cooperative))

    @extend_schema(
        request=None, responses={204: None}, summary="Remove the cooperative's Stripe keys"
    )
    def delete(self, request, slug: str):
        cooperative = _cooperative(slug)
        stripe_settings_clear(actor=request.user, cooperative=cooperative)
        return Response(status=status.HTTP_204_NO_CONTENT)


class StripeEventOutput(serializers.ModelSerializer):
    class Meta:
        model = StripeEvent
        fields = [
            "event_id",
            "type",
            "created",
            "status",
            "attempts",
            "error",
            "received_at",
            "processed_at",
        ]


class StripeEventListApi(APIView):
    @list_schema(
        StripeEventOutput,
        summary="Received Stripe events (treasurer, board, auditor), newest first",
    )
    def get(self, request, slug: str):
        cooperative = _cooperative(slug)
        require_role(request.user, cooperative, "treasurer", "board", "auditor")
        events = StripeEvent.objects.filter(cooperative=cooperative)
        return paginated(request, events, StripeEventOutput)


class PaymentLinkOutput(serializers.Serializer):
    url = serializers.URLField()
    amount_cents = serializers.IntegerField()
    currency = CurrencyField()
    expires_at = serializers.DateTimeField()


class InvoicePaymentLinkApi(APIView):
    error_statuses = (502,)  # Stripe did not answer

    @extend_schema(
        request=None,
        responses={201: PaymentLinkOutput},
        summary="A Stripe payment link (iDEAL, card) for the invoice's open amount (its client, treasury)",
    )
    def post(self, request, invoice_id: int):
        invoice = get_object_or_error(Invoice.objects.all(), field="invoice", pk=invoice_id)
        if not can_pay_invoice(request.user, invoice):
            from werkstation.errors import NotFound

            msg = "Not found."
            raise NotFound(msg, field="invoice")
        page = f"{site_url(request)}{reverse('payouts:client-invoice', kwargs={'invoice_id': invoice.pk})}"
        checkout = invoice_payment_link(
            actor=request.user, invoice=invoice, success_url=f"{page}?paid=1", cancel_url=page
        )
        return Response(PaymentLinkOutput(checkout).data, status=status.HTTP_201_CREATED)


class ConnectStatusOutput(DictOutput):
    available = serializers.BooleanField()
    account = serializers.CharField(allow_null=True)
    details_submitted = serializers.BooleanField()
    payouts_enabled = serializers.BooleanField()


class ConnectLinkOutput(serializers.Serializer):
    url = serializers.URLField(help_text="Stripe's onboarding page; it expires within minutes.")


class StripeConnectApi(APIView):
    error_statuses = (502,)  # Stripe did not answer

    @extend_schema(
        responses=ConnectStatusOutput,
        summary="My Stripe Connect payout account at this cooperative",
    )
    def get(self, request, slug: str):
        cooperative = _cooperative(slug)
        require_role(request.user, cooperative, "member")
        return Response(
            ConnectStatusOutput(connect_status(user=request.user, cooperative=cooperative)).data
        )

    @extend_schema(
        request=None,
        responses={201: ConnectLinkOutput},
        summary="An Express onboarding link for my payouts by Stripe",
    )
    def post(self, request, slug: str):
        cooperative = _cooperative(slug)
        page = f"{site_url(request)}{reverse('payouts:stripe-connect', kwargs={'slug': slug})}"
        url = connect_onboarding_link(
            actor=request.user,
            cooperative=cooperative,
            return_url=f"{page}?back=1",
            refresh_url=page,
        )
        return Response(ConnectLinkOutput({"url": url}).data, status=status.HTTP_201_CREATED)
