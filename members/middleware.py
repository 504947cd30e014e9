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


class LanguageMiddleware:
    """Dutch by default, with an English switch.

    The choice made with the language switch (a cookie) wins, then the signed-in
    person's preferred language, then Dutch. The browser's Accept-Language is not
    used, so a resident on a phone set to English still lands on the Dutch site
    unless they pick English.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        supported = {code for code, _name in settings.LANGUAGES}
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in supported:
            user = getattr(request, "user", None)
            language = (
                getattr(user, "preferred_language", None)
                if user and user.is_authenticated
                else None
            )
        if language not in supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
