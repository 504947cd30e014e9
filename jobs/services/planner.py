"""Plan my week: the best stapelbaan for one member, and claiming it all or nothing.

The planner builds a dispatch instance (``shared/dispatch-format.md``) from the database —
open slots only, certificates valid on each shift's date, the member's windows for the
week, their existing claims as commitments, what is left of their yearly earnings cap as
``max_pay_cents`` — and asks the exact single-member optimiser (``jobs.dispatch.stapel``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import AvailabilityException, AvailabilitySlot, Membership, MemberSkill
from members.services.accounts import profile_of
from werkstation.errors import Conflict, ValidationFailed
from werkstation.geo import project_km
from werkstation.locks import lock_shifts, lock_users
from werkstation.money import pay_for_minutes, to_minor

from .. import dispatch
from ..models import SLOT_HOLDING, BlockedClient, Claim, Job, Shift
from ..providers import earnings_this_year
from .claims import shift_claim

KM_COST_CENTS = 10  # the default dispatch policy's travel cost, until members vote another


@dataclass(frozen=True)
class Plan:
    week_start: date
    shifts: list[Shift]
    commitments: list[Shift]
    income_cents: int
    minutes: int
    target_minutes: int | None
    target_income_cents: int | None
    cap_left_cents: int | None


def pay_cents(shift: Shift) -> int:
    """The member's pay for the whole shift, rounded half up to a cent (as settlement rounds)."""
    pay = shift.job.member_pay
    return pay_for_minutes(to_minor(pay.amount, str(pay.currency)), shift.duration_minutes)


def member_windows(user, week_start: date, horizon: datetime, *, days: int = 7) -> list[list[int]]:
    """The member's availability in minutes from ``horizon``, day by day, exceptions applied."""
    tz = timezone.get_current_timezone()
    weekly: dict[int, list[tuple[time, time]]] = {}
    for slot in AvailabilitySlot.objects.filter(user=user):
        weekly.setdefault(slot.weekday, []).append((slot.start, slot.end))
    exceptions = {
        e.date: e
        for e in AvailabilityException.objects.filter(
            user=user, date__gte=week_start, date__lt=week_start + timedelta(days=days)
        )
    }
    windows = []
    for offset in range(days):
        day = week_start + timedelta(days=offset)
        spans = list(weekly.get(day.weekday(), []))
        exception = exceptions.get(day)
        if exception is not None:
            if exception.available:
                spans.append((exception.start or time(0), exception.end or time(23, 59)))
            elif exception.start is None:
                spans = []
            else:  # keep the parts of each window outside the unavailable time
                trimmed = []
                for start, end in spans:
                    if start < exception.start:
                        trimmed.append((start, min(end, exception.start)))
                    if end > exception.end:
                        trimmed.append((max(start, exception.end), end))
                spans = trimmed
        for start, end in spans:
            begin = datetime.combine(day, start, tzinfo=tz)
            finish = datetime.combine(day, end, tzinfo=tz)
            windows.append(
                [
                    int((begin - horizon).total_seconds() // 60),
                    int((finish - horizon).total_seconds() // 60),
                ]
            )
    return windows


def plan_week(
    *,
    user,
    week_start: date,
    target_minutes: int | None = None,
    target_income_cents: int | None = None,
) -> Plan:
    profile = profile_of(user)
    if not profile.has_location:
        raise ValidationFailed(
            _("Add your home address on your profile, so we can plan work near you."),
            code="no_home_location",
            field="postcode",
        )
    tz = timezone.get_current_timezone()
    horizon = datetime.combine(week_start, time(0), tzinfo=tz)
    windows = member_windows(user, week_start, horizon, days=7)
    if not windows:
        raise ValidationFailed(
            _(
                "You have no availability in this week: add the days and hours you can work on your profile."
            ),
            code="no_availability",
            field="availability",
        )
    memberships = list(
        Membership.objects.filter(user=user, status="active").select_related("cooperative")
    )
    coop_ids = [m.cooperative_id for m in memberships]
    speed = min((m.cooperative.travel_speed_kmh for m in memberships), default=15)
    start_from = max(horizon, timezone.now())
    end = horizon + timedelta(days=7)
    held = {
        c.shift_id
        for c in Claim.objects.filter(
            user=user, status__in=SLOT_HOLDING, start__lt=end, end__gt=horizon
        )
    }
    candidates = list(
        Shift.objects.filter(
            cooperative_id__in=coop_ids,
            status="open",
            job_status__in=[Job.Status.OPEN, Job.Status.IN_PROGRESS],
            start__gte=start_from,
            start__lt=end,
        )
        .exclude(claims__user=user, claims__status__in=["waitlisted", *SLOT_HOLDING])
        .select_related("job")
    ) + list(Shift.objects.filter(pk__in=held).select_related("job"))
    blocked_clients = set(
        BlockedClient.objects.filter(user=user).values_list("client_id", flat=True)
    )
    skills = {
        ms.skill_id: ms for ms in MemberSkill.objects.filter(user=user).select_related("skill")
    }
    origin = (float(profile.latitude), float(profile.longitude))
    shifts, blocked = [], []
    for shift in candidates:
        if shift.pk not in held and shift.filled >= shift.slots:
            continue
        key = str(shift.pk)
        skill = f"skill-{shift.required_skill_id}" if shift.required_skill_id else None
        if shift.job.client_id in blocked_clients and shift.pk not in held:
            blocked.append(key)
        elif skill and shift.pk not in held:
            owned = skills.get(shift.required_skill_id)
            if owned is None or not owned.valid_on(shift.local_date):
                blocked.append(key)
        shifts.append(
            {
                "id": key,
                "start": int((shift.start - horizon).total_seconds() // 60),
                "end": int((shift.end - horizon).total_seconds() // 60),
                "location": list(project_km(shift.latitude, shift.longitude, origin)),
                "slots": shift.slots,
                "skill": skill,
                "pay_cents": pay_cents(shift),
            }
        )
    cap_left = None
    if profile.yearly_earnings_cap is not None:
        cap_left = max(0, int(profile.yearly_earnings_cap.amount * 100) - earnings_this_year(user))
    member = {
        "id": "me",
        "home": [0.0, 0.0],
        "windows": windows,
        "max_home_km": float(profile.travel_radius_km),
        "skills": [f"skill-{skill_id}" for skill_id in skills],
        "blocked": blocked,
        "commitments": [str(pk) for pk in held],
        "target_minutes": target_minutes or 0,
    }
    if target_minutes:
        member["max_minutes"] = max(
            target_minutes,
            sum(s["end"] - s["start"] for s in shifts if s["id"] in member["commitments"]),
        )
    if cap_left is not None:
        member["max_pay_cents"] = cap_left
    instance = dispatch.parse_instance(
        {
            "travel_speed_kmh": speed,
            "max_home_km": float(profile.travel_radius_km),
            "km_cost_cents": KM_COST_CENTS,
            "members": [member],
            "shifts": shifts,
        }
    )
    chosen = {shift_id for _member, shift_id in dispatch.stapel(instance, "me").pairs}
    by_id = {str(s.pk): s for s in candidates}
    new = sorted((by_id[i] for i in chosen if int(i) not in held), key=lambda s: s.start)
    kept = sorted((by_id[str(i)] for i in held), key=lambda s: s.start)
    planned = new + kept
    return Plan(
        week_start=week_start,
        shifts=new,
        commitments=kept,
        income_cents=sum(pay_cents(s) for s in planned),
        minutes=sum(s.duration_minutes for s in planned),
        target_minutes=target_minutes,
        target_income_cents=target_income_cents,
        cap_left_cents=cap_left,
    )


class BundleConflict(Conflict):
    default_code = "bundle_conflict"


def plan_from_values(user, values: dict):
    """``plan_week`` from a validated plan form or query (week, target hours or income)."""
    day = values.get("week") or timezone.localdate()
    income = values.get("target_income")
    hours = values.get("target_hours")
    return plan_week(
        user=user,
        week_start=day - timedelta(days=day.weekday()),
        target_minutes=hours * 60 if hours else None,
        target_income_cents=to_minor(income) if income is not None else None,
    )


@transaction.atomic
def bundle_claim(*, user, shift_ids: list[int]) -> list[Claim]:
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
                    "time": timezone.localtime(shift.start).strftime("%d-%m %H:%M"),
                    "reason": exc.message,
                },
                field="shifts",
                extra={"shift": shift.pk},
            ) from exc
    return claims
