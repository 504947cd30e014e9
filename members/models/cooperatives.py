from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField

from members.validators import (
    validate_area_postcodes,
    validate_bic,
    validate_iban,
    validate_kvk,
    validate_postcode,
    validate_vat_id,
)
from werkstation.engagements import Engagement

if TYPE_CHECKING:
    from .security import SecondApproval


class Cooperative(models.Model):
    """The tenant. Every row that belongs to a cooperative is scoped to one."""

    # Not columns: what ``cooperative_update`` asked a second board member to approve.
    pending_bank: SecondApproval | None
    pending_g_account: SecondApproval | None

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    # Legal details, printed on invoices and bank files.
    legal_name = models.CharField(_("legal name"), max_length=200)
    address_line = models.CharField(_("address"), max_length=200, blank=True)
    postcode = models.CharField(
        _("postcode"), max_length=7, blank=True, validators=[validate_postcode]
    )
    city = models.CharField(_("city"), max_length=100, blank=True)
    kvk_number = models.CharField(_("KvK number"), max_length=8, validators=[validate_kvk])
    vat_id = models.CharField(_("VAT id"), max_length=14, blank=True, validators=[validate_vat_id])
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    bic = models.CharField(_("BIC"), max_length=11, blank=True, validators=[validate_bic])
    # A new bank account, approved by a second board member, is used from ``next_iban_from``
    # on (a hold period), so a changed account cannot be slipped into tomorrow's payout
    # file or invoice. ``bank_account()`` answers which account is in force.
    next_iban = models.CharField(
        _("new IBAN"), max_length=34, blank=True, validators=[validate_iban]
    )
    next_bic = models.CharField(_("new BIC"), max_length=11, blank=True, validators=[validate_bic])
    next_iban_from = models.DateTimeField(_("new IBAN in use from"), null=True, blank=True)
    # The G-account (chain liability): money on it may only pay wage tax and VAT. Changed
    # with a second board member's approval, like the bank account.
    g_account_iban = models.CharField(
        _("G-account IBAN"), max_length=34, blank=True, validators=[validate_iban]
    )
    # Registrations printed on every labour invoice (docs/money.md, "Registrations").
    lender_registration = models.CharField(
        _("registration as a lender of labour"),
        max_length=120,
        blank=True,
        help_text=_(
            "How the cooperative is registered as a lender of labour (Waadi), as it should "
            "appear on invoices."
        ),
    )
    wtta_number = models.CharField(
        _("Wtta admission number"),
        max_length=40,
        blank=True,
        help_text=_("The admission to lend labour under the Wtta, once granted."),
    )
    area_postcodes = models.JSONField(
        _("area postcodes"), default=list, blank=True, validators=[validate_area_postcodes]
    )
    currency = models.CharField(
        _("currency"), max_length=3, default="EUR", choices=[("EUR", "EUR")]
    )
    vat_rate = models.DecimalField(
        _("VAT rate (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("21.00"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    # Governance.
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (%)"), default=30, validators=[MaxValueValidator(100)]
    )
    voting_days = models.PositiveSmallIntegerField(
        _("voting days"), default=14, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    max_proxies_per_member = models.PositiveSmallIntegerField(
        _("maximum proxies per member"), default=2, validators=[MaxValueValidator(10)]
    )
    cosigners_required = models.PositiveSmallIntegerField(
        _("co-signers needed for a member's proposal"), default=5
    )
    # Working settings.
    claim_withdrawal_hours = models.PositiveSmallIntegerField(
        _("claims can be withdrawn until this many hours before the start"), default=24
    )
    timesheet_auto_approve_days = models.PositiveSmallIntegerField(
        _("timesheets are approved automatically after this many days"),
        default=7,
        validators=[MinValueValidator(1)],
    )
    travel_speed_kmh = models.PositiveSmallIntegerField(
        _("travel speed between jobs (km/h)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(80)],
    )
    founded_on = models.DateField(_("founded on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("cooperative")
        verbose_name_plural = _("cooperatives")
        constraints = [
            models.CheckConstraint(
                condition=Q(vat_rate__gte=0) & Q(vat_rate__lte=100), name="coop_vat_rate_range"
            ),
            models.CheckConstraint(condition=Q(quorum_percent__lte=100), name="coop_quorum_range"),
        ]

    def __str__(self) -> str:
        return self.name

    def bank_account(self, at=None) -> tuple[str, str]:
        """The (IBAN, BIC) in force at ``at`` (now): the new one once its hold has passed."""
        from django.utils import timezone

        moment = at or timezone.now()
        if self.next_iban_from is not None and self.next_iban_from <= moment:
            return self.next_iban, self.next_bic
        return self.iban, self.bic


class Skill(models.Model):
    """A skill on the cooperative's list; some need a certificate (VCA, BHV, …)."""

    cooperative = models.ForeignKey(Cooperative, on_delete=models.CASCADE, related_name="skills")
    slug = models.SlugField(max_length=40)
    name = models.CharField(_("name"), max_length=80)
    requires_certificate = models.BooleanField(_("requires a certificate"), default=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "slug"], name="skill_unique_per_coop")
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's membership of one cooperative: applied → active → suspended / left.

    Every active member votes. Board, treasurer and auditor are extra roles.
    """

    # Not a column: the roles ``membership_set_roles`` left waiting for a second approval.
    pending_roles: list[str]

    class Status(models.TextChoices):
        APPLIED = "applied", _("applied")
        ACTIVE = "active", _("active")
        SUSPENDED = "suspended", _("suspended")
        LEFT = "left", _("left")
        REJECTED = "rejected", _("rejected")

    # The member's usual engagement; each claim carries its own (werkstation.engagements).
    Engagement = Engagement

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.CASCADE, related_name="memberships"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.APPLIED)
    member_number = models.PositiveIntegerField(_("member number"), null=True, blank=True)
    is_board = models.BooleanField(_("board"), default=False)
    is_treasurer = models.BooleanField(_("treasurer"), default=False)
    is_auditor = models.BooleanField(_("auditor"), default=False)
    engagement = models.CharField(
        _("engagement"), max_length=16, choices=Engagement.choices, default=Engagement.SELF_EMPLOYED
    )
    share_capital = MoneyField(
        _("share capital"), max_digits=10, decimal_places=2, default_currency="EUR", default=0
    )
    motivation = models.TextField(_("motivation"), blank=True)
    applied_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_reason = models.TextField(_("reason"), blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["cooperative", "member_number", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "cooperative"], name="membership_unique_user_coop"
            ),
            models.UniqueConstraint(
                fields=["cooperative", "member_number"],
                condition=Q(member_number__isnull=False),
                name="membership_unique_number",
            ),
            models.CheckConstraint(
                condition=~Q(status="active") | Q(member_number__isnull=False),
                name="membership_active_has_number",
            ),
        ]
        indexes = [models.Index(fields=["cooperative", "status"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.cooperative}"

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def roles(self) -> list[str]:
        return [
            name
            for name, held in (
                ("board", self.is_board),
                ("treasurer", self.is_treasurer),
                ("auditor", self.is_auditor),
            )
            if held
        ]
