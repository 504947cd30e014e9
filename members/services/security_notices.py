"""Security notices: every device, password and token change is audited and e-mailed.

One helper writes the audit row and e-mails the account's owner after commit, so a
person always hears of a change to how their account is signed in to — including a
change they did not make.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.audit_actions import MemberAction
from werkstation.audit import audit_record
from werkstation.notify import email_user_on_commit

if TYPE_CHECKING:
    from members.models import User

# What each event is called in the e-mail's subject and first line.
EVENTS = {
    MemberAction.TWO_FACTOR_DEVICE_ADDED: _("A new second-factor device was added to your account"),
    MemberAction.TWO_FACTOR_DEVICE_REMOVED: _(
        "A second-factor device was removed from your account"
    ),
    MemberAction.TWO_FACTOR_RECOVERY_CODES_MADE: _("New recovery codes were made for your account"),
    MemberAction.TWO_FACTOR_RESET: _(
        "Two-factor sign-in of your account was reset by the platform staff"
    ),
    MemberAction.TWO_FACTOR_LINK_SENT: _("Set up two-factor sign-in"),
    MemberAction.PASSWORD_CHANGED: _("The password of your account was changed"),
    MemberAction.ROLES_STAFF_CHANGED: _("Your platform staff rights were changed"),
    MemberAction.TOKEN_CREATED: _("A new API token was made for your account"),
    MemberAction.TOKEN_REVOKED: _("An API token of your account was revoked"),
    MemberAction.TOKENS_REVOKED: _("The API tokens of your account were revoked"),
}


def security_notice(
    *,
    user: User,
    event: MemberAction,
    actor: User | None = None,
    data: dict[str, Any] | None = None,
    detail: str = "",
) -> None:
    """Audit ``event`` on ``user`` and e-mail them about it once the transaction commits."""
    audit_record(actor=actor or user, action=event, target=user, data=data or {})
    if user.erased_at is not None or not user.email:
        return
    email_user_on_commit(
        to=user.email,
        language=user.preferred_language,
        subject=EVENTS[event],
        template="members/email/security_notice.txt",
        context={
            "user": user,
            "headline": EVENTS[event],
            "detail": detail,
            "when": timezone.localtime(),
            "by_someone_else": actor is not None and getattr(actor, "pk", None) != user.pk,
        },
    )
