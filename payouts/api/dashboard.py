"""The board's dashboard through the API: every series, and each figure as CSV."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from members.access import require_role
from members.models import Cooperative
from payouts.dashboard import (
    DASHBOARD_ROLES,
    FIGURE_KEYS,
    MAX_MONTHS,
    cooperative_dashboard,
    figure_csv,
    months_asked,
)
from werkstation.api.base import get_object_or_error
from werkstation.errors import NotFound

MONTHS = OpenApiParameter(
    "months",
    int,
    required=False,
    description=f"How many months up to the current one (1–{MAX_MONTHS}; default 12).",
)


class SeriesOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    unit = serializers.ChoiceField(
        choices=["cents", "minutes", "count"],
        help_text="cents of the cooperative's currency, minutes, or a count",
    )
    values = serializers.ListField(
        child=serializers.IntegerField(), help_text="one value per month, in the order of months"
    )


class FigureOutput(serializers.Serializer):
    key = serializers.ChoiceField(choices=list(FIGURE_KEYS))
    title = serializers.CharField()
    chart = serializers.ChoiceField(choices=["line", "bar", "stacked"])
    note = serializers.CharField(allow_blank=True)
    series = SeriesOutput(many=True)


class DecisionOutput(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    url = serializers.CharField(
        allow_blank=True,
        help_text="the page where it is handled; empty when the caller may not open it",
    )
    handled_by = serializers.ListField(
        child=serializers.CharField(), help_text="the roles that handle it there"
    )


class DashboardOutput(serializers.Serializer):
    cooperative = serializers.CharField(help_text="the cooperative's slug")
    currency = serializers.CharField()
    months = serializers.ListField(
        child=serializers.DateField(), help_text="the first day of each month shown"
    )
    figures = FigureOutput(many=True)
    decisions = DecisionOutput(many=True)


def _dashboard_cooperative(request, slug: str) -> Cooperative:
    cooperative = get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)
    require_role(request.user, cooperative, *DASHBOARD_ROLES)
    return cooperative


class DashboardApi(APIView):
    @extend_schema(
        parameters=[MONTHS],
        responses=DashboardOutput,
        summary="The cooperative's dashboard: fund, money, work, targets, shifts per month, "
        "and open decisions (board, treasurer, auditor)",
    )
    def get(self, request, slug: str):
        cooperative = _dashboard_cooperative(request, slug)
        data = cooperative_dashboard(
            cooperative,
            months=months_asked(request.query_params.get("months")),
            viewer=request.user,
        )
        figures = [
            {
                "key": f.key,
                "title": f.title,
                "chart": f.chart,
                "note": f.note,
                "series": [
                    {"key": s.key, "label": s.label, "unit": s.unit, "values": s.values}
                    for s in f.series
                ],
            }
            for f in data.figures
        ]
        return Response(
            DashboardOutput(
                {
                    "cooperative": cooperative.slug,
                    "currency": cooperative.currency,
                    "months": data.months,
                    "figures": figures,
                    "decisions": [vars(d) for d in data.decisions],
                }
            ).data
        )


class DashboardCsvApi(APIView):
    @extend_schema(
        parameters=[MONTHS],
        responses={(200, "text/csv"): bytes},
        summary="One figure of the dashboard as CSV: amounts in euros, hours as decimals "
        "(board, treasurer, auditor)",
    )
    def get(self, request, slug: str, figure: str):
        cooperative = _dashboard_cooperative(request, slug)
        if figure not in FIGURE_KEYS:
            raise NotFound(_("Not found."), field="figure")
        data = cooperative_dashboard(
            cooperative,
            months=months_asked(request.query_params.get("months")),
            viewer=request.user,
        )
        response = HttpResponse(
            figure_csv(data, data.figure(figure)), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{cooperative.slug}-{figure}.csv"'
        return response
