from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django import forms

    from .errors import ApplicationError


def add_application_error(form: forms.Form, exc: ApplicationError) -> None:
    """Show a domain error next to its field, or above the form when no field fits."""
    details = exc.extra.get("details") or [{"field": exc.field, "message": exc.message}]
    for detail in details:
        form.add_error(_form_field(form, detail.get("field")), detail["message"])


def _form_field(form: forms.Form, path: str | None) -> str | None:
    """The form field a domain error path points at: ``spec.pots[1]`` → ``spec``,
    ``payload.km_cost_cents`` → ``km_cost_cents``."""
    if not path:
        return None
    parts = [part.split("[")[0] for part in path.split(".")]
    for candidate in (path, parts[-1], parts[0]):
        if candidate in form.fields:
            return candidate
    return None
