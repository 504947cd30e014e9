from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.db import connection
from django.db.models import (
    Count,
    Q,
    QuerySet,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Cooperative, Membership, User
from payouts.selectors.benefit_room import benefit_effects
from payouts.selectors.quotes import Posted, Quote, quote_work
from werkstation.engagements import ordered
from werkstation.errors import NotFound, ValidationFailed
from werkstation.money import decimal_string, to_minor

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from payouts.selectors import SplitTrace

from jobs import eligibility
from jobs.models import (
    Claim,
    Client,
    ClientLinkRequest,
    ClientUser,
    DispatchRun,
    Job,
    Offer,
    Timesheet,
)


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


def client_ids_of_user(user: User | AnonymousUser) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    member = cast("User", user)  # authenticated: not the anonymous user
    return set(ClientUser.objects.filter(user=member).values_list("client_id", flat=True))


def client_cooperatives_for(
    viewer: User | AnonymousUser, client: Client, *, own_client_ids: set[int] | None = None
) -> list[Cooperative]:
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


def client_link_requests_of_cooperative(
    cooperative: Cooperative | int,
) -> QuerySet[ClientLinkRequest]:
    """What the board sees: requests from clients and the invitations it sent. A client
    shows here only because it asked (or accepted)."""
    return ClientLinkRequest.objects.filter(cooperative=cooperative).select_related(
        "cooperative", "client"
    )


def clients_of_cooperative(cooperative: Cooperative | int) -> QuerySet[Client]:
    return Client.objects.filter(links__cooperative=cooperative).order_by("name")


def client_users_of(client: Client) -> QuerySet[ClientUser]:
    return (
        ClientUser.objects.filter(client=client).select_related("user").order_by("user__full_name")
    )


# --- The marketplace -----------------------------------------------------------------


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
    "job__client_tariff",
    "job__client__name",
    "job__client__kind",
    "cooperative_id",
    "required_skill__name",
    "dist2",
    "job__engagements",
)


@dataclass(frozen=True)
class FeedFilters:
    category: str | None = None
    day: date | None = None
    max_km: float | None = None
    include_full: bool = False
    created_since: datetime | None = None


def feed_query(
    user: User, filters: FeedFilters, *, limit: int, offset: int, now: datetime | None = None
) -> tuple[str, list[Any]]:
    """The feed as one parameterised SQL query: one page of rows, plus the total.

    Open shifts this member can really take — ``jobs.eligibility``'s rules as SQL: in
    their cooperatives, with the skill and a certificate valid on the day, inside their
    availability and travel radius, no blocked client, not already claimed, and with no
    clash with their own slot-holding claims counting travel time — with the free slot
    and the filters asked for. Sorted by start, then distance.

    Hand written because it is the platform's hottest query: building it through the
    ORM's expression tree cost more than running it. Every fragment is a fixed string;
    all values travel as parameters.
    """
    now = now or timezone.now()
    facts = eligibility.member_facts(user)
    if not facts.has_location:
        raise ValidationFailed(
            _("Add your home address on your profile, so we can show work near you."),
            code="no_home_location",
            field="postcode",
        )
    radius = facts.radius_km if filters.max_km is None else min(facts.radius_km, filters.max_km)
    sql = eligibility.Sql()
    if not eligibility.eligible_sql(
        facts,
        sql,
        user_id=user.pk,
        now_minute=eligibility.epoch_minute(now),
        radius=radius,
        today=timezone.localdate(),
    ):
        raise ValidationFailed(
            _("Say on your profile when you can work, so we can show shifts that fit."),
            code="no_availability",
            field="availability",
        )
    if not filters.include_full:
        sql.add("s.filled < s.slots")
    if filters.category:
        sql.add("s.category = %s", filters.category)
    if filters.day:
        sql.add("s.local_date = %s", filters.day)
    if filters.created_since:
        sql.add("s.created_at >= %s", filters.created_since)
    dist2, dist2_params = eligibility.distance2_sql(eligibility.plane_of(facts))
    query = (
        'SELECT s.id, s.start, s."end", s.slots, s.filled, s.category, s.latitude, s.longitude, s.local_date,'  # noqa: S608
        " s.job_id, j.title, j.street, j.postcode, j.client_tariff, cl.name, cl.kind, s.cooperative_id,"
        " sk.name, page.dist2, j.engagements"
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
    rows: list[dict[str, Any]]
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def feed_page(
    user: User,
    filters: FeedFilters = FeedFilters(),
    *,
    number: int = 1,
    size: int = 50,
    now: datetime | None = None,
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
        row["job__client_tariff"] = Decimal(str(row["job__client_tariff"]))
        if isinstance(row["job__engagements"], str):  # jsonb arrives parsed, SQLite's as text
            row["job__engagements"] = json.loads(row["job__engagements"])
        for name in ("start", "end"):
            if isinstance(row[name], str):
                row[name] = datetime.fromisoformat(row[name])
            if row[name].tzinfo is None:  # SQLite stores UTC without an offset
                row[name] = row[name].replace(tzinfo=UTC)
    rows, has_next = rows[:size], len(rows) > size
    quotes = quote_work(user, [_posted(row) for row in rows])
    effects = benefit_effects(user, quotes)
    for row in rows:
        row["quote"] = quotes[row["id"]]
        row["benefit_effect"] = effects.get(row["id"])
    return FeedPage(number=number, size=size, rows=rows, has_next=has_next)


def _posted(row: dict[str, Any]) -> Posted[int]:
    return Posted(
        shift_id=row["id"],
        cooperative_id=row["cooperative_id"],
        start=row["start"],
        end=row["end"],
        tariff_cents=to_minor(row["job__client_tariff"]),
        category=row["category"],
        client_kind=row["job__client__kind"],
        engagements=tuple(ordered(row["job__engagements"])),
    )


def quote_breakdown(quote: Quote, effect: dict[str, Any] | None = None) -> dict[str, Any]:
    """A quote as pages and the API show it: the member's amount, what it is, and the pots;
    ``effect``: beyond the member's bijstand room, what is above it and what the
    municipality deducts (``payouts.selectors.benefit_room``)."""
    return {
        "above_benefit_room": decimal_string(effect["above_cents"]) if effect else None,
        "benefit_deduction": decimal_string(effect["deducted_cents"]) if effect else None,
        "benefit_warning": effect["message"] if effect else "",
        "pay": decimal_string(quote.member_cents),
        "pay_kind": pay_kind(quote),
        "paid_minutes": quote.minutes,
        "break_minutes": quote.break_minutes,
        "tariff": decimal_string(quote.tariff_cents),
        "gross": decimal_string(quote.gross_cents),
        "pots": [
            {"pot": pot.slug, "label": pot.label, "amount": decimal_string(pot.cents)}
            for pot in quote.pots
        ],
        "above_volunteer_maximum": decimal_string(quote.withheld_cents),
        "crosses_volunteer_maximum": quote.crosses_volunteer_maximum,
        "engagement": quote.engagement,
        "choose_engagement": quote.choose_engagement,
        "self_billing_vat": quote.self_billing_vat,
        "rule_set_version": quote.rule_set_version,
    }


def _benefit(user: User, today: date) -> dict[str, Any] | None:
    """The member's bijstand room this month (their own view only)."""
    from members.services.benefits import benefit_arrangement_of, ends_soon, last_day_of
    from payouts.selectors.benefit_room import benefit_room

    room = benefit_room(user, today=today)
    arrangement = benefit_arrangement_of(user) if room is not None else None
    if room is None or arrangement is None:
        return None
    return {
        "room_cents": room.room_cents,
        "earned_cents": room.earned_cents,
        "limit_cents": room.limit_cents,
        "keep_percent": room.keep_percent,
        "ends_on": last_day_of(arrangement),
        "ends_soon": ends_soon(arrangement, today),
    }


def pay_kind(quote: Quote) -> str:
    """What the member's amount is: the code pages word by the member's engagement."""
    if quote.legal_figures_missing:
        return "legal_figures_missing"
    if not quote.available:
        return "no_rules"
    if quote.payroll:
        return "gross_wage"
    if quote.volunteer:
        return "volunteer_allowance"
    return "fee"


def feed_row(row: dict[str, Any]) -> dict[str, Any]:
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
        **quote_breakdown(row["quote"], row.get("benefit_effect")),
        "latitude": row["latitude"],
        "longitude": row["longitude"],
    }


def my_claims(user: User, *, start: datetime, end: datetime) -> QuerySet[Claim]:
    return (
        Claim.objects.filter(user=user, start__lt=end, end__gt=start)
        .exclude(status__in=["withdrawn", "rejected"])
        .select_related("shift__job__client", "timesheet")
        .order_by("start")
    )


def jobs_managed_by(user: User) -> QuerySet[Job]:
    """Jobs of the clients the user works for, and of cooperatives they board."""
    board_coops = Membership.objects.filter(user=user, status="active", is_board=True).values(
        "cooperative_id"
    )
    return (
        Job.objects.filter(Q(client__client_users__user=user) | Q(cooperative_id__in=board_coops))
        .distinct()
        .select_related("client", "cooperative")
    )


def jobs_with_fill_rates(cooperative: Cooperative | int) -> QuerySet[Job]:
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


def timesheets_for_manager(user: User) -> QuerySet[Timesheet]:
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


# --- The member's to-do list (the home page and GET /api/v1/me/todo/) ----------------


def map_url(latitude: Decimal | float, longitude: Decimal | float) -> str:
    """An OpenStreetMap map centred on a place (the shift page's link)."""
    return (
        f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}"
        f"#map=17/{latitude}/{longitude}"
    )


def route_url(
    home: tuple[Decimal | None, Decimal | None] | None,
    latitude: Decimal | float,
    longitude: Decimal | float,
) -> str | None:
    """OpenStreetMap directions by bicycle from the member's home to a place; None without a
    home location."""
    if home is None:
        return None
    return (
        "https://www.openstreetmap.org/directions?engine=fossgis_osrm_bike"
        f"&route={home[0]}%2C{home[1]}%3B{latitude}%2C{longitude}"
    )


def _payout_summary(user: User, trace: dict[int, SplitTrace]) -> dict[str, Any]:
    """What of the member's net earnings waits for the client, is payable, is in a payout
    batch not yet sent, is sent to the bank, or is paid (this year's payments)."""
    from payouts.models import PayoutBatch, PayoutItem, Split

    net = dict(Split.objects.filter(member=user).values_list("id", "member_cents"))
    totals = {"awaiting_cents": 0, "payable_cents": 0}
    for split_id, entry in trace.items():
        status = entry["status"]
        paid = sum(part["amount_cents"] for part in entry["items"])
        if status == "awaiting_payment":
            totals["awaiting_cents"] += net.get(split_id, 0)
        elif status in ("payable", "advanced", "partly_paid"):
            totals["payable_cents"] += net.get(split_id, 0) - paid
    year_start = timezone.localdate().replace(month=1, day=1)
    items = PayoutItem.objects.filter(member=user).aggregate(
        in_batch=Sum(
            "amount_cents",
            filter=Q(
                status=PayoutItem.Status.PENDING,
                batch__status__in=[PayoutBatch.Status.DRAFT, PayoutBatch.Status.APPROVED],
            ),
        ),
        sent=Sum("amount_cents", filter=Q(status=PayoutItem.Status.SENT)),
        paid=Sum(
            "amount_cents", filter=Q(status=PayoutItem.Status.PAID, paid_at__date__gte=year_start)
        ),
    )
    last = (
        PayoutItem.objects.filter(member=user, status=PayoutItem.Status.PAID)
        .order_by("-paid_at", "-id")
        .values("amount_cents", "paid_at")
        .first()
    )
    # What is in a batch is still counted as payable by the trace: show it once.
    in_batch = items["in_batch"] or 0
    return {
        **totals,
        "payable_cents": max(0, totals["payable_cents"] - in_batch),
        "in_batch_cents": in_batch,
        "sent_cents": items["sent"] or 0,
        "paid_this_year_cents": items["paid"] or 0,
        "last_paid_cents": last["amount_cents"] if last else None,
        "last_paid_at": last["paid_at"] if last else None,
    }


def _volunteer_limits(
    user: User, cooperatives: dict[int, str], volunteer_coops: set[int], day: date
) -> list[dict[str, Any]]:
    """For each cooperative the member volunteers in: the allowance maximum this month and
    what they received under it."""
    from payouts.selectors import money_settings_of
    from payouts.services.settlement import VolunteerAllowance

    rows: list[dict[str, Any]] = []
    for cooperative_id in sorted(volunteer_coops):
        allowance = VolunteerAllowance.load(
            cooperative_id, money_settings_of(cooperative_id), {user.pk}, day
        )
        month_max, _year_max = allowance.maximums(day)
        received = allowance.month.get((user.pk, day.year, day.month), 0)
        rows.append(
            {
                "cooperative": cooperatives[cooperative_id],
                "month_max_cents": month_max,
                "received_cents": received,
                "left_cents": max(0, month_max - received),
            }
        )
    return rows


def member_todo(user: User, now: datetime | None = None) -> dict[str, Any]:
    """What a member has to do or know now, for their home page and the API.

    A bounded number of queries whatever the number of claims, offers or votes (about
    twenty; a few more per cooperative the member volunteers in). A user without an active
    membership gets ``member: False`` and empty lists."""
    from jobs.models import Offer
    from members.models import Profile, Proposal
    from payouts.models import Split
    from payouts.selectors import payout_trace
    from payouts.services.earnings_caps import earnings_cap_status
    from werkstation.engagements import Engagement

    now = now or timezone.now()
    today = timezone.localdate(now)
    memberships = list(
        Membership.objects.filter(user=user, status="active").select_related("cooperative")
    )
    empty: dict[str, Any] = {
        "member": bool(memberships),
        "next_shift": None,
        "offers": [],
        "hours_to_log": [],
        "votes": [],
        "earnings": None,
        "payout": None,
    }
    if not memberships:
        return empty
    cooperatives = {m.cooperative_id: m.cooperative.name for m in memberships}
    profile = Profile.objects.filter(user=user).first()
    home = (
        (profile.latitude, profile.longitude)
        if profile is not None and profile.has_location
        else None
    )

    def shift_row(claim_or_offer: Claim | Offer) -> dict[str, Any]:
        shift = claim_or_offer.shift
        job = shift.job
        return {
            "shift_id": shift.pk,
            "job": job.title,
            "client": job.client.name,
            "cooperative": cooperatives.get(shift.cooperative_id, ""),
            "start": shift.start,
            "end": shift.end,
            "minutes": shift.duration_minutes,
            "address": f"{job.street}, {job.postcode} {job.city}",
            "map_url": map_url(shift.latitude, shift.longitude),
            "route_url": route_url(home, shift.latitude, shift.longitude),
        }

    mine = Claim.objects.filter(user=user, shift__cooperative_id__in=list(cooperatives))
    following = "shift__job__client"
    upcoming = (
        mine.filter(status__in=["claimed", "confirmed"], end__gt=now)
        .select_related(following)
        .order_by("start", "pk")
        .first()
    )
    next_shift = None
    if upcoming is not None:
        next_shift = {
            "claim_id": upcoming.pk,
            "status": upcoming.status,
            **shift_row(upcoming),
        }

    offers = [
        {
            "kind": "dispatch",
            "id": offer.pk,
            "deadline": offer.deadline,
            "reason": offer.reason,
            **shift_row(offer),
        }
        for offer in Offer.objects.filter(
            user=user,
            status=Offer.Status.OPEN,
            deadline__gte=now,
            shift__cooperative_id__in=list(cooperatives),
        ).select_related(following)
    ]
    offers += [
        {
            "kind": "waitlist",
            "id": claim.pk,
            "deadline": claim.offer_expires_at,
            "reason": "",
            **shift_row(claim),
        }
        for claim in mine.filter(status="offered")
        .filter(Q(offer_expires_at__isnull=True) | Q(offer_expires_at__gte=now))
        .select_related(following)
    ]
    offers.sort(key=lambda o: (o["deadline"] is None, o["deadline"] or now, o["start"]))

    hours_to_log = [
        {"claim_id": claim.pk, **shift_row(claim)}
        for claim in mine.filter(
            status__in=["claimed", "confirmed"], end__lte=now, timesheet__isnull=True
        )
        .select_related(following)
        .order_by("start", "pk")
    ]

    votes = [
        {
            "proposal_id": proposal.pk,
            "title": proposal.title,
            "cooperative": cooperatives.get(proposal.cooperative_id, ""),
            "closes_at": proposal.closes_at,
        }
        for proposal in Proposal.objects.filter(
            cooperative_id__in=list(cooperatives),
            status=Proposal.Status.OPEN,
            opens_at__lte=now,
            closes_at__gt=now,
            electorate__user=user,
        )
        .exclude(votes__voter=user)
        .order_by("closes_at", "pk")
    ]

    month_start = today.replace(day=1)
    month = Split.objects.filter(member=user, work_date__gte=month_start).aggregate(
        net=Sum("member_cents"),
        minutes=Sum("minutes", filter=~Q(kind=Split.Kind.REVERSAL) & Q(reversed_by__isnull=True)),
    )
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    weekly = profile.target_hours_per_week if profile is not None else 0
    volunteer_coops = {
        m.cooperative_id for m in memberships if m.engagement == Engagement.VOLUNTEER
    }
    volunteer_coops |= set(
        mine.filter(engagement=Engagement.VOLUNTEER).values_list("shift__cooperative_id", flat=True)
    )
    earnings = {
        "month": month_start,
        "earned_cents": month["net"] or 0,
        "minutes": month["minutes"] or 0,
        # The weekly target over the month's days.
        "target_minutes": round(weekly * 60 * (next_month - month_start).days / 7)
        if weekly
        else None,
        "cap": earnings_cap_status(user=user, today=today),
        "volunteer": _volunteer_limits(user, cooperatives, volunteer_coops, today),
        "benefit": _benefit(user, today),
    }
    return {
        **empty,
        "next_shift": next_shift,
        "offers": offers,
        "hours_to_log": hours_to_log,
        "votes": votes,
        "earnings": earnings,
        "payout": _payout_summary(user, payout_trace(user)),
    }


def dispatch_run_of(cooperative_id: int, run_id: int) -> DispatchRun:
    """One of the cooperative's dispatch runs; another cooperative's is not found."""
    run = DispatchRun.objects.filter(cooperative_id=cooperative_id, pk=run_id).first()
    if run is None:
        raise NotFound(_("Dispatch run not found."), field="run")
    return run


def dispatch_run_offers(run: DispatchRun) -> QuerySet[Offer]:
    """The offers a run made, in shift order, with the member, shift and job."""
    return (
        Offer.objects.filter(run=run)
        .select_related("user", "shift__job")
        .order_by("shift__start", "shift_id", "pk")
    )
