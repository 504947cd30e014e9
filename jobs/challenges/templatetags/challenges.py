"""Contract and bid words for the challenge pages (money goes through {% load money %})."""

from django import template
from django.utils.translation import gettext_lazy as _

from jobs.challenges.forms import WEEKDAYS

register = template.Library()


KPI_NAMES = {
    "social_member_hours": _("Hours worked by members"),
    "social_target_group_members": _("Members from target groups"),
}


@register.filter
def kpi_name(name: str) -> str:
    """A contract KPI as a reader names it; outcomes are already words."""
    label = KPI_NAMES.get(name)
    return str(label) if label is not None else name


@register.filter
def weekday_names(numbers) -> str:
    """Weekday numbers (0 = Monday) as names in the reader's language: "maandag, woensdag"."""
    names = dict(WEEKDAYS)
    return ", ".join(str(names[n]) for n in numbers or () if n in names)
