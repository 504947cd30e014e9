"""Corrections of money that already moved: refunds, disputes, credit notes.

Each of them is a new ledger transaction (never an edit of an earlier one) and a row
here that says why. Refunds and disputes carry the payment provider's id (unique within
the cooperative, whose own provider account issued it), so a webhook delivered twice, or
out of order, has one effect.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Refund(models.Model):
    """Money paid back to a client, against one payment."""

    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="refunds"
    )
    payment = models.ForeignKey("payouts.Payment", on_delete=models.PROTECT, related_name="refunds")
    amount_cents = models.BigIntegerField()
    reason = models.CharField(max_length=250)
    external_id = models.CharField(max_length=120, null=True, blank=True)
    # Member shares taken back from payable to earned because the payments no longer cover
    # their lines, and the part already paid out that the cooperative carries.
    reheld_cents = models.BigIntegerField(default=0)
    unrecovered_cents = models.BigIntegerField(default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="refund_positive"),
            models.UniqueConstraint(
                fields=["cooperative", "external_id"], name="refund_external_id_per_cooperative"
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.amount_cents} of payment {self.payment_id}"


class Dispute(models.Model):
    """A chargeback opened by the client's bank or card issuer (Stripe ``charge.dispute.*``).

    ``open`` withdraws the amount, ``won`` returns it, ``lost`` makes the withdrawal final.
    ``withdrawn`` and ``returned`` record which ledger effects were posted, so the events
    can arrive in any order and still end in the same state.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        WON = "won", _("won")
        LOST = "lost", _("lost")

    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="disputes"
    )
    payment = models.ForeignKey(
        "payouts.Payment", on_delete=models.PROTECT, related_name="disputes"
    )
    external_id = models.CharField(max_length=120)
    amount_cents = models.BigIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    reason = models.CharField(max_length=250, blank=True)
    withdrawn = models.BooleanField(default=False)
    returned = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="dispute_positive"),
            models.UniqueConstraint(
                fields=["cooperative", "external_id"], name="dispute_external_id_per_cooperative"
            ),
        ]

    def __str__(self) -> str:
        return f"dispute {self.external_id} ({self.status})"


class CreditNoteSequence(models.Model):
    """The last credit-note number of a cooperative: its own gapless series."""

    cooperative = models.OneToOneField(
        "members.Cooperative", on_delete=models.PROTECT, related_name="+"
    )
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.cooperative}: {self.last_number}"


class CreditNote(models.Model):
    """A credit note against an issued invoice (Dutch: *creditnota*).

    Amounts are stored positive and shown negative. It names the invoice it corrects and
    keeps the legal details as they were on the day of issue, like an invoice.
    """

    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="credit_notes"
    )
    invoice = models.ForeignKey(
        "payouts.Invoice", on_delete=models.PROTECT, related_name="credit_notes"
    )
    number = models.PositiveIntegerField()
    issued_on = models.DateField()
    reason = models.CharField(max_length=250)
    currency = models.CharField(max_length=3, default="EUR")
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    subtotal_cents = models.BigIntegerField()
    vat_cents = models.BigIntegerField()
    total_cents = models.BigIntegerField()
    supplier = models.JSONField()
    customer = models.JSONField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cooperative", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "number"], name="credit_note_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(total_cents=models.F("subtotal_cents") + models.F("vat_cents")),
                name="credit_note_total",
            ),
            models.CheckConstraint(condition=Q(total_cents__gt=0), name="credit_note_positive"),
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"C{self.issued_on.year}-{self.number:05d}"


class CreditNoteLine(models.Model):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.PROTECT, related_name="lines")
    invoice_line = models.OneToOneField(
        "payouts.InvoiceLine",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_line",
    )
    description = models.CharField(max_length=250)
    amount_cents = models.BigIntegerField()
    vat_cents = models.BigIntegerField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.description


class EarningsCapWarning(models.Model):
    """A member was told they reached a share of their yearly earnings cap (once per year)."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="earnings_cap_warnings"
    )
    year = models.PositiveIntegerField()
    percent = models.PositiveSmallIntegerField()
    earned_cents = models.BigIntegerField()
    cap_cents = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "percent"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "year", "percent"], name="earnings_cap_warning_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.percent}% of cap in {self.year}"
