from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from .errors import ValidationFailed

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db import models


class _Detail(TypedDict):
    field: str | None
    code: str
    message: str


def raise_validation_error(exc: ValidationError) -> None:
    """Turn Django's ValidationError into the domain error, naming the first field."""
    details: list[_Detail] = []
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                message = " ".join(error.messages)
                details.append(
                    {
                        "field": None if field == "__all__" else field,
                        "code": error.code or "invalid",
                        "message": message,
                    }
                )
    else:
        details = [
            {"field": None, "code": e.code or "invalid", "message": " ".join(e.messages)}
            for e in exc.error_list
        ]
    first = details[0]
    raise ValidationFailed(
        first["message"], code=first["code"], field=first["field"], extra={"details": details}
    )


def full_clean_or_raise(obj: models.Model, *, exclude: Iterable[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=list(exclude) if exclude else None, validate_unique=True)
    except ValidationError as exc:
        raise_validation_error(exc)


def clean_email(value: str | None, *, field: str = "email") -> str:
    """An e-mail address, trimmed and lower-cased, or the domain error naming ``field``."""
    email = (value or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationFailed(
            _("Enter a valid e-mail address."), code="invalid_email", field=field
        ) from exc
    return email
