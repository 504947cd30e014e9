"""How a member works on a piece of work: on payroll, self-employed or as a volunteer.

A membership carries the member's usual engagement; a job says which engagements it allows;
every claim carries its own (see ``jobs.services.claims.engagement_for``). Settlement copies
the claim's engagement onto its split, and everything downstream of the split (the volunteer
maximums, payouts, the payroll file, self-billing, the income statement) reads it there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from collections.abc import Iterable


class Engagement(models.TextChoices):
    EMPLOYEE = "employee", _("employee via a payroll provider")
    SELF_EMPLOYED = "self_employed", _("self-employed")
    VOLUNTEER = "volunteer", _("volunteer")


# The order choices and defaults are offered in.
ALL = (Engagement.EMPLOYEE.value, Engagement.SELF_EMPLOYED.value, Engagement.VOLUNTEER.value)


def all_engagements() -> list[str]:
    """A job's default: every engagement."""
    return list(ALL)


def ordered(engagements: Iterable[str]) -> list[str]:
    """``engagements`` without repeats, in the usual order."""
    chosen = set(engagements)
    return [e for e in ALL if e in chosen]


def clean_engagements(values: Iterable[str] | None, *, field: str = "engagements") -> list[str]:
    """The engagements a job allows, as given: known ones, at least one."""
    from django.utils.translation import gettext as _

    from .errors import ValidationFailed

    values = list(values or [])
    unknown = [v for v in values if v not in ALL]
    if unknown:
        raise ValidationFailed(
            _("Unknown engagement: %(value)s.") % {"value": unknown[0]},
            code="engagement_unknown",
            field=field,
        )
    if not values:
        raise ValidationFailed(
            _("Allow at least one engagement: payroll, self-employed or volunteer."),
            code="required",
            field=field,
        )
    return ordered(values)
