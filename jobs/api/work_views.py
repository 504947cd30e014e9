"""Marketplace API: jobs, shifts, the feed, claims, timesheets, calendar."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers as serializers_module
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from members.access import has_role, require_role
from members.models import Cooperative, Skill
from payouts.selectors.benefit_room import benefit_effects
from payouts.selectors.quotes import quote_shift
from werkstation.api.base import get_object_or_error
from werkstation.api.fields import AmountField, CurrencyField
from werkstation.api.outputs import DictOutput
from werkstation.api.pagination import Page, list_schema, page_request, paginated
from werkstation.errors import NotFound
from werkstation.money import decimal_string

from ..access import can_manage_job, require_job_manager
from ..models import Claim, Client, DispatchRun, Offer, Shift, Timesheet
from ..selectors import (
    FeedFilters,
    dispatch_run_of,
    dispatch_run_offers,
    feed_page,
    feed_row,
    jobs_managed_by,
    jobs_with_fill_rates,
    member_todo,
    my_claims,
    quote_breakdown,
    timesheets_for_manager,
    week_bounds,
    working_time,
)
from ..services import calendar, claims, dispatch_report, dispatching, jobs, planner, timesheets
from . import serializers as s


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


class FeedApi(APIView):
    @list_schema(
        s.FeedRowOutput,
        parameters=[s.FeedQueryInput],
        summary="Open shifts I can really take, paginated (50 a page unless asked)",
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
        asked = page_request(request)
        found = feed_page(request.user, filters, number=asked.number, size=asked.size)
        page = Page(number=found.number, has_next=found.has_next, items=found.rows)
        return page.response(s.FeedRowOutput([feed_row(r) for r in page.items], many=True).data)


class ClaimListApi(APIView):
    @list_schema(s.ClaimOutput, summary="My claims")
    def get(self, request):
        qs = Claim.objects.filter(
            user=request.user, end__gte=timezone.now() - timezone.timedelta(days=60)
        )
        qs = qs.select_related("shift__job", "shift__cooperative", "user", "timesheet").order_by(
            "start", "pk"
        )
        return paginated(request, qs, s.ClaimOutput)

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
            user=request.user,
            shift=shift,
            allow_waitlist=data.validated_data["allow_waitlist"],
            engagement=data.validated_data.get("engagement"),
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


class CooperativeJobsApi(APIView):
    @list_schema(s.FillRateOutput, summary="All jobs of the cooperative with fill rates (board)")
    def get(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        require_role(request.user, cooperative, "board")
        return paginated(request, jobs_with_fill_rates(cooperative), s.FillRateOutput)


class MyWeekApi(APIView):
    @list_schema(
        s.ClaimOutput,
        parameters=[s.WeekQueryInput],
        summary="My claimed shifts in the week of ?date=YYYY-MM-DD",
    )
    def get(self, request):
        query = s.WeekQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = week_bounds(query.validated_data.get("date") or timezone.localdate())
        rows = my_claims(request.user, start=start, end=end).select_related(
            "user", "shift__cooperative"
        )
        return paginated(request, rows.order_by("start", "pk"), s.ClaimOutput)


class CalendarUrlOutput(serializers_module.Serializer):
    url = serializers_module.URLField(
        allow_null=True, help_text="The private iCalendar address; null when there is none."
    )


def _calendar_url(request, feed) -> dict:
    if feed is None:
        return {"url": None}
    return {"url": request.build_absolute_uri(reverse("jobs:calendar-feed", args=[feed.token]))}


class MyCalendarApi(APIView):
    @extend_schema(
        request=None,
        responses=CalendarUrlOutput,
        summary="My private calendar URL (POST makes a new one)",
    )
    def get(self, request):
        feed = getattr(request.user, "calendar_feed", None)
        return Response(CalendarUrlOutput(_calendar_url(request, feed)).data)

    @extend_schema(
        request=None,
        responses={201: CalendarUrlOutput},
        summary="Make a new private calendar URL",
    )
    def post(self, request):
        feed = calendar.calendar_feed_rotate(user=request.user)
        return Response(
            CalendarUrlOutput(_calendar_url(request, feed)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={204: None}, summary="Revoke my calendar URL")
    def delete(self, request):
        calendar.calendar_feed_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlanQueryInput(serializers_module.Serializer):
    week = serializers_module.DateField(
        required=False,
        help_text="any day of the week (default: the first week from this one with open shifts "
        "the member could take; this week when there is none)",
    )
    target_hours = serializers_module.IntegerField(required=False, min_value=1, max_value=60)
    target_income = serializers_module.DecimalField(
        required=False, max_digits=8, decimal_places=2, min_value=0
    )


class BundleInput(serializers_module.Serializer):
    shifts = serializers_module.ListField(
        child=serializers_module.IntegerField(), allow_empty=False
    )


class PlanShiftOutput(serializers_module.Serializer):
    id = serializers_module.IntegerField(source="pk")
    job = serializers_module.CharField(source="job.title")
    start = serializers_module.DateTimeField()
    end = serializers_module.DateTimeField()
    pay = serializers_module.SerializerMethodField()

    @extend_schema_field(serializers_module.DecimalField(max_digits=12, decimal_places=2))
    def get_pay(self, shift) -> str:
        return decimal_string(self.context["pay"][shift.pk])


class PlanOutput(serializers_module.Serializer):
    week_start = serializers_module.DateField()
    shifts = PlanShiftOutput(many=True, help_text="The best bundle of open shifts to claim.")
    already_claimed = PlanShiftOutput(many=True, source="commitments")
    income = AmountField(source="income_cents", read_only=True)
    minutes = serializers_module.IntegerField()
    target_minutes = serializers_module.IntegerField(allow_null=True)
    target_income = AmountField(source="target_income_cents", allow_null=True, read_only=True)
    yearly_cap_left = AmountField(source="cap_left_cents", allow_null=True, read_only=True)


class PlanApi(APIView):
    @extend_schema(
        parameters=[PlanQueryInput],
        responses=PlanOutput,
        summary="Plan my week: the best stapelbaan",
    )
    def get(self, request):
        query = PlanQueryInput(data=request.query_params)
        query.is_valid(raise_exception=True)
        plan = planner.plan_from_values(request.user, query.validated_data)
        return Response(PlanOutput(plan, context={"pay": plan.pay}).data)


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
    currency = CurrencyField(help_text="The currency of the *_cents costs (ISO 4217).")
    objective_cents = serializers_module.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="The objective in whole cents; GET .../dispatch/{id}/ explains it.",
    )

    class Meta:
        model = DispatchRun
        fields = [
            "id",
            "period_start",
            "period_end",
            "status",
            "km_cost_cents",
            "shortfall_cents_per_minute",
            "currency",
            "objective",
            "objective_cents",
            "bound",
            "offers_made",
            "created_at",
            "finished_at",
        ]


class OfferOutput(serializers_module.ModelSerializer):
    shift = s.ShiftOutput(read_only=True)
    job_title = serializers_module.CharField(source="shift.job.title", read_only=True)
    status = serializers_module.ChoiceField(
        choices=Offer.Status.choices,
        source="effective_status",
        read_only=True,
        help_text="As the clock decides: expired from the deadline on.",
    )

    class Meta:
        model = Offer
        fields = ["id", "shift", "job_title", "status", "reason", "deadline", "responded_at"]


class CooperativeDispatchApi(APIView):
    @list_schema(
        DispatchRunOutput, summary="Dispatch runs of the cooperative (board), newest first"
    )
    def get(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        require_role(request.user, cooperative, "board")
        rows = cooperative.dispatch_runs.order_by("-created_at", "-pk")
        return paginated(request, rows, DispatchRunOutput)

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


class DispatchDayOutput(DictOutput):
    day = serializers_module.DateField()
    slots = serializers_module.IntegerField(help_text="Slots of the shifts that had room.")
    claimed = serializers_module.IntegerField(help_text="Slots held by claims.")
    offered = serializers_module.IntegerField(help_text="Slots offered by this run.")
    offered_before = serializers_module.IntegerField(help_text="Slots held by earlier open offers.")
    open = serializers_module.IntegerField(help_text="Slots left unfilled.")


class DispatchOpenShiftOutput(DictOutput):
    shift = serializers_module.IntegerField()
    job = serializers_module.CharField(help_text="The job's title.")
    start = serializers_module.DateTimeField()
    end = serializers_module.DateTimeField()
    open = serializers_module.IntegerField(help_text="Slots left unfilled.")
    reason = serializers_module.ChoiceField(choices=sorted(dispatch_report.REASON_LABELS))
    reason_label = serializers_module.CharField(help_text="The reason in the reader's language.")


class DispatchReasonCountOutput(DictOutput):
    reason = serializers_module.ChoiceField(choices=sorted(dispatch_report.REASON_LABELS))
    label = serializers_module.CharField()
    shifts = serializers_module.IntegerField()


class DispatchTermsOutput(DictOutput):
    pay_cents = serializers_module.IntegerField(help_text="Pay to members in the plan.")
    committed_pay_cents = serializers_module.IntegerField(
        help_text="Of which for work the members already held."
    )
    new_pay_cents = serializers_module.IntegerField(help_text="Of which new in this plan.")
    km_cents = serializers_module.IntegerField(help_text="Travel cost, subtracted.")
    shortfall_cents = serializers_module.IntegerField(
        help_text="Shortfall against members' targets, subtracted."
    )


class DispatchObjectiveOutput(DictOutput):
    objective_cents = serializers_module.IntegerField(
        allow_null=True,
        help_text="pay_cents - km_cents - shortfall_cents (within a cent); empty until done.",
    )
    bound_cents = serializers_module.IntegerField(
        allow_null=True, help_text="A proven upper bound on the objective, when known."
    )
    gap = serializers_module.FloatField(
        allow_null=True, help_text="(bound - objective) / |bound|, when the bound is known."
    )
    gap_percent = serializers_module.FloatField(allow_null=True)
    offered_pay_cents = serializers_module.IntegerField(
        help_text="The sum of the pay quoted in this run's offers."
    )
    terms = DispatchTermsOutput(allow_null=True)


class DispatchHourBandOutput(DictOutput):
    key = serializers_module.ChoiceField(choices=[k for k, _label in dispatch_report.HOUR_BANDS])
    label = serializers_module.CharField()
    members = serializers_module.IntegerField()


class DispatchHoursOutput(DictOutput):
    bands = DispatchHourBandOutput(many=True)
    members = serializers_module.IntegerField()
    minutes = serializers_module.IntegerField(help_text="Planned minutes of members with a target.")
    target_minutes = serializers_module.IntegerField()


class DispatchRuleCountOutput(DictOutput):
    rule = serializers_module.CharField()
    label = serializers_module.CharField()
    pairs = serializers_module.IntegerField()


class DispatchOfferTimeOutput(DictOutput):
    refused = serializers_module.IntegerField(
        help_text="Planned pairs not offered: the Working Time Act check refused them."
    )
    rules = DispatchRuleCountOutput(many=True)


class DispatchRunDetailOutput(DictOutput):
    run = DispatchRunOutput()
    days = DispatchDayOutput(many=True, help_text="Coverage per day of the period.")
    open_shifts = DispatchOpenShiftOutput(
        many=True,
        help_text=f"The first {dispatch_report.OPEN_SHIFTS_SHOWN} unfilled shifts; all of "
        "them at open_shifts_url.",
    )
    open_shifts_total = serializers_module.IntegerField()
    open_reasons = DispatchReasonCountOutput(many=True)
    objective = DispatchObjectiveOutput()
    hours = DispatchHoursOutput()
    offer_time = DispatchOfferTimeOutput()
    offers_url = serializers_module.CharField()
    open_shifts_url = serializers_module.CharField()
    explained = serializers_module.BooleanField(
        help_text="False while the run is queued, after it failed, or for runs made "
        "before runs kept their explanation: the other sections are then empty."
    )


class DispatchRunOfferOutput(serializers_module.ModelSerializer):
    member = serializers_module.IntegerField(source="user_id")
    name = serializers_module.CharField(source="user.full_name")
    shift = serializers_module.IntegerField(source="shift_id")
    job_title = serializers_module.CharField(source="shift.job.title")
    start = serializers_module.DateTimeField(source="shift.start")
    end = serializers_module.DateTimeField(source="shift.end")
    currency = CurrencyField()
    status = serializers_module.ChoiceField(
        choices=Offer.Status.choices,
        source="effective_status",
        read_only=True,
        help_text="As the clock decides: expired from the deadline on.",
    )

    class Meta:
        model = Offer
        fields = [
            "id",
            "member",
            "name",
            "shift",
            "job_title",
            "start",
            "end",
            "pay_cents",
            "currency",
            "status",
            "deadline",
        ]


def _board_run(request, slug: str, run_id: int) -> DispatchRun:
    cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
    require_role(request.user, cooperative, "board")
    return dispatch_run_of(cooperative.pk, run_id)


class CooperativeDispatchRunApi(APIView):
    @extend_schema(
        responses=DispatchRunDetailOutput,
        summary="One dispatch run explained (board): coverage, unfilled shifts with their "
        "reasons, hours against targets, the objective in cents",
    )
    def get(self, request, slug: str, run_id: int):
        run = _board_run(request, slug, run_id)
        view = dispatch_report.run_view(run)
        args = {"slug": slug, "run_id": run.pk}
        empty_objective = {
            "objective_cents": run.objective_cents,
            "bound_cents": None,
            "gap": None,
            "gap_percent": None,
            "offered_pay_cents": 0,
            "terms": None,
        }
        data = {
            "run": run,
            "days": view.get("days", []),
            "open_shifts": view.get("open_shifts", [])[: dispatch_report.OPEN_SHIFTS_SHOWN],
            "open_shifts_total": len(view.get("open_shifts", [])),
            "open_reasons": view.get("open_reasons", []),
            "objective": view.get("objective", empty_objective),
            "hours": view.get(
                "hours", {"bands": [], "members": 0, "minutes": 0, "target_minutes": 0}
            ),
            "offer_time": view.get("offer_time", {"refused": 0, "rules": []}),
            "offers_url": reverse("jobs_api:cooperative-dispatch-offers", kwargs=args),
            "open_shifts_url": reverse("jobs_api:cooperative-dispatch-open-shifts", kwargs=args),
            "explained": bool(view),
        }
        return Response(DispatchRunDetailOutput(data).data)


class CooperativeDispatchOffersApi(APIView):
    @list_schema(DispatchRunOfferOutput, summary="Who a dispatch run offered what (board)")
    def get(self, request, slug: str, run_id: int):
        run = _board_run(request, slug, run_id)
        return paginated(request, dispatch_run_offers(run), DispatchRunOfferOutput)


class CooperativeDispatchOpenShiftsApi(APIView):
    @list_schema(
        DispatchOpenShiftOutput, summary="A dispatch run's unfilled shifts with reasons (board)"
    )
    def get(self, request, slug: str, run_id: int):
        run = _board_run(request, slug, run_id)
        rows = dispatch_report.run_view(run).get("open_shifts", [])
        return paginated(request, rows, DispatchOpenShiftOutput)


class MyOffersApi(APIView):
    @list_schema(OfferOutput, summary="Work the board offers me, with the reason")
    def get(self, request):
        return paginated(request, dispatching.offers_of(request.user), OfferOutput)


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


class NearLimitOutput(serializers_module.Serializer):
    member = serializers_module.IntegerField(source="user_id")
    name = serializers_module.CharField()
    rule = serializers_module.ChoiceField(choices=sorted(working_time.RULE_LABELS))
    measured_minutes = serializers_module.IntegerField(source="measured")
    limit_minutes = serializers_module.IntegerField(source="limit")


class WorkingTimeNearLimitsApi(APIView):
    @list_schema(
        NearLimitOutput,
        summary="Members who came within 10 percent of a Working Time Act limit in the last "
        "4 weeks (board); no work for other clients is named",
    )
    def get(self, request, slug: str):
        cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
        require_role(request.user, cooperative, "board")
        return paginated(request, working_time.near_limits(cooperative.pk), NearLimitOutput)


# --- GET /api/v1/me/todo/: the member's home page as data (jobs.selectors.member_todo) ---


class TodoShiftOutput(DictOutput):
    shift_id = serializers_module.IntegerField()
    job = serializers_module.CharField()
    client = serializers_module.CharField()
    cooperative = serializers_module.CharField()
    start = serializers_module.DateTimeField()
    end = serializers_module.DateTimeField()
    minutes = serializers_module.IntegerField(help_text="The shift's length in minutes.")
    address = serializers_module.CharField()
    map_url = serializers_module.URLField(help_text="The place on OpenStreetMap.")
    route_url = serializers_module.URLField(
        allow_null=True,
        help_text="OpenStreetMap directions from the member's home; null without a home address.",
    )


class TodoNextShiftOutput(TodoShiftOutput):
    claim_id = serializers_module.IntegerField()
    status = serializers_module.ChoiceField(choices=Claim.Status.choices)


class TodoOfferOutput(TodoShiftOutput):
    kind = serializers_module.CharField(
        help_text="dispatch or waitlist. dispatch: answer with POST /offers/{id}/respond/; waitlist: a place offered "
        "from the waitlist, the id is the claim's (POST /claims/{id}/respond/).",
    )
    id = serializers_module.IntegerField()
    deadline = serializers_module.DateTimeField(allow_null=True)
    reason = serializers_module.CharField(allow_blank=True)


class TodoHoursOutput(TodoShiftOutput):
    claim_id = serializers_module.IntegerField()


class TodoVoteOutput(DictOutput):
    proposal_id = serializers_module.IntegerField()
    title = serializers_module.CharField()
    cooperative = serializers_module.CharField()
    closes_at = serializers_module.DateTimeField()


class TodoCapOutput(DictOutput):
    year = serializers_module.IntegerField()
    cap = AmountField()
    earned = AmountField()
    upcoming = AmountField(help_text="Confirmed work still to come this year.")
    left = AmountField()
    percent = serializers_module.IntegerField()
    projected_percent = serializers_module.IntegerField()
    would_pass = serializers_module.BooleanField()
    warned_at = serializers_module.ListField(
        child=serializers_module.IntegerField(), help_text="The percentages warned about."
    )


class TodoVolunteerOutput(DictOutput):
    cooperative = serializers_module.CharField()
    month_max = AmountField(help_text="The volunteer allowance maximum this month.")
    received = AmountField()
    left = AmountField()


class TodoBenefitOutput(DictOutput):
    room = AmountField(help_text="What you can still earn this month before deductions.")
    earned = AmountField(help_text="What counts as earnings this month (volunteer work not).")
    limit = AmountField(help_text="The monthly maximum you may keep ÷ the share you may keep.")
    keep_percent = serializers_module.IntegerField()
    ends_on = serializers_module.DateField(help_text="The last day of the arrangement.")
    ends_soon = serializers_module.BooleanField(
        help_text="It ends within 30 days: record the next one on your profile."
    )


class TodoEarningsOutput(DictOutput):
    month = serializers_module.DateField(help_text="The first day of this month.")
    earned = AmountField(help_text="Net earnings of work done this month.")
    minutes = serializers_module.IntegerField(help_text="Minutes worked this month.")
    target_minutes = serializers_module.IntegerField(
        allow_null=True, help_text="The weekly target hours over this month; null without one."
    )
    cap = TodoCapOutput(allow_null=True, help_text="The yearly earnings cap; null without one.")
    volunteer = TodoVolunteerOutput(many=True)
    benefit = TodoBenefitOutput(
        allow_null=True,
        help_text="Your bijstand room this month; null without an arrangement covering it.",
    )


class TodoPayoutOutput(DictOutput):
    awaiting = AmountField(help_text="Waiting for the client's payment.")
    payable = AmountField(help_text="Payable: goes out with the next payout batch.")
    in_batch = AmountField(help_text="In a payout batch not yet sent.")
    sent = AmountField(help_text="Sent to the bank, not yet confirmed.")
    paid_this_year = AmountField()
    last_paid = AmountField(allow_null=True)
    last_paid_at = serializers_module.DateTimeField(allow_null=True)


class TodoOutput(DictOutput):
    member = serializers_module.BooleanField(
        help_text="False without an active membership: then everything is empty."
    )
    next_shift = TodoNextShiftOutput(allow_null=True)
    offers = TodoOfferOutput(many=True)
    hours_to_log = TodoHoursOutput(many=True)
    votes = TodoVoteOutput(many=True)
    earnings = TodoEarningsOutput(allow_null=True)
    payout = TodoPayoutOutput(allow_null=True)
    currency = CurrencyField()


def _without_cents(value):
    """The selector's ``*_cents`` keys under their API names (the amount fields write euros)."""
    if isinstance(value, dict):
        return {
            (k[: -len("_cents")] if k.endswith("_cents") else k): _without_cents(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_without_cents(v) for v in value]
    return value


class MyTodoApi(APIView):
    @extend_schema(
        request=None,
        responses=TodoOutput,
        summary="My to-do list: next shift, offers, hours to log, votes, earnings, payouts",
    )
    def get(self, request):
        data = _without_cents(member_todo(request.user))
        return Response(TodoOutput({**data, "currency": "EUR"}).data)
