"""Loading members' work contexts: for many members at once, in a fixed number of queries.

``work_contexts`` reads, for any number of members, their facts (five queries: profiles,
memberships, weekly availability, dated exceptions, skills), the clients they blocked
and their claims (one query each), and optionally their earnings cap and what they
earned this year (two). ``member_facts`` is the feed's cached read of one member's facts.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from jobs.dispatch.model import merge_windows
from jobs.models import SLOT_HOLDING, BlockedClient, Claim, Job, Shift
from jobs.providers import earnings_this_year, max_pay_rooms
from members.models import AvailabilityException, AvailabilitySlot, Membership, MemberSkill, Profile
from members.selectors import WORK_CONTEXT_TTL, work_context_key
from werkstation.money import to_minor

from .rules import Commitment, MemberFacts, ShiftFacts, WorkContext

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
LIVE_OPEN = (Job.Status.OPEN, Job.Status.IN_PROGRESS)


def epoch_minute(moment: datetime) -> int:
    """Whole minutes since the epoch (what ``Shift.start_minute`` holds)."""
    return int((moment - EPOCH).total_seconds() // 60)


def local_times(start: datetime, end: datetime) -> dict[str, Any]:
    """The copies of a shift's times the rules read: epoch minutes, and the local date,
    weekday and minutes after midnight (the end may pass 1440 for a night shift)."""
    local = start.astimezone(ZoneInfo(settings.TIME_ZONE))
    local_start = local.hour * 60 + local.minute
    return {
        "start_minute": epoch_minute(start),
        "end_minute": epoch_minute(end),
        "local_date": local.date(),
        "local_weekday": local.weekday(),
        "local_start": local_start,
        "local_end": local_start + int((end - start).total_seconds() // 60),
    }


def shift_facts(shift: Shift) -> ShiftFacts:
    """A shift row as the rules see it (its job loaded: the client is the job's)."""
    return ShiftFacts(
        id=shift.pk,
        cooperative_id=shift.cooperative_id,
        client_id=shift.job.client_id,
        is_open=shift.status == Shift.Status.OPEN and shift.job_status in LIVE_OPEN,
        start_minute=shift.start_minute,
        end_minute=shift.end_minute,
        local_date=shift.local_date,
        local_start=shift.local_start,
        local_end=shift.local_end,
        latitude=shift.latitude,
        longitude=shift.longitude,
        required_skill_id=shift.required_skill_id,
    )


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def _facts(user_ids: Collection[int], exceptions_from: date) -> dict[int, MemberFacts]:
    profiles = {
        row["user_id"]: row
        for row in Profile.objects.filter(user_id__in=user_ids).values(
            "user_id", "latitude", "longitude", "travel_radius_km", "target_hours_per_week"
        )
    }
    cooperatives: dict[int, dict[int, int]] = defaultdict(dict)
    for user_id, coop_id, speed in Membership.objects.filter(
        user_id__in=user_ids, status=Membership.Status.ACTIVE
    ).values_list("user_id", "cooperative_id", "cooperative__travel_speed_kmh"):
        cooperatives[user_id][coop_id] = speed
    weekly: dict[int, dict[int, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for user_id, weekday, start, end in AvailabilitySlot.objects.filter(
        user_id__in=user_ids
    ).values_list("user_id", "weekday", "start", "end"):
        weekly[user_id][weekday].append((_minutes(start), _minutes(end)))
    exceptions: dict[int, dict[date, list[tuple[bool, int | None, int | None]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for user_id, day, is_available, from_time, to_time in (
        AvailabilityException.objects.filter(user_id__in=user_ids, date__gte=exceptions_from)
        .order_by("date", "start", "pk")
        .values_list("user_id", "date", "available", "start", "end")
    ):
        exceptions[user_id][day].append(
            (
                is_available,
                None if from_time is None else _minutes(from_time),
                None if to_time is None else _minutes(to_time),
            )
        )
    skills: dict[int, dict[int, tuple[bool, date | None]]] = defaultdict(dict)
    for user_id, skill_id, needs_certificate, valid_until in MemberSkill.objects.filter(
        user_id__in=user_ids
    ).values_list("user_id", "skill_id", "skill__requires_certificate", "certificate_expires_on"):
        skills[user_id][skill_id] = (needs_certificate, valid_until)
    facts: dict[int, MemberFacts] = {}
    for user_id in user_ids:
        profile: dict[str, Any] = dict(profiles.get(user_id, {}))
        latitude, longitude = profile.get("latitude"), profile.get("longitude")
        facts[user_id] = MemberFacts(
            user_id=user_id,
            latitude=None if latitude is None else float(latitude),
            longitude=None if longitude is None else float(longitude),
            radius_km=float(profile.get("travel_radius_km") or 0),
            cooperatives=dict(cooperatives[user_id]),
            weekly={day: merge_windows(spans) for day, spans in weekly[user_id].items()},
            exceptions={day: tuple(rows) for day, rows in exceptions[user_id].items()},
            skills=dict(skills[user_id]),
            target_minutes_per_week=(profile.get("target_hours_per_week") or 0) * 60,
        )
    return facts


def member_facts(user: Any) -> MemberFacts:
    """One member's facts, from the cache (forgotten by ``members.signals`` on change).

    Dated exceptions are kept from today on: nothing earlier can still be taken."""
    key = work_context_key(user.pk)
    cached: MemberFacts | None = cache.get(key)
    if cached is None:
        cached = _facts([user.pk], timezone.localdate())[user.pk]
        cache.set(key, cached, WORK_CONTEXT_TTL)
    return cached


def work_contexts(
    user_ids: Iterable[int],
    *,
    now: datetime | None = None,
    since: datetime | None = None,
    earnings: bool = False,
) -> dict[int, WorkContext]:
    """The work contexts of many members in a fixed number of queries, by user id (in
    the order given). Claims count from ``since`` (default: now): a shift that ended
    before cannot clash with one still to come. ``earnings`` adds the yearly earnings cap,
    what each member earned this calendar year and the room under their other limits this
    month (volunteer maximums, bijstand): ``WorkContext.earnings_room_cents`` is the
    smallest, what dispatch and plan my week pass as ``max_pay_cents``."""
    now = now or timezone.now()
    since = min(since or now, now)
    ids = list(dict.fromkeys(user_ids))
    if not ids:
        return {}
    facts = _facts(ids, min(timezone.localdate(), timezone.localtime(since).date()))
    blocked: dict[int, set[int]] = defaultdict(set)
    for user_id, client_id in BlockedClient.objects.filter(user_id__in=ids).values_list(
        "user_id", "client_id"
    ):
        blocked[user_id].add(client_id)
    claimed: dict[int, set[int]] = defaultdict(set)
    commitments: dict[int, list[Commitment]] = defaultdict(list)
    for user_id, status, shift_id, start, end, latitude, longitude in (
        Claim.objects.filter(user_id__in=ids, shift__end_minute__gt=epoch_minute(since))
        .exclude(status__in=[Claim.Status.WITHDRAWN, Claim.Status.REJECTED])
        .order_by("shift__start_minute", "shift_id")
        .values_list(
            "user_id",
            "status",
            "shift_id",
            "shift__start_minute",
            "shift__end_minute",
            "shift__latitude",
            "shift__longitude",
        )
    ):
        claimed[user_id].add(shift_id)
        if status in SLOT_HOLDING:
            commitments[user_id].append(Commitment(shift_id, start, end, latitude, longitude))
    caps: dict[int, int | None] = {}
    earned: dict[int, int] = {}
    others: dict[int, int] = {}
    if earnings:
        caps = {
            user_id: None if cap is None else to_minor(cap)
            for user_id, cap in Profile.objects.filter(user_id__in=ids).values_list(
                "user_id", "yearly_earnings_cap"
            )
        }
        earned = earnings_this_year(ids)
        others = max_pay_rooms(ids)
    return {
        user_id: WorkContext(
            facts=facts[user_id],
            blocked_clients=frozenset(blocked[user_id]),
            claimed=frozenset(claimed[user_id]),
            commitments=tuple(commitments[user_id]),
            earnings_cap_cents=caps.get(user_id),
            earned_cents=earned.get(user_id, 0),
            other_room_cents=others.get(user_id),
        )
        for user_id in ids
    }


def work_context(user: Any, **kwargs: Any) -> WorkContext:
    return work_contexts([user.pk], **kwargs)[user.pk]


def horizon_of(day: date) -> datetime:
    """Local midnight at the start of ``day``."""
    return datetime.combine(day, time(0), tzinfo=timezone.get_current_timezone())


def local_minute_at(day: date, minute: int) -> datetime:
    """The moment ``minute`` minutes after local midnight of ``day`` on the wall clock
    (1440: the next midnight)."""
    if minute >= 24 * 60:
        return horizon_of(day + timedelta(days=1))
    return datetime.combine(
        day, time(minute // 60, minute % 60), tzinfo=timezone.get_current_timezone()
    )
