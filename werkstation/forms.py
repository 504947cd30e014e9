from __future__ import annotations

from django import forms

from .errors import ApplicationError


def add_application_error(form: forms.Form, exc: ApplicationError) -> None:
    """Show a domain error next to its field, or above the form when no field fits."""
    details = exc.extra.get("details") or [{"field": exc.field, "message": exc.message}]
    for detail in details:
        field = detail.get("field")
        form.add_error(field if field in form.fields else None, detail["message"])
