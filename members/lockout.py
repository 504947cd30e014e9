"""How django-axes names an account, and what a locked-out person is told.

Axes counts failed sign-ins per account and, separately, per address (web login, the API
token endpoint and the admin all sign in through ``django.contrib.auth.authenticate``).
The API gets the one JSON error shape with status 429; the web gets a page that says how
long the lock lasts and what to do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from datetime import timedelta


def axes_username(request, credentials) -> str | None:
    """E-mail addresses are case-insensitive: ``A@x.nl`` and ``a@x.nl`` share one counter."""
    credentials = credentials or {}
    value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None:
        data = getattr(request, "POST", {}) or {}
        value = data.get("username") or data.get("email")
    return value.strip().lower() if isinstance(value, str) else value


def cool_off_text(delta: timedelta | None = None) -> str:
    delta = delta or settings.AXES_COOLOFF_TIME
    minutes = max(1, round(delta.total_seconds() / 60))
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def lockout_message() -> str:
    return _(
        "Too many failed sign-in attempts for this account or from this address. "
        "Signing in is blocked for %(duration)s. Reset your password by e-mail, or ask "
        "the platform staff to unblock you."
    ) % {"duration": cool_off_text()}


def lockout_response(request, original_response=None, credentials=None):
    if request.path.startswith("/api/"):
        from werkstation.api.exception_handler import error_body

        body = error_body(code="locked_out", message=lockout_message(), field=None)
        body["error"]["retry_after_seconds"] = int(settings.AXES_COOLOFF_TIME.total_seconds())
        response = JsonResponse(body, status=429)
    else:
        response = render(
            request,
            "registration/locked_out.html",
            {"message": lockout_message()},
            status=429,
        )
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
