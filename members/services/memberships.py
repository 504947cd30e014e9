"""Membership lifecycle: apply → admitted (active) or rejected; suspend, reinstate, leave."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.access import forget_memberships, require_role
from members.audit_actions import MemberAction
from members.lifecycle import MEMBERSHIP
from members.models import Cooperative, Invitation, Membership, RoleGrant, SecondApproval, User
from werkstation.audit import audit_record
from werkstation.errors import Conflict, PermissionDenied, ValidationFailed
from werkstation.locks import (
    lock_cooperatives,
    lock_first,
    lock_get,
    lock_get_or_create,
    lock_where,
)
from werkstation.notify import email_user_on_commit

from .approvals import ApprovalKind, approval_kind_register, second_approval_request
from .tokens import api_tokens_revoke_all
from .two_factor import two_factor_needed_after_grant

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django_stubs_ext import StrOrPromise

S = Membership.Status
# Roles beyond membership; granting any of them needs a second board member.
EXTRA_ROLES = ("board", "treasurer", "auditor")


def _next_member_number(cooperative: Cooperative) -> int:
    # The cooperative row is locked by the caller, so numbers are handed out one at a time.
    current = Membership.objects.filter(cooperative=cooperative).aggregate(n=Max("member_number"))[
        "n"
    ]
    return (current or 0) + 1


def _lock(membership: Membership) -> tuple[Membership, Cooperative]:
    """The cooperative (it numbers its members), then the membership: the lock order."""
    cooperative = lock_get("members.Cooperative", membership.cooperative_id)
    locked = lock_get("members.Membership", membership.pk, select_related=("user",))
    return locked, cooperative


def _notify(membership: Membership, subject: StrOrPromise, template: str) -> None:
    email_user_on_commit(
        to=membership.user.email,
        language=membership.user.preferred_language,
        subject=subject,
        template=template,
        context={"membership": membership, "cooperative": membership.cooperative},
    )


@transaction.atomic
def membership_apply(*, user: User, cooperative: Cooperative, motivation: str = "") -> Membership:
    lock_cooperatives([cooperative.pk])
    existing: Membership | None = lock_first(
        Membership.objects.filter(user=user, cooperative=cooperative)
    )
    if existing is not None and existing.status in (S.APPLIED, S.ACTIVE, S.SUSPENDED):
        messages: dict[str, str] = {
            S.APPLIED: _("You have already applied to this cooperative; the board will decide."),
            S.ACTIVE: _("You are already a member of this cooperative."),
            S.SUSPENDED: _("Your membership of this cooperative is suspended; contact the board."),
        }
        raise Conflict(messages[existing.status], code="duplicate_application", field="cooperative")
    if existing is not None:  # a former or rejected member applies again
        existing.motivation = motivation.strip()
        existing.status_reason = ""
        existing.decided_at = None
        existing.decided_by = None
        existing.applied_at = timezone.now()
        MEMBERSHIP.transition(
            existing,
            S.APPLIED,
            by=user,
            audit_action=MemberAction.MEMBERSHIP_APPLIED,
            extra_update_fields=[
                "motivation",
                "status_reason",
                "decided_at",
                "decided_by",
                "applied_at",
            ],
        )
        return existing
    membership = Membership.objects.create(
        user=user, cooperative=cooperative, motivation=motivation.strip()
    )
    audit_record(
        actor=user,
        action=MemberAction.MEMBERSHIP_APPLIED,
        target=membership,
        cooperative_id=cooperative.pk,
    )
    return membership


@transaction.atomic
def membership_admit(*, actor: User, membership: Membership) -> Membership:
    require_role(actor, membership.cooperative_id, "board")
    membership, cooperative = _lock(membership)
    if membership.member_number is None and membership.status == S.APPLIED:
        membership.member_number = _next_member_number(cooperative)
    MEMBERSHIP.transition(
        membership,
        S.ACTIVE,
        by=actor,
        sources=[S.APPLIED],
        message=_("Only an open application can be admitted."),
        code="invalid_state",
        extra_update_fields=["member_number"],
        audit_action=MemberAction.MEMBERSHIP_ADMITTED,
        data={"member_number": membership.member_number},
    )
    forget_memberships(membership.user)
    _notify(membership, gettext_lazy("Welcome to the cooperative"), "members/email/admitted.txt")
    return membership


@transaction.atomic
def membership_reject(*, actor: User, membership: Membership, reason: str) -> Membership:
    require_role(actor, membership.cooperative_id, "board")
    if not (reason or "").strip():
        raise ValidationFailed(
            _("Give a reason for the rejection."), code="required", field="reason"
        )
    membership, _cooperative = _lock(membership)
    membership.status_reason = reason.strip()
    MEMBERSHIP.transition(
        membership,
        S.REJECTED,
        by=actor,
        sources=[S.APPLIED],
        message=_("Only an open application can be rejected."),
        code="invalid_state",
        extra_update_fields=["status_reason"],
        audit_action=MemberAction.MEMBERSHIP_REJECTED,
        data={"reason": membership.status_reason},
    )
    _notify(membership, gettext_lazy("Your membership application"), "members/email/rejected.txt")
    return membership


def _require_board_or_staff(actor: User, membership: Membership) -> None:
    """Suspending and reinstating: the board, or platform staff (admin action)."""
    if not (actor.is_staff or actor.is_superuser):
        require_role(actor, membership.cooperative_id, "board")


@transaction.atomic
def membership_suspend(*, actor: User, membership: Membership, reason: str) -> Membership:
    _require_board_or_staff(actor, membership)
    if not (reason or "").strip():
        raise ValidationFailed(
            _("Give a reason for the suspension."), code="required", field="reason"
        )
    membership, _cooperative = _lock(membership)
    MEMBERSHIP.check(
        membership,
        S.SUSPENDED,
        message=_("Only an active member can be suspended."),
        code="invalid_state",
    )
    if membership.user_id == actor.pk:
        raise PermissionDenied(_("You cannot suspend yourself."), code="self_suspension")
    membership.status_reason = reason.strip()
    MEMBERSHIP.transition(
        membership,
        S.SUSPENDED,
        by=actor,
        extra_update_fields=["status_reason"],
        audit_action=MemberAction.MEMBERSHIP_SUSPENDED,
        data={"reason": membership.status_reason},
    )
    _pending_role_requests_cancel(membership, actor=actor)
    api_tokens_revoke_all(user=membership.user, reason="roles_changed", actor=actor)
    forget_memberships(membership.user)
    _notify(membership, gettext_lazy("Your membership is suspended"), "members/email/suspended.txt")
    return membership


@transaction.atomic
def membership_reinstate(*, actor: User, membership: Membership) -> Membership:
    _require_board_or_staff(actor, membership)
    membership, _cooperative = _lock(membership)
    membership.status_reason = ""
    MEMBERSHIP.transition(
        membership,
        S.ACTIVE,
        by=actor,
        stamp=False,  # the admission's decision stays on record
        sources=[S.SUSPENDED],
        message=_("Only a suspended member can be reinstated."),
        code="invalid_state",
        extra_update_fields=["status_reason"],
        audit_action=MemberAction.MEMBERSHIP_REINSTATED,
    )
    forget_memberships(membership.user)
    return membership


@transaction.atomic
def membership_leave(*, user: User, membership: Membership) -> Membership:
    if membership.user_id != user.pk:
        raise PermissionDenied(_("You can only end your own membership."), code="not_yours")
    membership, _cooperative = _lock(membership)
    membership.is_board = membership.is_treasurer = membership.is_auditor = False
    MEMBERSHIP.transition(
        membership,
        S.LEFT,
        by=user,
        sources=[S.APPLIED, S.ACTIVE, S.SUSPENDED],  # a rejected application never began
        message=_("This membership has already ended."),
        code="invalid_state",
        extra_update_fields=["is_board", "is_treasurer", "is_auditor"],
        audit_action=MemberAction.MEMBERSHIP_LEFT,
    )
    role_grants_close(membership)
    _pending_role_requests_cancel(membership, actor=user)
    api_tokens_revoke_all(user=user, reason="membership_ended")
    forget_memberships(user)
    return membership


@transaction.atomic
def membership_set_roles(
    *,
    actor: User,
    membership: Membership,
    is_board: bool | None = None,
    is_treasurer: bool | None = None,
    is_auditor: bool | None = None,
    engagement: str | None = None,
) -> Membership:
    """Change roles and engagement.

    Taking a role away and changing the engagement apply at once. *Granting* board,
    treasurer or auditor only asks for it: a second board member approves it
    (``members.services.approvals``). ``membership.pending_roles`` lists what waits.
    """
    require_role(actor, membership.cooperative_id, "board")
    membership, cooperative = _lock(membership)
    if membership.status != S.ACTIVE:
        raise Conflict(
            _("Roles are for active members only."), code="invalid_state", field="status"
        )
    if engagement is not None and engagement not in Membership.Engagement.values:
        raise ValidationFailed(_("Unknown engagement."), field="engagement")
    before = {"roles": membership.roles, "engagement": membership.engagement}
    wanted = {"board": is_board, "treasurer": is_treasurer, "auditor": is_auditor}
    granted = [r for r, v in wanted.items() if v and not getattr(membership, f"is_{r}")]
    removed = [r for r, v in wanted.items() if v is False and getattr(membership, f"is_{r}")]
    if "board" in removed:
        others = Membership.objects.filter(
            cooperative=cooperative, status=S.ACTIVE, is_board=True
        ).exclude(pk=membership.pk)
        if not others.exists():
            raise Conflict(
                _("A cooperative keeps at least one board member."),
                code="last_board",
                field="is_board",
            )
    for role in removed:
        setattr(membership, f"is_{role}", False)
    if engagement is not None:
        membership.engagement = engagement
    membership.save()
    if removed:
        role_grants_close(membership, roles=removed)
        api_tokens_revoke_all(user=membership.user, reason="roles_changed", actor=actor)
    for role in granted:
        second_approval_request(
            kind="role_grant",
            cooperative=cooperative,
            requester=actor,
            payload={"role": role},
            target_membership=membership,
        )
    audit_record(
        actor=actor,
        action=MemberAction.MEMBERSHIP_ROLES_CHANGED,
        target=membership,
        cooperative_id=cooperative.pk,
        data={
            "before": before,
            "after": {"roles": membership.roles, "engagement": membership.engagement},
            "asked": granted,
        },
    )
    forget_memberships(membership.user)
    membership.pending_roles = pending_roles(membership)
    return membership


def pending_roles(membership: Membership) -> list[str]:
    return list(
        SecondApproval.objects.filter(
            target_membership=membership,
            kind="role_grant",
            status=SecondApproval.Status.PENDING,
        ).values_list("payload__role", flat=True)
    )


def role_grant_open(
    membership: Membership, role: str, *, requested_by: User | None, approved_by: User | None
) -> None:
    """Record that ``membership`` holds ``role`` from now on (the flag is set by the caller)."""
    RoleGrant.objects.filter(membership=membership, role=role, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    RoleGrant.objects.create(
        membership=membership, role=role, requested_by=requested_by, approved_by=approved_by
    )


def role_grants_close(membership: Membership, roles: Iterable[str] = EXTRA_ROLES) -> None:
    RoleGrant.objects.filter(membership=membership, role__in=roles, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def _pending_role_requests_cancel(membership: Membership, *, actor: User) -> None:
    for approval in cast(
        "list[SecondApproval]",
        lock_where(
            SecondApproval.objects.filter(
                target_membership=membership, status=SecondApproval.Status.PENDING
            )
        ),
    ):
        approval.status = SecondApproval.Status.CANCELLED
        approval.decided_by = actor
        approval.decided_at = timezone.now()
        approval.reason = _("The membership is no longer active.")
        approval.save(update_fields=["status", "decided_by", "decided_at", "reason"])


def _role_grant_apply(approval: SecondApproval, approver: User) -> None:
    """A second board member approved: the role is granted now."""
    role = approval.payload["role"]
    assert approval.target_membership is not None  # a role grant names its membership
    membership, _cooperative = _lock(approval.target_membership)
    if membership.status != S.ACTIVE:
        raise Conflict(
            _("Roles are for active members only."), code="invalid_state", field="status"
        )
    if not getattr(membership, f"is_{role}"):
        setattr(membership, f"is_{role}", True)
        membership.save(update_fields=[f"is_{role}"])
        role_grant_open(membership, role, requested_by=approval.requested_by, approved_by=approver)
        api_tokens_revoke_all(user=membership.user, reason="roles_changed", actor=approver)
        forget_memberships(membership.user)
        two_factor_needed_after_grant(user=membership.user, reason=f"role:{role}", actor=approver)


def _role_grant_describe(approval: SecondApproval) -> str:
    membership = approval.target_membership
    assert membership is not None  # a role grant names its membership
    return _("Make %(name)s %(role)s of %(cooperative)s.") % {
        "name": membership.user.full_name,
        "role": _(approval.payload["role"]),
        "cooperative": approval.cooperative.name,
    }


approval_kind_register(
    ApprovalKind(
        name="role_grant",
        label=gettext_lazy("a role"),
        requester_roles=("board",),
        approver_roles=("board",),
        apply=_role_grant_apply,
        describe=_role_grant_describe,
    )
)


def accept_board_invitation(invitation: Invitation, user: User) -> Membership:
    """Accepting a board invitation makes the person an active board member."""
    cooperative = lock_get("members.Cooperative", invitation.cooperative_id)
    membership: Membership
    membership, _created = lock_get_or_create(
        "members.Membership", user=user, cooperative=cooperative
    )
    membership.status = S.ACTIVE
    already_board = membership.is_board
    membership.is_board = True
    if membership.member_number is None:
        membership.member_number = _next_member_number(cooperative)
    membership.decided_at = timezone.now()
    membership.decided_by = invitation.invited_by
    membership.save()
    if not already_board:
        # The first board is invited by platform staff when they create the cooperative.
        role_grant_open(membership, "board", requested_by=invitation.invited_by, approved_by=None)
        api_tokens_revoke_all(user=user, reason="roles_changed")
        two_factor_needed_after_grant(user=user, reason="role:board", actor=invitation.invited_by)
    audit_record(
        actor=user,
        action=MemberAction.MEMBERSHIP_BOARD_JOINED,
        target=membership,
        cooperative_id=cooperative.pk,
    )
    forget_memberships(user)
    return membership
