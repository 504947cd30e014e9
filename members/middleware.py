from urllib.parse import quote

from django.conf import settings
from django.shortcuts import redirect

from .access import second_factor_required

# What a session that still owes its second factor may reach: the code check, the
# e-mailed set-up link, signing out, and the anonymous password-reset flow (which
# proves the mailbox). Everything else — pages, the admin, invitations, password change —
# waits. The API refuses such sessions in its authentication classes.
UNVERIFIED_ALLOWED = (
    "/account/2fa/verify/",
    "/account/2fa/link/",
    "/account/2fa/enrol/",
    "/accounts/logout/",
    "/accounts/login/",
    "/accounts/password_reset/",
    "/accounts/reset/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/api/v1/",
    "/api/schema/",
)


class TwoFactorRequiredMiddleware:
    """Anyone whose role needs 2FA, or who turned it on, passes the code check before
    anything else. Without a device yet, the only way on is the e-mailed set-up link."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(UNVERIFIED_ALLOWED)
            and not user.is_verified()
            and second_factor_required(user)
        ):
            return redirect(
                f"{settings.LOGIN_URL_2FA_VERIFY}?next={quote(request.get_full_path())}"
            )
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
