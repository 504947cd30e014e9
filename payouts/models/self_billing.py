"""Self-billing invoices ("factureren op verzoek"): the cooperative draws up the invoice of
a self-employed member for their work in a calendar month, in the member's name."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class SelfBillingSequence(models.Model):
    """The last self-billing number of a member with a cooperative; locked while issuing,
    so each member's numbers are gapless and never reused."""

    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "member"], name="self_billing_sequence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cooperative_id}/{self.member_id}: {self.last_number}"


class SelfBillingInvoice(models.Model):
    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="self_billing_invoices"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="self_billing_invoices"
    )
    # The member's own series: 1, 2, 3, ... (gapless per member and cooperative).
    sequence_number = models.PositiveIntegerField()
    # As printed: SB-<member number>-<year of issue>-<sequence number>.
    number = models.CharField(max_length=40)
    issued_on = models.DateField()
    period_start = models.DateField()
    period_end = models.DateField()
    currency = models.CharField(max_length=3, default="EUR")
    # The VAT rate added (0 under the KOR).
    vat_rate = models.DecimalField(max_digits=5, decimal_places=2)
    kor = models.BooleanField(default=False, help_text="small business scheme: no VAT")
    subtotal_cents = models.BigIntegerField()
    vat_cents = models.BigIntegerField()
    total_cents = models.BigIntegerField()
    # The legal details as they were on the day of issue: the member supplies, the
    # cooperative (which draws up the invoice) is the customer.
    supplier = models.JSONField()
    customer = models.JSONField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cooperative", "member", "-sequence_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "member", "sequence_number"],
                name="self_billing_number_unique",
            ),
            models.UniqueConstraint(
                fields=["cooperative", "number"], name="self_billing_display_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(total_cents=models.F("subtotal_cents") + models.F("vat_cents")),
                name="self_billing_total",
            ),
        ]
        indexes = [models.Index(fields=["cooperative", "period_start"])]

    def __str__(self) -> str:
        return self.number


class SelfBillingLine(models.Model):
    invoice = models.ForeignKey(SelfBillingInvoice, on_delete=models.PROTECT, related_name="lines")
    # A split is on one self-billing invoice at most.
    split = models.OneToOneField(
        "payouts.Split", on_delete=models.PROTECT, related_name="self_billing_line"
    )
    work_date = models.DateField()
    description = models.CharField(max_length=250)
    minutes = models.IntegerField()
    amount_cents = models.BigIntegerField(help_text="the member's share, without VAT")

    class Meta:
        ordering = ["work_date", "id"]

    def __str__(self) -> str:
        return self.description
