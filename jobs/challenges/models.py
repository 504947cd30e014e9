"""Right to challenge: tenders, challenges, bids, scores, contracts.

Design overview
---------------
* A municipality client publishes a ``Tender`` (a public task with a budget ceiling,
  weighted criteria and a submission window). Every cooperative the municipality works
  with may bid. A cooperative may also ``Challenge`` a task on its own initiative; the
  municipality decides before the challenge's deadline.
* A ``Bid`` carries a staffing plan: recurrence rules (weekdays, times, slots, skill).
  The same rules become the contract's and generate its shifts, so the capacity check
  runs the real dispatcher over exactly the shifts the contract would generate.
* Money is kept in cents (``BigIntegerField``), like invoices: budgets are compared and
  summed exactly, never as floats.
* A ``Contract`` draws down its budget: *committed* is the expected cost of every shift
  its jobs hold (hours × slots × tariff), *used* is approved work. The shift guard
  registered with ``jobs`` refuses a shift that would take committed past the budget
  (plus amendments) or that lies outside the contract period. ``ContractOccurrence``
  makes generation idempotent: one row per (contract, rule, date), unique.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jobs.models.work import CATEGORY_CHOICES
from werkstation.clock import ClockStatus


class Tender(ClockStatus, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open for bids")
        CLOSED = "closed", _("closed, being assessed")
        AWARDED = "awarded", _("awarded")
        NOT_AWARDED = "not_awarded", _("not awarded")

    client = models.ForeignKey("jobs.Client", on_delete=models.PROTECT, related_name="tenders")
    challenge = models.OneToOneField(
        "challenges.Challenge",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tender",
    )
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"))
    category = models.CharField(_("category"), max_length=20, choices=CATEGORY_CHOICES)
    area = models.CharField(_("area"), max_length=200)
    street = models.CharField(_("street and number"), max_length=150)
    postcode = models.CharField(_("postcode"), max_length=7)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    budget_ceiling_cents = models.BigIntegerField(_("budget ceiling (cents)"))
    required_outcomes = models.JSONField(_("required outcomes"), default=list)
    weight_price = models.PositiveSmallIntegerField(_("weight of price (%)"))
    weight_quality = models.PositiveSmallIntegerField(_("weight of quality (%)"))
    weight_social = models.PositiveSmallIntegerField(_("weight of social value (%)"))
    submission_opens = models.DateTimeField(_("submissions open"))
    submission_deadline = models.DateTimeField(_("submission deadline"))
    decision_deadline = models.DateField(_("decision deadline"))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    bid_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    decision_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-submission_deadline", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Exact(F("weight_price") + F("weight_quality") + F("weight_social"), 100),
                name="tender_weights_sum_100",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="tender_period_order"
            ),
            models.CheckConstraint(
                condition=Q(submission_deadline__gt=F("submission_opens")),
                name="tender_window_order",
            ),
            models.CheckConstraint(
                condition=Q(budget_ceiling_cents__gt=0), name="tender_ceiling_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def status_at(self, now=None) -> str:
        """The status the clock decides: bidding closes at the deadline, whether or not
        beat has run since (beat only lapses the drafts and writes the audit row)."""
        now = now or timezone.now()
        if self.status == self.Status.OPEN and self.submission_deadline <= now:
            return self.Status.CLOSED
        return self.status

    @property
    def weights(self) -> dict[str, int]:
        return {
            "price": self.weight_price,
            "quality": self.weight_quality,
            "social": self.weight_social,
        }


class Challenge(models.Model):
    """A cooperative's expression of interest in taking over a public task."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted, being assessed")
        MODIFICATION_PROPOSED = (
            "modification_proposed",
            _("accepted with changes, awaiting consent"),
        )
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrawn")

    class RejectReason(models.TextChoices):
        NOT_A_PUBLIC_TASK = "not_a_public_task", _("not a task of the municipality")
        INSUFFICIENT_SUPPORT = "insufficient_support", _("too little local support")
        INSUFFICIENT_CAPACITY = "insufficient_capacity", _("the cooperative cannot carry it")
        ALREADY_CONTRACTED = "already_contracted", _("the task is under a running contract")
        LEGAL_OBSTACLE = "legal_obstacle", _("a legal obstacle")
        OTHER = "other", _("another reason (see the explanation)")

    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="challenges"
    )
    client = models.ForeignKey("jobs.Client", on_delete=models.PROTECT, related_name="challenges")
    task = models.CharField(_("task"), max_length=200)
    area = models.CharField(_("area"), max_length=200)
    plan = models.TextField(_("plan"))
    signatures = models.PositiveIntegerField(_("resident signatures"), default=0)
    support_evidence = models.TextField(_("other evidence of local support"), blank=True)
    partners = models.TextField(_("partners"), blank=True)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.SUBMITTED)
    decision_deadline = models.DateField(_("decision deadline"))
    reject_reason = models.CharField(
        _("reason"), max_length=24, choices=RejectReason.choices, blank=True
    )
    decision_note = models.TextField(_("explanation"), blank=True)
    modification = models.TextField(_("proposed changes"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(reject_reason=""),
                name="challenge_rejection_has_reason",
            )
        ]

    def __str__(self) -> str:
        return self.task


class Bid(ClockStatus, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        AWARDED = "awarded", _("awarded")
        REJECTED = "rejected", _("not chosen")
        WITHDRAWN = "withdrawn", _("withdrawn")

    tender = models.ForeignKey(Tender, on_delete=models.PROTECT, related_name="bids")
    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="bids"
    )
    price_cents = models.BigIntegerField(_("price (cents)"))
    hourly_tariff_cents = models.BigIntegerField(_("client tariff per hour (cents)"))
    plan = models.TextField(_("plan"))
    staffing_plan = models.JSONField(_("staffing plan"), default=list)
    social_member_hours = models.PositiveIntegerField(_("hours worked by members"), default=0)
    social_target_group_members = models.PositiveIntegerField(
        _("members from target groups"), default=0
    )
    capacity = models.JSONField(default=dict, blank=True)
    capacity_checked_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tender", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tender", "cooperative"],
                condition=~Q(status="withdrawn"),
                name="bid_one_per_cooperative",
            ),
            models.CheckConstraint(condition=Q(price_cents__gt=0), name="bid_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.cooperative} → {self.tender.reference}"

    def status_at(self, now=None) -> str:
        """The status the clock decides: a draft not submitted by the deadline has lapsed
        (withdrawn), whether or not beat has stored that yet."""
        bidding = (Tender.Status.DRAFT, Tender.Status.OPEN)
        if self.status == self.Status.DRAFT and self.tender.status_at(now) not in bidding:
            return self.Status.WITHDRAWN
        return self.status


class BidScore(models.Model):
    """One assessor's scores (0–10) for the criteria that need judgement; price is computed."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="scores")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    quality = models.DecimalField(max_digits=4, decimal_places=1)
    social = models.DecimalField(max_digits=4, decimal_places=1)
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bid", "assessor"], name="bid_score_one_per_assessor"),
            models.CheckConstraint(
                condition=Q(quality__gte=0)
                & Q(quality__lte=10)
                & Q(social__gte=0)
                & Q(social__lte=10),
                name="bid_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessor} on {self.bid}"


class Contract(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("running")
        ENDED = "ended", _("ended")

    tender = models.OneToOneField(Tender, on_delete=models.PROTECT, related_name="contract")
    bid = models.OneToOneField(Bid, on_delete=models.PROTECT, related_name="contract")
    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="contracts"
    )
    client = models.ForeignKey("jobs.Client", on_delete=models.PROTECT, related_name="contracts")
    reference = models.CharField(_("contract reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=150)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    budget_cents = models.BigIntegerField(_("budget (cents)"))
    hourly_tariff_cents = models.BigIntegerField()
    kpis = models.JSONField(_("KPIs"), default=list)
    recurrence = models.JSONField(_("recurrence rules"), default=list)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    warned_at = models.DateTimeField(null=True, blank=True, help_text="80% of the budget")
    exhausted_at = models.DateTimeField(null=True, blank=True)
    generated_through = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_start", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(budget_cents__gt=0), name="contract_budget_positive"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="contract_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class ContractAmendment(models.Model):
    """More budget, agreed by the municipality; the only way past 100%."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="amendments")
    extra_budget_cents = models.BigIntegerField()
    reason = models.TextField()
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(extra_budget_cents__gt=0), name="amendment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} +{self.extra_budget_cents}"


class ContractJob(models.Model):
    """A job on the board that belongs to a contract: one per recurrence rule."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="contract_jobs")
    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="contract_link")
    rule_index = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contract", "rule_index"], name="contract_job_per_rule")
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} rule {self.rule_index}"


class ContractOccurrence(models.Model):
    """One generated shift per (contract, rule, date): generation runs twice, one effect."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="occurrences")
    rule_index = models.PositiveSmallIntegerField()
    date = models.DateField()
    shift = models.OneToOneField("jobs.Shift", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "rule_index", "date"], name="contract_occurrence_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} {self.rule_index} {self.date}"


class TargetGroupMember(models.Model):
    """A member counted for social return (with their consent); seen only in aggregates."""

    class Group(models.TextChoices):
        BENEFITS = "benefits", _("on benefits (Participatiewet)")
        LONG_TERM_UNEMPLOYED = "long_term_unemployed", _("long-term unemployed")
        DISABILITY = "disability", _("occupational disability")
        YOUTH = "youth", _("young people without a starting qualification")
        STATUS_HOLDER = "status_holder", _("status holder")

    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    group = models.CharField(max_length=24, choices=Group.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "user"], name="target_group_one_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.group})"
