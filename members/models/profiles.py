from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField

from members.validators import (
    validate_iban,
    validate_optional_kvk,
    validate_postcode,
    validate_vat_id,
)

if TYPE_CHECKING:
    from datetime import date

LANGUAGE_CHOICES = [
    ("nl", _("Dutch")),
    ("en", _("English")),
    ("ar", _("Arabic")),
    ("tr", _("Turkish")),
    ("ber", _("Tamazight")),
    ("pl", _("Polish")),
    ("so", _("Somali")),
    ("ti", _("Tigrinya")),
    ("fr", _("French")),
    ("es", _("Spanish")),
]


class Profile(models.Model):
    """Personal data that belongs to the person, shared by all their memberships.

    IBAN, account holder and the earnings cap with its reason are sensitive: only the
    person and their cooperative's treasurer see them, and every other read is logged.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    street = models.CharField(_("street and number"), max_length=120, blank=True)
    postcode = models.CharField(
        _("postcode"), max_length=7, blank=True, validators=[validate_postcode]
    )
    city = models.CharField(_("city"), max_length=80, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    travel_radius_km = models.DecimalField(
        _("travel radius (km)"),
        max_digits=5,
        decimal_places=1,
        default=Decimal("5.0"),
        validators=[MinValueValidator(Decimal("0.5")), MaxValueValidator(Decimal("100"))],
    )
    target_hours_per_week = models.PositiveSmallIntegerField(
        _("target hours per week"), default=0, validators=[MaxValueValidator(60)]
    )
    yearly_earnings_cap = MoneyField(
        _("yearly earnings cap"),
        max_digits=10,
        decimal_places=2,
        default_currency="EUR",
        null=True,
        blank=True,
    )
    earnings_cap_reason = models.CharField(_("reason for the cap"), max_length=200, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    account_holder = models.CharField(_("account holder"), max_length=120, blank=True)
    iban_changed_at = models.DateTimeField(null=True, blank=True)
    # Private like the IBAN: the youth minimum wage and the working-time limits for minors
    # need it. Only the member and their cooperative's treasurer read it.
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    # For self-employed work: the cooperative draws up the member's invoices (self-billing)
    # and must print these; VAT is added when the member has a VAT number and no KOR.
    kvk_number = models.CharField(
        _("KvK number"), max_length=8, blank=True, validators=[validate_optional_kvk]
    )
    vat_number = models.CharField(
        _("VAT number"), max_length=14, blank=True, validators=[validate_vat_id]
    )
    kor = models.BooleanField(
        _("small business scheme (KOR)"),
        default=False,
        help_text=_("You use the small business scheme (KOR): no VAT on your invoices."),
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | (Q(latitude__gte=-90) & Q(latitude__lte=90)),
                name="profile_latitude_range",
            )
        ]

    def __str__(self) -> str:
        return f"profile of {self.user}"

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class MemberSkill(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="member_skills"
    )
    skill = models.ForeignKey("members.Skill", on_delete=models.CASCADE, related_name="holders")
    certificate_number = models.CharField(_("certificate number"), max_length=60, blank=True)
    certificate_expires_on = models.DateField(_("certificate valid until"), null=True, blank=True)

    class Meta:
        ordering = ["skill__name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "skill"], name="member_skill_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.skill}"

    def valid_on(self, day) -> bool:
        if not self.skill.requires_certificate:
            return True
        return self.certificate_expires_on is not None and self.certificate_expires_on >= day


class AvailabilitySlot(models.Model):
    """A weekly recurring window in which the member can work (local time)."""

    WEEKDAYS = [
        (0, _("Monday")),
        (1, _("Tuesday")),
        (2, _("Wednesday")),
        (3, _("Thursday")),
        (4, _("Friday")),
        (5, _("Saturday")),
        (6, _("Sunday")),
    ]
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability"
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=WEEKDAYS)
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="availability_end_after_start"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="availability_weekday_range"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class AvailabilityException(models.Model):
    """A dated exception: unavailable (holiday) or extra availability on that day."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="availability_exceptions"
    )
    date = models.DateField(_("date"))
    available = models.BooleanField(_("available"), default=False)
    start = models.TimeField(_("from"), null=True, blank=True)
    end = models.TimeField(_("until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=120, blank=True)

    class Meta:
        ordering = ["date", "start"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(start__isnull=True) & Q(end__isnull=True))
                | (Q(start__isnull=False) & Q(end__isnull=False) & Q(end__gt=F("start"))),
                name="availability_exception_times",
            )
        ]

    def __str__(self) -> str:
        return f"{self.date}: {'available' if self.available else 'unavailable'}"


class NotificationPreference(models.Model):
    class Digest(models.TextChoices):
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")
        NEVER = "never", _("never")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    shift_digest = models.CharField(
        _("new shifts digest"), max_length=8, choices=Digest.choices, default=Digest.DAILY
    )
    claim_updates = models.BooleanField(_("claim confirmations and changes"), default=True)
    timesheet_updates = models.BooleanField(_("timesheet reminders and approvals"), default=True)
    governance_updates = models.BooleanField(_("proposals and votes"), default=True)

    def __str__(self) -> str:
        return f"notifications of {self.user}"


class BenefitArrangement(models.Model):
    """A member on bijstand (social assistance) records the earnings arrangement their
    municipality set: the share of earnings they may keep, its monthly maximum, and the
    period it runs. Private like an IBAN: only the member reads and edits it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="benefit_arrangement"
    )
    keep_percent = models.PositiveSmallIntegerField(
        _("share of earnings you may keep (percent)"),
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    monthly_max_cents = models.PositiveIntegerField(_("monthly maximum you may keep"))
    starts_on = models.DateField(_("first month"))
    months = models.PositiveSmallIntegerField(
        _("number of months"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    municipality = models.CharField(_("municipality"), max_length=100, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"benefit arrangement of {self.user}"

    @property
    def first_month(self) -> date:
        return self.starts_on.replace(day=1)

    @property
    def last_month(self) -> date:
        """The first day of the arrangement's last month."""
        index = self.first_month.year * 12 + self.first_month.month - 1 + self.months - 1
        return self.first_month.replace(year=index // 12, month=index % 12 + 1)

    def covers(self, day) -> bool:
        return self.first_month <= day.replace(day=1) <= self.last_month
