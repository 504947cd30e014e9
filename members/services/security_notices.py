"""Security notices: every device, password and token change is audited and e-mailed.

One helper writes the audit row and e-mails the account's owner after commit, so a
person always hears of a change to how their account is signed in to — including a
change they did not make.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from werkstation.audit import audit_record
from werkstation.notify import email_user_on_commit

from ..models import User

# What each event is called in the e-mail's subject and first line.
EVENTS = {
    "two_factor.device_added": _("A new second-factor device was added to your account"),
    "two_factor.device_removed": _("A second-factor device was removed from your account"),
    "two_factor.recovery_codes_made": _("New recovery codes were made for your account"),
    "two_factor.reset": _("Two-factor sign-in of your account was reset by the platform staff"),
    "two_factor.link_sent": _("Set up two-factor sign-in"),
    "password.changed": _("The password of your account was changed"),
    "roles.staff_changed": _("Your platform staff rights were changed"),
    "token.created": _("A new API token was made for your account"),
    "token.revoked": _("An API token of your account was revoked"),
    "tokens.revoked": _("The API tokens of your account were revoked"),
}


def security_notice(
    *, user: User, event: str, actor=None, data: dict | None = None, detail: str = ""
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
