from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from members.access import require_role
from members.models import Cooperative
from werkstation.api.base import get_object_or_error
from werkstation.api.fields import CurrencyField

from ..selectors import money_settings_of
from ..services.money_settings import money_settings_update


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
