from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..services.earnings import member_earnings, split_explain


class MyEarningsApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("year", int, required=False)],
        responses=dict,
        summary="My earnings per shift: gross, each deduction with its rule version, net",
    )
    def get(self, request):
        year = serializers.IntegerField(min_value=2000, max_value=2100).run_validation(
            request.query_params.get("year", timezone.localdate().year)
        )
        return Response(member_earnings(user=request.user, year=year))


class MyEarningDetailApi(APIView):
    @extend_schema(responses=dict, summary="Why this amount: timesheet → split → ledger → payout")
    def get(self, request, split_id: int):
        return Response(split_explain(user=request.user, split_id=split_id))
