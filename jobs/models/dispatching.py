"""Board dispatch: policy weights, runs, and the offers they make."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from werkstation.clock import ClockStatus
from werkstation.money import minor_of_estimate


class DispatchPolicy(models.Model):
    """The dispatch objective's weights (dispatch-format.md's fields), adopted by vote.

    Until a cooperative adopts one, ``DEFAULTS`` apply. The one in force is the adopted
    policy with the latest ``effective_from`` on or before the day.
    """

    DEFAULTS = {"km_cost_cents": 10, "shortfall_cents_per_minute": 5}

    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="dispatch_policies"
    )
    version = models.PositiveIntegerField()
    km_cost_cents = models.PositiveIntegerField(_("travel cost per km (cents)"))
    shortfall_cents_per_minute = models.PositiveIntegerField(
        _("fairness weight (cents per minute short of target)")
    )
    adopted = models.BooleanField(default=False)
    effective_from = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cooperative", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "version"], name="dispatch_policy_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cooperative} policy v{self.version}"


class DispatchRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    cooperative = models.ForeignKey(
        "members.Cooperative", on_delete=models.PROTECT, related_name="dispatch_runs"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    km_cost_cents = models.PositiveIntegerField(default=0)
    shortfall_cents_per_minute = models.PositiveIntegerField(default=0)
    objective = models.FloatField(null=True, blank=True)
    bound = models.FloatField(null=True, blank=True)
    offers_made = models.PositiveIntegerField(default=0)
    # What the board's run page and API show, written once when the run is merged
    # (``jobs.services.dispatch_report``): coverage per day, the open shifts with their
    # reasons, the objective's terms, members' minutes against their targets and the
    # pairs the offer-time Working Time Act check refused. Empty before then.
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="dispatch_period"
            )
        ]

    def __str__(self) -> str:
        return f"dispatch {self.cooperative} {self.period_start}–{self.period_end} ({self.status})"

    @property
    def objective_cents(self) -> int | None:
        """The objective (a float in cents) in whole cents, to be shown as an amount."""
        return None if self.objective is None else minor_of_estimate(self.objective)


class Offer(ClockStatus, models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        EXPIRED = "expired", _("expired")
        LAPSED = "lapsed", _("no longer possible")

    run = models.ForeignKey(DispatchRun, on_delete=models.CASCADE, related_name="offers")
    shift = models.ForeignKey("jobs.Shift", on_delete=models.CASCADE, related_name="offers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offers"
    )
    status = models.CharField(max_length=9, choices=Status.choices, default=Status.OPEN)
    reason = models.TextField(_("why this offer"))
    # The member share quoted for this member when the offer was made (minor units);
    # empty on offers made before it was kept.
    pay_cents = models.PositiveIntegerField(null=True, blank=True)
    deadline = models.DateTimeField()
    responded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shift__start", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "user"],
                condition=Q(status="open"),
                name="offer_one_open_per_member_shift",
            )
        ]

    def __str__(self) -> str:
        return f"offer {self.shift} → {self.user} ({self.status})"

    def status_at(self, now=None) -> str:
        """The status the clock decides: an open offer past its deadline has expired,
        whether or not beat has offered the shift to someone else yet."""
        now = now or timezone.now()
        if self.status == self.Status.OPEN and self.deadline < now:
            return self.Status.EXPIRED
        return self.status
