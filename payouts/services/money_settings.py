"""A cooperative's money settings: the volunteer allowance maximums, set by its board at or
below the legal maximums in force (``werkstation/legal.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from members.access import require_role
from payouts.audit_actions import PayoutAction
from payouts.models import MoneySettings, VatReverseCharge
from werkstation.audit import audit_record
from werkstation.errors import ValidationFailed
from werkstation.legal import Key, LegalTable
from werkstation.locks import lock_first, lock_get_or_create
from werkstation.money import format_money, to_minor

if TYPE_CHECKING:
    from members.models import Cooperative, User


def _cents(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationFailed(
            _("Enter a whole number of cents, zero or more."), code="invalid", field=field
        )
    return value


@transaction.atomic
def money_settings_update(
    *,
    actor: User,
    cooperative: Cooperative,
    volunteer_month_max_cents: int,
    volunteer_year_max_cents: int,
) -> MoneySettings:
    """Board only. Splits settled from now on use the new maximums; settled ones keep theirs."""
    require_role(actor, cooperative, "board")
    month = _cents(volunteer_month_max_cents, "volunteer_month_max_cents")
    year = _cents(volunteer_year_max_cents, "volunteer_year_max_cents")
    if month > year:
        raise ValidationFailed(
            _("The maximum per month cannot be more than the maximum per year."),
            code="month_above_year",
            field="volunteer_month_max_cents",
        )
    today = timezone.localdate()
    table = LegalTable.load()
    for key, value, field in (
        (Key.VOLUNTEER_MAX_MONTH, month, "volunteer_month_max_cents"),
        (Key.VOLUNTEER_MAX_YEAR, year, "volunteer_year_max_cents"),
    ):
        legal = table.in_force(key, today)
        if value > to_minor(legal.value):
            raise ValidationFailed(
                _(
                    "The legal maximum is %(amount)s (in force from %(date)s); a board may set a "
                    "lower maximum, never a higher one."
                )
                % {
                    "amount": format_money(to_minor(legal.value), language=get_language()),
                    "date": date_format(legal.effective_from, "j F Y"),
                },
                code="above_legal_maximum",
                field=field,
            )
    settings: MoneySettings
    settings, _created = lock_get_or_create("payouts.MoneySettings", cooperative=cooperative)
    before = {
        "month": settings.volunteer_month_max_cents,
        "year": settings.volunteer_year_max_cents,
    }
    settings.volunteer_month_max_cents, settings.volunteer_year_max_cents = month, year
    settings.save()
    audit_record(
        actor=actor,
        action=PayoutAction.MONEY_SETTINGS_UPDATED,
        target=settings,
        cooperative_id=cooperative.pk,
        data={"before": before, "after": {"month": month, "year": year}},
    )
    return settings


@transaction.atomic
def reverse_charge_update(
    *, actor: User, cooperative: Cooperative, categories: list[str]
) -> VatReverseCharge:
    """The board confirms which job categories are lent labour for work on buildings and
    grounds: VAT is reverse-charged for them to VAT-registered clients. Work settled from now
    on follows the list; settled work keeps its VAT."""
    from jobs.models.work import CATEGORY_CHOICES

    require_role(actor, cooperative, "board")
    known = {value for value, _label in CATEGORY_CHOICES}
    if not isinstance(categories, list | tuple) or any(
        not isinstance(c, str) or c not in known for c in categories
    ):
        raise ValidationFailed(
            _("Choose job categories from the list."), code="invalid_category", field="categories"
        )
    chosen = [value for value, _label in CATEGORY_CHOICES if value in set(categories)]
    row: VatReverseCharge | None = lock_first(
        VatReverseCharge.objects.filter(cooperative=cooperative)
    )
    before = row.categories if row is not None else None
    if row is None:
        row = VatReverseCharge(cooperative=cooperative)
    row.categories = chosen
    row.confirmed_by = actor
    row.confirmed_at = timezone.now()
    row.save()
    audit_record(
        actor=actor,
        action=PayoutAction.VAT_REVERSE_CHARGE_CONFIRMED,
        target=row,
        cooperative_id=cooperative.pk,
        data={"before": before, "after": chosen},
    )
    return row
