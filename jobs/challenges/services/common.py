from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from werkstation.errors import ValidationFailed
from werkstation.money import to_minor


def cents(value: str | Decimal | int | float, field: str, *, positive: bool = True) -> int:
    """Euros as given (``"1234.50"``, a Decimal, a number) to whole cents."""
    try:
        amount = Decimal(str(value).replace(",", ".").strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationFailed(_("Enter an amount in euros."), field=field) from exc
    if not amount.is_finite():
        raise ValidationFailed(_("Enter an amount in euros."), field=field)
    if amount < 0 or (positive and amount == 0):
        raise ValidationFailed(_("The amount must be more than zero."), field=field)
    if amount > Decimal("100000000"):
        raise ValidationFailed(_("This amount is too large."), field=field)
    return to_minor(amount)


def text(value: object, field: str, *, required: bool = True, max_length: int = 10000) -> str:
    clean = str(value or "").strip()
    if required and not clean:
        raise ValidationFailed(_("This field is required."), code="required", field=field)
    if len(clean) > max_length:
        raise ValidationFailed(
            _("At most %(n)s characters.") % {"n": max_length}, code="too_long", field=field
        )
    return clean
