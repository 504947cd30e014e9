"""The board's member list: search by name, e-mail or number; filter by status, role and
the period in which someone became a member."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from werkstation.filters import period

from .models import Membership

ROLES = [
    ("board", _("board")),
    ("treasurer", _("treasurer")),
    ("auditor", _("auditor")),
]


class MemberFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(
        choices=[c for c in Membership.Status.choices if c[0] != "applied"],
        label=_("Status"),
        empty_label=_("every status"),
    )
    role = django_filters.ChoiceFilter(
        choices=ROLES, method="with_role", label=_("Role"), empty_label=_("every role")
    )
    # The period in which someone became a member (admitted; the application date for
    # memberships that were never decided on, such as founders).
    since, until = period("joined", _("Member since, from"), _("Member since, until"))

    class Meta:
        model = Membership
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, **kwargs):
        if queryset is not None:
            queryset = queryset.annotate(joined=Coalesce("decided_at", "applied_at"))
        super().__init__(data, queryset=queryset, **kwargs)

    def search(self, queryset, name, value):
        value = value.strip()
        query = Q(user__full_name__icontains=value) | Q(user__email__icontains=value)
        if value.isdigit():
            query |= Q(member_number=int(value))
        return queryset.filter(query)

    def with_role(self, queryset, name, value):
        return queryset.filter(**{f"is_{value}": True})
