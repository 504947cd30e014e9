"""Reads. Every queryset here is already scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet

from .access import has_role
from .models import (
    AvailabilityException,
    AvailabilitySlot,
    Cooperative,
    Membership,
    MemberSkill,
    Profile,
    Skill,
    User,
)


def cooperatives_public() -> QuerySet[Cooperative]:
    return Cooperative.objects.annotate(
        active_members=Count("memberships", filter=Q(memberships__status="active"))
    ).order_by("name")


def cooperatives_of(user: User) -> QuerySet[Cooperative]:
    return Cooperative.objects.filter(
        memberships__user=user, memberships__status="active"
    ).distinct()


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user)
        .select_related("cooperative")
        .order_by("cooperative__name")
    )


def memberships_visible(*, user: User, cooperative: Cooperative) -> QuerySet[Membership]:
    """Members see the active members; the board also sees applications and history."""
    qs = Membership.objects.filter(cooperative=cooperative).select_related("user", "cooperative")
    if has_role(user, cooperative, "board"):
        return qs.order_by("status", "member_number", "applied_at")
    if has_role(user, cooperative, "member"):
        return qs.filter(status="active").order_by("member_number")
    return qs.none()


def applications_open(*, cooperative: Cooperative) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(cooperative=cooperative, status="applied")
        .select_related("user", "user__profile", "cooperative")
        .order_by("applied_at")
    )


def skills_of_cooperative(cooperative: Cooperative) -> QuerySet[Skill]:
    return Skill.objects.filter(cooperative=cooperative).order_by("name")


def skills_for_user(user: User) -> QuerySet[Skill]:
    return (
        Skill.objects.filter(
            cooperative__memberships__user=user,
            cooperative__memberships__status__in=["active", "applied"],
        )
        .select_related("cooperative")
        .distinct()
        .order_by("cooperative__name", "name")
    )


def member_skills_of(user: User) -> QuerySet[MemberSkill]:
    return MemberSkill.objects.filter(user=user).select_related("skill", "skill__cooperative")


def availability_of(user: User) -> QuerySet[AvailabilitySlot]:
    return AvailabilitySlot.objects.filter(user=user).order_by("weekday", "start")


def availability_exceptions_of(user: User) -> QuerySet[AvailabilityException]:
    return AvailabilityException.objects.filter(user=user).order_by("date", "start")


# --- What the work feed needs to know about a member, cached -------------------------

WORK_CONTEXT_TTL = 600


@dataclass(frozen=True)
class MemberWorkContext:
    """A member's home, radius, cooperatives, availability and skills, as plain data.

    Read on every feed request, changed rarely: cached, and forgotten by the signals in
    ``members.signals`` whenever one of the rows behind it changes.
    """

    latitude: float | None
    longitude: float | None
    radius_km: float
    cooperatives: tuple[tuple[int, int], ...]  # (cooperative id, travel speed km/h)
    windows: tuple[tuple[int, int, int], ...]  # (weekday, start minute, end minute)
    exceptions: tuple[
        tuple[date, bool, int | None, int | None], ...
    ]  # (day, available, start, end)
    skills: tuple[
        tuple[int, int, bool, date | None], ...
    ]  # (skill, cooperative, needs certificate, valid until)

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


def _work_context_key(user_id: int) -> str:
    return f"members:work-context:{user_id}"


def _minutes(t) -> int:
    return t.hour * 60 + t.minute


def member_work_context(user) -> MemberWorkContext:
    key = _work_context_key(user.pk)
    context = cache.get(key)
    if context is None:
        profile = (
            Profile.objects.filter(user=user)
            .values("latitude", "longitude", "travel_radius_km")
            .first()
            or {}
        )
        context = MemberWorkContext(
            latitude=float(profile["latitude"]) if profile.get("latitude") is not None else None,
            longitude=float(profile["longitude"]) if profile.get("longitude") is not None else None,
            radius_km=float(profile.get("travel_radius_km") or 0),
            cooperatives=tuple(
                Membership.objects.filter(user=user, status="active").values_list(
                    "cooperative_id", "cooperative__travel_speed_kmh"
                )
            ),
            windows=tuple(
                (weekday, _minutes(start), _minutes(end))
                for weekday, start, end in AvailabilitySlot.objects.filter(user=user).values_list(
                    "weekday", "start", "end"
                )
            ),
            exceptions=tuple(
                (day, available, _minutes(start) if start else None, _minutes(end) if end else None)
                for day, available, start, end in AvailabilityException.objects.filter(
                    user=user
                ).values_list("date", "available", "start", "end")
            ),
            skills=tuple(
                MemberSkill.objects.filter(user=user).values_list(
                    "skill_id",
                    "skill__cooperative_id",
                    "skill__requires_certificate",
                    "certificate_expires_on",
                )
            ),
        )
        cache.set(key, context, WORK_CONTEXT_TTL)
    return context


def member_work_context_forget(*user_ids: int) -> None:
    cache.delete_many([_work_context_key(user_id) for user_id in user_ids])


def second_approvals_of(*, cooperative: Cooperative):
    """The cooperative's four-eyes requests, open ones first, newest first."""
    from django.db.models import Case, IntegerField, Value, When

    from .models import SecondApproval

    return (
        SecondApproval.objects.filter(cooperative=cooperative)
        .select_related("cooperative", "requested_by", "decided_by", "target_membership__user")
        .annotate(
            open_first=Case(
                When(status=SecondApproval.Status.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("open_first", "-requested_at", "-id")
    )


def proposals_with_votes() -> QuerySet:
    """Proposals with their votes and voters: two more queries however many proposals."""
    from django.db.models import Prefetch

    from .models import Proposal, Vote

    return Proposal.objects.select_related("cooperative").prefetch_related(
        Prefetch("votes", queryset=Vote.objects.select_related("voter"))
    )
