"""Invitations by e-mail, with a registry of kinds.

``members`` registers the board invitation; ``jobs`` registers the client-user
invitation at app start, so this module never imports ``jobs``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.audit_actions import invitation_action
from members.models import Cooperative, Invitation, User
from werkstation.audit import audit_record
from werkstation.errors import NotFound, PermissionDenied, ValidationFailed
from werkstation.locks import lock_cooperatives, lock_get
from werkstation.notify import email_user_on_commit, site_link
from werkstation.validation import clean_email

if TYPE_CHECKING:
    from collections.abc import Callable

    from django_stubs_ext import StrOrPromise

INVITATION_DAYS = 14


@dataclass(frozen=True)
class InvitationKind:
    name: str
    subject: StrOrPromise
    accept: Callable[[Invitation, User], object]


_KINDS: dict[str, InvitationKind] = {}


def invitation_kind_register(
    *, name: str, subject: StrOrPromise, accept: Callable[[Invitation, User], object]
) -> None:
    _KINDS[name] = InvitationKind(name=name, subject=subject, accept=accept)


def invitation_create(
    *,
    kind: str,
    email: str,
    invited_by: User | None,
    cooperative: Cooperative | None = None,
    target_id: int | None = None,
    site_url: str | None = None,
) -> Invitation:
    if kind not in _KINDS:
        raise ValidationFailed(_("Unknown invitation kind."), field="kind")
    email = clean_email(email)
    invitation = Invitation.objects.create(
        kind=kind,
        email=email,
        cooperative=cooperative,
        target_id=target_id,
        invited_by=invited_by,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    audit_record(
        actor=invited_by,
        action=invitation_action(kind, "sent"),
        target=invitation,
        cooperative_id=getattr(cooperative, "pk", None),
        data={"email": email},
    )
    existing = User.objects.filter(email__iexact=email).first()
    email_user_on_commit(
        to=email,
        language=existing.preferred_language if existing else "nl",
        subject=_KINDS[kind].subject,
        template="members/email/invitation.txt",
        context={
            "invitation": invitation,
            "url": site_link(
                reverse("members:invitation-accept", args=[invitation.token]), site_url=site_url
            ),
        },
    )
    return invitation


def invitation_get_open(*, token: str) -> Invitation:
    invitation = Invitation.objects.select_related("cooperative").filter(token=token).first()
    if invitation is None or not invitation.is_open:
        raise NotFound(
            _("This invitation does not exist, was used already or has expired."), field="token"
        )
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> object:
    invitation = invitation_get_open(token=token)
    # The cooperative it opens first, then the invitation (werkstation.locks).
    if invitation.cooperative_id is not None:
        lock_cooperatives([invitation.cooperative_id])
    invitation = lock_get("members.Invitation", invitation.pk)
    if invitation.accepted_at is not None:
        raise NotFound(_("This invitation was used already."), field="token")
    if invitation.email.lower() != user.email.lower():
        raise PermissionDenied(
            _(
                "This invitation was sent to another e-mail address. Sign in as %(email)s to accept it."
            )
            % {"email": invitation.email},
            code="wrong_account",
        )
    result = _KINDS[invitation.kind].accept(invitation, user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        action=invitation_action(invitation.kind, "accepted"),
        target=invitation,
        cooperative_id=invitation.cooperative_id,
    )
    return result


BOARD_SUBJECT = gettext_lazy("You are invited to the board of a Werkstation cooperative")
