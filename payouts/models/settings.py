"""A cooperative's money settings, edited by its board."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def _month_default() -> int:
    return settings.WERKSTATION_VOLUNTEER_MONTH_MAX_CENTS


def _year_default() -> int:
    return settings.WERKSTATION_VOLUNTEER_YEAR_MAX_CENTS


class MoneySettings(models.Model):
    """Until a board saves its own, a cooperative uses the defaults (the Dutch maximums)."""

    cooperative = models.OneToOneField(
        "members.Cooperative", on_delete=models.CASCADE, related_name="money_settings"
    )
    volunteer_month_max_cents = models.BigIntegerField(
        _("volunteer allowance: most per calendar month (cents)"), default=_month_default
    )
    volunteer_year_max_cents = models.BigIntegerField(
        _("volunteer allowance: most per calendar year (cents)"), default=_year_default
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("money settings")
        verbose_name_plural = _("money settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(volunteer_month_max_cents__gte=0) & Q(volunteer_year_max_cents__gte=0),
                name="money_settings_maximums_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"money settings of {self.cooperative_id}"


# Job categories that are work on buildings and grounds ("werkzaamheden aan onroerende zaken"):
# lending labour for them falls under the reverse-charge rule for lent staff
# (docs/money.md, "VAT reverse charge"). A board confirms or changes this list.
REVERSE_CHARGE_DEFAULT = ("greening", "energy", "green_maintenance", "cleaning")


class VatReverseCharge(models.Model):
    """Which job categories a cooperative invoices with VAT reverse-charged ("btw verlegd").

    Until the board confirms a list, ``REVERSE_CHARGE_DEFAULT`` applies. It applies to a
    client only when the client has a VAT number.
    """

    cooperative = models.OneToOneField(
        "members.Cooperative", on_delete=models.CASCADE, related_name="vat_reverse_charge"
    )
    categories = models.JSONField(_("categories with VAT reverse-charged"), default=list)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("VAT reverse charge")
        verbose_name_plural = _("VAT reverse charge")

    def __str__(self) -> str:
        return f"reverse charge of {self.cooperative_id}: {', '.join(self.categories)}"
