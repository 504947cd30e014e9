"""The board's dashboard as a page (charts with their tables) and as CSV files."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import get_language

from jobs.selectors.working_time import near_limits
from members.access import has_role, page_cooperative
from payouts.dashboard import (
    DASHBOARD_ROLES,
    FIGURE_KEYS,
    Dashboard,
    cooperative_dashboard,
    figure_csv,
    months_asked,
)
from werkstation.money import format_duration, format_money


def display_value(value: int, unit: str, currency: str) -> str:
    language = get_language()
    if unit == "cents":
        return format_money(value, currency, language)
    if unit == "minutes":
        return format_duration(value, language)
    return str(value)


def _present(dashboard: Dashboard) -> list[dict]:
    """Each figure with its table rows (formatted) and the chart's data (plain numbers)."""
    currency = dashboard.cooperative.currency
    labels = [date_format(m, "M Y") for m in dashboard.months]
    out = []
    for figure in dashboard.figures:
        rows = [
            {
                "month": label,
                "cells": [display_value(s.values[i], s.unit, currency) for s in figure.series],
            }
            for i, label in enumerate(labels)
        ]
        out.append(
            {
                "figure": figure,
                "chart_id": f"chart-{figure.key}",
                "rows": rows,
                "chart": {
                    "chart": figure.chart,
                    "labels": labels,
                    "currency": currency,
                    "series": [
                        {"label": s.label, "unit": s.unit, "values": s.values}
                        for s in figure.series
                    ],
                },
            }
        )
    return out


@login_required
def dashboard(request, slug: str):
    cooperative = page_cooperative(request.user, slug, *DASHBOARD_ROLES)
    months = months_asked(request.GET.get("months"))
    data = cooperative_dashboard(cooperative, months=months, viewer=request.user)
    return render(
        request,
        "payouts/dashboard.html",
        {
            "cooperative": cooperative,
            "dashboard": data,
            "figures": _present(data),
            "months": months,
            "month_choices": (6, 12, 24, 36),
            # The board looks after its members' working time across all their work.
            "near_limits": near_limits(cooperative.pk)
            if has_role(request.user, cooperative, "board")
            else None,
        },
    )


@login_required
def dashboard_csv(request, slug: str, figure: str):
    cooperative = page_cooperative(request.user, slug, *DASHBOARD_ROLES)
    if figure not in FIGURE_KEYS:
        raise Http404
    data = cooperative_dashboard(
        cooperative, months=months_asked(request.GET.get("months")), viewer=request.user
    )
    response = HttpResponse(
        figure_csv(data, data.figure(figure)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{cooperative.slug}-{figure}.csv"'
    return response
