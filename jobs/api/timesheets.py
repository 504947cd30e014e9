"""Timesheets: the list, approving, disputing and resolving hours."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.models import Timesheet
from jobs.selectors import timesheets_for_manager
from jobs.services import timesheets
from werkstation.api.pagination import list_schema, paginated
from werkstation.errors import NotFound

from . import serializers as s


class TimesheetListApi(APIView):
    @list_schema(s.TimesheetOutput, summary="My hours, and hours I approve (newest first)")
    def get(self, request):
        managed = timesheets_for_manager(request.user).values("pk")
        rows = (
            Timesheet.objects.filter(Q(claim__user=request.user) | Q(pk__in=managed))
            .select_related("claim__user", "claim__shift__job")
            .order_by("-submitted_at", "-pk")
        )
        return paginated(request, rows, s.TimesheetOutput)

    @extend_schema(
        request=s.TimesheetInput,
        responses={201: s.TimesheetOutput},
        summary="Log hours for a shift",
    )
    def post(self, request):
        data = s.TimesheetInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        timesheet = timesheets.timesheet_submit(
            user=request.user,
            claim_id=values["claim"],
            minutes_worked=values["minutes_worked"],
            break_minutes=values["break_minutes"],
            note=values.get("note", ""),
        )
        return Response(s.TimesheetOutput(timesheet).data, status=status.HTTP_201_CREATED)


def _timesheet_visible(user, timesheet_id: int) -> None:
    visible = Timesheet.objects.filter(pk=timesheet_id, claim__user=user).exists() or (
        timesheets_for_manager(user).filter(pk=timesheet_id).exists()
    )
    if not visible:
        raise NotFound(_("Timesheet not found."), field="timesheet")


class TimesheetApproveApi(APIView):
    @extend_schema(
        request=None, responses=s.TimesheetOutput, summary="Approve hours (client or board)"
    )
    def post(self, request, timesheet_id: int):
        _timesheet_visible(request.user, timesheet_id)
        return Response(
            s.TimesheetOutput(
                timesheets.timesheet_approve(actor=request.user, timesheet_id=timesheet_id)
            ).data
        )


class TimesheetDisputeApi(APIView):
    @extend_schema(
        request=s.ReasonInput,
        responses=s.TimesheetOutput,
        summary="Dispute hours (client or board)",
    )
    def post(self, request, timesheet_id: int):
        _timesheet_visible(request.user, timesheet_id)
        data = s.ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        timesheet = timesheets.timesheet_dispute(
            actor=request.user, timesheet_id=timesheet_id, reason=data.validated_data["reason"]
        )
        return Response(s.TimesheetOutput(timesheet).data)


class TimesheetResolveApi(APIView):
    @extend_schema(
        request=s.TimesheetResolveInput,
        responses=s.TimesheetOutput,
        summary="Resolve a dispute (board)",
    )
    def post(self, request, timesheet_id: int):
        _timesheet_visible(request.user, timesheet_id)
        data = s.TimesheetResolveInput(data=request.data)
        data.is_valid(raise_exception=True)
        timesheet = timesheets.timesheet_resolve(
            actor=request.user, timesheet_id=timesheet_id, **data.validated_data
        )
        return Response(s.TimesheetOutput(timesheet).data)
