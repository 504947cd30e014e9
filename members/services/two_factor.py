"""Two-factor sign-in: verifying a code, enrolling devices, recovery codes, resets.

The rules, in one place:

* A code is checked against the person's confirmed devices, respecting django-otp's
  throttle. While a device is throttled the person is told so and for how long — never
  "wrong code".
* The *first* device of an account is enrolled only through a one-time link e-mailed
  to its owner (``two_factor_link_send``): a password alone never enrols a device. A
  further device is enrolled only in a session already verified by an existing one.
* Recovery codes (django-otp static tokens) are made when the first device is enrolled
  and whenever the owner asks in a verified session; they are shown once.
* Every device added or removed, and every set of recovery codes, is audited and
  e-mailed to the owner (``security_notices``).
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static.models import StaticToken

from members.access import needs_two_factor
from members.audit_actions import MemberAction
from members.models import EnrolmentLink, RecoveryCodes, TotpDevice, User
from werkstation.audit import audit_record
from werkstation.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from werkstation.locks import lock_first, lock_where
from werkstation.notify import email_user_on_commit, site_link

from .ratelimit import rate_limit_hit
from .security_notices import EVENTS, security_notice
from .tokens import api_tokens_revoke_all

if TYPE_CHECKING:
    from django.db.models import QuerySet
    from django_otp.models import Device

RECOVERY_DEVICE_NAME = "recovery codes"


class Throttled(ApplicationError):
    status_code = 429
    default_code = "otp_throttled"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _normalise(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()


def totp_devices(user: User, *, confirmed: bool = True) -> QuerySet[TotpDevice]:
    devices: QuerySet[TotpDevice] = TotpDevice.objects.filter(user=user, confirmed=confirmed)
    return devices.order_by("id")


def has_device(user: User) -> bool:
    return totp_devices(user).exists()


def _wait_text(seconds: int) -> str:
    return ngettext("%(n)d second", "%(n)d seconds", seconds) % {"n": seconds}


def _throttled(locked_until: datetime) -> Throttled:
    seconds = max(1, math.ceil((locked_until - timezone.now()).total_seconds()))
    return Throttled(
        _("Too many wrong codes in a row. Wait %(wait)s, then enter a new code.")
        % {"wait": _wait_text(seconds)},
        field="otp_token",
        extra={"retry_after_seconds": seconds},
    )


def two_factor_check(*, user: User, code: str) -> Device:
    """The device that accepts ``code`` (an app code or a recovery code), or an error.

    Devices are locked while checked, so a recovery code works once even when sent twice
    at the same moment. A wrong code counts towards the throttle even though an error
    follows: the check commits before the error is raised.
    """
    code = _normalise(code)
    if not code:
        raise ValidationFailed(
            _("Enter the 6-digit code from your authenticator app."),
            code="invalid_otp",
            field="otp_token",
        )
    device, error = _check_devices(user, code)
    if error is not None:
        raise error
    return device


@transaction.atomic
def _check_devices(user: User, code: str) -> tuple[Device | None, ApplicationError | None]:
    apps = cast("list[TotpDevice]", lock_where(totp_devices(user)))  # by id: the key order
    recovery = cast(
        "list[RecoveryCodes]",
        lock_where(RecoveryCodes.objects.filter(user=user, confirmed=True)),
    )
    if not apps and not recovery:
        return None, PermissionDenied(
            _(
                "Your account has no second sign-in step yet. Set it up with the link we e-mail you."
            ),
            code="two_factor_setup_required",
        )
    candidates = apps if code.isdigit() and len(code) == 6 else recovery
    tried = False
    locked_until = None
    for device in candidates:
        allowed, info = device.verify_is_allowed()
        if not allowed:
            until = (info or {}).get("locked_until")
            if until is not None and (locked_until is None or until > locked_until):
                locked_until = until
            continue
        tried = True
        if device.verify_token(code):
            return device, None
    if not tried and locked_until is not None:
        return None, _throttled(locked_until)
    return None, ValidationFailed(
        _("That code is not right. Check the time on your phone and try again."),
        code="invalid_otp",
        field="otp_token",
    )


# --- enrolment links ---------------------------------------------------------------


@transaction.atomic
def two_factor_link_send(*, user: User, reason: str, actor: User | None = None) -> EnrolmentLink:
    """E-mail ``user`` a one-time, expiring link to enrol their first device.

    Earlier open links stop working. Asked by the person themselves, it is limited per
    hour (the link goes to their own mailbox, so this only stops e-mail floods).
    """
    if actor is None or getattr(actor, "pk", None) == user.pk:
        rate_limit_hit(
            scope="two_factor_link",
            key=str(user.pk),
            limit=5,
            window=timedelta(hours=1),
            field="email",
        )
    now = timezone.now()
    EnrolmentLink.objects.filter(user=user, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    token = secrets.token_urlsafe(32)
    link = EnrolmentLink.objects.create(
        user=user,
        digest=_digest(token),
        reason=reason,
        created_at=now,
        expires_at=now + timedelta(hours=settings.TWO_FACTOR_LINK_HOURS),
    )
    audit_record(
        actor=actor or user,
        action=MemberAction.TWO_FACTOR_LINK_SENT,
        target=user,
        data={"reason": reason, "link": link.pk},
    )
    email_user_on_commit(
        to=user.email,
        language=user.preferred_language,
        subject=EVENTS[MemberAction.TWO_FACTOR_LINK_SENT],
        template="members/email/two_factor_link.txt",
        context={
            "user": user,
            "link": site_link(f"/account/2fa/enrol/{token}/"),
            "hours": settings.TWO_FACTOR_LINK_HOURS,
        },
    )
    return link


def two_factor_link_get(*, user: User, token: str) -> EnrolmentLink:
    """The open link behind ``token`` for this signed-in ``user``, or a 404-style error."""
    link = EnrolmentLink.objects.filter(digest=_digest(token or "")).first()
    if link is None or link.user_id != user.pk or not link.is_open:
        raise NotFound(
            _("This set-up link has expired or has been used. Ask for a new one."),
            code="link_invalid",
            field="token",
        )
    return link


def two_factor_needed_after_grant(*, user: User, reason: str, actor: User | None = None) -> None:
    """After a role that needs 2FA is granted: e-mail a set-up link if there is no device."""
    if needs_two_factor(user) and not has_device(user):
        two_factor_link_send(user=user, reason=reason, actor=actor)


# --- enrolment ---------------------------------------------------------------------


@dataclass(frozen=True)
class EnrolmentProof:
    """Why this session may enrol: it is verified, or it carries an open e-mailed link."""

    session_verified: bool = False
    link_token: str = ""


def _check_proof(user: User, proof: EnrolmentProof) -> EnrolmentLink | None:
    if has_device(user):
        if not proof.session_verified:
            raise PermissionDenied(
                _("Confirm with a code from your current device first, then add a new one."),
                code="verification_required",
            )
        return None
    if proof.link_token:
        return two_factor_link_get(user=user, token=proof.link_token)
    raise PermissionDenied(
        _("The first device is set up through the link we e-mail you."),
        code="enrolment_link_required",
    )


@transaction.atomic
def two_factor_enrol_start(*, user: User, proof: EnrolmentProof) -> TotpDevice:
    """A new, unconfirmed authenticator for ``user`` (the QR code is made from it)."""
    _check_proof(user, proof)
    device = totp_devices(user, confirmed=False).first()
    if device is None:
        device = TotpDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


def two_factor_enrol_confirm(
    *, user: User, device_id: int, code: str, proof: EnrolmentProof, name: str = ""
) -> tuple[TotpDevice, list[str] | None]:
    """Confirm the new device with its first code; returns it and, for a first device,
    the recovery codes (shown once)."""
    _check_proof(user, proof)
    device = totp_devices(user, confirmed=False).filter(pk=device_id).first()
    if device is None:
        raise NotFound(_("Start the set-up again."), code="device_gone", field="device")
    allowed, info = device.verify_is_allowed()
    if not allowed:
        raise _throttled(info["locked_until"])
    # Checked (and a failure counted) on its own, before anything else is written.
    if not device.verify_token(_normalise(code)):
        raise ValidationFailed(
            _("That code is not right. Check the time on your phone and try again."),
            code="invalid_otp",
            field="otp_token",
        )
    return _enrol_finish(user=user, device_id=device.pk, proof=proof, name=name)


@transaction.atomic
def _enrol_finish(
    *, user: User, device_id: int, proof: EnrolmentProof, name: str
) -> tuple[TotpDevice, list[str] | None]:
    link = _check_proof(user, proof)
    device = lock_first(totp_devices(user, confirmed=False).filter(pk=device_id))
    if device is None:
        raise NotFound(_("Start the set-up again."), code="device_gone", field="device")
    first = not has_device(user)
    device.confirmed = True
    device.name = (name or "").strip()[:64] or _("Authenticator app")
    device.save(update_fields=["confirmed", "name"])
    if link is not None:
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
    security_notice(
        user=user,
        event=MemberAction.TWO_FACTOR_DEVICE_ADDED,
        data={"device": device.persistent_id, "via": "link" if link else "verified_session"},
        detail=_("Device: %(name)s") % {"name": device.name},
    )
    codes = _recovery_codes_replace(user) if first else None
    return device, codes


def _recovery_codes_replace(user: User) -> list[str]:
    device, _created = RecoveryCodes.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(settings.TWO_FACTOR_RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    security_notice(
        user=user, event=MemberAction.TWO_FACTOR_RECOVERY_CODES_MADE, data={"count": len(codes)}
    )
    return [f"{c[:4]}-{c[4:]}" for c in codes]


@transaction.atomic
def two_factor_recovery_codes_make(*, user: User, session_verified: bool) -> list[str]:
    if not session_verified or not has_device(user):
        raise PermissionDenied(
            _("Confirm with a code from your device first."), code="verification_required"
        )
    return _recovery_codes_replace(user)


def recovery_codes_left(user: User) -> int:
    left: int = StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
    return left


@transaction.atomic
def two_factor_device_remove(*, user: User, device_id: int, session_verified: bool) -> None:
    if not session_verified:
        raise PermissionDenied(
            _("Confirm with a code from your device first."), code="verification_required"
        )
    device = lock_first(totp_devices(user).filter(pk=device_id))
    if device is None:
        raise NotFound(_("Not found."), field="device")
    if needs_two_factor(user) and totp_devices(user).count() <= 1:
        raise ValidationFailed(
            _(
                "Your role needs a second sign-in step: add another device before removing this one."
            ),
            code="last_device",
            field="device",
        )
    name = device.name
    device.delete()
    if not totp_devices(user).exists():
        RecoveryCodes.objects.filter(user=user).delete()
    security_notice(
        user=user,
        event=MemberAction.TWO_FACTOR_DEVICE_REMOVED,
        data={"device_id": device_id},
        detail=_("Device: %(name)s") % {"name": name},
    )


@transaction.atomic
def two_factor_reset(*, actor: User, user: User) -> None:
    """Platform staff reset a person's second factor (a lost phone and no recovery codes).

    Every device goes; tokens are revoked; the person enrols again through an e-mailed link.
    """
    if not (actor.is_staff or actor.is_superuser):
        raise PermissionDenied(_("Only platform staff reset two-factor sign-in."))
    TotpDevice.objects.filter(user=user).delete()
    RecoveryCodes.objects.filter(user=user).delete()
    security_notice(user=user, event=MemberAction.TWO_FACTOR_RESET, actor=actor)
    api_tokens_revoke_all(user=user, reason="two_factor_reset", actor=actor)
    two_factor_link_send(user=user, reason="reset", actor=actor)
