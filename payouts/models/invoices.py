"""Invoices to clients and the payments that come in for them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class InvoiceSequence(models.Model):
    """The last invoice number of a cooperative; locked while issuing, so numbers are gapless."""

    cooperative = models.OneToOneField(
        "members.Cooperative", on_delete=models.PROTECT, related_name="+"
    )
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.cooperative}: {self.last_number}"


class Invoice(models.Model):
    class Status(models.TextChoices):
        ISSUED = "issued", _("issued")
        PARTIALLY_PAID = "partially_paid", _("partially paid")
        PAID = "paid", _("paid")
        CREDITED = "credited", _("credited")

    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="invoices"
    )
    client = models.ForeignKey("jobs.Client", on_delete=models.PROTECT, related_name="invoices")
    number = models.PositiveIntegerField()
    issued_on = models.DateField()
    due_on = models.DateField()
    period_start = models.DateField()
    period_end = models.DateField()
    currency = models.CharField(max_length=3, default="EUR")
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    subtotal_cents = models.BigIntegerField()
    # The part of the subtotal whose VAT is reverse-charged to the client ("btw verlegd").
    reverse_charged_cents = models.BigIntegerField(default=0)
    vat_cents = models.BigIntegerField()
    total_cents = models.BigIntegerField()
    paid_cents = models.BigIntegerField(default=0)
    # Chain liability: the share of the total to pay into the G-account (0: no agreement), the
    # percentage it was computed with, and what was paid into it.
    g_account_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    g_account_cents = models.BigIntegerField(default=0)
    g_account_paid_cents = models.BigIntegerField(default=0)
    credited_cents = models.BigIntegerField(default=0)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ISSUED)
    # The legal details as they were on the day of issue (a Dutch invoice must keep them).
    supplier = models.JSONField()
    customer = models.JSONField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cooperative", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "number"], name="invoice_number_unique"),
            models.CheckConstraint(
                condition=Q(total_cents=models.F("subtotal_cents") + models.F("vat_cents")),
                name="invoice_total",
            ),
        ]

    def __str__(self) -> str:
        return self.display_number

    @property
    def display_number(self) -> str:
        return f"{self.issued_on.year}-{self.number:05d}"

    @property
    def standard_vat_base_cents(self) -> int:
        """The part of the subtotal VAT is charged on."""
        return self.subtotal_cents - self.reverse_charged_cents

    @property
    def open_cents(self) -> int:
        """What the client still owes; below zero when they paid more than was left after credits."""
        return self.total_cents - self.credited_cents - self.paid_cents


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    split = models.OneToOneField(
        "payouts.Split", on_delete=models.PROTECT, related_name="invoice_line"
    )
    description = models.CharField(max_length=250)
    work_date = models.DateField()
    minutes = models.PositiveIntegerField()
    hourly_cents = models.BigIntegerField()
    amount_cents = models.BigIntegerField()
    vat_cents = models.BigIntegerField()
    vat_reverse_charged = models.BooleanField(default=False)
    released = models.BooleanField(default=False, help_text="the member's share became payable")
    # How often a refund or dispute took the share back to earned (numbers the later
    # release and re-hold transactions, whose ledger references are unique).
    holds = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["work_date", "id"]

    def __str__(self) -> str:
        return self.description


class Payment(models.Model):
    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("bank transfer")
        IDEAL = "ideal", _("iDEAL")
        CARD = "card", _("card")

    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="payments"
    )
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    amount_cents = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=16, choices=Method.choices)
    to_g_account = models.BooleanField(
        default=False, help_text="paid into the cooperative's G-account"
    )
    received_on = models.DateField()
    reference = models.CharField(max_length=140, blank=True, help_text="bank statement reference")
    stripe_id = models.CharField(max_length=120, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0), name="payment_positive"),
            # Each cooperative has its own Stripe account: ids are unique within it.
            models.UniqueConstraint(
                fields=["cooperative", "stripe_id"], name="payment_stripe_id_per_cooperative"
            ),
        ]

    def __str__(self) -> str:
        return f"payment {self.amount_cents} for {self.invoice_id}"
