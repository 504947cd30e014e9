"""Jobs and their shifts: posting, status, weekly shifts, a shift's price, cancelling, its claims; a cooperative's jobs."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.access import can_manage_job, require_job_manager
from jobs.models import Claim, Client, Shift
from jobs.selectors import jobs_managed_by, jobs_with_fill_rates, quote_breakdown
from jobs.services import jobs
from members.access import has_role, require_role
from members.models import Cooperative, Skill
from payouts.selectors.benefit_room import benefit_effects
from payouts.selectors.quotes import quote_shift
from werkstation.api.base import get_object_or_error
from werkstation.api.pagination import list_schema, paginated
from werkstation.errors import NotFound

from . import serializers as s


def _job(user, job_id: int):
    return jobs.job_for_actor(actor=user, job_id=job_id)


def _shift(user, shift_id: int) -> Shift:
    shift = Shift.objects.select_related("job__client").filter(pk=shift_id).first()
    if shift is None or not (
        has_role(user, shift.cooperative_id, "member") or can_manage_job(user, shift.job)
    ):
        raise NotFound(_("Shift not found."), field="shift")
    return shift


class JobListApi(APIView):
    @list_schema(s.JobOutput, summary="Jobs I manage (client users and board)")
    def get(self, request):
        rows = jobs_managed_by(request.user).select_related("required_skill")
        return paginated(request, rows, s.JobOutput)

    @extend_schema(request=s.JobCreateInput, responses={201: s.JobOutput}, summary="Post a job")
    def post(self, request):
        data = s.JobCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        cooperative = get_object_or_error(
            Cooperative.objects.all(), field="cooperative", slug=values.pop("cooperative")
        )
        client = get_object_or_error(Client.objects.all(), field="client", pk=values.pop("client"))
        skill_slug = values.pop("required_skill", None)
        skill = None
        if skill_slug:
            skill = get_object_or_error(
                Skill.objects.filter(cooperative=cooperative),
                field="required_skill",
                slug=skill_slug,
            )
        job = jobs.job_create(
            actor=request.user,
            cooperative=cooperative,
            client=client,
            required_skill=skill,
            **values,
        )
        return Response(s.JobOutput(job).data, status=status.HTTP_201_CREATED)


class JobDetailApi(APIView):
    @extend_schema(responses=s.JobOutput, summary="A job")
    def get(self, request, job_id: int):
        return Response(s.JobOutput(_job(request.user, job_id)).data)

    @extend_schema(request=s.JobUpdateInput, responses=s.JobOutput, summary="Change a job")
    def patch(self, request, job_id: int):
        job = _job(request.user, job_id)
        data = s.JobUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(
            s.JobOutput(jobs.job_update(actor=request.user, job=job, **data.validated_data)).data
        )


class JobStatusApi(APIView):
    @extend_schema(
        request=s.JobStatusInput, responses=s.JobOutput, summary="Move a job through its lifecycle"
    )
    def post(self, request, job_id: int):
        job = _job(request.user, job_id)
        data = s.JobStatusInput(data=request.data)
        data.is_valid(raise_exception=True)
        job = jobs.job_transition(actor=request.user, job=job, to=data.validated_data["status"])
        return Response(s.JobOutput(job).data)


class JobShiftsApi(APIView):
    @list_schema(s.ShiftOutput, summary="Shifts of a job")
    def get(self, request, job_id: int):
        job = _job(request.user, job_id)
        return paginated(request, job.shifts.order_by("start", "pk"), s.ShiftOutput)

    @extend_schema(request=s.ShiftInput, responses={201: s.ShiftOutput}, summary="Add a shift")
    def post(self, request, job_id: int):
        job = _job(request.user, job_id)
        data = s.ShiftInput(data=request.data)
        data.is_valid(raise_exception=True)
        shift = jobs.shift_create(actor=request.user, job=job, **data.validated_data)
        return Response(s.ShiftOutput(shift).data, status=status.HTTP_201_CREATED)


class JobWeeklyShiftsApi(APIView):
    @extend_schema(
        request=s.WeeklyPatternInput,
        responses={201: s.ShiftOutput(many=True)},
        summary="Add shifts from a weekly pattern",
    )
    def post(self, request, job_id: int):
        job = _job(request.user, job_id)
        data = s.WeeklyPatternInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = jobs.shifts_create_weekly(actor=request.user, job=job, **data.validated_data)
        return Response(s.ShiftOutput(created, many=True).data, status=status.HTTP_201_CREATED)


class ShiftDetailApi(APIView):
    @extend_schema(responses=s.ShiftOutput, summary="A shift")
    def get(self, request, shift_id: int):
        return Response(s.ShiftOutput(_shift(request.user, shift_id)).data)

    @extend_schema(
        request=s.ShiftUpdateInput,
        responses=s.ShiftOutput,
        summary="Change a shift (claimants are told)",
    )
    def patch(self, request, shift_id: int):
        shift = _shift(request.user, shift_id)
        data = s.ShiftUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        return Response(
            s.ShiftOutput(
                jobs.shift_update(actor=request.user, shift=shift, **data.validated_data)
            ).data
        )


class ShiftPriceApi(APIView):
    @extend_schema(
        responses=s.PayBreakdownOutput,
        summary="What I am paid for this shift if I work it as posted (the price truth)",
    )
    def get(self, request, shift_id: int):
        quote = quote_shift(request.user, _shift(request.user, shift_id))
        effect = benefit_effects(request.user, {shift_id: quote}).get(shift_id)
        return Response(s.PayBreakdownOutput(quote_breakdown(quote, effect)).data)


class ShiftCancelApi(APIView):
    @extend_schema(
        request=s.ReasonInput,
        responses=s.ShiftOutput,
        summary="Cancel a shift (claimants are told)",
    )
    def post(self, request, shift_id: int):
        shift = _shift(request.user, shift_id)
        data = s.ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        shift = jobs.shift_cancel(
            actor=request.user, shift=shift, reason=data.validated_data["reason"]
        )
        return Response(s.ShiftOutput(shift).data)


class ShiftClaimsApi(APIView):
    @list_schema(s.ClaimOutput, summary="Claims on a shift (client and board)")
    def get(self, request, shift_id: int):
        shift = _shift(request.user, shift_id)
        require_job_manager(request.user, shift.job)
        claims_qs = Claim.objects.filter(shift=shift).select_related(
            "shift__job", "shift__cooperative", "user", "timesheet"
        )
        return paginated(
            request, claims_qs.order_by("status", "waitlist_position", "pk"), s.ClaimOutput
        )


class CooperativeJobsApi(APIView):
    @list_schema(s.FillRateOutput, summary="All jobs of the cooperative with fill rates (board)")
    def get(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        require_role(request.user, cooperative, "board")
        return paginated(request, jobs_with_fill_rates(cooperative), s.FillRateOutput)
