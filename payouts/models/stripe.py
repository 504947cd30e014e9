"""Stripe: per-cooperative credentials, received webhook events, payment links,
members' connected accounts and the transfers of payout items.

Design overview
---------------
* Each cooperative is its own legal entity with its own Stripe account, so the secret
  key and the webhook signing secret are set per cooperative and stored encrypted
  (``payouts.crypto``). A single-cooperative install may use ``STRIPE_SECRET_KEY`` and
  ``STRIPE_WEBHOOK_SECRET`` from the environment instead.
* ``StripeEvent`` stores every verified webhook event under its event id, unique per
  cooperative (each has its own Stripe account), *before* it is handled; a second delivery
  finds the row and has no effect, and no other cooperative can take an id first.
* ``StripeCheckout`` is a Checkout Session (iDEAL and card) for the open amount of an
  invoice, created under a deterministic idempotency key.
* ``StripeConnectAccount`` is a member's Express account at the cooperative's Stripe
  account; ``account.updated`` events keep ``payouts_enabled`` current, ordered by
  ``state_at`` (Stripe's time of the state we hold), so an older event never wins.
* ``StripeTransfer`` is the attempt to pay one payout item by Connect transfer: its
  idempotency key is derived from the item (and the attempt number, which only moves on
  after Stripe has certainly not made the transfer), so a retried or crashed run never
  pays twice.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from payouts.crypto import EncryptedTextField

if TYPE_CHECKING:
    from members.models import SecondApproval


class StripeSettings(models.Model):
    class Overflow(models.TextChoices):
        WAIT = "wait", _("wait for the next batch")
        SEPA = "sepa", _("pay by SEPA transfer instead")

    cooperative = models.OneToOneField(
        "members.Cooperative", on_delete=models.CASCADE, related_name="stripe_settings"
    )
    secret_key = EncryptedTextField(_("secret key"), blank=True)
    webhook_secret = EncryptedTextField(_("webhook signing secret"), blank=True)
    connect_webhook_secret = EncryptedTextField(
        _("webhook signing secret for connected accounts"), blank=True
    )
    # New secrets wait here (encrypted) until a second board member approves them.
    pending_secret_key = EncryptedTextField(blank=True)
    pending_webhook_secret = EncryptedTextField(blank=True)
    pending_connect_webhook_secret = EncryptedTextField(blank=True)
    connect_enabled = models.BooleanField(_("pay members by Stripe Connect"), default=False)
    connect_overflow = models.CharField(
        _("when the Stripe balance is too low"),
        max_length=4,
        choices=Overflow.choices,
        default=Overflow.WAIT,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Not a column: the approval new keys wait for, set by ``stripe_settings_save``.
    pending_approval: SecondApproval | None

    class Meta:
        verbose_name_plural = "stripe settings"

    def __str__(self) -> str:
        return f"Stripe settings of {self.cooperative}"


class StripeEvent(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        PROCESSED = "processed", _("processed")
        IGNORED = "ignored", _("ignored")
        FAILED = "failed", _("failed")

    event_id = models.CharField(max_length=255)
    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="stripe_events"
    )
    type = models.CharField(max_length=100)
    created = models.DateTimeField(help_text="when Stripe created the event")
    livemode = models.BooleanField(default=False)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RECEIVED)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["cooperative", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "event_id"], name="stripe_event_once_per_cooperative"
            )
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id} ({self.status})"


class StripeCheckout(models.Model):
    invoice = models.ForeignKey(
        "payouts.Invoice", on_delete=models.PROTECT, related_name="stripe_checkouts"
    )
    session_id = models.CharField(max_length=255, unique=True)
    idempotency_key = models.CharField(max_length=120, unique=True)
    url = models.URLField(max_length=2000)
    amount_cents = models.BigIntegerField()
    payment_intent_id = models.CharField(max_length=255, blank=True)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"checkout {self.session_id} for invoice {self.invoice_id}"


class StripeConnectAccount(models.Model):
    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="stripe_connect_accounts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="stripe_connect_accounts"
    )
    account_id = models.CharField(max_length=255, unique=True)
    payouts_enabled = models.BooleanField(default=False)
    details_submitted = models.BooleanField(default=False)
    state_at = models.DateTimeField(
        null=True, blank=True, help_text="Stripe's time of the account state held here"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "user"], name="stripe_connect_account_once_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.account_id} of {self.user}"


class StripeTransfer(models.Model):
    class Status(models.TextChoices):
        SENDING = "sending", _("sent, answer pending")
        CREATED = "created", _("transferred")
        FAILED = "failed", _("refused by Stripe")

    item = models.OneToOneField(
        "payouts.PayoutItem", on_delete=models.PROTECT, related_name="stripe_transfer"
    )
    destination = models.CharField(max_length=255)
    amount_cents = models.BigIntegerField()
    attempt = models.PositiveIntegerField(default=0)
    idempotency_key = models.CharField(max_length=120, unique=True)
    transfer_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.SENDING)
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"transfer of item {self.item_id} ({self.status})"
