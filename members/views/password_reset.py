"""Django's password-reset views, with the attempts counted per account and per address.

django-axes counts failed sign-ins (web, API token, admin). Password reset is counted
here: requests per e-mail address and per client address, and reset links that do not
work per client address. An address that axes has locked out cannot ask for resets
either. Each refusal is a 429 with a message that says how long to wait.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib.auth import views as auth_views

from members.lockout import lockout_message
from members.services.ratelimit import RateLimited, rate_limit_hit, rate_limited

if TYPE_CHECKING:
    from django.http import HttpRequest


def _window() -> timedelta:
    return timedelta(minutes=settings.PASSWORD_RESET_LIMIT_WINDOW_MINUTES)


def _refuse_while_locked_out(request: HttpRequest) -> None:
    if AxesProxyHandler.is_locked(request, {}):
        raise RateLimited(lockout_message(), field="email")


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form):
        address = get_client_ip_address(self.request) or "unknown"
        email = form.cleaned_data["email"].strip().lower()
        try:
            _refuse_while_locked_out(self.request)
            rate_limit_hit(
                scope="password_reset_address",
                key=address,
                limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
                window=_window(),
                field="email",
            )
            rate_limit_hit(
                scope="password_reset_account",
                key=email,
                limit=settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT,
                window=_window(),
                field="email",
            )
        except RateLimited as exc:
            form.add_error("email", exc.message)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Wrong or used links are counted per address; past the limit the page refuses."""

    def dispatch(self, *args, **kwargs):
        address = get_client_ip_address(self.request) or "unknown"
        wait = rate_limited(
            scope="password_reset_link",
            key=address,
            limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS,
            window=_window(),
        )
        if wait is not None:
            response = self.render_to_response({"validlink": False, "limited": True, "form": None})
            response.status_code = 429
            return response
        response = super().dispatch(*args, **kwargs)
        if not self.validlink and kwargs.get("token") != self.reset_url_token:
            rate_limit_hit(
                scope="password_reset_link",
                key=address,
                limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS + 1,
                window=_window(),
            )
        return response
