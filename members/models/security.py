"""Sign-in security: API tokens, two-factor enrolment links, role history, second approvals.

Design overview
---------------
* **API tokens** are django-rest-knox tokens (stored as a SHA-512 digest, never in
  plain text) with two extra facts: whether the token was issued after a second factor
  (a token of someone who now needs 2FA but got it with a password alone stops working)
  and a name the owner gives it. Expiry: an idle limit (every use extends ``expiry``) and
  an absolute limit from ``created`` (knox's ``AUTO_REFRESH_MAX_TTL``).
* **Enrolment links** are the only way to enrol a *first* second-factor device: a
  password alone never does. The link is e-mailed, expires, and works once; only its
  digest is stored.
* **Role grants** record who asked for a role and who approved it, and when. They answer
  the four-eyes question "did this person already hold the role when the request was
  made, and did they get it from the requester?" (``members.services.approvals``).
* **Second approvals** are requests that need a second person (granting a role, the
  cooperative's bank account, Stripe keys). The request holds what is asked in
  ``payload`` (never a secret: the owning app keeps secrets encrypted next to its own
  settings) and is decided once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AbstractAuthToken


class ApiToken(AbstractAuthToken):
    """A personal API token (knox's token model, swapped in by ``KNOX_TOKEN_MODEL``)."""

    name = models.CharField(_("name"), max_length=80, blank=True)
    second_factor = models.BooleanField(
        _("issued after a second factor"),
        default=False,
        help_text=_("A token issued with a password alone stops working once 2FA is needed."),
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.token_key}… ({self.user_id})"


class OneFreeRetry:
    """django-otp's throttle, with one free retry.

    The throttle stays: after n wrong codes in a row a device waits 2**(n-1) × the
    throttle factor seconds. A single typo, though, costs nothing: the next correct code
    is accepted at once, however fast it follows.
    """

    def verify_is_allowed(self):
        if self.throttling_failure_count <= 1:
            return True, None
        return super().verify_is_allowed()


class TotpDevice(OneFreeRetry, TOTPDevice):
    """An authenticator app (django-otp's TOTP device)."""

    class Meta:
        proxy = True
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")


class RecoveryCodes(OneFreeRetry, StaticDevice):
    """One-time recovery codes (django-otp's static device)."""

    class Meta:
        proxy = True
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")


class EnrolmentLink(models.Model):
    """A one-time, expiring, e-mailed link to enrol a first second-factor device."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_links"
    )
    digest = models.CharField(max_length=64, unique=True)
    reason = models.CharField(max_length=40)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"enrolment link of {self.user_id} ({self.reason})"

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class RoleGrant(models.Model):
    """When a member got a role, asked by whom and approved by whom; ``revoked_at`` ends it."""

    class Role(models.TextChoices):
        BOARD = "board", _("board")
        TREASURER = "treasurer", _("treasurer")
        AUDITOR = "auditor", _("auditor")

    membership = models.ForeignKey(
        "members.Membership", on_delete=models.CASCADE, related_name="role_grants"
    )
    role = models.CharField(max_length=12, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["granted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "role"],
                condition=Q(revoked_at__isnull=True),
                name="role_grant_one_open_per_role",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} for membership {self.membership_id}"


class SecondApproval(models.Model):
    """A request that takes effect only when a second, independent person approves it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for a second person")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        CANCELLED = "cancelled", _("cancelled")

    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.CASCADE, related_name="second_approvals"
    )
    kind = models.CharField(max_length=40)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    payload = models.JSONField(default=dict, blank=True)
    target_membership = models.ForeignKey(
        "members.Membership",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="second_approvals",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_as_staff = models.BooleanField(default=False)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["cooperative", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | Q(decided_at__isnull=False),
                name="second_approval_decided_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class RateLimitHit(models.Model):
    """One counted attempt (a password-reset request, a wrong reset link) per scope and key."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"])]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"
