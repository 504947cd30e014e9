"""Yearly earnings caps: warn members as they approach theirs; show the board who would pass.

Members on benefits or a volunteer allowance must not earn more than a yearly limit
(``Profile.yearly_earnings_cap``). Earnings are counted the way
``payouts.selectors.earnings_this_year`` counts them (the gross of settled work this
calendar year, reversals included); confirmed claims still ahead this year are valued
the same way (the client tariff for their minutes), so the two add up.

A member is e-mailed once per year at each of ``WARN_AT_PERCENT`` (a unique row per
member, year and percent; the member's profile row is locked while deciding, so two
runs at once send one e-mail). The board and the treasury see who would pass their cap;
the cap itself is sensitive (only the member and the treasurer see amounts), so the
board sees percentages, and every read is in the audit trail.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import NotRequired, TypedDict

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs.models import Claim
from members.access import has_role, require_role
from members.models import Cooperative, Membership, Profile, User
from payouts.audit_actions import PayoutAction
from payouts.models import EarningsCapWarning, Split
from werkstation.audit import audit_record
from werkstation.locks import lock_one
from werkstation.money import to_minor

from .settlement import gross_cents

WARN_AT_PERCENT = (80, 100)


def _cap_cents(profile: Profile) -> int | None:
    cap = profile.yearly_earnings_cap
    return None if cap is None else to_minor(cap.amount)


def earned_this_year(user_ids: list[int], year: int) -> dict[int, int]:
    """``earnings_this_year`` for many members in one query."""
    rows = (
        Split.objects.filter(member_id__in=user_ids, work_date__year=year)
        .values("member_id")
        .annotate(total=Sum("gross_cents"))
    )
    return {row["member_id"]: row["total"] or 0 for row in rows}


def upcoming_this_year(user_ids: list[int], today: date) -> dict[int, int]:
    """Confirmed claims from now to the end of the year, valued as settlement would."""
    now = timezone.now()
    year_end = timezone.make_aware(datetime.combine(date(today.year + 1, 1, 1), time()))
    totals: dict[int, int] = {}
    claims = Claim.objects.filter(
        user_id__in=user_ids, status=Claim.Status.CONFIRMED, start__gte=now, start__lt=year_end
    ).values_list("user_id", "start", "end", "shift__job__client_tariff")
    for user_id, start, end, tariff in claims:
        minutes = int((end - start).total_seconds() // 60)
        totals[user_id] = totals.get(user_id, 0) + gross_cents(to_minor(tariff), minutes)
    return totals


def _percent(part: int, whole: int) -> int:
    return 100 * part // whole if whole > 0 else 0


class CapStatus(TypedDict):
    """A member's yearly earnings cap as they see it (``earnings_cap_status``)."""

    year: int
    cap_cents: int
    earned_cents: int
    upcoming_cents: int
    left_cents: int
    percent: int
    projected_percent: int
    would_pass: bool
    warned_at: list[int]


class CapRow(TypedDict):
    """One member in the board's overview; the amounts for the treasurer only."""

    member_id: int
    name: str
    percent: int
    projected_percent: int
    would_pass: bool
    cap_cents: NotRequired[int]
    earned_cents: NotRequired[int]
    upcoming_cents: NotRequired[int]


def earnings_cap_status(*, user: User, today: date | None = None) -> CapStatus | None:
    """The member's own view: cap, earned so far, confirmed upcoming, and the warnings sent."""
    today = today or timezone.localdate()
    profile = Profile.objects.filter(user=user).first()
    cap = _cap_cents(profile) if profile else None
    if not cap:
        return None
    earned = earned_this_year([user.pk], today.year).get(user.pk, 0)
    upcoming = upcoming_this_year([user.pk], today).get(user.pk, 0)
    return {
        "year": today.year,
        "cap_cents": cap,
        "earned_cents": earned,
        "upcoming_cents": upcoming,
        "left_cents": max(0, cap - earned),
        "percent": _percent(earned, cap),
        "projected_percent": _percent(earned + upcoming, cap),
        "would_pass": earned + upcoming > cap,
        "warned_at": sorted(
            EarningsCapWarning.objects.filter(member=user, year=today.year).values_list(
                "percent", flat=True
            )
        ),
    }


def earnings_caps_overview(
    *, actor: User, cooperative: Cooperative, today: date | None = None
) -> list[CapRow]:
    """Active members with a cap, those who would pass it first (board and treasury)."""
    require_role(actor, cooperative, "board", "treasurer")
    today = today or timezone.localdate()
    profiles = list(
        Profile.objects.filter(
            user__memberships__cooperative=cooperative,
            user__memberships__status=Membership.Status.ACTIVE,
            yearly_earnings_cap__isnull=False,
        ).select_related("user")
    )
    ids = [p.user_id for p in profiles]
    earned = earned_this_year(ids, today.year)
    upcoming = upcoming_this_year(ids, today)
    amounts = has_role(actor, cooperative, "treasurer")
    rows: list[CapRow] = []
    for profile in profiles:
        cap = _cap_cents(profile)
        if not cap:
            continue
        e, u = earned.get(profile.user_id, 0), upcoming.get(profile.user_id, 0)
        row: CapRow = {
            "member_id": profile.user_id,
            "name": profile.user.full_name,
            "percent": _percent(e, cap),
            "projected_percent": _percent(e + u, cap),
            "would_pass": e + u > cap,
        }
        if amounts:
            row |= {"cap_cents": cap, "earned_cents": e, "upcoming_cents": u}
        rows.append(row)
    rows.sort(key=lambda r: (not r["would_pass"], -r["projected_percent"], r["name"]))
    audit_record(
        actor=actor,
        action=PayoutAction.EARNINGS_CAPS_READ,
        cooperative_id=cooperative.pk,
        data={"members": [r["member_id"] for r in rows], "amounts": amounts},
    )
    return rows


def earnings_cap_warnings_send(
    *, user_ids: list[int] | None = None, today: date | None = None
) -> int:
    """E-mail members who reached 80% or 100% of their cap this year, once each. Idempotent."""
    from werkstation.notify import email_user_on_commit

    today = today or timezone.localdate()
    with_cap = Profile.objects.filter(yearly_earnings_cap__isnull=False).select_related("user")
    if user_ids is not None:
        with_cap = with_cap.filter(user_id__in=user_ids)
    profiles = list(with_cap)
    earned = earned_this_year([p.user_id for p in profiles], today.year)
    sent = 0
    for profile in profiles:
        cap = _cap_cents(profile)
        total = earned.get(profile.user_id, 0)
        if not cap or _percent(total, cap) < WARN_AT_PERCENT[0]:
            continue
        with transaction.atomic():
            lock_one("members.Profile", profile.pk)
            done = set(
                EarningsCapWarning.objects.filter(
                    member_id=profile.user_id, year=today.year
                ).values_list("percent", flat=True)
            )
            reached = [p for p in WARN_AT_PERCENT if total * 100 >= p * cap and p not in done]
            if not reached:
                continue
            EarningsCapWarning.objects.bulk_create(
                [
                    EarningsCapWarning(
                        member_id=profile.user_id,
                        year=today.year,
                        percent=p,
                        earned_cents=total,
                        cap_cents=cap,
                    )
                    for p in reached
                ]
            )
            percent = max(reached)
            user = profile.user
            email_user_on_commit(
                to=user.email,
                language=user.preferred_language,
                subject=_("You reached %(percent)s%% of your yearly earnings cap")
                % {"percent": percent},
                template="payouts/email/earnings_cap.txt",
                context={
                    "percent": percent,
                    "earned_cents": total,
                    "cap_cents": cap,
                    "year": today.year,
                    "left_cents": max(0, cap - total),
                },
            )
            audit_record(
                actor=None,
                action=PayoutAction.EARNINGS_CAP_WARNED,
                target=profile,
                data={"percent": percent, "year": today.year},
            )
            sent += 1
    return sent
