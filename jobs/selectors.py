from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Sqrt
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import AvailabilityException, AvailabilitySlot, Membership, MemberSkill, User
from members.services.accounts import profile_of
from werkstation.errors import ValidationFailed

from .models import SLOT_HOLDING, Claim, Client, ClientUser, Job, Shift, Timesheet


def clients_of_user(user: User) -> QuerySet[Client]:
    return Client.objects.filter(client_users__user=user).distinct().order_by("name")


def clients_visible(user: User) -> QuerySet[Client]:
    """Client users see their own clients; board and treasurers see their cooperatives' clients."""
    return (
        Client.objects.filter(
            Q(client_users__user=user)
            | Q(
                links__cooperative__memberships__user=user,
                links__cooperative__memberships__status="active",
            )
            & (
                Q(links__cooperative__memberships__is_board=True)
                | Q(links__cooperative__memberships__is_treasurer=True)
            )
        )
        .distinct()
        .prefetch_related("links__cooperative")
        .order_by("name")
    )


def client_users_of(client: Client) -> QuerySet[ClientUser]:
    return (
        ClientUser.objects.filter(client=client).select_related("user").order_by("user__full_name")
    )


# --- The marketplace -----------------------------------------------------------------


KM_PER_DEG_LAT = 110.574
FEED_FIELDS = (
    "id", "start", "end", "slots", "filled", "category", "latitude", "longitude", "local_date",
    "job_id", "job__title", "job__street", "job__postcode", "job__member_pay", "job__client__name",
    "required_skill__name", "dist2",
)  # fmt: skip


@dataclass(frozen=True)
class FeedFilters:
    category: str | None = None
    day: date | None = None
    max_km: float | None = None
    include_full: bool = False


def _planar(lat0: float):
    kx = 111.320 * math.cos(math.radians(lat0))
    return kx, KM_PER_DEG_LAT


def _dist2_expr(lat0: float, lon0: float):
    kx, ky = _planar(lat0)
    dx = (F("longitude") - Value(lon0)) * Value(kx)
    dy = (F("latitude") - Value(lat0)) * Value(ky)
    return ExpressionWrapper(dx * dx + dy * dy, output_field=FloatField())


def _merge_windows(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _minutes_of(t) -> int:
    return t.hour * 60 + t.minute


def availability_q(user) -> Q | None:
    """Shifts that lie inside one of the member's windows, exceptions applied."""
    by_day: dict[int, list[tuple[int, int]]] = {}
    for slot in AvailabilitySlot.objects.filter(user=user):
        by_day.setdefault(slot.weekday, []).append((_minutes_of(slot.start), _minutes_of(slot.end)))
    q = Q(pk__in=[])
    for weekday, windows in by_day.items():
        for start, end in _merge_windows(windows):
            q |= Q(local_weekday=weekday, local_start__gte=start, local_end__lte=end)
    blocked = Q(pk__in=[])
    today = timezone.localdate()
    for exception in AvailabilityException.objects.filter(user=user, date__gte=today):
        if exception.start is None:
            window = Q(local_date=exception.date)
            if exception.available:
                q |= window
            else:
                blocked |= window
        else:
            start, end = _minutes_of(exception.start), _minutes_of(exception.end)
            if exception.available:
                q |= Q(local_date=exception.date, local_start__gte=start, local_end__lte=end)
            else:
                blocked |= Q(local_date=exception.date, local_start__lt=end, local_end__gt=start)
    if (
        not by_day
        and not AvailabilityException.objects.filter(
            user=user, available=True, date__gte=today
        ).exists()
    ):
        return None
    return q & ~blocked


def skills_q(user, cooperative_ids) -> Q:
    q = Q(required_skill__isnull=True)
    held = MemberSkill.objects.filter(
        user=user, skill__cooperative_id__in=cooperative_ids
    ).select_related("skill")
    plain = [ms.skill_id for ms in held if not ms.skill.requires_certificate]
    if plain:
        q |= Q(required_skill_id__in=plain)
    for ms in held:
        if ms.skill.requires_certificate and ms.certificate_expires_on:
            q |= Q(required_skill_id=ms.skill_id, local_date__lte=ms.certificate_expires_on)
    return q


def feed_for(user, filters: FeedFilters = FeedFilters(), *, now: datetime | None = None):
    """Open shifts this member can really take, nearest first within each start time.

    One SQL query (plus a few small ones for the member's own data): skill with a
    certificate valid on the day, inside the travel radius and availability, and no
    clash with the member's own claims counting travel time between the places.
    """
    now = now or timezone.now()
    profile = profile_of(user)
    if not profile.has_location:
        raise ValidationFailed(
            _("Add your home address on your profile, so we can show work near you."),
            code="no_home_location",
            field="postcode",
        )
    memberships = list(
        Membership.objects.filter(user=user, status="active").select_related("cooperative")
    )
    if not memberships:
        return Shift.objects.none()
    coop_ids = [m.cooperative_id for m in memberships]
    speed = min(m.cooperative.travel_speed_kmh for m in memberships)
    available = availability_q(user)
    if available is None:
        raise ValidationFailed(
            _("Say on your profile when you can work, so we can show shifts that fit."),
            code="no_availability",
            field="availability",
        )
    lat0, lon0 = float(profile.latitude), float(profile.longitude)
    radius = float(profile.travel_radius_km)
    if filters.max_km is not None:
        radius = min(radius, filters.max_km)
    now_minute = int(now.timestamp() // 60)
    qs = (
        Shift.objects.filter(
            cooperative_id__in=coop_ids,
            status=Shift.Status.OPEN,
            job_status__in=[Job.Status.OPEN, Job.Status.IN_PROGRESS],
            start_minute__gt=now_minute,
        )
        .filter(skills_q(user, coop_ids))
        .filter(available)
        .annotate(dist2=_dist2_expr(lat0, lon0))
        .filter(dist2__lte=radius * radius)
        .exclude(
            Exists(
                Claim.objects.filter(shift=OuterRef("pk"), user=user).exclude(
                    status__in=["withdrawn", "rejected"]
                )
            )
        )
    )
    if not filters.include_full:
        qs = qs.filter(filled__lt=F("slots"))
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.day:
        qs = qs.filter(local_date=filters.day)
    own = Claim.objects.filter(user=user, status__in=SLOT_HOLDING, end__gt=now).values(
        "start", "end", "shift__latitude", "shift__longitude"
    )
    kx, ky = _planar(lat0)
    for index, claim in enumerate(own):
        c_lat, c_lon = claim["shift__latitude"], claim["shift__longitude"]
        dx = (F("longitude") - Value(c_lon)) * Value(kx)
        dy = (F("latitude") - Value(c_lat)) * Value(ky)
        travel = ExpressionWrapper(
            Sqrt(dx * dx + dy * dy) * Value(60.0 / speed), output_field=FloatField()
        )
        name = f"travel_{index}"
        start_minute = int(claim["start"].timestamp() // 60)
        end_minute = int(claim["end"].timestamp() // 60)
        qs = qs.alias(**{name: travel}).exclude(
            Q(start_minute__lt=Value(end_minute) + F(name))
            & Q(end_minute__gt=Value(start_minute) - F(name))
        )
    return qs.order_by("start_minute", "dist2", "id").values(*FEED_FIELDS)


def feed_row(row: dict) -> dict:
    minutes = (row["end"] - row["start"]).total_seconds() / 60
    pay = row["job__member_pay"]
    return {
        "id": row["id"],
        "job": row["job_id"],
        "title": row["job__title"],
        "client": row["job__client__name"],
        "category": row["category"],
        "start": row["start"],
        "end": row["end"],
        "open_slots": row["slots"] - row["filled"],
        "slots": row["slots"],
        "street": row["job__street"],
        "postcode": row["job__postcode"],
        "skill": row["required_skill__name"],
        "distance_km": round(math.sqrt(row["dist2"]), 1),
        "pay": (pay * Decimal(int(minutes)) / 60).quantize(Decimal("0.01")),
        "latitude": row["latitude"],
        "longitude": row["longitude"],
    }


def my_claims(user, *, start: datetime, end: datetime):
    return (
        Claim.objects.filter(user=user, start__lt=end, end__gt=start)
        .exclude(status__in=["withdrawn", "rejected"])
        .select_related("shift__job__client", "timesheet")
        .order_by("start")
    )


def jobs_managed_by(user):
    """Jobs of the clients the user works for, and of cooperatives they board."""
    board_coops = Membership.objects.filter(user=user, status="active", is_board=True).values(
        "cooperative_id"
    )
    return (
        Job.objects.filter(Q(client__client_users__user=user) | Q(cooperative_id__in=board_coops))
        .distinct()
        .select_related("client", "cooperative")
    )


def jobs_with_fill_rates(cooperative):
    return (
        Job.objects.filter(cooperative=cooperative)
        .select_related("client")
        .annotate(
            shift_count=Count("shifts", filter=Q(shifts__status="open"), distinct=True),
            slot_total=Sum("shifts__slots", filter=Q(shifts__status="open")),
            slot_filled=Sum("shifts__filled", filter=Q(shifts__status="open")),
        )
        .order_by("status", "-created_at")
    )


def shifts_of_job(job):
    return (
        Shift.objects.filter(job=job).order_by("start").prefetch_related(models_prefetch_claims())
    )


def models_prefetch_claims():
    from django.db.models import Prefetch

    return Prefetch(
        "claims",
        queryset=Claim.objects.exclude(status__in=["withdrawn"])
        .select_related("user", "timesheet")
        .order_by("status", "waitlist_position", "created_at"),
    )


def timesheets_for_manager(user):
    return (
        Timesheet.objects.filter(
            Q(claim__shift__job__client__client_users__user=user)
            | Q(
                claim__shift__cooperative__memberships__user=user,
                claim__shift__cooperative__memberships__is_board=True,
                claim__shift__cooperative__memberships__status="active",
            )
        )
        .distinct()
        .select_related("claim__user", "claim__shift__job")
        .order_by("status", "-submitted_at")
    )


def week_bounds(day: date) -> tuple[datetime, datetime]:
    monday = day - timedelta(days=day.weekday())
    tz = timezone.get_current_timezone()
    start = datetime.combine(monday, datetime.min.time(), tzinfo=tz)
    return start, start + timedelta(days=7)
