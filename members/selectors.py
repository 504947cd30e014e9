"""Reads. Every queryset here is already scoped to what the user may see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.cache import cache
from django.db.models import Count, Q, QuerySet

from .access import has_role
from .models import (
    AvailabilityException,
    AvailabilitySlot,
    Cooperative,
    Membership,
    MemberSkill,
    Skill,
    User,
)

if TYPE_CHECKING:
    from .models import Proposal, SecondApproval


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
# ``jobs.eligibility`` keeps a member's work facts (home, radius, cooperatives,
# availability, skills) in the cache under this key; ``members.signals`` forgets them
# whenever a row behind them changes.

WORK_CONTEXT_TTL = 600


def work_context_key(user_id: int) -> str:
    return f"members:work-context:v2:{user_id}"


def member_work_context_forget(*user_ids: int) -> None:
    cache.delete_many([work_context_key(user_id) for user_id in user_ids])


def second_approvals_of(*, cooperative: Cooperative) -> QuerySet[SecondApproval]:
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


def proposals_with_votes() -> QuerySet[Proposal]:
    """Proposals with their votes and voters: two more queries however many proposals."""
    from django.db.models import Prefetch

    from .models import Proposal, Vote

    return Proposal.objects.select_related("cooperative").prefetch_related(
        Prefetch("votes", queryset=Vote.objects.select_related("voter"))
    )
