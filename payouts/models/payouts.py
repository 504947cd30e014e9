"""Payout batches: each member's payable balance paid once, after four eyes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class PayoutBatch(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("awaiting approval")
        APPROVED = "approved", _("approved")
        EXECUTED = "executed", _("executed")
        CANCELLED = "cancelled", _("cancelled")

    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="payout_batches"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    execution_date = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    sepa_xml = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"payout batch {self.pk} ({self.status})"


class PayoutApproval(models.Model):
    batch = models.ForeignKey(PayoutBatch, on_delete=models.CASCADE, related_name="approvals")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "user"], name="payout_approval_once_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} approves {self.batch}"


class PayoutItem(models.Model):
    class Method(models.TextChoices):
        SEPA = "sepa", _("SEPA transfer")
        STRIPE = "stripe", _("Stripe Connect")
        PAYROLL = "payroll", _("payroll provider")

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        # Booked and in the SEPA file, but no bank has confirmed it yet.
        SENT = "sent", _("sent to the bank")
        PAID = "paid", _("paid")
        HELD = "held", _("held")
        FAILED = "failed", _("failed")
        RETURNED = "returned", _("returned")

    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="items")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="payout_items"
    )
    amount_cents = models.BigIntegerField()
    method = models.CharField(max_length=8, choices=Method.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    hold_reason = models.CharField(max_length=200, blank=True)
    idempotency_key = models.CharField(max_length=80, unique=True)
    provider_id = models.CharField(max_length=120, blank=True)
    iban = models.CharField(max_length=34, blank=True)
    account_holder = models.CharField(max_length=120, blank=True)
    # When the file went to the bank (SEPA); paid_at is when the bank statement or the treasurer
    # confirmed it (SEPA), or when Stripe or the payroll hand-over paid it.
    sent_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.CharField(max_length=20, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField(max_length=250, blank=True)
    return_external_id = models.CharField(max_length=120, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["batch", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="payout_item_positive"),
            # One item per member and way of paying (payroll wages, and fees or allowances).
            models.UniqueConstraint(
                fields=["batch", "member", "method"], name="payout_item_once_per_member_method"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.amount_cents} ({self.status})"
