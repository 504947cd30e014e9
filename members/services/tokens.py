"""Personal API tokens: made after the password (and the code, where 2FA is needed),
listed and revoked by their owner, and revoked by the platform whenever what they stand
for changes (password, roles, membership)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from members.audit_actions import MemberAction
from members.models import ApiToken, User
from werkstation.errors import NotFound

from .security_notices import security_notice


@transaction.atomic
def api_token_create(*, user: User, second_factor: bool, name: str = "") -> tuple[ApiToken, str]:
    """A new token; the plain value is returned once and never stored."""
    token, plain = ApiToken.objects.create(user=user)
    token.second_factor = second_factor
    token.name = (name or "").strip()[:80]
    token.save(update_fields=["second_factor", "name"])
    security_notice(
        user=user,
        event=MemberAction.TOKEN_CREATED,
        data={"token_key": token.token_key, "second_factor": second_factor},
        detail=_("Token %(key)s…") % {"key": token.token_key},
    )
    return token, plain


@transaction.atomic
def api_token_revoke(*, user: User, token_key: str) -> None:
    """The owner revokes one of their own tokens (by its public prefix)."""
    deleted, _rows = ApiToken.objects.filter(user=user, token_key=token_key).delete()
    if not deleted:
        raise NotFound(_("You have no token with this key."), field="token_key")
    security_notice(user=user, event=MemberAction.TOKEN_REVOKED, data={"token_key": token_key})


def api_tokens_revoke_all(*, user: User, reason: str, actor: User | None = None) -> int:
    """Revoke every token of ``user`` (password changed, roles changed, membership ended).

    Runs inside the caller's transaction, so a rolled-back change keeps the tokens.
    """
    deleted: int
    deleted, _rows = ApiToken.objects.filter(user=user).delete()
    if deleted:
        security_notice(
            user=user,
            event=MemberAction.TOKENS_REVOKED,
            actor=actor,
            data={"reason": reason, "count": deleted},
            detail=str(REVOKE_REASONS.get(reason, "")),
        )
    return deleted


REVOKE_REASONS = {
    "password_changed": _("Your password was changed, so your API tokens no longer work."),
    "roles_changed": _("Your roles in a cooperative changed, so your API tokens no longer work."),
    "membership_ended": _("A membership of yours ended, so your API tokens no longer work."),
    "erased": _("Your account was erased."),
    "two_factor_reset": _("Two-factor sign-in of your account was reset."),
}


def api_tokens_prune() -> int:
    """Delete expired tokens and set-up links that can no longer be used (beat, hourly)."""
    from django.db.models import Q
    from django.utils import timezone

    from members.models import EnrolmentLink

    now = timezone.now()
    tokens: int
    tokens, _rows = ApiToken.objects.filter(expiry__lt=now).delete()
    links, _rows = EnrolmentLink.objects.filter(
        Q(expires_at__lt=now) | Q(used_at__isnull=False) | Q(revoked_at__isnull=False)
    ).delete()
    return tokens + links
