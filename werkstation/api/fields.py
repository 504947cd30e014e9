"""Serializer fields shared by every app's API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from werkstation import money


@extend_schema_field({"type": "string", "format": "decimal", "example": "12.50"})
class AmountField(serializers.Field[int, str | int | float, str, Any]):
    """An amount kept in minor units (an integer of cents), shown in the API as a decimal
    string in major units ("1234.56", ``werkstation.money.decimal_string``).

    As input it takes such a string (or a whole number) with at most the currency's
    decimals and gives back minor units; ``min_cents``/``max_cents`` bound it.
    """

    default_error_messages = {
        "invalid": _("Enter an amount, like 12.50."),
        "precision": _("An amount has at most {places} decimals."),
        "min": _("The amount must be at least {min}."),
        "max": _("The amount must be at most {max}."),
    }

    def __init__(
        self,
        *,
        currency: str = "EUR",
        min_cents: int | None = None,
        max_cents: int | None = None,
        **kwargs: Any,
    ) -> None:
        self.currency = currency
        self.min_cents = min_cents
        self.max_cents = max_cents
        super().__init__(**kwargs)

    def to_representation(self, value: int) -> str:
        return money.decimal_string(int(value), self.currency)

    def to_internal_value(self, data: object) -> int:
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            self.fail("invalid")
        # A JSON number arrives as a float; its shortest text is what was written.
        text = repr(data) if isinstance(data, float) else str(data)
        try:
            if not money.has_minor_precision(text, self.currency):
                self.fail("precision", places=money.minor_unit(self.currency))
            cents = money.to_minor(text, self.currency)
        except ValueError:
            self.fail("invalid")
        if self.min_cents is not None and cents < self.min_cents:
            self.fail("min", min=money.decimal_string(self.min_cents, self.currency))
        if self.max_cents is not None and cents > self.max_cents:
            self.fail("max", max=money.decimal_string(self.max_cents, self.currency))
        return cents


@extend_schema_field({"type": "string", "example": "EUR", "pattern": "^[A-Z]{3}$"})
class CurrencyField(serializers.Field[Any, Any, str, Any]):
    """The currency (ISO 4217) of an output's amounts, next to them.

    Reads the object's own ``currency`` (a key of a dict, or an attribute), else its
    cooperative's, else EUR: the only currency a cooperative can have today, and the one
    ``AmountField`` writes amounts in.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        kwargs.setdefault("help_text", "The currency of the amounts (ISO 4217).")
        super().__init__(**kwargs)

    # With ``source="*"`` the value is the whole object: a dict or a model instance.
    def to_representation(self, instance: Any) -> str:
        if isinstance(instance, Mapping):
            found = instance.get("currency")
        else:
            found = getattr(instance, "currency", None)
            if not isinstance(found, str):
                found = getattr(getattr(instance, "cooperative", None), "currency", None)
        return found if isinstance(found, str) and found else "EUR"


WALL_CLOCK_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"


@extend_schema_field(
    {
        "type": "string",
        "pattern": WALL_CLOCK_PATTERN,
        "example": "09:00",
        "description": "Local wall-clock time in the cooperative's time zone, HH:MM, "
        "without an offset (the same on both sides of a daylight-saving change).",
    }
)
class WallClockTimeField(serializers.TimeField):
    """A local time of day, "HH:MM": weekly availability, a weekly pattern's hours.

    Not an instant, so it carries no offset; "HH:MM:SS" is still taken as input.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("format", "%H:%M")
        super().__init__(**kwargs)
