from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from members.models import Cooperative
from payouts.services.earnings_caps import earnings_caps_overview
from werkstation.api.base import get_object_or_error

from .serializers import EarningsCapsOutput


class EarningsCapsApi(APIView):
    @extend_schema(
        responses=EarningsCapsOutput,
        summary="Members with a yearly earnings cap and who would pass it (board, treasurer; "
        "amounts for the treasurer only)",
    )
    def get(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        rows = earnings_caps_overview(actor=request.user, cooperative=cooperative)
        return Response(
            EarningsCapsOutput(
                {
                    "would_pass": sum(r["would_pass"] for r in rows),
                    "currency": cooperative.currency,
                    "members": rows,
                }
            ).data
        )
