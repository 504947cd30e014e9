"""Who may do what in a cooperative. Used by services, selectors, rules and views.

Outsiders and insiders are refused differently. Someone who is not a member of a cooperative
(an applicant, a member of another cooperative, a client) gets "not found" for everything
inside it, so its members, ids and pages cannot be enumerated. A member who lacks a role
(say, a member on a board page) gets "permission denied": they know the cooperative.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as PageForbidden
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from werkstation.errors import NotFound, PermissionDenied

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


INSIDE = (Membership.Status.ACTIVE, Membership.Status.SUSPENDED)


def is_insider(user, cooperative: Cooperative | int) -> bool:
    """An active or suspended member: someone who may know the cooperative's inside exists."""
    if active_membership(user, cooperative) is not None:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    coop_id = cooperative if isinstance(cooperative, int) else cooperative.pk
    return Membership.objects.filter(user=user, cooperative_id=coop_id, status__in=INSIDE).exists()


def require_role(user, cooperative: Cooperative | int, *roles: str) -> Membership:
    """The user's active membership holding one of ``roles`` ("member" = any).

    Raises ``NotFound`` for outsiders and ``PermissionDenied`` for members without the role.
    """
    if not has_role(user, cooperative, *roles):
        if not is_insider(user, cooperative):
            raise NotFound(_("Not found."), code="not_found")
        if not roles or roles == ("member",):
            message = _("Only active members of this cooperative may do this.")
        else:
            message = _("Only the %(roles)s of this cooperative may do this.") % {
                "roles": " / ".join(_(role) for role in roles)
            }
        raise PermissionDenied(message, code="role_required")
    return active_membership(user, cooperative)


def membership_view_fields(viewer, membership: Membership) -> set[str]:
    """Which personal fields of ``membership`` the viewer sees besides name and roles.

    The member sees their own. The board sees the contact details of its members and
    applicants, and an application's motivation while the application is open.
    """
    if viewer is not None and getattr(viewer, "pk", None) == membership.user_id:
        return {"email", "motivation"}
    if not has_role(viewer, membership.cooperative_id, "board"):
        return set()
    if membership.status == Membership.Status.APPLIED:
        return {"email", "motivation"}
    return {"email"}


def sensitive_reader_cooperative(actor, member) -> int | None:
    """The cooperative whose treasurer ``actor`` is and which ``member`` belongs to as an
    admitted member (active or suspended): the only way to the member's payout details
    and earnings cap. An applicant, a rejected applicant or a former member is not theirs."""
    shared = Membership.objects.filter(user=member, status__in=INSIDE).values_list(
        "cooperative_id", flat=True
    )
    return next((c for c in shared if has_role(actor, c, "treasurer")), None)


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


def page_cooperative(user, slug: str, *roles: str) -> Cooperative:
    """The cooperative of a page that needs ``roles``: 404 for outsiders, 403 for members
    without the role (Django renders ``404.html`` / ``403.html``)."""
    cooperative = Cooperative.objects.filter(slug=slug).first()
    if cooperative is None:
        raise Http404
    try:
        require_role(user, cooperative, *roles)
    except NotFound as exc:
        raise Http404 from exc
    except PermissionDenied as exc:
        raise PageForbidden(exc.message) from exc
    return cooperative
