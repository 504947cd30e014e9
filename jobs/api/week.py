"""A member's week: the week, the calendar link, plan my week, offers and the home to-do list."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers as serializers_module
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from jobs.models import Claim
from jobs.selectors import member_todo, my_claims, week_bounds
from jobs.services import calendar, dispatching, planner
from werkstation.api.fields import AmountField, CurrencyField
from werkstation.api.outputs import DictOutput
from werkstation.api.pagination import list_schema, paginated
from werkstation.money import decimal_string

from . import serializers as s
from .dispatch import OfferOutput


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
