from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from werkstation.audit import audit_record
from werkstation.errors import Conflict, ValidationFailed
from werkstation.validation import clean_email, raise_validation_error

from ..models import NotificationPreference, Profile, User


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
    audit_record(actor=user, action="user.registered", target=user)
    return user


def profile_of(user: User) -> Profile:
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile
