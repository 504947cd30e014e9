"""Filters the lists share: a period as two date fields (from, until, both inclusive)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import django_filters
from django import forms

if TYPE_CHECKING:
    from django.utils.functional import Promise


def period(
    field: str, label_from: str | Promise, label_until: str | Promise
) -> tuple[django_filters.DateFilter, django_filters.DateFilter]:
    """``since``/``until`` filters on the date of ``field`` (a datetime)."""
    date = forms.DateInput(attrs={"type": "date"})
    return (
        django_filters.DateFilter(
            field_name=field, lookup_expr="date__gte", label=label_from, widget=date
        ),
        django_filters.DateFilter(
            field_name=field, lookup_expr="date__lte", label=label_until, widget=date
        ),
    )
