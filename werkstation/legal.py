"""Legal figures with their dates: the minimum wage, volunteer maximums, VAT, working time.

One table (``LegalParameter``) holds each figure with the date it takes effect and its source;
staff keep it in the admin. A service asks for the value *in force on the work date*: the row of
that key with the latest ``effective_from`` on or before the date. A figure that is missing for a
date is an error, never a silent default.

``LegalTable`` is a snapshot of the whole table (a few dozen rows) for code that asks many times,
such as settlement; ``legal_value`` asks once.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import Conflict
from .money import to_minor

if TYPE_CHECKING:
    from collections.abc import Iterable
    from decimal import Decimal


class Key(StrEnum):
    # Minimum wage per hour, in euros, for 21 and over; the youth wage is a percentage of it.
    MINIMUM_WAGE_HOURLY = "minimum_wage_hourly"
    MINIMUM_WAGE_PERCENT_AGE_20 = "minimum_wage_percent_age_20"
    MINIMUM_WAGE_PERCENT_AGE_19 = "minimum_wage_percent_age_19"
    MINIMUM_WAGE_PERCENT_AGE_18 = "minimum_wage_percent_age_18"
    MINIMUM_WAGE_PERCENT_AGE_17 = "minimum_wage_percent_age_17"
    MINIMUM_WAGE_PERCENT_AGE_16 = "minimum_wage_percent_age_16"
    MINIMUM_WAGE_PERCENT_AGE_15 = "minimum_wage_percent_age_15"
    # Volunteer allowance maximums, in euros.
    VOLUNTEER_MAX_HOURLY = "volunteer_max_hourly"
    VOLUNTEER_MAX_HOURLY_UNDER_21 = "volunteer_max_hourly_under_21"
    VOLUNTEER_MAX_MONTH = "volunteer_max_month"
    VOLUNTEER_MAX_YEAR = "volunteer_max_year"
    # Standard VAT rate, percent.
    VAT_STANDARD_PERCENT = "vat_standard_percent"
    # Chain liability: the share of a labour invoice paid into the G-account (percent of the
    # invoice total), with VAT charged and with VAT reverse-charged.
    G_ACCOUNT_PERCENT = "g_account_percent"
    G_ACCOUNT_PERCENT_REVERSE_CHARGED = "g_account_percent_reverse_charged"
    # Working Time Act (Arbeidstijdenwet), 18 and over.
    WORKING_MAX_SHIFT_HOURS = "working_max_shift_hours"
    WORKING_MAX_WEEK_HOURS = "working_max_week_hours"
    WORKING_AVERAGE_4_WEEKS_HOURS = "working_average_4_weeks_hours"
    WORKING_AVERAGE_16_WEEKS_HOURS = "working_average_16_weeks_hours"
    DAILY_REST_HOURS = "daily_rest_hours"
    DAILY_REST_SHORTENED_HOURS = "daily_rest_shortened_hours"
    WEEKLY_REST_7_DAYS_HOURS = "weekly_rest_7_days_hours"
    WEEKLY_REST_14_DAYS_HOURS = "weekly_rest_14_days_hours"
    BREAK_AFTER_5_5_HOURS_MINUTES = "break_after_5_5_hours_minutes"
    BREAK_AFTER_10_HOURS_MINUTES = "break_after_10_hours_minutes"
    # Working Time Act, 16 and 17.
    MINOR_MAX_SHIFT_HOURS = "minor_max_shift_hours"
    MINOR_MAX_WEEK_HOURS = "minor_max_week_hours"
    MINOR_AVERAGE_4_WEEKS_HOURS = "minor_average_4_weeks_hours"
    MINOR_DAILY_REST_HOURS = "minor_daily_rest_hours"
    MINOR_BREAK_AFTER_4_5_HOURS_MINUTES = "minor_break_after_4_5_hours_minutes"


# How staff read each figure in the admin, in their language.
KEY_LABELS = {
    Key.MINIMUM_WAGE_HOURLY: gettext_lazy("minimum wage per hour, 21 and over (€)"),
    Key.MINIMUM_WAGE_PERCENT_AGE_20: gettext_lazy(
        "youth minimum wage at 20 (percent of the adult wage)"
    ),
    Key.MINIMUM_WAGE_PERCENT_AGE_19: gettext_lazy(
        "youth minimum wage at 19 (percent of the adult wage)"
    ),
    Key.MINIMUM_WAGE_PERCENT_AGE_18: gettext_lazy(
        "youth minimum wage at 18 (percent of the adult wage)"
    ),
    Key.MINIMUM_WAGE_PERCENT_AGE_17: gettext_lazy(
        "youth minimum wage at 17 (percent of the adult wage)"
    ),
    Key.MINIMUM_WAGE_PERCENT_AGE_16: gettext_lazy(
        "youth minimum wage at 16 (percent of the adult wage)"
    ),
    Key.MINIMUM_WAGE_PERCENT_AGE_15: gettext_lazy(
        "youth minimum wage at 15 (percent of the adult wage)"
    ),
    Key.VOLUNTEER_MAX_HOURLY: gettext_lazy("volunteer allowance per hour, 21 and over (€)"),
    Key.VOLUNTEER_MAX_HOURLY_UNDER_21: gettext_lazy("volunteer allowance per hour, under 21 (€)"),
    Key.VOLUNTEER_MAX_MONTH: gettext_lazy("volunteer allowance per month, at most (€)"),
    Key.VOLUNTEER_MAX_YEAR: gettext_lazy("volunteer allowance per year, at most (€)"),
    Key.VAT_STANDARD_PERCENT: gettext_lazy("standard VAT rate (%)"),
    Key.WORKING_MAX_SHIFT_HOURS: gettext_lazy("longest shift, 18 and over (hours)"),
    Key.WORKING_MAX_WEEK_HOURS: gettext_lazy("most hours in a week, 18 and over"),
    Key.WORKING_AVERAGE_4_WEEKS_HOURS: gettext_lazy("average hours a week over 4 weeks, at most"),
    Key.WORKING_AVERAGE_16_WEEKS_HOURS: gettext_lazy("average hours a week over 16 weeks, at most"),
    Key.DAILY_REST_HOURS: gettext_lazy("daily rest (hours in a row)"),
    Key.DAILY_REST_SHORTENED_HOURS: gettext_lazy("daily rest once shortened in 7 days (hours)"),
    Key.WEEKLY_REST_7_DAYS_HOURS: gettext_lazy("weekly rest per 7 days (hours in a row)"),
    Key.WEEKLY_REST_14_DAYS_HOURS: gettext_lazy("weekly rest per 14 days (hours in a row)"),
    Key.BREAK_AFTER_5_5_HOURS_MINUTES: gettext_lazy("break after 5.5 hours of work (minutes)"),
    Key.BREAK_AFTER_10_HOURS_MINUTES: gettext_lazy("break after 10 hours of work (minutes)"),
    Key.MINOR_MAX_SHIFT_HOURS: gettext_lazy("longest shift, 16 and 17 (hours)"),
    Key.MINOR_MAX_WEEK_HOURS: gettext_lazy("most hours in a week, 16 and 17"),
    Key.MINOR_AVERAGE_4_WEEKS_HOURS: gettext_lazy("average hours a week over 4 weeks, 16 and 17"),
    Key.MINOR_DAILY_REST_HOURS: gettext_lazy("daily rest, 16 and 17 (hours in a row)"),
    Key.MINOR_BREAK_AFTER_4_5_HOURS_MINUTES: gettext_lazy(
        "break after 4.5 hours of work, 16 and 17 (minutes)"
    ),
    Key.G_ACCOUNT_PERCENT: gettext_lazy("G-account share of a labour invoice (percent)"),
    Key.G_ACCOUNT_PERCENT_REVERSE_CHARGED: gettext_lazy(
        "G-account share of a labour invoice with VAT reverse-charged (percent)"
    ),
}


# Keys whose value is an amount in euros (the rest are percentages, hours or minutes).
EURO_KEYS = frozenset(
    {
        Key.MINIMUM_WAGE_HOURLY,
        Key.VOLUNTEER_MAX_HOURLY,
        Key.VOLUNTEER_MAX_HOURLY_UNDER_21,
        Key.VOLUNTEER_MAX_MONTH,
        Key.VOLUNTEER_MAX_YEAR,
    }
)
YOUTH_PERCENT = {
    20: Key.MINIMUM_WAGE_PERCENT_AGE_20,
    19: Key.MINIMUM_WAGE_PERCENT_AGE_19,
    18: Key.MINIMUM_WAGE_PERCENT_AGE_18,
    17: Key.MINIMUM_WAGE_PERCENT_AGE_17,
    16: Key.MINIMUM_WAGE_PERCENT_AGE_16,
    15: Key.MINIMUM_WAGE_PERCENT_AGE_15,
}


def missing(key: str, on: date) -> Conflict:
    return Conflict(
        _("The legal figure %(key)s for %(date)s is missing; platform staff add it in the admin.")
        % {"key": key, "date": on.isoformat()},
        code="legal_figure_missing",
        field=key,
    )


@dataclass(frozen=True)
class InForce:
    key: str
    effective_from: date
    value: Decimal
    source: str
    verify: bool


class LegalTable:
    """A snapshot of the table: ``value(key, on)`` without a query per call."""

    def __init__(self, rows: Iterable[Any]) -> None:
        self._rows: dict[str, list[InForce]] = {}
        for row in sorted(rows, key=lambda r: (r.key, r.effective_from)):
            self._rows.setdefault(row.key, []).append(
                InForce(row.key, row.effective_from, row.value, row.source, row.verify)
            )

    @classmethod
    def load(cls) -> LegalTable:
        from .models import LegalParameter

        return cls(LegalParameter.objects.all())

    def in_force(self, key: str, on: date) -> InForce:
        rows = self._rows.get(str(key), [])
        index = bisect_right([row.effective_from for row in rows], on)
        if index == 0:
            raise missing(str(key), on)
        return rows[index - 1]

    def value(self, key: str, on: date) -> Decimal:
        return self.in_force(key, on).value

    def cents(self, key: str, on: date) -> int:
        """A euro figure in cents."""
        assert key in EURO_KEYS, key
        return to_minor(self.value(key, on))

    def minimum_wage_cents(self, on: date, age: int | None = None) -> int:
        """The statutory minimum wage per hour on ``on`` for ``age`` (None: 21 and over)."""
        adult = self.value(Key.MINIMUM_WAGE_HOURLY, on)
        if age is None or age >= 21:
            return to_minor(adult)
        percent = self.value(YOUTH_PERCENT[max(age, 15)], on)
        return to_minor(adult * percent / 100)

    def starts(self, key: str) -> set[date]:
        return {row.effective_from for row in self._rows.get(str(key), [])}


def minimum_wage_periods_missing(table: LegalTable, today: date) -> list[date]:
    """The minimum wage changes on 1 January and 1 July. The periods without a figure: the one in
    force now, and from 1 June or 1 December on, the next one."""
    current = date(today.year, 7, 1) if today.month >= 7 else date(today.year, 1, 1)
    wanted = [current]
    if today.month == 12:
        wanted.append(date(today.year + 1, 1, 1))
    elif today.month == 6:
        wanted.append(date(today.year, 7, 1))
    have = table.starts(Key.MINIMUM_WAGE_HOURLY)
    return [start for start in wanted if start not in have]


def legal_value(key: str, on: date) -> Decimal:
    """The value of ``key`` in force on ``on`` (one query)."""
    from .models import LegalParameter

    row = (
        LegalParameter.objects.filter(key=str(key), effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    if row is None:
        raise missing(str(key), on)
    return row.value


def age_on(born: date | None, day: date) -> int | None:
    """Age in whole years on ``day`` (None when the date of birth is not known): the legal
    figures for minors (breaks, working time) depend on it."""
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
