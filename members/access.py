"""Who may do what in a cooperative. Used by services, selectors, rules and views."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext as _

from werkstation.errors import PermissionDenied

from .models import Cooperative, Membership

ROLES = ("member", "board", "treasurer", "auditor")


def active_membership(user, cooperative: Cooperative | int) -> Membership | None:
    if not getattr(user, "is_authenticated", False):
        return None
    coop_id = cooperative if isinstance(cooperative, int) else cooperative.pk
    cache = getattr(user, "_membership_cache", None)
    if cache is None:
        cache = {
            m.cooperative_id: m
            for m in Membership.objects.filter(user=user, status=Membership.Status.ACTIVE)
        }
        user._membership_cache = cache
    return cache.get(coop_id)


def forget_memberships(user) -> None:
    if hasattr(user, "_membership_cache"):
        del user._membership_cache


def has_role(user, cooperative: Cooperative | int, *roles: str) -> bool:
    """True when the user is an active member holding any of ``roles`` ("member" = any)."""
    membership = active_membership(user, cooperative)
    if membership is None:
        return False
    for role in roles or ("member",):
        if role == "member" or getattr(membership, f"is_{role}", False):
            return True
    return False


def require_role(user, cooperative: Cooperative | int, *roles: str) -> Membership:
    if not has_role(user, cooperative, *roles):
        if not roles or roles == ("member",):
            message = _("Only active members of this cooperative may do this.")
        else:
            message = _("Only the %(roles)s of this cooperative may do this.") % {
                "roles": " / ".join(_(role) for role in roles)
            }
        raise PermissionDenied(message, code="role_required")
    return active_membership(user, cooperative)


def needs_two_factor(user) -> bool:
    """Board members, treasurers, auditors and platform staff sign in with a second factor."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.filter(
        Q(is_board=True) | Q(is_treasurer=True) | Q(is_auditor=True),
        user=user,
        status=Membership.Status.ACTIVE,
    ).exists()


def second_factor_required(user) -> bool:
    """The roles above must; anyone else who turned two-factor sign-in on must too."""
    if not getattr(user, "is_authenticated", False):
        return False
    if needs_two_factor(user):
        return True
    from .models import TotpDevice

    return TotpDevice.objects.filter(user=user, confirmed=True).exists()
