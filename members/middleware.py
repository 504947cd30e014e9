from django.conf import settings
from django.shortcuts import redirect
from django_otp import devices_for_user

from .access import needs_two_factor

EXEMPT_PREFIXES = (
    "/accounts/",
    "/account/2fa/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/api/",
    "/invitations/",
)


class TwoFactorRequiredMiddleware:
    """Board, treasurer and staff pass a TOTP check before any page.

    The API enforces the same rule in its authentication classes
    (``members.api.authentication``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            settings.WERKSTATION_REQUIRE_2FA
            and user is not None
            and user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not user.is_verified()
            and needs_two_factor(user)
        ):
            if any(True for _device in devices_for_user(user, confirmed=True)):
                return redirect(f"{settings.LOGIN_URL_2FA_VERIFY}?next={request.get_full_path()}")
            return redirect(f"{settings.LOGIN_URL_2FA_SETUP}?next={request.get_full_path()}")
        return self.get_response(request)
