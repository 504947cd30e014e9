"""Four eyes: powers that move money or grant powers need a second, independent person.

A *request* (granting a role, the cooperative's bank account, Stripe keys) is written
as a ``SecondApproval`` and takes effect only when a second person approves it. The
second person must

* be a different user than the requester (and, for a role, than the person receiving it);
* hold one of the kind's approver roles in the cooperative now, and already have held it
  when the request was made;
* not have got that role from the requester (neither asked for nor approved by them).

So a board member cannot make a second account of their own a treasurer and approve
with it: the new account's role needs another board member, and even then it came
from the requester. Where the cooperative has nobody who qualifies (fewer than two
board members, say), platform staff give the second approval through the admin — the
same service, with the staff member as the actor. No path lets one person act alone.

Every request and every decision is e-mailed to the whole board. Kinds are registered
by the app that owns what is changed (``approval_kind_register``): members registers
roles and the bank account, payouts registers Stripe keys. The same eligibility rule
serves the payout batch's two approvals (``second_person_eligible``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.access import has_role, require_role
from members.audit_actions import approval_action
from members.models import Cooperative, Membership, RoleGrant, SecondApproval, User
from werkstation.audit import audit_record
from werkstation.errors import Conflict, PermissionDenied, ValidationFailed
from werkstation.locks import lock_cooperatives, lock_get, lock_memberships, lock_where
from werkstation.notify import email_user_on_commit

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from datetime import datetime

    from django_stubs_ext import StrOrPromise

S = SecondApproval.Status


@dataclass(frozen=True)
class ApprovalKind:
    name: str
    label: object  # lazy text: what is asked, for pages and e-mails
    requester_roles: tuple[str, ...]
    approver_roles: tuple[str, ...]
    apply: Callable[[SecondApproval, User], None]
    describe: Callable[[SecondApproval], str]
    on_close: Callable[[SecondApproval], None] | None = None  # rejected or cancelled


_KINDS: dict[str, ApprovalKind] = {}


def approval_kind_register(kind: ApprovalKind) -> None:
    _KINDS[kind.name] = kind


def approval_kind(name: str) -> ApprovalKind:
    return _KINDS[name]


def second_person_eligible(
    *,
    cooperative_id: int,
    requester_id: int | None,
    candidate: User,
    roles: Iterable[str],
    requested_at: datetime,
    exclude_user_ids: Iterable[int] = (),
) -> bool:
    """May ``candidate`` be the second person for a request ``requester_id`` made then?"""
    if candidate.pk == requester_id or candidate.pk in set(exclude_user_ids):
        return False
    roles = tuple(roles)
    if not has_role(candidate, cooperative_id, *roles):
        return False
    return any(
        _grant_qualifies(grant, requester_id=requester_id, requested_at=requested_at)
        for grant in _role_grants(
            candidate=candidate, cooperative_ids=[cooperative_id], roles=roles
        )
    )


def _role_grants(
    *, candidate: User, cooperative_ids: Iterable[int], roles: Iterable[str]
) -> QuerySet[RoleGrant]:
    """The candidate's standing grants of ``roles`` in those cooperatives (one query)."""
    return RoleGrant.objects.filter(
        membership__cooperative_id__in=list(cooperative_ids),
        membership__user=candidate,
        membership__status=Membership.Status.ACTIVE,
        role__in=list(roles),
        revoked_at__isnull=True,
    ).select_related("membership")


def _grant_qualifies(grant: RoleGrant, *, requester_id: int | None, requested_at: datetime) -> bool:
    """The role was already held when the request was made, and the requester neither
    asked for it nor approved it."""
    return grant.granted_at <= requested_at and (
        requester_id is None or requester_id not in (grant.requested_by_id, grant.approved_by_id)
    )


def eligible_second_persons(
    *,
    cooperative_id: int,
    requester_id: int | None,
    roles: Iterable[str],
    requested_at: datetime,
    exclude_user_ids: Iterable[int] = (),
) -> list[User]:
    roles = tuple(roles)
    holds_a_role = Q()
    for role in roles:
        holds_a_role |= Q(**{f"is_{role}": True})
    members = Membership.objects.filter(
        holds_a_role, cooperative_id=cooperative_id, status=Membership.Status.ACTIVE
    ).select_related("user")
    return [
        membership.user
        for membership in members
        if second_person_eligible(
            cooperative_id=cooperative_id,
            requester_id=requester_id,
            candidate=membership.user,
            roles=roles,
            requested_at=requested_at,
            exclude_user_ids=exclude_user_ids,
        )
    ]


def staff_may_second(
    *,
    cooperative_id: int,
    requester_id: int | None,
    roles: Iterable[str],
    requested_at: datetime,
    exclude_user_ids: Iterable[int] = (),
) -> bool:
    """Staff step in only where the cooperative has nobody who qualifies."""
    return not eligible_second_persons(
        cooperative_id=cooperative_id,
        requester_id=requester_id,
        roles=roles,
        requested_at=requested_at,
        exclude_user_ids=exclude_user_ids,
    )


def _excluded(approval: SecondApproval) -> list[int]:
    membership = approval.target_membership if approval.target_membership_id else None
    return [membership.user_id] if membership is not None else []


def board_notify(
    *, cooperative: Cooperative, subject: StrOrPromise, lines: Callable[[], list[str]]
) -> None:
    """E-mail every active board member of ``cooperative`` (after commit).

    ``lines`` is called once per recipient, in their language.
    """
    board = User.objects.filter(
        memberships__cooperative=cooperative,
        memberships__status=Membership.Status.ACTIVE,
        memberships__is_board=True,
    ).distinct()
    for member in board:
        with translation.override(member.preferred_language or settings.LANGUAGE_CODE):
            text = [str(line) for line in lines()]
        email_user_on_commit(
            to=member.email,
            language=member.preferred_language,
            subject=subject,
            template="members/email/board_notice.txt",
            context={"user": member, "cooperative": cooperative, "lines": text},
        )


def _notify(approval: SecondApproval, headline: StrOrPromise) -> None:
    kind = _KINDS[approval.kind]

    def lines() -> list[str]:
        out = [
            str(headline),
            kind.describe(approval),
            _("Asked by %(name)s.") % {"name": approval.requested_by},
        ]
        if approval.decided_by_id:
            out.append(_("Decided by %(name)s.") % {"name": approval.decided_by})
        if approval.reason:
            out.append(_("Reason: %(reason)s") % {"reason": approval.reason})
        return out

    board_notify(cooperative=approval.cooperative, subject=headline, lines=lines)


@transaction.atomic
def second_approval_request(
    *,
    kind: str,
    cooperative: Cooperative,
    requester: User,
    payload: dict[str, Any],
    target_membership: Membership | None = None,
) -> SecondApproval:
    """Ask for something that needs a second person; an older open request for the same
    thing is withdrawn (only the latest counts)."""
    spec = _KINDS[kind]
    require_role(requester, cooperative, *spec.requester_roles)
    lock_cooperatives([cooperative.pk])
    earlier = SecondApproval.objects.filter(
        cooperative=cooperative, kind=kind, status=S.PENDING, target_membership=target_membership
    )
    if kind == "role_grant":
        earlier = earlier.filter(payload__role=payload.get("role"))
    for old in cast("list[SecondApproval]", lock_where(earlier)):
        _close(old, status=S.CANCELLED, actor=requester, reason=_("Replaced by a newer request."))
    approval = SecondApproval.objects.create(
        cooperative=cooperative,
        kind=kind,
        payload=payload,
        target_membership=target_membership,
        requested_by=requester,
    )
    audit_record(
        actor=requester,
        action=approval_action(kind, "requested"),
        target=approval,
        cooperative_id=cooperative.pk,
        data={"payload": payload},
    )
    _notify(approval, gettext_lazy("A request waits for a second board member"))
    return approval


def _close(approval: SecondApproval, *, status: str, actor: User, reason: str = "") -> None:
    approval.status = status
    approval.decided_by = actor
    approval.decided_at = timezone.now()
    approval.reason = reason
    approval.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    spec = _KINDS[approval.kind]
    if spec.on_close is not None:
        spec.on_close(approval)


@transaction.atomic
def second_approval_decide(
    *, actor: User, approval: SecondApproval, approve: bool, reason: str = ""
) -> SecondApproval:
    """Approve or reject a pending request; the requester may withdraw their own."""
    # What applying it locks comes first (werkstation.locks): the cooperative, the
    # membership it is about, then the request itself.
    lock_cooperatives([approval.cooperative_id])
    if approval.target_membership_id is not None:
        lock_memberships([approval.target_membership_id])
    approval = lock_get(
        "members.SecondApproval",
        approval.pk,
        select_related=("cooperative", "requested_by", "target_membership__user"),
    )
    if approval.status != S.PENDING:
        raise Conflict(
            _("This request has already been decided."), code="invalid_state", field="status"
        )
    spec = _KINDS[approval.kind]
    reason = (reason or "").strip()
    if actor.pk == approval.requested_by_id:
        if approve:
            raise PermissionDenied(
                _("A second person must approve this; you asked for it yourself."),
                code="four_eyes",
            )
        _close(approval, status=S.CANCELLED, actor=actor, reason=reason)
        audit_record(
            actor=actor,
            action=approval_action(approval.kind, "cancelled"),
            target=approval,
            cooperative_id=approval.cooperative_id,
        )
        _notify(approval, gettext_lazy("A request was withdrawn"))
        return approval
    as_staff = False
    if not second_person_eligible(
        cooperative_id=approval.cooperative_id,
        requester_id=approval.requested_by_id,
        candidate=actor,
        roles=spec.approver_roles,
        requested_at=approval.requested_at,
        exclude_user_ids=_excluded(approval),
    ):
        if (actor.is_staff or actor.is_superuser) and staff_may_second(
            cooperative_id=approval.cooperative_id,
            requester_id=approval.requested_by_id,
            roles=spec.approver_roles,
            requested_at=approval.requested_at,
            exclude_user_ids=_excluded(approval),
        ):
            as_staff = True
        else:
            raise PermissionDenied(
                _(
                    "Only another %(roles)s who already held that role when this was asked, "
                    "and did not get it from the person asking, can decide this."
                )
                % {"roles": " / ".join(_(r) for r in spec.approver_roles)},
                code="four_eyes",
            )
    if not approve and not reason:
        raise ValidationFailed(
            _("Give a reason for the rejection."), code="required", field="reason"
        )
    if approve:
        spec.apply(approval, actor)
        approval.status = S.APPROVED
        approval.decided_by = actor
        approval.decided_at = timezone.now()
        approval.decided_as_staff = as_staff
        approval.reason = reason
        approval.save(
            update_fields=["status", "decided_by", "decided_at", "decided_as_staff", "reason"]
        )
    else:
        _close(approval, status=S.REJECTED, actor=actor, reason=reason)
        approval.decided_as_staff = as_staff
        approval.save(update_fields=["decided_as_staff"])
    audit_record(
        actor=actor,
        action=approval_action(approval.kind, "approved" if approve else "rejected"),
        target=approval,
        cooperative_id=approval.cooperative_id,
        data={"as_staff": as_staff, "reason": reason},
    )
    _notify(
        approval,
        gettext_lazy("A request was approved")
        if approve
        else gettext_lazy("A request was rejected"),
    )
    return approval


def approval_may_decide(*, user: User, approval: SecondApproval) -> bool:
    """Whether ``user`` could approve ``approval`` now (for showing the buttons)."""
    return approval.pk in approvals_decidable(user=user, approvals=[approval])


def approvals_decidable(*, user: User, approvals: Iterable[SecondApproval]) -> set[int]:
    """The ids of ``approvals`` that ``user`` could approve now, in at most one query
    (``second_person_eligible``'s rule, for a page of requests)."""
    pending = [
        a
        for a in approvals
        if a.status == S.PENDING
        and user.pk != a.requested_by_id
        and user.pk not in _excluded(a)
        and has_role(user, a.cooperative_id, *_KINDS[a.kind].approver_roles)
    ]
    if not pending:
        return set()
    grants = list(
        _role_grants(
            candidate=user,
            cooperative_ids={a.cooperative_id for a in pending},
            roles={role for a in pending for role in _KINDS[a.kind].approver_roles},
        )
    )
    return {
        a.pk
        for a in pending
        if any(
            grant.membership.cooperative_id == a.cooperative_id
            and grant.role in _KINDS[a.kind].approver_roles
            and _grant_qualifies(grant, requester_id=a.requested_by_id, requested_at=a.requested_at)
            for grant in grants
        )
    }
