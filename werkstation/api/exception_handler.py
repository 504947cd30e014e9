"""One error format for every error of the API, 4xx and 5xx.

{"error": {"code": "invalid", "message": "...", "field": "iban",
           "details": [{"field": "iban", "code": "invalid", "message": "..."}],
           "request_id": "..."}}

``request_id`` is the request's id (``werkstation.middleware``), also in the
``X-Request-ID`` header and in every log line of the request. A 5xx is made by
``werkstation.views.server_error`` in the same shape.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from werkstation.errors import ApplicationError
from werkstation.middleware import current_request_id

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


class _Problem(TypedDict):
    field: str | None
    code: str
    message: str


def _flatten(detail: object, prefix: str = "") -> list[_Problem]:
    out: list[_Problem] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = key if key != "non_field_errors" else ""
            out.extend(_flatten(value, f"{prefix}.{name}" if prefix and name else (name or prefix)))
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            if isinstance(value, dict):
                out.extend(_flatten(value, f"{prefix}[{index}]"))
            else:
                out.extend(_flatten(value, prefix))
    else:
        out.append(
            {
                "field": prefix or None,
                "code": getattr(detail, "code", "invalid") or "invalid",
                "message": str(detail),
            }
        )
    return out


def error_body(
    *,
    code: str,
    message: str,
    field: str | None,
    details: Sequence[Mapping[str, object]] | None = None,
) -> dict[str, dict[str, object]]:
    return {
        "error": {
            "code": code,
            "message": message,
            "field": field,
            "details": details
            if details is not None
            else [{"field": field, "code": code, "message": message}],
            "request_id": current_request_id(),
        }
    }


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        body = error_body(code=exc.code, message=exc.message, field=exc.field)
        body["error"].update(exc.extra)
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        details = _flatten(exc.detail)
        first: _Problem = (
            details[0]
            if details
            else {"field": None, "code": "invalid", "message": "Invalid input."}
        )
        response.data = error_body(
            code=first["code"], message=first["message"], field=first["field"], details=details
        )
        response.status_code = status.HTTP_400_BAD_REQUEST
        return response
    detail = getattr(exc, "detail", str(exc))
    code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
    response.data = error_body(code=str(code), message=str(detail), field=None)
    return response
