"""Payroll work and the statutory minimum wage.

A member on payroll must earn at least the minimum wage in force on the work date. Two
checks keep the cooperative there:

* a payout rule set whose member floor is below the minimum wage in force on its effective
  date may be tabled (its description carries a warning), but it cannot come into force
  while payroll work is possible in the cooperative;
* a job whose client tariff cannot pay the minimum wage after the pots is refused, with the
  amount and the date it is in force from.

Payroll work is possible while a job that is not finished allows payroll (``Job.engagements``,
engagement per claim).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from jobs.models import Job
from payouts import rules
from werkstation.engagements import ALL, Engagement
from werkstation.errors import Conflict, ValidationFailed
from werkstation.legal import Key, LegalTable
from werkstation.money import format_money, to_minor

from .quotes import share_per_hour

if TYPE_CHECKING:
    from collections.abc import Collection
    from datetime import date


def payroll_work_possible(cooperative_id: int) -> bool:
    """A job not finished allows payroll (a JSON list holding ``"employee"``: matched as text,
    which SQLite and PostgreSQL both do)."""
    return (
        Job.objects.filter(
            cooperative_id=cooperative_id,
            engagements__icontains=f'"{Engagement.EMPLOYEE.value}"',
        )
        .exclude(status__in=[Job.Status.COMPLETED, Job.Status.CANCELLED])
        .exists()
    )


def _minimum(on: date) -> tuple[int, date] | None:
    """The adult minimum wage per hour in force on ``on`` and the date it is in force from
    (None while the legal table has no figure for that date)."""
    try:
        row = LegalTable.load().in_force(Key.MINIMUM_WAGE_HOURLY, on)
    except Conflict:
        return None
    return to_minor(row.value), row.effective_from


def floor_shortfall(spec: dict[str, Any], on: date) -> tuple[int, int, date] | None:
    """(floor, minimum wage, in force from) when the rule set's member floor is below the
    minimum wage in force on ``on``; None when it is not."""
    found = _minimum(on)
    if found is None:
        return None
    floor = rules.parse_rule_set(spec).member_floor_hourly_cents
    minimum, since = found
    return (floor, minimum, since) if floor < minimum else None


def floor_warning(spec: dict[str, Any], on: date, language: str) -> str | None:
    """The warning a rule set is tabled with when its floor is below the minimum wage."""
    short = floor_shortfall(spec, on)
    if short is None:
        return None
    floor, minimum, since = short
    return _(
        "Warning: the member floor of %(floor)s an hour is below the statutory minimum wage of "
        "%(minimum)s an hour in force from %(since)s. These rules cannot come into force while "
        "the cooperative has work that allows payroll."
    ) % {
        "floor": format_money(floor, language=language),
        "minimum": format_money(minimum, language=language),
        "since": date_format(since, "j F Y"),
    }


def require_floor_for_payroll(*, cooperative_id: int, spec: dict[str, Any], on: date) -> None:
    """Refuse a rule set whose floor is below the minimum wage while payroll work is possible."""
    short = floor_shortfall(spec, on)
    if short is None or not payroll_work_possible(cooperative_id):
        return
    floor, minimum, since = short
    raise Conflict(
        _(
            "The member floor of %(floor)s an hour is below the minimum wage of %(minimum)s an "
            "hour in force from %(since)s, and the cooperative has work that allows payroll."
        )
        % {
            "floor": format_money(floor, language=get_language()),
            "minimum": format_money(minimum, language=get_language()),
            "since": date_format(since, "j F Y"),
        },
        code="floor_below_minimum_wage",
        field="spec.member_floor_hourly_cents",
    )


def require_tariff_pays_minimum_wage(
    *,
    cooperative_id: int,
    tariff_cents: int,
    category: str,
    client_kind: str,
    on: date,
    engagements: Collection[str] = ALL,
) -> None:
    """Refuse a job that allows payroll (``engagements``) whose tariff, after the pots, pays
    a member on payroll less than the minimum wage in force on ``on``."""
    found = _minimum(on)
    if found is None or Engagement.EMPLOYEE not in engagements:
        return
    share = share_per_hour(
        cooperative_id=cooperative_id,
        tariff_cents=tariff_cents,
        category=category,
        client_kind=client_kind,
        day=on,
    )
    minimum, since = found
    if share is not None and share < minimum:
        raise ValidationFailed(
            _(
                "At this tariff a member on payroll receives %(share)s an hour after the "
                "cooperative's pots, below the minimum wage of %(minimum)s an hour in force "
                "from %(since)s."
            )
            % {
                "share": format_money(share, language=get_language()),
                "minimum": format_money(minimum, language=get_language()),
                "since": date_format(since, "j F Y"),
            },
            code="below_minimum_wage",
            field="client_tariff",
        )
