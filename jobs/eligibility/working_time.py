"""The Working Time Act (Arbeidstijdenwet) across all of a member's work, on plain data.

Pure: no ORM. ``protection.py`` loads a member's work and the figures of the legal table for
the date, and says which rules apply to which engagement; this module only measures.

The reading (verify each against the Inspectorate's text; every figure comes from the legal
table, so staff can change it by date):

* a shift is at most ``max_shift`` long (12 hours; under 18: 9);
* a week — 168 hours from Sunday 00:00 local time (``WEEK_STARTS``, verify) — holds at most
  ``max_week`` of work (60 hours; under 18: 45);
* every 4 consecutive weeks hold on average at most ``average_4`` a week (55 hours; under 18:
  40), every 16 consecutive weeks at most ``average_16`` (48 hours);
* daily rest, per working day and not per gap: every 24 hours from the start of a shift
  contain ``daily_rest`` in a row without work (11 hours; under 18: 12); once in every 7 × 24
  hours it may be ``daily_rest_short`` (8 hours; not for members under 18). Two shifts on one
  day with a short gap between them are fine: the night after them is the rest;
* weekly rest: every week has a rest of ``weekly_rest_7`` in a row (36 hours), or the two weeks
  around it together have ``weekly_rest_14`` (72 hours) in rests of at least 32 hours each. A
  rest that runs over the week's edge counts for both weeks it touches (verify);
* breaks are part of every shift: the required break (30 minutes after 5.5 hours of work, 45
  after 10) is unpaid and deducted in the price and the timesheet (``quotes.required_break_minutes``).

Times are epoch minutes. ``check`` answers the first rule a new piece of work would break,
with the other piece of work involved, or None.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

DAY = 24 * 60
WEEK = 7 * DAY
WEEK_STARTS = 6  # Sunday (Monday is 0): the Act's week, 168 hours from Sunday 00:00 — verify
UNBOUNDED = 10**12  # minutes: no work before or after
SPLIT_WEEKLY_REST_MIN = 32 * 60  # a 72-hour rest over 14 days may be split in parts of 32 h

# The rules, in the order they are checked (codes for errors and the board's page).
SHIFT = "shift_length"
WEEK_TOTAL = "week_hours"
AVERAGE_4 = "average_4_weeks"
AVERAGE_16 = "average_16_weeks"
DAILY_REST = "daily_rest"
WEEKLY_REST = "weekly_rest"


@dataclass(frozen=True)
class Limits:
    """The figures in force (minutes). ``daily_rest_short`` None: never shortened (minors)."""

    max_shift: int
    max_week: int
    average_4: int
    average_16: int | None
    daily_rest: int
    daily_rest_short: int | None
    weekly_rest_7: int
    weekly_rest_14: int


@dataclass(frozen=True)
class Work:
    key: object  # a shift id, or anything that names the work
    start: int  # epoch minutes
    end: int


@dataclass(frozen=True)
class Breach:
    rule: str
    other: Work | None  # the other piece of work involved, when there is one
    measured: int  # minutes: the length, the total or the longest rest found
    limit: int


def epoch_minute(moment: datetime) -> int:
    return int(moment.timestamp() // 60)


class Calendar:
    """Week boundaries in local time (daylight saving moves them by an hour)."""

    def __init__(self, zone: str = "Europe/Amsterdam") -> None:
        self.zone = ZoneInfo(zone)

    def week_start(self, minute: int) -> int:
        local = datetime.fromtimestamp(minute * 60, self.zone)
        back = (local.weekday() - WEEK_STARTS) % 7
        day: date = local.date() - timedelta(days=back)
        return epoch_minute(datetime(day.year, day.month, day.day, tzinfo=self.zone))

    def shift_weeks(self, start: int, weeks: int) -> int:
        """The week start ``weeks`` weeks after the week starting at ``start``."""
        local = datetime.fromtimestamp(start * 60, self.zone).date() + timedelta(weeks=weeks)
        return epoch_minute(datetime(local.year, local.month, local.day, tzinfo=self.zone))


def merged(work: Sequence[Work]) -> list[tuple[int, int]]:
    spans: list[list[int]] = []
    for item in sorted(work, key=lambda w: (w.start, w.end)):
        if spans and item.start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], item.end)
        else:
            spans.append([item.start, item.end])
    return [(a, b) for a, b in spans]


def worked(spans: Sequence[tuple[int, int]], start: int, end: int) -> int:
    return sum(max(0, min(b, end) - max(a, start)) for a, b in spans)


def longest_rest(spans: Sequence[tuple[int, int]], start: int, end: int) -> int:
    """The longest stretch without work inside [start, end)."""
    longest, cursor = 0, start
    for a, b in spans:
        if b <= start:
            continue
        if a >= end:
            break
        longest = max(longest, max(a, start) - cursor)
        cursor = max(cursor, min(b, end))
    return max(longest, end - cursor)


def _rests(spans: Sequence[tuple[int, int]], start: int, end: int) -> list[int]:
    """The lengths of the rests that touch [start, end), whole (over the edges too). Before
    the first work and after the last the rest has no end (``UNBOUNDED``)."""
    edges = [(-UNBOUNDED, -UNBOUNDED), *spans, (UNBOUNDED, UNBOUNDED)]
    rests = []
    for (_a, previous_end), (a, _b) in itertools.pairwise(edges):
        if a > previous_end and a > start and previous_end < end:
            rests.append(a - previous_end)
    return rests


def _overlapping(work: Sequence[Work], start: int, end: int, new: Work) -> Work | None:
    """The other piece of work in [start, end) nearest to ``new`` (for the message)."""
    others = [w for w in work if w is not new and w.end > start and w.start < end]
    if not others:
        return None
    return min(others, key=lambda w: min(abs(w.start - new.end), abs(new.start - w.end)))


class Checker:
    """The rules for one member's work (``existing``, slot-holding), asked per new shift."""

    def __init__(self, limits: Limits, existing: Sequence[Work], calendar: Calendar) -> None:
        self.limits = limits
        self.existing = list(existing)
        self.calendar = calendar

    def check(self, new: Work) -> Breach | None:
        limits, calendar = self.limits, self.calendar
        work = [*self.existing, new]
        spans = merged(work)
        if new.end - new.start > limits.max_shift:
            return Breach(SHIFT, None, new.end - new.start, limits.max_shift)
        weeks = {calendar.week_start(new.start), calendar.week_start(new.end - 1)}
        for week in sorted(weeks):
            end = calendar.shift_weeks(week, 1)
            total = worked(spans, week, end)
            if total > limits.max_week:
                return Breach(
                    WEEK_TOTAL, _overlapping(work, week, end, new), total, limits.max_week
                )
        for rule, span, average in (
            (AVERAGE_4, 4, limits.average_4),
            (AVERAGE_16, 16, limits.average_16),
        ):
            if average is None:
                continue
            for week in sorted(weeks):
                for first in range(span):  # every run of consecutive weeks with this one
                    start = calendar.shift_weeks(week, -first)
                    end = calendar.shift_weeks(start, span)
                    total = worked(spans, start, end)
                    if total > average * span:
                        return Breach(
                            rule, _overlapping(work, start, end, new), total, average * span
                        )
        breach = self._daily_rest(work, spans, new)
        if breach is not None:
            return breach
        return self._weekly_rest(work, spans, new, weeks)

    def _daily_rest(self, work: Sequence[Work], spans: Sequence[Any], new: Work) -> Breach | None:
        limits = self.limits
        starts = sorted({w.start for w in work if new.start - DAY < w.start <= new.end})
        shortened: list[int] = []
        for start in starts:
            rest = longest_rest(spans, start, start + DAY)
            if rest >= limits.daily_rest:
                continue
            if limits.daily_rest_short is None or rest < limits.daily_rest_short:
                return Breach(
                    DAILY_REST,
                    _overlapping(work, start, start + DAY, new),
                    rest,
                    limits.daily_rest,
                )
            shortened.append(start)
        if not shortened:
            return None
        # Once in every 7 × 24 hours: other shortened rests of the member's days around it.
        nearby = sorted(
            {w.start for w in work if new.start - WEEK < w.start < new.end + WEEK} - set(shortened)
        )
        for start in nearby:
            rest = longest_rest(spans, start, start + DAY)
            if rest < limits.daily_rest:
                shortened.append(start)
        shortened.sort()
        for first, second in itertools.pairwise(shortened):
            if second - first < WEEK:
                return Breach(
                    DAILY_REST,
                    _overlapping(work, first, second + DAY, new),
                    longest_rest(spans, second, second + DAY),
                    limits.daily_rest,
                )
        return None

    def _weekly_rest(
        self, work: Sequence[Work], spans: Sequence[Any], new: Work, weeks: Iterable[Any]
    ) -> Breach | None:
        limits, calendar = self.limits, self.calendar
        for week in sorted(weeks):
            end = calendar.shift_weeks(week, 1)
            longest = max(_rests(spans, week, end), default=0)
            if longest >= limits.weekly_rest_7:
                continue
            ok = False
            for first in (calendar.shift_weeks(week, -1), week):
                last = calendar.shift_weeks(first, 2)
                parts = [r for r in _rests(spans, first, last) if r >= SPLIT_WEEKLY_REST_MIN]
                if sum(parts) >= limits.weekly_rest_14:
                    ok = True
                    break
            if not ok:
                return Breach(
                    WEEKLY_REST, _overlapping(work, week, end, new), longest, limits.weekly_rest_7
                )
        return None
