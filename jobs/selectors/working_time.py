"""The Working Time Act across all of a member's jobs: who it binds, and the check claims,
plan my week and dispatch make (the measuring is ``jobs.eligibility.working_time``).

* Payroll work: the Act binds. All of the member's work counts, their self-employed work
  too, since they have payroll work in the period.
* Volunteer work: the cooperative applies the same limits as its own policy.
* Self-employed work: the Act does not bind a self-employed person, but their hours count
  where the member also has payroll or volunteer work in the same period (16 weeks around
  the shift). Where they do not, a breach is a warning and the claim goes ahead.

The figures come from the legal table by the work date (``werkstation.legal``); members under
18 on the work date have the stricter ones.
"""

from __future__ import annotations

import logging
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from jobs.eligibility import working_time as wt
from jobs.models import SLOT_HOLDING, Claim, Shift
from werkstation.engagements import Engagement
from werkstation.errors import Conflict
from werkstation.legal import Key, LegalTable, age_on
from werkstation.money import format_duration
from werkstation.templatetags.money import timespan

if TYPE_CHECKING:
    from collections.abc import Iterable

    from members.models import User

logger = logging.getLogger(__name__)
UNKNOWN = object()
NEAR = timedelta(days=8)  # a single shift breaks a rule only with work this near (or alone)
PERIOD = timedelta(weeks=17)  # the work that can matter: the 16-week average and a day
BINDING = {Engagement.EMPLOYEE.value, Engagement.VOLUNTEER.value}


def _hours(table: LegalTable, key: Key, day: date) -> int:
    return int(table.value(key, day) * 60)


def limits_for(table: LegalTable, day: date, age: int | None) -> wt.Limits:
    """The figures in force on ``day`` for a member of ``age`` (None: not known, adult)."""
    if age is not None and age < 18:
        return wt.Limits(
            max_shift=_hours(table, Key.MINOR_MAX_SHIFT_HOURS, day),
            max_week=_hours(table, Key.MINOR_MAX_WEEK_HOURS, day),
            average_4=_hours(table, Key.MINOR_AVERAGE_4_WEEKS_HOURS, day),
            average_16=None,
            daily_rest=_hours(table, Key.MINOR_DAILY_REST_HOURS, day),
            daily_rest_short=None,
            weekly_rest_7=_hours(table, Key.WEEKLY_REST_7_DAYS_HOURS, day),
            weekly_rest_14=_hours(table, Key.WEEKLY_REST_14_DAYS_HOURS, day),
        )
    return wt.Limits(
        max_shift=_hours(table, Key.WORKING_MAX_SHIFT_HOURS, day),
        max_week=_hours(table, Key.WORKING_MAX_WEEK_HOURS, day),
        average_4=_hours(table, Key.WORKING_AVERAGE_4_WEEKS_HOURS, day),
        average_16=_hours(table, Key.WORKING_AVERAGE_16_WEEKS_HOURS, day),
        daily_rest=_hours(table, Key.DAILY_REST_HOURS, day),
        daily_rest_short=_hours(table, Key.DAILY_REST_SHORTENED_HOURS, day),
        weekly_rest_7=_hours(table, Key.WEEKLY_REST_7_DAYS_HOURS, day),
        weekly_rest_14=_hours(table, Key.WEEKLY_REST_14_DAYS_HOURS, day),
    )


def limits_known(table: LegalTable, day: date, age: int | None) -> wt.Limits | None:
    """The figures in force, or None while staff have not entered one of them for ``day``:
    then nothing is refused for working time (the weekly reminder to staff names the gap),
    as a price without its legal figures promises no amount."""
    try:
        return limits_for(table, day, age)
    except Conflict as exc:
        if exc.code != "legal_figure_missing":
            raise
        logger.warning("working-time figures missing for %s: not checked", day)
        return None


@dataclass(frozen=True)
class Held:
    """A member's slot-holding work: the claim's shift, times and engagement."""

    shift_id: int
    start: datetime
    end: datetime
    engagement: str

    def work(self) -> wt.Work:
        return wt.Work(self.shift_id, wt.epoch_minute(self.start), wt.epoch_minute(self.end))


def held_work(user_ids: Iterable[int], start: datetime, end: datetime) -> dict[int, list[Held]]:
    """Each member's slot-holding claims that overlap [start, end)."""
    rows: dict[int, list[Held]] = {}
    for user_id, shift_id, s, e, engagement in (
        Claim.objects.filter(
            user_id__in=list(user_ids), status__in=SLOT_HOLDING, end__gt=start, start__lt=end
        )
        .order_by("start", "pk")
        .values_list("user_id", "shift_id", "start", "end", "engagement")
    ):
        rows.setdefault(user_id, []).append(Held(shift_id, s, e, engagement))
    return rows


@dataclass
class Verdict:
    breach: wt.Breach | None
    binding: bool  # False: only self-employed work, the member is warned

    @property
    def refused(self) -> bool:
        return self.breach is not None and self.binding


class MemberWork:
    """One member's work, for checking shifts one after another (a plan, a run's offers)."""

    def __init__(
        self,
        user: User | None,
        held: list[Held],
        table: LegalTable | None = None,
        *,
        born: date | object | None = UNKNOWN,
    ) -> None:
        self.user = user
        self.held = list(held)
        self.table = table or LegalTable.load()
        if born is UNKNOWN:
            born = getattr(getattr(user, "profile", None), "date_of_birth", None)
        self.born = cast("date | None", born)  # UNKNOWN is replaced just above
        self.calendar = wt.Calendar(settings.TIME_ZONE)

    def verdict(self, shift_id: int, start: datetime, end: datetime, engagement: str) -> Verdict:
        day = timezone.localtime(start).date()
        others = [h for h in self.held if h.shift_id != shift_id]
        near = [h for h in others if abs(h.start - start) < PERIOD]
        binding = engagement in BINDING or any(h.engagement in BINDING for h in near)
        limits = limits_known(self.table, day, age_on(self.born, day))
        if limits is None:
            return Verdict(None, binding)
        checker = wt.Checker(
            limits,
            [h.work() for h in others],
            self.calendar,
        )
        new = wt.Work(shift_id, wt.epoch_minute(start), wt.epoch_minute(end))
        return Verdict(checker.check(new), binding)

    def take(self, shift_id: int, start: datetime, end: datetime, engagement: str) -> None:
        """Count ``shift_id`` as the member's from now on (an offer made, a planned shift)."""
        self.held.append(Held(shift_id, start, end, engagement))


def member_work(user: User, around: datetime) -> MemberWork:
    """The member's work around the moment ``around``."""
    held = held_work([user.pk], around - PERIOD, around + PERIOD).get(user.pk, [])
    return MemberWork(user, held)


RULE_NAMES = {
    wt.SHIFT: "working_time_shift_length",
    wt.WEEK_TOTAL: "working_time_week_hours",
    wt.AVERAGE_4: "working_time_average_4_weeks",
    wt.AVERAGE_16: "working_time_average_16_weeks",
    wt.DAILY_REST: "working_time_daily_rest",
    wt.WEEKLY_REST: "working_time_weekly_rest",
}


def breach_message(breach: wt.Breach) -> str:
    """The rule broken, in the member's words, with the other shift involved."""
    language = get_language()
    measured = format_duration(breach.measured, language)
    limit = format_duration(breach.limit, language)
    other = ""
    if breach.other is not None:
        # Work here is keyed by its shift's id.
        shift = Shift.objects.select_related("job").filter(pk=cast("int", breach.other.key)).first()
        if shift is not None:
            other = _("%(job)s at %(time)s") % {
                "job": shift.job.title,
                "time": timespan(shift.start),
            }
    if breach.rule == wt.SHIFT:
        text = _(
            "The Working Time Act allows at most %(limit)s of work in one shift; this shift is "
            "%(measured)s."
        )
    elif breach.rule == wt.WEEK_TOTAL:
        text = _(
            "The Working Time Act allows at most %(limit)s of work a week; with this shift you "
            "would work %(measured)s that week."
        )
    elif breach.rule == wt.AVERAGE_4:
        text = _(
            "The Working Time Act allows at most %(limit)s of work in 4 weeks in a row; with "
            "this shift you would work %(measured)s."
        )
    elif breach.rule == wt.AVERAGE_16:
        text = _(
            "The Working Time Act allows at most %(limit)s of work in 16 weeks in a row; with "
            "this shift you would work %(measured)s."
        )
    elif breach.rule == wt.DAILY_REST:
        text = _(
            "The Working Time Act requires %(limit)s of rest in a row in every 24 hours from the "
            "start of a shift (once a week it may be shorter); with this shift the longest rest "
            "would be %(measured)s."
        )
    else:
        text = _(
            "The Working Time Act requires a rest of %(limit)s in a row every week (or 72 hours "
            "over two weeks); with this shift the longest rest that week would be %(measured)s."
        )
    text = text % {"limit": limit, "measured": measured}
    if other:
        text += " " + _("Your other shift involved: %(other)s.") % {"other": other}
    return text


def check_claim(user: User, shift: Shift, engagement: str) -> list[str]:
    """Refuse a claim that breaks a rule that binds it (naming the rule and the other shift);
    answer the warnings for self-employed work the Act does not bind."""
    verdict = member_work(user, shift.start).verdict(shift.pk, shift.start, shift.end, engagement)
    if verdict.breach is None:
        return []
    message = breach_message(verdict.breach)
    if verdict.refused:
        raise Conflict(message, code=RULE_NAMES[verdict.breach.rule], field="shift")
    return [
        message
        + " "
        + _(
            "As a self-employed person you decide yourself; the cooperative asks you to keep to it."
        )
    ]


def breaking_shifts(
    work: MemberWork, shifts: Iterable[Shift], engagements: dict[int, str]
) -> list[Shift]:
    """The shifts of a plan that break a rule, in start order: each one checked against the
    member's work and the plan's earlier shifts that keep every rule (those are taken in turn);
    ``engagements``: the member's usual engagement per cooperative. Empty: the plan keeps
    every rule."""
    trial = MemberWork(work.user, work.held, work.table, born=work.born)
    breaking: list[Shift] = []
    for shift in shifts:
        engagement = engagements.get(shift.cooperative_id, Engagement.SELF_EMPLOYED)
        if trial.verdict(shift.pk, shift.start, shift.end, engagement).breach is not None:
            breaking.append(shift)
            continue
        trial.take(shift.pk, shift.start, shift.end, engagement)
    return breaking


def refused_near_work(
    shifts: Iterable[Shift],
    held: dict[int, list[Held]],
    usual: dict[int, str],
    born: dict[int, date | None],
) -> dict[int, list[str]]:
    """For dispatch: the shifts each member may not be given because, with the work they hold
    now, the shift alone would break a rule (checked only where it can: within ``NEAR`` of
    their work; a shift too long for anyone is refused to all). Combinations of new shifts
    are checked when the offers are made."""
    table = LegalTable.load()
    ordered_shifts = sorted(shifts, key=lambda s: s.start)
    starts = [s.start for s in ordered_shifts]
    refused: dict[int, list[str]] = {}
    alone = MemberWork(None, [], table, born=None)
    too_long = [
        str(s.pk)
        for s in ordered_shifts
        if alone.verdict(s.pk, s.start, s.end, Engagement.EMPLOYEE).breach is not None
    ]
    if too_long:
        for user_id in usual:
            mine = {item.shift_id for item in held.get(user_id, [])}
            refused[user_id] = [key for key in too_long if int(key) not in mine]
    for user_id, items in held.items():
        work = MemberWork(None, items, table, born=born.get(user_id))
        engagement = usual.get(user_id, Engagement.SELF_EMPLOYED)
        near: dict[int, Shift] = {}
        for item in items:
            first = bisect_left(starts, item.start - NEAR)
            last = bisect_right(starts, item.end + NEAR)
            for shift in ordered_shifts[first:last]:
                near[shift.pk] = shift
        mine = {item.shift_id for item in items}  # commitments stay theirs
        for shift in near.values():
            if shift.pk in mine:
                continue
            if work.verdict(shift.pk, shift.start, shift.end, engagement).breach is not None:
                refused.setdefault(user_id, []).append(str(shift.pk))
    return refused


NEAR_SHARE = Decimal("0.9")  # within 10 % of a limit
RULE_LABELS = {
    wt.SHIFT: gettext_lazy("longest shift"),
    wt.WEEK_TOTAL: gettext_lazy("hours in a week"),
    wt.AVERAGE_4: gettext_lazy("hours in 4 weeks"),
    wt.DAILY_REST: gettext_lazy("shortest daily rest"),
}


@dataclass(frozen=True)
class NearLimit:
    user_id: int
    name: str
    rule: str
    measured: int  # minutes
    limit: int  # minutes

    @property
    def label(self) -> str:
        return str(RULE_LABELS[self.rule])


def near_limits(cooperative_id: int, *, now: datetime | None = None) -> list[NearLimit]:
    """Active members of the cooperative who came within 10 % of a Working Time Act limit in
    the last 4 weeks, over all their work (other cooperatives' and clients' too). Only the
    member, the rule and the figures: no work, client or place is named."""
    from members.models import Membership

    now = now or timezone.now()
    since = now - timedelta(weeks=4)
    members: dict[int, date | None] = {}
    names: dict[int, str] = {}
    for user_id, born, name in Membership.objects.filter(
        cooperative_id=cooperative_id, status=Membership.Status.ACTIVE
    ).values_list("user_id", "user__profile__date_of_birth", "user__full_name"):
        members[user_id], names[user_id] = born, name
    held = held_work(members, since - timedelta(days=1), now)
    table = LegalTable.load()
    calendar = wt.Calendar(settings.TIME_ZONE)
    found: list[NearLimit] = []
    for user_id, items in held.items():
        day = timezone.localtime(now).date()
        limits = limits_known(table, day, age_on(members.get(user_id), day))
        if limits is None:
            continue
        spans = wt.merged([h.work() for h in items])
        start, end = wt.epoch_minute(since), wt.epoch_minute(now)
        measures = {
            wt.SHIFT: (max(b - a for a, b in spans), limits.max_shift),
            wt.AVERAGE_4: (wt.worked(spans, start, end), 4 * limits.average_4),
        }
        week, week_max = calendar.week_start(start), 0
        while week < end:
            following = calendar.shift_weeks(week, 1)
            week_max = max(week_max, wt.worked(spans, week, following))
            week = following
        measures[wt.WEEK_TOTAL] = (week_max, limits.max_week)
        rests = [
            wt.longest_rest(spans, a, a + wt.DAY) for a, _b in spans if start <= a < end - wt.DAY
        ]
        for rule, (measured, limit) in measures.items():
            if measured >= NEAR_SHARE * limit:
                found.append(NearLimit(user_id, names.get(user_id, ""), rule, measured, limit))
        if rests and min(rests) < limits.daily_rest * Decimal("1.1"):
            found.append(
                NearLimit(
                    user_id, names.get(user_id, ""), wt.DAILY_REST, min(rests), limits.daily_rest
                )
            )
    return sorted(found, key=lambda n: (n.name, n.rule))
