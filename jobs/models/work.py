"""Jobs, shifts, claims and timesheets.

Design overview
---------------
* A ``Shift`` carries copies of what the member's feed filters on (cooperative, place,
  category, skill, local weekday and minutes, epoch minutes). The job's service keeps the
  copies in step, so the feed is one indexed SQL query instead of a Python loop.
* ``Shift.filled`` counts the slot-holding claims (claimed, offered, confirmed, completed,
  no-show). It moves only by conditional ``UPDATE … WHERE filled < slots`` in
  ``jobs.services.claims``, and a check constraint keeps ``0 <= filled <= slots``.
* On PostgreSQL an exclusion constraint (migration 0002) forbids two slot-holding
  claims of one member whose time ranges overlap; travel time between places is the
  service's extra check.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField

from werkstation.clock import ClockStatus
from werkstation.engagements import Engagement, all_engagements

CATEGORY_CHOICES = [
    ("greening", _("greening")),
    ("energy", _("energy transition")),
    ("green_maintenance", _("green maintenance")),
    ("cleaning", _("cleaning")),
    ("removals", _("removals")),
    ("care", _("care and help")),
    ("other", _("other")),
]


class RateCard(models.Model):
    """The cooperative's standard tariffs per category (used when a job gives none)."""

    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.CASCADE, related_name="rate_cards"
    )
    category = models.CharField(_("category"), max_length=20, choices=CATEGORY_CHOICES)
    client_tariff = MoneyField(
        _("client tariff per hour"), max_digits=8, decimal_places=2, default_currency="EUR"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "category"], name="rate_card_unique")
        ]

    def __str__(self) -> str:
        return f"{self.cooperative}: {self.category}"


class Job(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        COMPLETED = "completed", _("completed")
        CANCELLED = "cancelled", _("cancelled")

    class Source(models.TextChoices):
        DIRECT = "direct", _("direct")
        CONTRACT = "contract", _("contract")

    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="jobs"
    )
    client = models.ForeignKey("jobs.Client", on_delete=models.PROTECT, related_name="jobs")
    title = models.CharField(_("title"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=CATEGORY_CHOICES)
    street = models.CharField(_("street and number"), max_length=150)
    postcode = models.CharField(_("postcode"), max_length=7)
    city = models.CharField(_("city"), max_length=80, default="Utrecht")
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)
    required_skill = models.ForeignKey(
        "members.Skill",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="jobs",
        verbose_name=_("required skill"),
    )
    client_tariff = MoneyField(
        _("client tariff per hour"), max_digits=8, decimal_places=2, default_currency="EUR"
    )
    auto_confirm = models.BooleanField(_("confirm claims automatically"), default=False)
    # Which engagements the work allows (a list of werkstation.engagements values, never
    # empty): payroll, self-employed, volunteer. A claim's engagement is one of them.
    engagements = models.JSONField(_("engagements allowed"), default=all_engagements)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.DIRECT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["cooperative", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(client_tariff__gte=0), name="job_tariff_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Shift(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CANCELLED = "cancelled", _("cancelled")

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="shifts")
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    slots = models.PositiveSmallIntegerField(_("slots"), default=1)
    filled = models.PositiveSmallIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    cancel_reason = models.CharField(max_length=200, blank=True)
    # Copies for the feed (kept by jobs.services.jobs.shift_denormalize).
    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.CASCADE, related_name="+"
    )
    job_status = models.CharField(max_length=12, default=Job.Status.DRAFT)
    category = models.CharField(max_length=20)
    required_skill = models.ForeignKey(
        "members.Skill", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    latitude = models.FloatField()
    longitude = models.FloatField()
    start_minute = models.BigIntegerField(help_text="minutes since the epoch")
    end_minute = models.BigIntegerField()
    local_date = models.DateField()
    local_weekday = models.PositiveSmallIntegerField()
    local_start = models.PositiveSmallIntegerField(help_text="minutes after local midnight")
    local_end = models.PositiveIntegerField(help_text="may pass 1440 for a night shift")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="shift_end_after_start"),
            models.CheckConstraint(condition=Q(slots__gte=1), name="shift_slots_positive"),
            models.CheckConstraint(
                condition=Q(filled__lte=F("slots")), name="shift_filled_within_slots"
            ),
        ]
        indexes = [
            models.Index(
                fields=["cooperative", "start_minute"],
                name="shift_feed_idx",
                condition=Q(status="open", job_status__in=["open", "in_progress"]),
            ),
            models.Index(fields=["job", "start"]),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.start:%Y-%m-%d %H:%M}"

    @property
    def duration_minutes(self) -> int:
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def open_slots(self) -> int:
        return max(0, self.slots - self.filled)


SLOT_HOLDING = ("claimed", "offered", "confirmed", "completed", "no_show")


class Claim(ClockStatus, models.Model):
    # Not a column: what ``shift_claim`` warned about (the Working Time Act, benefit room).
    warnings: list[str]

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("claimed")
        OFFERED = "offered", _("offered from the waitlist")
        CONFIRMED = "confirmed", _("confirmed")
        WAITLISTED = "waitlisted", _("on the waitlist")
        WITHDRAWN = "withdrawn", _("withdrawn")
        REJECTED = "rejected", _("rejected")
        COMPLETED = "completed", _("completed")
        NO_SHOW = "no_show", _("no-show")

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="claims")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="claims"
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    # How the member does this work (one the job allows); settlement, payouts, the caps and
    # the income statement follow it.
    engagement = models.CharField(
        _("engagement"),
        max_length=16,
        choices=Engagement.choices,
        default=Engagement.SELF_EMPLOYED,  # the service sets it (claims.engagement_for)
    )
    waitlist_position = models.PositiveIntegerField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    # Copies of the shift's times, for the exclusion constraint.
    start = models.DateTimeField()
    end = models.DateTimeField()
    status_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # What the member was shown when they claimed (payouts.selectors.quotes.Quote.as_record), so
    # the why page can name what changed when the payout differs.
    quote = models.JSONField(null=True, blank=True)
    hours_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "user"], name="claim_one_per_member_per_shift"
            ),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="claim_end_after_start"),
            models.CheckConstraint(
                condition=~Q(status="waitlisted") | Q(waitlist_position__isnull=False),
                name="claim_waitlist_has_position",
            ),
        ]
        indexes = [models.Index(fields=["user", "status", "start"])]

    def __str__(self) -> str:
        return f"{self.user} → {self.shift} ({self.status})"

    @property
    def holds_slot(self) -> bool:
        return self.status in SLOT_HOLDING

    def status_at(self, now=None) -> str:
        """The status the clock decides: an offer from the waitlist nobody answered in time
        has lapsed (withdrawn), whether or not beat has passed the place on yet."""
        now = now or timezone.now()
        if (
            self.status == self.Status.OFFERED
            and self.offer_expires_at is not None
            and self.offer_expires_at < now
        ):
            return self.Status.WITHDRAWN
        return self.status

    @property
    def withdrawal_deadline(self):
        """Until when the member may withdraw a held place themselves (a waitlisted claim
        may always be withdrawn)."""
        hours = self.shift.cooperative.claim_withdrawal_hours
        return self.shift.start - timedelta(hours=hours)

    def can_withdraw_at(self, now=None) -> bool:
        status = self.status_at(now)
        if status == self.Status.WAITLISTED:
            return True
        if status not in (self.Status.CLAIMED, self.Status.CONFIRMED, self.Status.OFFERED):
            return False
        return (now or timezone.now()) <= self.withdrawal_deadline

    @property
    def can_withdraw(self) -> bool:
        return self.can_withdraw_at()


class Timesheet(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("submitted")
        APPROVED = "approved", _("approved")
        DISPUTED = "disputed", _("disputed")
        REJECTED = "rejected", _("rejected")

    claim = models.OneToOneField(Claim, on_delete=models.PROTECT, related_name="timesheet")
    minutes_worked = models.PositiveIntegerField(_("minutes worked"))
    break_minutes = models.PositiveIntegerField(_("break (minutes)"), default=0)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    auto_approved = models.BooleanField(default=False)
    dispute_reason = models.CharField(_("reason for the dispute"), max_length=500, blank=True)
    resolution = models.CharField(_("resolution"), max_length=500, blank=True)
    approval_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minutes_worked__gt=0), name="timesheet_minutes_positive"
            ),
            models.CheckConstraint(
                condition=Q(break_minutes__lt=F("minutes_worked")),
                name="timesheet_break_below_minutes",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"timesheet {self.claim}"

    @property
    def paid_minutes(self) -> int:
        return self.minutes_worked - self.break_minutes


class CalendarFeed(models.Model):
    """A member's private iCalendar URL. Revoking replaces the token."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"calendar of {self.user}"
