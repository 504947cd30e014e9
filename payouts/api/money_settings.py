from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from members.access import require_role
from members.models import Cooperative
from payouts.selectors import money_settings_of
from payouts.services.money_settings import money_settings_update, reverse_charge_update
from payouts.services.settlement import reverse_charge_categories
from werkstation.api.base import get_object_or_error
from werkstation.api.fields import CurrencyField


class MoneySettingsOutput(serializers.Serializer):
    volunteer_month_max_cents = serializers.IntegerField()
    volunteer_year_max_cents = serializers.IntegerField()
    currency = CurrencyField()


class MoneySettingsInput(serializers.Serializer):
    volunteer_month_max_cents = serializers.IntegerField(min_value=0)
    volunteer_year_max_cents = serializers.IntegerField(min_value=0)


class MoneySettingsApi(APIView):
    def _cooperative(self, request, slug: str, *roles: str) -> Cooperative:
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        require_role(request.user, cooperative, *roles)
        return cooperative

    @extend_schema(
        responses=MoneySettingsOutput,
        summary="Money settings: the volunteer allowance maximums (board, treasury, auditor)",
    )
    def get(self, request, slug: str):
        cooperative = self._cooperative(request, slug, "board", "treasurer", "auditor")
        return Response(MoneySettingsOutput(money_settings_of(cooperative.pk)).data)

    @extend_schema(
        request=MoneySettingsInput,
        responses=MoneySettingsOutput,
        summary="Change the money settings (board)",
    )
    def put(self, request, slug: str):
        cooperative = self._cooperative(request, slug, "board")
        data = MoneySettingsInput(data=request.data)
        data.is_valid(raise_exception=True)
        settings = money_settings_update(
            actor=request.user, cooperative=cooperative, **data.validated_data
        )
        return Response(MoneySettingsOutput(settings).data)


class ReverseChargeOutput(serializers.Serializer):
    categories = serializers.ListField(
        child=serializers.CharField(),
        help_text="Job categories invoiced with VAT reverse-charged to VAT-registered clients.",
    )
    confirmed = serializers.BooleanField(help_text="false: the default list, not yet confirmed")
    confirmed_by = serializers.CharField(allow_null=True)
    confirmed_at = serializers.DateTimeField(allow_null=True)


class ReverseChargeInput(serializers.Serializer):
    categories = serializers.ListField(child=serializers.CharField(max_length=20), allow_empty=True)


def reverse_charge_output(cooperative: Cooperative) -> dict:
    row = getattr(cooperative, "vat_reverse_charge", None)
    return ReverseChargeOutput(
        {
            "categories": sorted(reverse_charge_categories(cooperative.pk)),
            "confirmed": row is not None,
            "confirmed_by": row.confirmed_by.full_name if row and row.confirmed_by else None,
            "confirmed_at": row.confirmed_at if row else None,
        }
    ).data


class ReverseChargeApi(MoneySettingsApi):
    @extend_schema(
        responses=ReverseChargeOutput,
        summary="Job categories with VAT reverse-charged (board, treasury, auditor)",
    )
    def get(self, request, slug: str):
        cooperative = self._cooperative(request, slug, "board", "treasurer", "auditor")
        return Response(reverse_charge_output(cooperative))

    @extend_schema(
        request=ReverseChargeInput,
        responses=ReverseChargeOutput,
        summary="Confirm the job categories with VAT reverse-charged (board)",
    )
    def put(self, request, slug: str):
        cooperative = self._cooperative(request, slug, "board")
        data = ReverseChargeInput(data=request.data)
        data.is_valid(raise_exception=True)
        reverse_charge_update(actor=request.user, cooperative=cooperative, **data.validated_data)
        cooperative = Cooperative.objects.get(pk=cooperative.pk)
        return Response(reverse_charge_output(cooperative))
