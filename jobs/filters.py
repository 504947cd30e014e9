"""The hours list: search by member or job; filter by status and the period worked."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from werkstation.filters import period

from .models import Timesheet


class TimesheetFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=Timesheet.Status.choices, label=_("Status"), empty_label=_("every status")
    )
    since, until = period("claim__shift__start", _("From"), _("Until"))

    class Meta:
        model = Timesheet
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(claim__user__full_name__icontains=value)
            | Q(claim__shift__job__title__icontains=value)
        )
