from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Count,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Membership, User
from members.selectors import MemberWorkContext, member_work_context
from werkstation.errors import ValidationFailed
from werkstation.money import decimal_string, pay_for_minutes, to_minor

from .models import SLOT_HOLDING, Claim, Client, ClientLinkRequest, ClientUser, Job, Timesheet


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


def client_ids_of_user(user) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(ClientUser.objects.filter(user=user).values_list("client_id", flat=True))


def client_cooperatives_for(viewer, client: Client, *, own_client_ids: set[int] | None = None):
    """The cooperatives of ``client`` the viewer may know about: every link for the client's
    own users, only their own cooperatives for a board member or treasurer. For a list, pass
    ``own_client_ids`` (``client_ids_of_user``) so it takes no query per client."""
    from members.access import has_role

    if own_client_ids is None:
        own_client_ids = client_ids_of_user(viewer)
    cooperatives = list(client.cooperatives.all())
    if client.pk in own_client_ids:
        return cooperatives
    return [c for c in cooperatives if has_role(viewer, c.pk, "board", "treasurer")]


def client_link_requests_of_client(client: Client) -> QuerySet[ClientLinkRequest]:
    return ClientLinkRequest.objects.filter(client=client).select_related("cooperative", "client")


def client_link_requests_of_cooperative(cooperative) -> QuerySet[ClientLinkRequest]:
    """What the board sees: requests from clients and the invitations it sent. A client
    shows here only because it asked (or accepted)."""
    return ClientLinkRequest.objects.filter(cooperative=cooperative).select_related(
        "cooperative", "client"
    )


def clients_of_cooperative(cooperative) -> QuerySet[Client]:
    return Client.objects.filter(links__cooperative=cooperative).order_by("name")


def client_users_of(client: Client) -> QuerySet[ClientUser]:
    return (
        ClientUser.objects.filter(client=client).select_related("user").order_by("user__full_name")
    )


# --- The marketplace -----------------------------------------------------------------


KM_PER_DEG_LAT = 110.574
SLOT_HOLDING_SQL = "(" + ", ".join(f"'{status}'" for status in SLOT_HOLDING) + ")"
# The columns of a feed row, in the order the feed query selects them.
FEED_COLUMNS = (
    "id",
    "start",
    "end",
    "slots",
    "filled",
    "category",
    "latitude",
    "longitude",
    "local_date",
    "job_id",
    "job__title",
    "job__street",
    "job__postcode",
    "job__member_pay",
    "job__client__name",
    "required_skill__name",
    "dist2",
)


@dataclass(frozen=True)
class FeedFilters:
    category: str | None = None
    day: date | None = None
    max_km: float | None = None
    include_full: bool = False
    created_since: datetime | None = None


def _planar(lat0: float) -> tuple[float, float]:
    """Kilometres per degree of longitude and latitude around ``lat0`` (a local plane)."""
    return 111.320 * math.cos(math.radians(lat0)), KM_PER_DEG_LAT


def _merge_windows(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[list[int]] = []
    for start, end in sorted(windows):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


class _Sql:
    """A WHERE clause built from fixed fragments; every value travels as a parameter."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.params: list = []

    def add(self, fragment: str, *params) -> None:
        self.parts.append(fragment)
        self.params.extend(params)

    @property
    def where(self) -> str:
        return " AND ".join(f"({part})" for part in self.parts)


def _availability_sql(context: MemberWorkContext, sql: _Sql) -> bool:
    """Shifts inside one of the member's windows (touching windows count as one), dated
    exceptions applied. False when the member has said nothing about when they work."""
    by_day: dict[int, list[tuple[int, int]]] = {}
    for weekday, start, end in context.windows:
        by_day.setdefault(weekday, []).append((start, end))
    inside, params = [], []
    for weekday, windows in by_day.items():
        for start, end in _merge_windows(windows):
            inside.append("(s.local_weekday = %s AND s.local_start >= %s AND s.local_end <= %s)")
            params += [weekday, start, end]
    blocked, blocked_params = [], []
    today = timezone.localdate()
    for day, available, start, end in context.exceptions:
        if day < today:
            continue
        if start is None:  # the whole day
            fragment, values = "(s.local_date = %s)", [day]
        elif available:
            fragment, values = (
                "(s.local_date = %s AND s.local_start >= %s AND s.local_end <= %s)",
                [day, start, end],
            )
        else:
            fragment, values = (
                "(s.local_date = %s AND s.local_start < %s AND s.local_end > %s)",
                [day, end, start],
            )
        if available:
            inside.append(fragment)
            params += values
        else:
            blocked.append(fragment)
            blocked_params += values
    if not inside:
        return False
    sql.add(" OR ".join(inside), *params)
    if blocked:
        sql.add("NOT (" + " OR ".join(blocked) + ")", *blocked_params)
    return True


def _skills_sql(context: MemberWorkContext, sql: _Sql) -> None:
    """No skill needed, or one the member holds, with a certificate valid on the day."""
    options, params = ["s.required_skill_id IS NULL"], []
    for skill_id, _coop, needs_certificate, valid_until in context.skills:
        if not needs_certificate:
            options.append("s.required_skill_id = %s")
            params.append(skill_id)
        elif valid_until is not None:
            options.append("(s.required_skill_id = %s AND s.local_date <= %s)")
            params += [skill_id, valid_until]
    sql.add(" OR ".join(options), *params)


def feed_query(user, filters: FeedFilters, *, limit: int, offset: int, now: datetime | None = None):
    """The feed as one parameterised SQL query: one page of rows, plus the total.

    Open shifts this member can really take: in their cooperatives, with the skill and a
    certificate valid on the day, inside the travel radius and their availability, not
    already claimed, and with no clash with their own slot-holding claims counting travel
    time between the places (planar kilometres around the member's home, as the
    dispatcher measures them). Sorted by start, then distance.

    Hand written because it is the platform's hottest query: building it through the
    ORM's expression tree cost more than running it. Every fragment is a fixed string of
    this module; all values travel as parameters.
    """
    now = now or timezone.now()
    context = member_work_context(user)
    if not context.has_location:
        raise ValidationFailed(
            _("Add your home address on your profile, so we can show work near you."),
            code="no_home_location",
            field="postcode",
        )
    sql = _Sql()
    if not context.cooperatives:
        sql.add("1 = 0")
    else:
        coop_ids = [coop_id for coop_id, _speed in context.cooperatives]
        sql.add("s.cooperative_id IN (" + ", ".join(["%s"] * len(coop_ids)) + ")", *coop_ids)
    sql.add("s.status = 'open' AND s.job_status IN ('open', 'in_progress')")
    sql.add("s.start_minute > %s", int(now.timestamp() // 60))
    if not _availability_sql(context, sql):
        raise ValidationFailed(
            _("Say on your profile when you can work, so we can show shifts that fit."),
            code="no_availability",
            field="availability",
        )
    _skills_sql(context, sql)
    lat0, lon0 = context.latitude, context.longitude
    kx, ky = _planar(lat0)
    radius = context.radius_km if filters.max_km is None else min(context.radius_km, filters.max_km)
    dist2 = "((s.longitude - %s) * %s) * ((s.longitude - %s) * %s) + ((s.latitude - %s) * %s) * ((s.latitude - %s) * %s)"
    dist2_params = [lon0, kx, lon0, kx, lat0, ky, lat0, ky]
    sql.add(f"{dist2} <= %s", *dist2_params, radius * radius)
    if not filters.include_full:
        sql.add("s.filled < s.slots")
    if filters.category:
        sql.add("s.category = %s", filters.category)
    if filters.day:
        sql.add("s.local_date = %s", filters.day)
    if filters.created_since:
        sql.add("s.created_at >= %s", filters.created_since)
    sql.add(
        "NOT EXISTS (SELECT 1 FROM jobs_job bj JOIN jobs_blockedclient b ON b.client_id = bj.client_id"
        " WHERE bj.id = s.job_id AND b.user_id = %s)",
        user.pk,
    )
    sql.add(
        "NOT EXISTS (SELECT 1 FROM jobs_claim c WHERE c.shift_id = s.id AND c.user_id = %s"
        " AND c.status NOT IN ('withdrawn', 'rejected'))",
        user.pk,
    )
    # The clash test against the member's own claims. A shift within the radius is at
    # most (home→claim + radius) from the claim, which bounds the travel time; the
    # cheap bound settles most pairs before a square root is taken.
    speed = min((s for _coop, s in context.cooperatives), default=15)
    per_km = 60.0 / speed
    gap = "SQRT(((s.longitude - cs.longitude) * %s) * ((s.longitude - cs.longitude) * %s) + ((s.latitude - cs.latitude) * %s) * ((s.latitude - cs.latitude) * %s)) * %s"
    reach = "(SQRT(((cs.longitude - %s) * %s) * ((cs.longitude - %s) * %s) + ((cs.latitude - %s) * %s) * ((cs.latitude - %s) * %s)) + %s) * %s"
    reach_params = [lon0, kx, lon0, kx, lat0, ky, lat0, ky, radius, per_km]
    gap_params = [kx, kx, ky, ky, per_km]
    sql.add(
        "NOT EXISTS (SELECT 1 FROM jobs_claim c JOIN jobs_shift cs ON cs.id = c.shift_id"  # noqa: S608
        f' WHERE c.user_id = %s AND c.status IN {SLOT_HOLDING_SQL} AND c."end" > %s'
        f" AND s.start_minute < cs.end_minute + {reach} AND s.end_minute > cs.start_minute - {reach}"
        f" AND s.start_minute < cs.end_minute + {gap} AND s.end_minute > cs.start_minute - {gap})",
        user.pk,
        now,
        *reach_params,
        *reach_params,
        *gap_params,
        *gap_params,
    )
    query = (
        'SELECT s.id, s.start, s."end", s.slots, s.filled, s.category, s.latitude, s.longitude, s.local_date,'  # noqa: S608
        " s.job_id, j.title, j.street, j.postcode, j.member_pay, cl.name, sk.name, page.dist2"
        f" FROM (SELECT s.id, {dist2} AS dist2, s.start_minute"
        f" FROM jobs_shift s WHERE {sql.where}"
        " ORDER BY s.start_minute, dist2, s.id LIMIT %s OFFSET %s) page"
        " JOIN jobs_shift s ON s.id = page.id JOIN jobs_job j ON j.id = s.job_id"
        " JOIN jobs_client cl ON cl.id = j.client_id LEFT JOIN members_skill sk ON sk.id = s.required_skill_id"
        " ORDER BY page.start_minute, page.dist2, page.id"
    )
    return query, [*dist2_params, *sql.params, limit, offset]


@dataclass(frozen=True)
class FeedPage:
    number: int
    size: int
    rows: list[dict]
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def feed_page(
    user, filters: FeedFilters = FeedFilters(), *, number: int = 1, size: int = 50, now=None
) -> FeedPage:
    """One page of the feed in one query.

    There is no total: counting would make the database evaluate every candidate, while
    the first page needs only the first ``size + 1`` in start order (the extra row says
    whether there is a next page).
    """
    number = max(1, number)
    query, params = feed_query(user, filters, limit=size + 1, offset=(number - 1) * size, now=now)
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        rows = [dict(zip(FEED_COLUMNS, values, strict=True)) for values in cursor.fetchall()]
    for row in rows:  # SQLite hands back text where PostgreSQL hands back typed values
        row["job__member_pay"] = Decimal(str(row["job__member_pay"]))
        for name in ("start", "end"):
            if isinstance(row[name], str):
                row[name] = datetime.fromisoformat(row[name]).replace(tzinfo=UTC)
    return FeedPage(number=number, size=size, rows=rows[:size], has_next=len(rows) > size)


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
        "pay": decimal_string(pay_for_minutes(to_minor(pay), int(minutes))),
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
