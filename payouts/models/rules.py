"""Payout rule sets and the splits made with them.

Amounts here are integer minor units (cents), as in the split engine's file contract
(``payouts/rules.py``): every sum is exact, and the settlement run writes them in bulk.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from werkstation.engagements import Engagement


class RuleSet(models.Model):
    """A versioned payout rule set of one cooperative (the JSON of payout-rules-format.md).

    Which one is in force on a day is derived from the adopted sets' ``effective_from``
    dates (``payouts.selectors.rule_set_in_force``), never from a flag alone.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PROPOSED = "proposed", _("proposed")
        ADOPTED = "adopted", _("adopted")
        REJECTED = "rejected", _("rejected")

    class AdoptedVia(models.TextChoices):
        FOUNDING = "founding", _("founding meeting")
        VOTE = "vote", _("members' vote")

    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="rule_sets"
    )
    version = models.PositiveIntegerField()
    spec = models.JSONField()
    title = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateField(null=True, blank=True)
    adopted_at = models.DateTimeField(null=True, blank=True)
    adopted_via = models.CharField(max_length=10, choices=AdoptedVia.choices, blank=True)
    # Voted on next to the spec (outside the file contract): may the cooperative fund advance
    # members' shares before the client pays, and how much may be out at once?
    allow_advances = models.BooleanField(_("advances from the fund"), default=False)
    advance_limit_cents = models.BigIntegerField(
        _("most the fund may have advanced at once (cents)"), default=0
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cooperative", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "version"], name="ruleset_version_unique"
            ),
            models.CheckConstraint(
                condition=~Q(status="adopted")
                | (
                    Q(effective_from__isnull=False)
                    & Q(adopted_at__isnull=False)
                    & ~Q(adopted_via="")
                ),
                name="ruleset_adopted_has_dates",
            ),
            models.CheckConstraint(
                condition=Q(advance_limit_cents__gte=0), name="ruleset_advance_limit_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cooperative} v{self.version} ({self.status})"


class Split(models.Model):
    """What one approved timesheet's gross was split into. Immutable.

    A correction never edits a split: it adds a reversal (the negated amounts, pointing
    at the split it reverses) and a new split.
    """

    class Kind(models.TextChoices):
        SETTLEMENT = "settlement", _("settlement")
        REVERSAL = "reversal", _("reversal")
        CORRECTION = "correction", _("correction")

    class Withheld(models.TextChoices):
        MONTH = "volunteer_month", _("above the volunteer allowance maximum for the month")
        YEAR = "volunteer_year", _("above the volunteer allowance maximum for the year")

    timesheet = models.ForeignKey("jobs.Timesheet", on_delete=models.PROTECT, related_name="splits")
    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="+"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="splits"
    )
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="splits")
    # The timesheet's job, kept on the split: invoicing a client's work reads splits and
    # jobs only, not timesheet, claim and shift as well. No index of its own: splits are
    # found by cooperative and date (indexes below), and jobs with work are never deleted.
    job = models.ForeignKey("jobs.Job", on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SETTLEMENT)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    work_date = models.DateField()
    minutes = models.PositiveIntegerField()
    gross_cents = models.BigIntegerField()
    vat_cents = models.BigIntegerField()
    # VAT reverse-charged ("btw verlegd"): lent labour for work on buildings and grounds for a
    # VAT-registered client; ``vat_cents`` is 0 and the client accounts for the VAT.
    vat_reverse_charged = models.BooleanField(default=False)
    member_cents = models.BigIntegerField()
    pots = models.JSONField(help_text="pot slug → cents, in rule order")
    month_gross_before_cents = models.BigIntegerField(default=0)
    # A volunteer's share above the cooperative's allowance maximums stays with the cooperative
    # fund: gross = pots + member + withheld.
    withheld_cents = models.BigIntegerField(default=0)
    # The member's share the fund advanced at settlement (0: payable when the client pays).
    advanced_cents = models.BigIntegerField(default=0)
    withheld_reason = models.CharField(max_length=16, choices=Withheld.choices, blank=True)
    # The claim's engagement when settled: what the caps, payouts and statements read.
    engagement = models.CharField(
        max_length=16, choices=Engagement.choices, default=Engagement.SELF_EMPLOYED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["work_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["timesheet"],
                condition=Q(kind="settlement"),
                name="split_one_settlement_per_timesheet",
            ),
        ]
        indexes = [
            models.Index(fields=["member", "work_date"]),
            models.Index(fields=["cooperative", "work_date"]),
        ]

    def __str__(self) -> str:
        return f"split {self.kind} of timesheet {self.timesheet_id}"
