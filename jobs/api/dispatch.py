"""The board's dispatch: asking for runs, the runs, one run explained (offers, coverage, open shifts with reasons, hours, the objective in euros), and who is near a working-time limit."""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers as serializers_module
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.models import DispatchRun, Offer
from jobs.selectors import dispatch_run_of, dispatch_run_offers, working_time
from jobs.services import dispatch_report, dispatching
from members.access import require_role
from members.models import Cooperative
from werkstation.api.base import get_object_or_error
from werkstation.api.fields import CurrencyField
from werkstation.api.outputs import DictOutput
from werkstation.api.pagination import list_schema, paginated

from . import serializers as s


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
