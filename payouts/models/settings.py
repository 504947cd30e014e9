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
