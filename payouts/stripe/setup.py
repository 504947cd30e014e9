"""Stripe credentials per cooperative, and the Stripe client made from them.

A cooperative's own credentials (set by its treasurer or board, stored encrypted) come
first. An install with exactly one cooperative may instead use ``STRIPE_SECRET_KEY`` and
``STRIPE_WEBHOOK_SECRET`` from the environment; an install with several never shares
one Stripe account between cooperatives. Secrets are write-only: nothing here returns
them to a user.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

import stripe
from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.access import require_role
from members.models import Cooperative, SecondApproval, User
from members.services.approvals import (
    ApprovalKind,
    approval_kind_register,
    second_approval_request,
)
from payouts.audit_actions import PayoutAction
from payouts.crypto import encryption_configured
from payouts.models import StripeSettings
from werkstation.audit import audit_record
from werkstation.errors import ValidationFailed
from werkstation.locks import lock_cooperatives, lock_first, lock_get_or_create, lock_where

if TYPE_CHECKING:
    from stripe._base_address import BaseAddresses


@dataclass(frozen=True)
class StripeCredentials:
    secret_key: str
    webhook_secrets: tuple[str, ...]
    connect_enabled: bool
    overflow: str
    source: str  # "cooperative", "environment" or "none"

    @property
    def payments_on(self) -> bool:
        return bool(self.secret_key)


def _single_install(cooperative: Cooperative) -> bool:
    return (
        bool(settings.STRIPE_SECRET_KEY)
        and not Cooperative.objects.exclude(pk=cooperative.pk).exists()
    )


def stripe_credentials(cooperative: Cooperative) -> StripeCredentials:
    row = StripeSettings.objects.filter(cooperative=cooperative).first()
    connect = bool(row and row.connect_enabled)
    overflow = row.connect_overflow if row else StripeSettings.Overflow.WAIT
    if row and row.secret_key:
        secrets = tuple(s for s in (row.webhook_secret, row.connect_webhook_secret) if s)
        return StripeCredentials(row.secret_key, secrets, connect, overflow, "cooperative")
    if _single_install(cooperative):
        # Several comma-separated secrets: the endpoint for the platform's own events and
        # the one for connected accounts' events each have their own.
        secrets = tuple(s.strip() for s in settings.STRIPE_WEBHOOK_SECRET.split(",") if s.strip())
        return StripeCredentials(
            settings.STRIPE_SECRET_KEY, secrets, connect, overflow, "environment"
        )
    return StripeCredentials("", (), connect_enabled=False, overflow=overflow, source="none")


def stripe_client(
    cooperative: Cooperative, credentials: StripeCredentials | None = None
) -> stripe.StripeClient:
    """The official SDK's client for this cooperative's Stripe account.

    ``STRIPE_API_BASE`` points it elsewhere (the fake Stripe server of the tests). The SDK
    retries connection errors, 409s and 5xx itself, with the same idempotency key.
    """
    credentials = credentials or stripe_credentials(cooperative)
    if not credentials.payments_on:
        raise ValidationFailed(
            _("Stripe is not set up for this cooperative."), code="stripe_off", field="stripe"
        )
    base: BaseAddresses | None = (
        {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    )
    return stripe.StripeClient(
        credentials.secret_key,
        base_addresses=base,
        max_network_retries=getattr(settings, "STRIPE_MAX_NETWORK_RETRIES", 2),
        http_client=stripe.RequestsClient(timeout=getattr(settings, "STRIPE_TIMEOUT", 30)),
    )


def _check_secret(value: str, prefixes: tuple[str, ...], field: str) -> None:
    if not value.startswith(prefixes) or len(value) < 12 or any(c.isspace() for c in value):
        raise ValidationFailed(
            _("This does not look like a Stripe %(what)s (it starts with %(prefix)s).")
            % {"what": field.replace("_", " "), "prefix": " / ".join(prefixes)},
            code="invalid_secret",
            field=field,
        )


@transaction.atomic
def stripe_settings_save(
    *,
    actor: User,
    cooperative: Cooperative,
    secret_key: str | None = None,
    webhook_secret: str | None = None,
    connect_webhook_secret: str | None = None,
    connect_enabled: bool | None = None,
    connect_overflow: str | None = None,
) -> StripeSettings:
    """Set what is given; ``None`` (or an empty secret) leaves a value as it is."""
    require_role(actor, cooperative, "treasurer", "board")
    secret_key = (secret_key or "").strip()
    webhook_secret = (webhook_secret or "").strip()
    connect_webhook_secret = (connect_webhook_secret or "").strip()
    if secret_key:
        _check_secret(secret_key, ("sk_", "rk_"), "secret_key")
    if webhook_secret:
        _check_secret(webhook_secret, ("whsec_",), "webhook_secret")
    if connect_webhook_secret:
        _check_secret(connect_webhook_secret, ("whsec_",), "connect_webhook_secret")
    if (secret_key or webhook_secret or connect_webhook_secret) and not encryption_configured():
        raise ValidationFailed(
            _(
                "Secrets cannot be stored: the installation has no FIELD_ENCRYPTION_KEY. "
                "Ask the platform staff to set one."
            ),
            code="encryption_key_missing",
            field="secret_key"
            if secret_key
            else "webhook_secret"
            if webhook_secret
            else "connect_webhook_secret",
        )
    if connect_overflow is not None and connect_overflow not in StripeSettings.Overflow.values:
        raise ValidationFailed(
            _("Choose wait or sepa."), code="invalid_choice", field="connect_overflow"
        )
    if secret_key or webhook_secret or connect_webhook_secret:
        # New keys replace the pending request for keys: the cooperative and that request
        # are locked before the settings row, as approving it locks them (werkstation.locks).
        lock_cooperatives([cooperative.pk])
        lock_where(
            SecondApproval.objects.filter(
                cooperative=cooperative,
                kind="stripe_keys",
                status=SecondApproval.Status.PENDING,
                target_membership=None,
            )
        )
    row: StripeSettings
    row, _created = lock_get_or_create("payouts.StripeSettings", cooperative=cooperative)
    changed: list[str] = []
    # Keys decide where clients' money goes: they wait for a second board member.
    asked = [
        name
        for name, value in (
            ("secret_key", secret_key),
            ("webhook_secret", webhook_secret),
            ("connect_webhook_secret", connect_webhook_secret),
        )
        if value
    ]
    if asked:
        row.pending_secret_key = secret_key or row.pending_secret_key
        row.pending_webhook_secret = webhook_secret or row.pending_webhook_secret
        row.pending_connect_webhook_secret = (
            connect_webhook_secret or row.pending_connect_webhook_secret
        )
    if connect_enabled is not None and connect_enabled != row.connect_enabled:
        row.connect_enabled, changed = connect_enabled, [*changed, "connect_enabled"]
    if connect_overflow is not None and connect_overflow != row.connect_overflow:
        row.connect_overflow, changed = connect_overflow, [*changed, "connect_overflow"]
    row.updated_by = actor
    row.save()
    audit_record(
        actor=actor,
        action=PayoutAction.STRIPE_SETTINGS_CHANGED,
        target=row,
        cooperative_id=cooperative.pk,
        data={"changed": changed, "asked": asked},  # names only, never the secrets
    )
    row.pending_approval = (
        second_approval_request(
            kind="stripe_keys",
            cooperative=cooperative,
            requester=actor,
            payload={"keys": _pending_names(row)},
        )
        if asked
        else None
    )
    return row


def _pending_names(row: StripeSettings) -> list[str]:
    return [
        name
        for name in ("secret_key", "webhook_secret", "connect_webhook_secret")
        if getattr(row, f"pending_{name}")
    ]


def _stripe_keys_apply(approval: SecondApproval, approver: User) -> None:
    row = lock_first(StripeSettings.objects.filter(cooperative_id=approval.cooperative_id))
    assert row is not None  # saving the settings asked for this approval
    applied = _pending_names(row)
    for name in applied:
        setattr(row, name, getattr(row, f"pending_{name}"))
        setattr(row, f"pending_{name}", "")
    row.updated_by = approver
    row.save()
    audit_record(
        actor=approver,
        action=PayoutAction.STRIPE_KEYS_CHANGED,
        target=row,
        cooperative_id=approval.cooperative_id,
        data={"changed": applied},
    )


def _stripe_keys_drop(approval: SecondApproval) -> None:
    StripeSettings.objects.filter(cooperative_id=approval.cooperative_id).update(
        pending_secret_key="", pending_webhook_secret="", pending_connect_webhook_secret=""
    )


def _stripe_keys_describe(approval: SecondApproval) -> str:
    return _("Use new Stripe keys for %(cooperative)s (%(keys)s).") % {
        "cooperative": approval.cooperative.name,
        "keys": ", ".join(approval.payload.get("keys", [])),
    }


approval_kind_register(
    ApprovalKind(
        name="stripe_keys",
        label=gettext_lazy("Stripe keys"),
        requester_roles=("board", "treasurer"),
        approver_roles=("board",),
        apply=_stripe_keys_apply,
        describe=_stripe_keys_describe,
        on_close=_stripe_keys_drop,
    )
)


@transaction.atomic
def stripe_settings_clear(*, actor: User, cooperative: Cooperative) -> None:
    require_role(actor, cooperative, "treasurer", "board")
    row = lock_first(StripeSettings.objects.filter(cooperative=cooperative))
    if row is None:
        return
    row.secret_key = row.webhook_secret = row.connect_webhook_secret = ""
    row.pending_secret_key = row.pending_webhook_secret = row.pending_connect_webhook_secret = ""
    row.connect_enabled = False
    row.updated_by = actor
    row.save()
    audit_record(
        actor=actor,
        action=PayoutAction.STRIPE_SETTINGS_CLEARED,
        target=row,
        cooperative_id=cooperative.pk,
    )


class StripeStatus(TypedDict):
    """Whether Stripe is set up, never the secrets themselves (``stripe_status``)."""

    source: str
    payments_on: bool
    secret_key_set: bool
    webhook_secret_set: bool
    connect_webhook_secret_set: bool
    connect_enabled: bool
    connect_overflow: str
    keys_waiting_for_approval: list[str]


def stripe_status(cooperative: Cooperative) -> StripeStatus:
    """What the settings page and API may show: whether things are set, never their values."""
    row = StripeSettings.objects.filter(cooperative=cooperative).first()
    credentials = stripe_credentials(cooperative)
    return {
        "source": credentials.source,
        "payments_on": credentials.payments_on,
        "secret_key_set": bool(row and row.secret_key),
        "webhook_secret_set": bool(row and row.webhook_secret),
        "connect_webhook_secret_set": bool(row and row.connect_webhook_secret),
        "connect_enabled": credentials.connect_enabled,
        "connect_overflow": credentials.overflow,
        "keys_waiting_for_approval": _pending_names(row) if row else [],
    }
