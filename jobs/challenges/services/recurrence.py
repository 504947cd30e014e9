"""Recurrence rules: the staffing plan of a bid and the shifts of its contract.

A rule is plain data::

    {"title": "Maaien en snoeien", "weekdays": [0, 2], "start": "09:00", "end": "13:00",
     "slots": 2, "skill": "groen"}   # skill: a slug on the cooperative's list, or null

The bid's capacity check and the contract's generator expand the same rules, so what
was checked is what is generated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext as _

from members.models import Skill
from werkstation.errors import ValidationFailed
from werkstation.money import pay_for_minutes

MAX_RULES = 10


@dataclass(frozen=True)
class Occurrence:
    rule_index: int
    day: date
    start: datetime
    end: datetime
    slots: int

    @property
    def minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)


def _time(value: object, field: str) -> time:
    try:
        hour, minute = str(value).split(":")[:2]
        return time(int(hour), int(minute))
    except (TypeError, ValueError) as exc:
        raise ValidationFailed(_("Give a time like 09:00."), field=field) from exc


def rules_clean(
    rules: object, *, cooperative_id: int, field: str = "staffing_plan"
) -> list[dict[str, Any]]:
    """Validate and normalise rules; every error names the rule and the key."""
    if not isinstance(rules, list) or not rules:
        raise ValidationFailed(
            _("Give at least one rule: which weekdays, from when to when, how many people."),
            code="required",
            field=field,
        )
    if len(rules) > MAX_RULES:
        raise ValidationFailed(_("At most %(n)s rules.") % {"n": MAX_RULES}, field=field)
    clean = []
    for index, rule in enumerate(rules):
        at = f"{field}[{index}]"
        if not isinstance(rule, dict):
            raise ValidationFailed(_("Each rule is an object."), field=at)
        title = str(rule.get("title") or "").strip()
        if not title:
            raise ValidationFailed(
                _("Give the rule a title."), code="required", field=f"{at}.title"
            )
        weekdays = rule.get("weekdays")
        if (
            not isinstance(weekdays, list)
            or not weekdays
            or any(
                not isinstance(d, int) or isinstance(d, bool) or not 0 <= d <= 6 for d in weekdays
            )
        ):
            raise ValidationFailed(
                _("Choose weekdays from 0 (Monday) to 6 (Sunday)."), field=f"{at}.weekdays"
            )
        start, end = _time(rule.get("start"), f"{at}.start"), _time(rule.get("end"), f"{at}.end")
        if end <= start:
            raise ValidationFailed(
                _("The end must be after the start."), code="end_before_start", field=f"{at}.end"
            )
        slots = rule.get("slots", 1)
        if not isinstance(slots, int) or isinstance(slots, bool) or not 1 <= slots <= 50:
            raise ValidationFailed(_("Give 1 to 50 people per shift."), field=f"{at}.slots")
        skill = rule.get("skill") or None
        if (
            skill is not None
            and not Skill.objects.filter(cooperative_id=cooperative_id, slug=skill).exists()
        ):
            raise ValidationFailed(
                _("This skill is not on the cooperative's list."), field=f"{at}.skill"
            )
        clean.append(
            {
                "title": title[:150],
                "weekdays": sorted(set(weekdays)),
                "start": start.strftime("%H:%M"),
                "end": end.strftime("%H:%M"),
                "slots": slots,
                "skill": skill,
            }
        )
    return clean


def expand(rules: list[dict[str, Any]], first: date, last: date) -> list[Occurrence]:
    """Every occurrence of the rules on the days ``first`` … ``last`` (inclusive)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    found: list[Occurrence] = []
    day = first
    while day <= last:
        for index, rule in enumerate(rules):
            if day.weekday() in rule["weekdays"]:
                start = datetime.combine(day, _time(rule["start"], "start"), tzinfo=tz)
                end = datetime.combine(day, _time(rule["end"], "end"), tzinfo=tz)
                found.append(Occurrence(index, day, start, end, rule["slots"]))
        day += timedelta(days=1)
    return found


def expected_cost_cents(
    rules: list[dict[str, Any]], first: date, last: date, tariff_cents: int
) -> int:
    slot_minutes = sum(o.minutes * o.slots for o in expand(rules, first, last))
    return pay_for_minutes(tariff_cents, slot_minutes)
