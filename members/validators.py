"""Validators for Dutch identifiers, with messages that name what is wrong."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from localflavor.generic.validators import BICValidator, IBANValidator

from werkstation.errors import ValidationFailed

POSTCODE_RE = re.compile(r"^[1-9][0-9]{3} ?(?!SA|SD|SS)[A-Z]{2}$")
KVK_RE = re.compile(r"^[0-9]{8}$")
VAT_RE = re.compile(r"^NL[0-9]{9}B[0-9]{2}$")
# Organisatie-identificatienummer of a Dutch public body (Logius): 20 digits.
OIN_RE = re.compile(r"^[0-9]{20}$")


def normalize_postcode(value: str) -> str:
    compact = re.sub(r"\s+", "", (value or "").upper())
    if len(compact) == 6:
        return f"{compact[:4]} {compact[4:]}"
    return compact


def validate_postcode(value: str) -> None:
    if not POSTCODE_RE.match(normalize_postcode(value)):
        raise ValidationError(
            _("Enter a Dutch postcode: four digits and two letters, like 3526 KL."),
            code="invalid_postcode",
        )


def clean_postcode(value: str, field: str = "postcode") -> str:
    """The postcode in its normal form ("3526 KL"), or the domain error naming ``field``."""
    try:
        validate_postcode(value)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages[0], code="invalid_postcode", field=field) from exc
    return normalize_postcode(value)


def validate_kvk(value: str) -> None:
    if not KVK_RE.match(value or ""):
        raise ValidationError(_("A KvK number has exactly 8 digits."), code="invalid_kvk")


def validate_optional_kvk(value: str) -> None:
    """A KvK number, or nothing (a member's profile: only the self-employed have one)."""
    if value:
        validate_kvk(value)


def validate_vat_id(value: str) -> None:
    if value and not VAT_RE.match(value.replace(" ", "").upper()):
        raise ValidationError(_("A Dutch VAT id looks like NL123456789B01."), code="invalid_vat_id")


def validate_oin(value: str) -> None:
    if value and not OIN_RE.match(value):
        raise ValidationError(
            _("An OIN (organisation identification number) has exactly 20 digits."),
            code="invalid_oin",
        )


def normalize_iban(value: str) -> str:
    return re.sub(r"\s+", "", (value or "")).upper()


_iban = IBANValidator()
_bic = BICValidator()


def validate_iban(value: str) -> None:
    try:
        _iban(normalize_iban(value))
    except ValidationError as exc:
        raise ValidationError(
            _("This IBAN is not valid (check the digits)."), code="invalid_iban"
        ) from exc


def validate_bic(value: str) -> None:
    if value:
        try:
            _bic(value.upper())
        except ValidationError as exc:
            raise ValidationError(_("This BIC is not valid."), code="invalid_bic") from exc


def validate_area_postcodes(value: list) -> None:
    if not isinstance(value, list) or not all(
        isinstance(item, str) and re.fullmatch(r"[1-9][0-9]{3}", item) for item in value
    ):
        raise ValidationError(
            _("Area postcodes are a list of four-digit postcode areas, like 3526."),
            code="invalid_area",
        )
