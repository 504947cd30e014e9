from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from members.audit_actions import MemberAction
from members.models import NotificationPreference, Profile, User
from werkstation.audit import audit_record
from werkstation.errors import Conflict, ValidationFailed
from werkstation.locks import lock_get
from werkstation.validation import clean_email, raise_validation_error


@transaction.atomic
def user_register(*, email: str, password: str, full_name: str, language: str = "nl") -> User:
    email = clean_email(email)
    if not (full_name or "").strip():
        raise ValidationFailed(_("Enter your full name."), code="required", field="full_name")
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(
            _("An account with this e-mail address already exists."),
            code="duplicate_email",
            field="email",
        )
    user = User(
        email=email,
        full_name=full_name.strip(),
        preferred_language=language if language in ("nl", "en") else "nl",
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise_validation_error(ValidationError({"password": exc.error_list}))
    user.set_password(password)
    user.save()
    Profile.objects.create(user=user)
    NotificationPreference.objects.create(user=user)
    audit_record(actor=user, action=MemberAction.USER_REGISTERED, target=user)
    return user


def profile_of(user: User) -> Profile:
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def user_password_changed(*, user: User) -> None:
    """After any password change: API tokens stop working, sign-in lock-outs for the
    account are lifted (the person proved the password or their mailbox), and the owner
    is told."""
    from axes.utils import reset

    from .security_notices import security_notice
    from .tokens import api_tokens_revoke_all

    api_tokens_revoke_all(user=user, reason="password_changed")
    reset(username=user.email)
    security_notice(user=user, event=MemberAction.PASSWORD_CHANGED)


@transaction.atomic
def user_staff_set(*, actor: User, user: User, is_staff: bool) -> User:
    """Superusers make someone platform staff or take it away; audited, e-mailed, and a
    new staff member without a device gets the e-mailed 2FA set-up link."""
    from werkstation.errors import PermissionDenied

    from .security_notices import security_notice
    from .tokens import api_tokens_revoke_all
    from .two_factor import two_factor_needed_after_grant

    if not actor.is_superuser:
        raise PermissionDenied(_("Only a superuser changes who is platform staff."))
    if user.pk == actor.pk and not is_staff:
        raise PermissionDenied(_("You cannot remove yourself from the staff."))
    user = lock_get("members.User", user.pk)
    if user.is_staff == is_staff:
        return user
    user.is_staff = is_staff
    if not is_staff:
        user.is_superuser = False
    user.save(update_fields=["is_staff", "is_superuser"])
    audit_record(
        actor=actor,
        action=MemberAction.USER_STAFF_CHANGED,
        target=user,
        data={"is_staff": is_staff},
    )
    security_notice(
        user=user,
        event=MemberAction.ROLES_STAFF_CHANGED,
        actor=actor,
        data={"is_staff": is_staff},
    )
    api_tokens_revoke_all(user=user, reason="roles_changed", actor=actor)
    two_factor_needed_after_grant(user=user, reason="staff", actor=actor)
    return user
