"""The board's dashboard as a page (charts with their tables) and as CSV files."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from members.access import page_cooperative
from werkstation.money import decimal_string, format_duration, format_money
from werkstation.spreadsheet import csv_text

from .dashboard import DEFAULT_MONTHS, FIGURE_KEYS, MAX_MONTHS, Dashboard, Figure
from .dashboard import cooperative_dashboard as build_dashboard

# Who reads the dashboard: the people who steer and check the cooperative.
DASHBOARD_ROLES = ("board", "treasurer", "auditor")


def months_asked(value) -> int:
    """``?months=`` within 1..MAX_MONTHS; anything else is the default."""
    try:
        months = int(value)
    except (TypeError, ValueError):
        return DEFAULT_MONTHS
    return months if 1 <= months <= MAX_MONTHS else DEFAULT_MONTHS


def display_value(value: int, unit: str, currency: str) -> str:
    language = get_language()
    if unit == "cents":
        return format_money(value, currency, language)
    if unit == "minutes":
        return format_duration(value, language)
    return str(value)


def _csv_value(value: int, unit: str, currency: str):
    if unit == "cents":
        return decimal_string(value, currency)
    if unit == "minutes":
        return str((Decimal(value) / 60).quantize(Decimal("0.01")))
    return value


def figure_unit(figure: Figure, index: int) -> str:
    """The unit of one series: the work figure counts minutes, then members."""
    if figure.unit == "minutes" and index > 0:
        return "count"
    return figure.unit


def figure_csv(dashboard: Dashboard, figure: Figure) -> str:
    currency = dashboard.cooperative.currency
    units = [figure_unit(figure, i) for i in range(len(figure.series))]
    header = [_("Month")]
    for series, unit in zip(figure.series, units, strict=True):
        suffix = {"cents": f" ({currency})", "minutes": f" ({_('hours')})"}.get(unit, "")
        header.append(series.label + suffix)
    rows = [header]
    for i, month in enumerate(dashboard.months):
        rows.append(
            [
                month.strftime("%Y-%m"),
                *(
                    _csv_value(s.values[i], unit, currency)
                    for s, unit in zip(figure.series, units, strict=True)
                ),
            ]
        )
    return csv_text(rows)


def _present(dashboard: Dashboard) -> list[dict]:
    """Each figure with its table rows (formatted) and the chart's data (plain numbers)."""
    currency = dashboard.cooperative.currency
    labels = [date_format(m, "M Y") for m in dashboard.months]
    out = []
    for figure in dashboard.figures:
        units = [figure_unit(figure, i) for i in range(len(figure.series))]
        rows = [
            {
                "month": label,
                "cells": [
                    display_value(s.values[i], unit, currency)
                    for s, unit in zip(figure.series, units, strict=True)
                ],
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
                        {"label": s.label, "unit": unit, "values": s.values}
                        for s, unit in zip(figure.series, units, strict=True)
                    ],
                },
            }
        )
    return out


@login_required
def dashboard(request, slug: str):
    cooperative = page_cooperative(request.user, slug, *DASHBOARD_ROLES)
    months = months_asked(request.GET.get("months"))
    data = build_dashboard(cooperative, months=months)
    return render(
        request,
        "payouts/dashboard.html",
        {
            "cooperative": cooperative,
            "dashboard": data,
            "figures": _present(data),
            "months": months,
            "month_choices": (6, 12, 24, 36),
        },
    )


@login_required
def dashboard_csv(request, slug: str, figure: str):
    cooperative = page_cooperative(request.user, slug, *DASHBOARD_ROLES)
    if figure not in FIGURE_KEYS:
        raise Http404
    data = build_dashboard(cooperative, months=months_asked(request.GET.get("months")))
    response = HttpResponse(
        figure_csv(data, data.figure(figure)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{cooperative.slug}-{figure}.csv"'
    return response
