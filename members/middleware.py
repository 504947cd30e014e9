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


API_PREFIX = "/api/"


def accepted_language(request) -> str | None:
    """The first supported language of the request's ``Accept-Language`` ("en-GB" is
    English), or None when the header names none of them."""
    from django.utils.translation.trans_real import parse_accept_lang_header

    supported = {code for code, _name in settings.LANGUAGES}
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for tag, _quality in parse_accept_lang_header(header[:255]):
        code = tag.lower().split("-")[0]
        if code in supported:
            return code
    return None


class LanguageMiddleware:
    """Dutch by default, with an English switch.

    Pages: the choice made with the language switch (a cookie) wins, then the signed-in
    person's preferred language, then Dutch. The browser's Accept-Language is not
    used, so a resident on a phone set to English still lands on the Dutch site
    unless they pick English.

    The API: its caller's ``Accept-Language`` wins; without one, the person's preferred
    language (a token's person is known only once the API authenticated it, see
    ``members.api.authentication``), then Dutch.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.utils import translation

        supported = {code for code, _name in settings.LANGUAGES}
        if request.path.startswith(API_PREFIX):
            request.api_language = accepted_language(request)
            language = request.api_language
        else:
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
        # The API may have switched to the authenticated person's language.
        response.headers.setdefault("Content-Language", translation.get_language() or language)
        return response
