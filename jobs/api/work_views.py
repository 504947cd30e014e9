"""Marketplace API: jobs, shifts, the feed, claims, timesheets, calendar."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers as serializers_module
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from members.access import has_role, require_role
from members.models import Cooperative, Skill
from werkstation.api.base import get_object_or_error
from werkstation.errors import NotFound
from werkstation.money import decimal_string

from ..access import can_manage_job, require_job_manager
from ..models import Claim, Client, DispatchRun, Offer, Shift, Timesheet
from ..selectors import (
    FeedFilters,
    feed_page,
    feed_row,
    jobs_managed_by,
    jobs_with_fill_rates,
    my_claims,
    timesheets_for_manager,
    week_bounds,
)
from ..services import calendar, claims, dispatching, jobs, planner, timesheets
from . import serializers as s

FEED_PAGE_SIZE = 50


def _job(user, job_id: int):
    job = jobs.job_for_actor(actor=user, job_id=job_id)
    return job


def _shift(user, shift_id: int) -> Shift:
    shift = Shift.objects.select_related("job__client").filter(pk=shift_id).first()
    if shift is None or not (
        has_role(user, shift.cooperative_id, "member") or can_manage_job(user, shift.job)
    ):
        raise NotFound(_("Shift not found."), field="shift")
    return shift


class JobListApi(APIView):
    @extend_schema(
        responses=s.JobOutput(many=True), summary="Jobs I manage (client users and board)"
    )
    def get(self, request):
        return Response(
            s.JobOutput(
                jobs_managed_by(request.user).select_related("required_skill"), many=True
            ).data
        )

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
    @extend_schema(responses=s.ShiftOutput(many=True), summary="Shifts of a job")
    def get(self, request, job_id: int):
        job = _job(request.user, job_id)
        return Response(s.ShiftOutput(job.shifts.order_by("start"), many=True).data)

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
    @extend_schema(
        responses=s.ClaimOutput(many=True), summary="Claims on a shift (client and board)"
    )
    def get(self, request, shift_id: int):
        shift = _shift(request.user, shift_id)
        require_job_manager(request.user, shift.job)
        claims_qs = Claim.objects.filter(shift=shift).select_related(
            "shift__job", "user", "timesheet"
        )
        return Response(
            s.ClaimOutput(claims_qs.order_by("status", "waitlist_position"), many=True).data
        )


class FeedApi(APIView):
    @extend_schema(
        parameters=[s.FeedQueryInput],
        responses=s.FeedRowOutput(many=True),
        summary="Open shifts I can really take, paginated (50 a page)",
    )
    def get(self, request):
        query = s.FeedQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        filters = FeedFilters(
            category=values.get("category"),
            day=values.get("day"),
            max_km=values.get("max_km"),
            include_full=values.get("include_full", False),
        )
        page = feed_page(request.user, filters, number=values.get("page", 1), size=FEED_PAGE_SIZE)
        # Rows are plain dicts of FeedRowOutput's shape; the renderer writes them as they are.
        return Response(
            {
                "page": page.number,
                "has_next": page.has_next,
                "results": [feed_row(r) for r in page.rows],
            }
        )


class ClaimListApi(APIView):
    @extend_schema(responses=s.ClaimOutput(many=True), summary="My claims")
    def get(self, request):
        qs = Claim.objects.filter(
            user=request.user, end__gte=timezone.now() - timezone.timedelta(days=60)
        )
        qs = qs.select_related("shift__job", "user", "timesheet").order_by("start")
        return Response(s.ClaimOutput(qs, many=True).data)

    @extend_schema(
        request=s.ClaimInput,
        responses={201: s.ClaimOutput},
        summary="Claim a shift (or join its waitlist)",
    )
    def post(self, request):
        data = s.ClaimInput(data=request.data)
        data.is_valid(raise_exception=True)
        shift = get_object_or_error(
            Shift.objects.all(), field="shift", pk=data.validated_data["shift"]
        )
        claim = claims.shift_claim(
            user=request.user, shift=shift, allow_waitlist=data.validated_data["allow_waitlist"]
        )
        return Response(s.ClaimOutput(claim).data, status=status.HTTP_201_CREATED)


class ClaimWithdrawApi(APIView):
    @extend_schema(request=None, responses=s.ClaimOutput, summary="Withdraw my claim")
    def post(self, request, claim_id: int):
        return Response(
            s.ClaimOutput(claims.claim_withdraw(user=request.user, claim_id=claim_id)).data
        )


class ClaimConfirmApi(APIView):
    @extend_schema(
        request=None, responses=s.ClaimOutput, summary="Confirm a claim (client or board)"
    )
    def post(self, request, claim_id: int):
        claims.claim_for_manager(actor=request.user, claim_id=claim_id)
        return Response(
            s.ClaimOutput(claims.claim_confirm(actor=request.user, claim_id=claim_id)).data
        )


class ClaimRejectApi(APIView):
    @extend_schema(
        request=s.ReasonInput, responses=s.ClaimOutput, summary="Reject a claim (client or board)"
    )
    def post(self, request, claim_id: int):
        claims.claim_for_manager(actor=request.user, claim_id=claim_id)
        data = s.ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        claim = claims.claim_reject(
            actor=request.user, claim_id=claim_id, reason=data.validated_data["reason"]
        )
        return Response(s.ClaimOutput(claim).data)


class ClaimRespondApi(APIView):
    @extend_schema(
        request=s.OfferResponseInput,
        responses=s.ClaimOutput,
        summary="Accept or decline a waitlist offer",
    )
    def post(self, request, claim_id: int):
        data = s.OfferResponseInput(data=request.data)
        data.is_valid(raise_exception=True)
        claim = claims.offer_respond(
            user=request.user, claim_id=claim_id, accept=data.validated_data["accept"]
        )
        return Response(s.ClaimOutput(claim).data)


class ClaimNoShowApi(APIView):
    @extend_schema(
        request=None, responses=s.ClaimOutput, summary="Mark a no-show (client or board)"
    )
    def post(self, request, claim_id: int):
        claims.claim_for_manager(actor=request.user, claim_id=claim_id)
        return Response(
            s.ClaimOutput(claims.claim_mark_no_show(actor=request.user, claim_id=claim_id)).data
        )


class TimesheetListApi(APIView):
    @extend_schema(responses=s.TimesheetOutput(many=True), summary="My hours, and hours I approve")
    def get(self, request):
        own = Timesheet.objects.filter(claim__user=request.user).select_related(
            "claim__user", "claim__shift__job"
        )
        managed = timesheets_for_manager(request.user)
        rows = {t.pk: t for t in list(own) + list(managed)}
        return Response(
            s.TimesheetOutput(
                sorted(rows.values(), key=lambda t: t.submitted_at, reverse=True), many=True
            ).data
        )

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


class CooperativeJobsApi(APIView):
    @extend_schema(
        responses=s.FillRateOutput(many=True),
        summary="All jobs of the cooperative with fill rates (board)",
    )
    def get(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        require_role(request.user, cooperative, "board")
        return Response(s.FillRateOutput(jobs_with_fill_rates(cooperative), many=True).data)


class MyWeekApi(APIView):
    @extend_schema(
        responses=s.ClaimOutput(many=True),
        summary="My claimed shifts in the week of ?date=YYYY-MM-DD",
    )
    def get(self, request):
        from rest_framework import serializers as drf

        day = drf.DateField(required=False).run_validation(
            request.query_params.get("date") or timezone.localdate()
        )
        start, end = week_bounds(day)
        return Response(
            s.ClaimOutput(my_claims(request.user, start=start, end=end), many=True).data
        )


class MyCalendarApi(APIView):
    @extend_schema(
        request=None, responses=dict, summary="My private calendar URL (POST makes a new one)"
    )
    def get(self, request):
        feed = getattr(request.user, "calendar_feed", None)
        if feed is None:
            return Response({"url": None})
        return Response(
            {"url": request.build_absolute_uri(reverse("jobs:calendar-feed", args=[feed.token]))}
        )

    @extend_schema(request=None, responses=dict, summary="Make a new private calendar URL")
    def post(self, request):
        feed = calendar.calendar_feed_rotate(user=request.user)
        return Response(
            {"url": request.build_absolute_uri(reverse("jobs:calendar-feed", args=[feed.token]))},
            status=201,
        )

    @extend_schema(request=None, responses={204: None}, summary="Revoke my calendar URL")
    def delete(self, request):
        calendar.calendar_feed_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlanQueryInput(serializers_module.Serializer):
    week = serializers_module.DateField(
        required=False, help_text="any day of the week (default: this week)"
    )
    target_hours = serializers_module.IntegerField(required=False, min_value=1, max_value=60)
    target_income = serializers_module.DecimalField(
        required=False, max_digits=8, decimal_places=2, min_value=0
    )


class BundleInput(serializers_module.Serializer):
    shifts = serializers_module.ListField(
        child=serializers_module.IntegerField(), allow_empty=False
    )


def _plan_output(plan) -> dict:
    def row(shift):
        return {
            "id": shift.pk,
            "job": shift.job.title,
            "start": shift.start,
            "end": shift.end,
            "pay": decimal_string(planner.pay_cents(shift)),
        }

    return {
        "week_start": plan.week_start,
        "shifts": [row(s) for s in plan.shifts],
        "already_claimed": [row(s) for s in plan.commitments],
        "income": decimal_string(plan.income_cents),
        "minutes": plan.minutes,
        "target_minutes": plan.target_minutes,
        "target_income": decimal_string(plan.target_income_cents)
        if plan.target_income_cents is not None
        else None,
        "yearly_cap_left": decimal_string(plan.cap_left_cents)
        if plan.cap_left_cents is not None
        else None,
    }


class PlanApi(APIView):
    @extend_schema(
        parameters=[PlanQueryInput], responses=dict, summary="Plan my week: the best stapelbaan"
    )
    def get(self, request):
        query = PlanQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(_plan_output(planner.plan_from_values(request.user, query.validated_data)))


class PlanClaimApi(APIView):
    @extend_schema(
        request=BundleInput,
        responses={201: s.ClaimOutput(many=True)},
        summary="Claim a planned bundle, all or nothing",
    )
    def post(self, request):
        data = BundleInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = planner.bundle_claim(user=request.user, shift_ids=data.validated_data["shifts"])
        return Response(s.ClaimOutput(created, many=True).data, status=status.HTTP_201_CREATED)


class DispatchInput(serializers_module.Serializer):
    period_start = serializers_module.DateField()
    period_end = serializers_module.DateField()


class DispatchRunOutput(serializers_module.ModelSerializer):
    class Meta:
        model = DispatchRun
        fields = [
            "id",
            "period_start",
            "period_end",
            "status",
            "km_cost_cents",
            "shortfall_cents_per_minute",
            "objective",
            "bound",
            "offers_made",
            "created_at",
            "finished_at",
        ]


class OfferOutput(serializers_module.ModelSerializer):
    shift = s.ShiftOutput(read_only=True)
    job_title = serializers_module.CharField(source="shift.job.title", read_only=True)

    class Meta:
        model = Offer
        fields = ["id", "shift", "job_title", "status", "reason", "deadline", "responded_at"]


class CooperativeDispatchApi(APIView):
    @extend_schema(
        responses=DispatchRunOutput(many=True), summary="Dispatch runs of the cooperative (board)"
    )
    def get(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        require_role(request.user, cooperative, "board")
        return Response(DispatchRunOutput(cooperative.dispatch_runs.all()[:50], many=True).data)

    @extend_schema(
        request=DispatchInput,
        responses={201: DispatchRunOutput},
        summary="Dispatch a period (board)",
    )
    def post(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        data = DispatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        run = dispatching.dispatch_request(
            actor=request.user, cooperative=cooperative, **data.validated_data
        )
        return Response(DispatchRunOutput(run).data, status=status.HTTP_201_CREATED)


class MyOffersApi(APIView):
    @extend_schema(
        responses=OfferOutput(many=True), summary="Work the board offers me, with the reason"
    )
    def get(self, request):
        return Response(OfferOutput(dispatching.offers_of(request.user), many=True).data)


class OfferRespondApi(APIView):
    @extend_schema(
        request=s.OfferResponseInput, responses=OfferOutput, summary="Accept or decline an offer"
    )
    def post(self, request, offer_id: int):
        data = s.OfferResponseInput(data=request.data)
        data.is_valid(raise_exception=True)
        offer = dispatching.offer_respond(
            user=request.user, offer_id=offer_id, accept=data.validated_data["accept"]
        )
        return Response(OfferOutput(offer).data)
