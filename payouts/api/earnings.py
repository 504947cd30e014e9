from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from payouts.selectors.earnings import member_earnings, split_explain

from .serializers import CorrectionOutput, EarningsOutput, SplitExplainOutput


class MyEarningsApi(APIView):
    @extend_schema(
        operation_id="v1_me_earnings_list",
        parameters=[OpenApiParameter("year", int, required=False)],
        responses=EarningsOutput,
        summary="My earnings per shift: gross, each deduction with its rule version, net",
    )
    def get(self, request):
        year = serializers.IntegerField(min_value=2000, max_value=2100).run_validation(
            request.query_params.get("year", timezone.localdate().year)
        )
        return Response(EarningsOutput(member_earnings(user=request.user, year=year)).data)


class MyEarningDetailApi(APIView):
    @extend_schema(
        responses=SplitExplainOutput,
        summary="Why this amount: timesheet → split → ledger → payout",
    )
    def get(self, request, split_id: int):
        return Response(
            SplitExplainOutput(split_explain(user=request.user, split_id=split_id)).data
        )


class CorrectionInput(serializers.Serializer):
    minutes_worked = serializers.IntegerField(min_value=1)
    break_minutes = serializers.IntegerField(min_value=0, default=0)
    reason = serializers.CharField(max_length=500)


class TimesheetCorrectApi(APIView):
    @extend_schema(
        request=CorrectionInput,
        responses={201: CorrectionOutput},
        summary="Correct approved hours: a reversing split plus a new one (board, treasurer)",
    )
    def post(self, request, timesheet_id: int):
        from jobs.models import Timesheet
        from payouts.services.corrections import timesheet_correct
        from werkstation.api.base import get_object_or_error

        get_object_or_error(
            Timesheet.objects.filter(claim__shift__cooperative__memberships__user=request.user),
            field="timesheet",
            pk=timesheet_id,
        )
        data = CorrectionInput(data=request.data)
        data.is_valid(raise_exception=True)
        split = timesheet_correct(
            actor=request.user, timesheet_id=timesheet_id, **data.validated_data
        )
        return Response(CorrectionOutput(split).data, status=201)
