"""Benefit-aware earnings limits (bijstand): the room a member has left this month.

A member on social assistance (Participatiewet) may keep a share of what they earn
(``keep_percent``), up to a monthly maximum they may keep; above that, the municipality
deducts what they earn from the benefit. So the member can earn
``monthly maximum × 100 ÷ share kept`` in a month before any of it is deducted; the
room this month is that, minus what counts as earnings this month:

* **Earnings are the member share** (``Split.member_cents``), not the client's gross: it is
  what the member receives as wage (payroll) or fee (self-employed). The benefits office
  counts the member's income, and the cooperative's pots never reach the member.
* Settled splits of the calendar month (by work date, reversals included), plus claims
  this month not settled yet, valued by the price truth (``quote_work``: the member share
  the member was shown).
* Volunteer allowances within the tax-free maximums do not count (the settlement already
  keeps what is above those maximums with the cooperative fund).
* Only while the arrangement's period covers the month.

``max_pay_rooms`` is the smallest of all the member's limits (yearly cap, volunteer monthly
and yearly maximums when they volunteer, the bijstand room): what dispatch and plan my
week may give them at most.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import Enum
from typing import TYPE_CHECKING, Literal, TypedDict, TypeVar

from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.models import Claim
from members.models import BenefitArrangement, Membership
from payouts.models import Split
from payouts.selectors import money_settings_of
from payouts.services.settlement import VolunteerAllowance
from werkstation.engagements import Engagement
from werkstation.money import format_money

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from members.models import User

    from .quotes import Quote

K = TypeVar("K", int, str)

COUNTED_STATUSES = (Claim.Status.CLAIMED, Claim.Status.CONFIRMED, Claim.Status.COMPLETED)
REMIND_DAYS_BEFORE_END = 30


def month_bounds(day: date) -> tuple[date, date]:
    first = day.replace(day=1)
    after = (first + timedelta(days=32)).replace(day=1)
    return first, after


def earning_limit_cents(arrangement: BenefitArrangement) -> int:
    """What the member may earn in a month before the municipality deducts anything."""
    return -(-arrangement.monthly_max_cents * 100 // arrangement.keep_percent)


def _aware(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


def settled_this_month(user_ids: Collection[int], day: date) -> dict[int, int]:
    """Member share of settled payroll and self-employed work this month (not volunteer)."""
    first, after = month_bounds(day)
    rows = (
        Split.objects.filter(
            member_id__in=list(user_ids), work_date__gte=first, work_date__lt=after
        )
        .exclude(engagement=Engagement.VOLUNTEER)
        .values("member_id")
        .annotate(total=Sum("member_cents"))
        .values_list("member_id", "total")
    )
    return {member_id: total or 0 for member_id, total in rows}


def unsettled_this_month(user: User, day: date) -> int:
    """Claims this month not settled yet, valued by the price truth (not volunteer work)."""
    from .quotes import Posted, quote_work

    first, after = month_bounds(day)
    claims = list(
        Claim.objects.filter(
            user=user,
            status__in=COUNTED_STATUSES,
            start__gte=_aware(first),
            start__lt=_aware(after),
        )
        .filter(~Exists(Split.objects.filter(timesheet__claim=OuterRef("pk"))))
        .select_related("shift__job__client")
    )
    work = [
        Posted.of_shift(c.shift, c.start, c.end, engagement=c.engagement or None) for c in claims
    ]
    # Priced one by one with the claim's own key, so two claims on a shift cannot collide.
    total = 0
    for item in work:
        quote = quote_work(user, [item])[item.shift_id]
        if quote.available and not quote.volunteer:
            total += quote.member_cents
    return total


class BenefitEffect(TypedDict):
    """What work beyond the member's bijstand room does (``BenefitRoom.effect``)."""

    above_cents: int
    deducted_cents: int
    keep_percent: int
    message: str


@dataclass(frozen=True)
class BenefitRoom:
    month: date
    keep_percent: int
    monthly_max_cents: int
    limit_cents: int  # what may be earned this month before deductions
    settled_cents: int
    unsettled_cents: int

    @property
    def earned_cents(self) -> int:
        return self.settled_cents + self.unsettled_cents

    @property
    def room_cents(self) -> int:
        return max(0, self.limit_cents - self.earned_cents)

    def effect(self, member_cents: int, engagement: str | None) -> BenefitEffect | None:
        """What taking work paying ``member_cents`` does: the part above the room and the
        part of it the municipality deducts. None: within the room (or volunteer work)."""
        if engagement == Engagement.VOLUNTEER:
            return None
        above = member_cents - self.room_cents
        if above <= 0:
            return None
        deducted = above * (100 - self.keep_percent) // 100
        return {
            "above_cents": above,
            "deducted_cents": deducted,
            "keep_percent": self.keep_percent,
            "message": above_room_message(above, deducted, self.keep_percent),
        }


def above_room_message(above: int, deducted: int, keep_percent: int) -> str:
    return _(
        "With this shift you earn %(above)s above your room this month; the municipality "
        "deducts %(deducted)s of it from your benefit (you may keep %(percent)s percent)."
    ) % {
        "above": format_money(above),
        "deducted": format_money(deducted),
        "percent": keep_percent,
    }


class _Unread(Enum):
    """The arrangement was not read yet (``None``: read, and there is none)."""

    UNREAD = 0


_UNREAD = _Unread.UNREAD


def benefit_room(
    user: User,
    *,
    today: date | None = None,
    arrangement: BenefitArrangement | Literal[_Unread.UNREAD] | None = _UNREAD,
) -> BenefitRoom | None:
    """The member's own room this month; None without an arrangement covering the month
    (``arrangement``: the member's, when already read)."""
    today = today or timezone.localdate()
    if arrangement is _UNREAD:
        arrangement = BenefitArrangement.objects.filter(user=user).first()
    if arrangement is None or not arrangement.covers(today):
        return None
    return BenefitRoom(
        month=today.replace(day=1),
        keep_percent=arrangement.keep_percent,
        monthly_max_cents=arrangement.monthly_max_cents,
        limit_cents=earning_limit_cents(arrangement),
        settled_cents=settled_this_month([user.pk], today).get(user.pk, 0),
        unsettled_cents=unsettled_this_month(user, today),
    )


def benefit_rooms(user_ids: Collection[int], *, today: date | None = None) -> dict[int, int]:
    """The bijstand room this month of the members with an arrangement covering it."""
    today = today or timezone.localdate()
    arrangements = [
        a
        for a in BenefitArrangement.objects.filter(user_id__in=list(user_ids)).select_related(
            "user", "user__profile"
        )
        if a.covers(today)
    ]
    if not arrangements:
        return {}
    settled = settled_this_month([a.user_id for a in arrangements], today)
    return {
        a.user_id: max(
            0,
            earning_limit_cents(a)
            - settled.get(a.user_id, 0)
            - unsettled_this_month(a.user, today),
        )
        for a in arrangements
    }


def volunteer_rooms(user_ids: Collection[int], *, today: date | None = None) -> dict[int, int]:
    """For members who volunteer: what is left of the volunteer allowance maximums (per
    month and per year, the smallest, over their cooperatives)."""
    today = today or timezone.localdate()
    by_cooperative: dict[int, set[int]] = defaultdict(set)
    for user_id, cooperative_id in Membership.objects.filter(
        user_id__in=list(user_ids),
        status=Membership.Status.ACTIVE,
        engagement=Engagement.VOLUNTEER,
    ).values_list("user_id", "cooperative_id"):
        by_cooperative[cooperative_id].add(user_id)
    rooms: dict[int, int] = {}
    for cooperative_id, members in by_cooperative.items():
        allowance = VolunteerAllowance.load(
            cooperative_id, money_settings_of(cooperative_id), members, today
        )
        month_max, year_max = allowance.maximums(today)
        for member in members:
            room = min(
                month_max - allowance.month[(member, today.year, today.month)],
                year_max - allowance.year[(member, today.year)],
            )
            rooms[member] = min(rooms.get(member, room), max(0, room))
    return rooms


def max_pay_rooms(user_ids: Collection[int], *, today: date | None = None) -> dict[int, int]:
    """The smallest room of each member with any limit besides the yearly cap (volunteer
    maximums, bijstand); the yearly cap room is added by the work context."""
    rooms: dict[int, int] = {}
    for found in (volunteer_rooms(user_ids, today=today), benefit_rooms(user_ids, today=today)):
        for user_id, room in found.items():
            rooms[user_id] = min(rooms.get(user_id, room), room)
    return rooms


def benefit_effects(user: User, quotes: Mapping[K, Quote]) -> dict[K, BenefitEffect]:
    """For quotes by key: the effect of each beyond the member's bijstand room of its month
    (only keys with an effect; one room read per month)."""
    rooms: dict[date, BenefitRoom | None] = {}
    effects: dict[K, BenefitEffect] = {}
    arrangement = BenefitArrangement.objects.filter(user=user).first() if quotes else None
    if arrangement is None:
        return effects  # one query, whatever the number of quotes
    for key, quote in quotes.items():
        month = quote.work_date.replace(day=1)
        if month not in rooms:
            rooms[month] = benefit_room(user, today=month, arrangement=arrangement)
        room = rooms[month]
        effect = room.effect(quote.member_cents, quote.engagement) if room else None
        if effect is not None:
            effects[key] = effect
    return effects
