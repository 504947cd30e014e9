"""Plan my week: the best stapelbaan for one member, and claiming it all or nothing.

The planner builds a dispatch instance (``shared/dispatch-format.md``) with the one builder
of ``jobs.eligibility`` — open slots only, the member's work context: windows for the
week, skills with certificates valid on each shift's date, their existing claims as
commitments, what is left of their yearly earnings cap as ``max_pay_cents``, and every
shift the claim check would refuse blocked — and asks the exact single-member optimiser
(``jobs.dispatch.stapel``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs import dispatch, eligibility
from jobs.eligibility.rules import day_windows
from jobs.models import SLOT_HOLDING, Claim, Job, Shift
from jobs.selectors.working_time import breaking_shifts, member_work
from members.models import Membership, User
from payouts.selectors.quotes import quote_plan, quote_shifts
from werkstation.engagements import Engagement
from werkstation.errors import Conflict, ValidationFailed
from werkstation.locks import lock_shifts, lock_users
from werkstation.money import to_minor
from werkstation.templatetags.money import timespan

from .claims import shift_claim

KM_COST_CENTS = 10  # the default dispatch policy's travel cost, until members vote another


@dataclass(frozen=True)
class Plan:
    week_start: date
    shifts: list[Shift]
    commitments: list[Shift]
    income_cents: int
    pay: dict[int, int]  # shift id -> what the member receives, taking the whole plan
    minutes: int
    target_minutes: int | None
    target_income_cents: int | None
    cap_left_cents: int | None

    @property
    def priced_shifts(self) -> list[tuple[Shift, int]]:
        return [(s, self.pay[s.pk]) for s in self.shifts]

    @property
    def priced_commitments(self) -> list[tuple[Shift, int]]:
        return [(s, self.pay[s.pk]) for s in self.commitments]


def plan_week(
    *,
    user: User,
    week_start: date,
    target_minutes: int | None = None,
    target_income_cents: int | None = None,
) -> Plan:
    now = timezone.now()
    horizon = eligibility.horizon_of(week_start)
    end = horizon + timedelta(days=7)
    context = eligibility.work_context(user, now=now, since=horizon, earnings=True)
    facts = context.facts
    if not facts.has_location:
        raise ValidationFailed(
            _("Add your home address on your profile, so we can plan work near you."),
            code="no_home_location",
            field="postcode",
        )
    if not any(day_windows(facts, week_start + timedelta(days=d)) for d in range(7)):
        raise ValidationFailed(
            _(
                "You have no availability in this week: add the days and hours you can work on your profile."
            ),
            code="no_availability",
            field="availability",
        )
    speed = min(facts.cooperatives.values(), default=15)
    week_end_minute = eligibility.epoch_minute(end)
    held = {c.shift_id for c in context.commitments if c.start_minute < week_end_minute}
    candidates = list(
        Shift.objects.filter(
            cooperative_id__in=list(facts.cooperatives),
            status="open",
            job_status__in=[Job.Status.OPEN, Job.Status.IN_PROGRESS],
            start__gte=max(horizon, now),
            start__lt=end,
        )
        .exclude(claims__user=user, claims__status__in=["waitlisted", *SLOT_HOLDING])
        .select_related("job__client")
    )
    # The plan is claimed as the member usually works: only jobs that allow that engagement.
    usual = dict(
        Membership.objects.filter(
            user=user, cooperative_id__in=list(facts.cooperatives)
        ).values_list("cooperative_id", "engagement")
    )
    candidates = [s for s in candidates if usual.get(s.cooperative_id) in s.job.engagements]
    candidates += list(Shift.objects.filter(pk__in=held).select_related("job__client"))
    # What each shift would pay this member as their next claim (the price truth).
    quotes = quote_shifts(user, candidates)
    offered = [
        eligibility.InstanceShift(
            key=str(shift.pk),
            facts=eligibility.shift_facts(shift),
            slots=shift.slots,
            pay_cents=quotes[shift.pk].member_cents,
        )
        for shift in candidates
        if shift.pk in held or shift.filled < shift.slots
    ]
    max_minutes: dict[int, int] = {}
    if target_minutes:
        committed = sum(s.duration_minutes for s in candidates if s.pk in held)
        max_minutes[user.pk] = max(target_minutes, committed)
    by_id = {str(s.pk): s for s in candidates}
    # The Working Time Act across all of the member's work: a plan that breaks a rule loses
    # the first shift that breaks it, and the planner solves again without it.
    working = member_work(user, horizon + timedelta(days=3))
    # Shifts that break a rule with the work the member holds are out from the start; the
    # loop below deals with shifts that break one only together.
    blocked = [
        str(shift.pk)
        for shift in candidates
        if shift.pk not in held
        and working.verdict(
            shift.pk,
            shift.start,
            shift.end,
            usual.get(shift.cooperative_id, Engagement.SELF_EMPLOYED),
        ).breach
        is not None
    ]
    instance = eligibility.dispatch_instance(
        contexts=[context],
        shifts=offered,
        first_day=week_start,
        days=7,
        weights=eligibility.DispatchWeights(travel_speed_kmh=speed, km_cost_cents=KM_COST_CENTS),
        now_minute=eligibility.epoch_minute(now),
        refused={user.pk: blocked},
        targets={user.pk: target_minutes or 0},
        max_minutes=max_minutes,
    )
    for _attempt in range(len(candidates) + 1):  # each round blocks one more shift
        chosen = {
            shift_id
            for _member, shift_id in dispatch.stapel(
                dispatch.parse_instance(instance), str(user.pk)
            ).pairs
        }
        new = sorted((by_id[i] for i in chosen if int(i) not in held), key=lambda s: s.start)
        breaking = breaking_shifts(working, new, usual)
        if not breaking or not instance["members"]:
            break
        for member in instance["members"]:  # the instance is built once; only this grows
            member["blocked"].extend(str(shift.pk) for shift in breaking)
    kept = sorted((by_id[str(i)] for i in held), key=lambda s: s.start)
    planned = new + kept
    claimed_as = dict(
        Claim.objects.filter(user=user, shift_id__in=held).values_list("shift_id", "engagement")
    )
    pay = {
        pk: quote.member_cents
        for pk, quote in quote_plan(user, planned, engagements=claimed_as).items()
    }
    return Plan(
        week_start=week_start,
        shifts=new,
        commitments=kept,
        income_cents=sum(pay.values()),
        pay=pay,
        minutes=sum(s.duration_minutes for s in planned),
        target_minutes=target_minutes,
        target_income_cents=target_income_cents,
        cap_left_cents=context.earnings_room_cents,
    )


class BundleConflict(Conflict):
    default_code = "bundle_conflict"


WEEKS_AHEAD = 8  # how far "plan my week" looks for the first week with work


def first_week_with_work(user: User, now: datetime | None = None) -> date | None:
    """The Monday of the first week, from this one on, with an open shift the member could
    take: in a cooperative they are an active member of, not started yet, with a free slot,
    of a job that allows their usual engagement, and not already theirs. None when there is
    none in the next ``WEEKS_AHEAD`` weeks."""
    now = now or timezone.now()
    usual = dict(
        Membership.objects.filter(user=user, status=Membership.Status.ACTIVE).values_list(
            "cooperative_id", "engagement"
        )
    )
    if not usual:
        return None
    today = timezone.localdate(now)
    shifts = (
        Shift.objects.filter(
            cooperative_id__in=list(usual),
            status="open",
            job_status__in=[Job.Status.OPEN, Job.Status.IN_PROGRESS],
            start__gte=now,
            start__lt=now + timedelta(weeks=WEEKS_AHEAD),
            filled__lt=F("slots"),
        )
        .exclude(claims__user=user, claims__status__in=["waitlisted", *SLOT_HOLDING])
        .select_related("job")
        .only("start", "cooperative_id", "job__engagements")
        .order_by("start")
    )
    for shift in shifts[:200]:
        if usual.get(shift.cooperative_id) in shift.job.engagements:
            day = max(timezone.localdate(shift.start), today)
            return day - timedelta(days=day.weekday())
    return None


def plan_from_values(user: User, values: dict[str, Any]) -> Plan:
    """``plan_week`` from a validated plan form or query (week, target hours or income).
    Without a week it plans the first week that still has open shifts the member could
    take (this week when there is none)."""
    day = values.get("week") or first_week_with_work(user) or timezone.localdate()
    income = values.get("target_income")
    hours = values.get("target_hours")
    return plan_week(
        user=user,
        week_start=day - timedelta(days=day.weekday()),
        target_minutes=hours * 60 if hours else None,
        target_income_cents=to_minor(income) if income is not None else None,
    )


@transaction.atomic
def bundle_claim(*, user: User, shift_ids: list[int]) -> list[Claim]:
    """Claim every shift of a planned bundle, or none: the first that fails undoes all."""
    if not shift_ids:
        raise ValidationFailed(
            _("The plan has no shifts to claim."), code="empty_bundle", field="shifts"
        )
    # Every shift of the bundle is locked up front, in key order (werkstation.locks), so
    # two members claiming overlapping bundles queue up instead of deadlocking.
    lock_users([user.pk])
    lock_shifts(shift_ids)
    claims = []
    for shift_id in shift_ids:
        shift = Shift.objects.filter(pk=shift_id).select_related("job").first()
        if shift is None:
            raise ValidationFailed(_("Unknown shift."), field="shifts")
        try:
            claims.append(shift_claim(user=user, shift=shift, allow_waitlist=False))
        except Conflict as exc:
            raise BundleConflict(
                _("%(job)s on %(time)s was taken meanwhile (%(reason)s); nothing was claimed.")
                % {
                    "job": shift.job.title,
                    "time": timespan(shift.start),
                    "reason": exc.message,
                },
                field="shifts",
                extra={"shift": shift.pk},
            ) from exc
    return claims
