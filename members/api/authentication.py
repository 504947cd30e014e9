"""API authentication: a verified session, or a personal token (django-rest-knox).

A role that needs a second factor (board, treasurer, auditor, platform staff) gets
nothing from the API on a session that has not passed the code check, nor with a token
that was issued without one (a member's token from before a promotion, say). Tokens
are revoked on a password change, on any change of roles and when a membership ends
(``members.services.tokens``); this check is the second line.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from knox.auth import TokenAuthentication
from knox.settings import knox_settings
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from members.access import second_factor_required


def speak_their_language(request, user) -> None:
    """Without an ``Accept-Language`` the API answers in the person's preferred language
    (the header, when it names nl or en, was applied by ``LanguageMiddleware``)."""
    if getattr(request._request, "api_language", None):
        return
    language = getattr(user, "preferred_language", "")
    if language in {code for code, _name in settings.LANGUAGES}:
        translation.activate(language)
        request._request.LANGUAGE_CODE = language


class VerifiedSessionAuthentication(SessionAuthentication):
    """Session auth that refuses privileged sessions without a second factor."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        django_user = request._request.user
        verified = getattr(django_user, "is_verified", lambda: False)()
        speak_their_language(request, user)
        if not verified and second_factor_required(user):
            raise exceptions.PermissionDenied(
                _("Two-factor verification is required for this account.")
            )
        return result


class ApiTokenAuthentication(TokenAuthentication):
    """Knox tokens (digests only in the database) with idle and absolute expiry."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            speak_their_language(request, result[0])
        return result

    def validate_user(self, auth_token):
        user, token = super().validate_user(auth_token)
        if not token.second_factor and second_factor_required(user):
            raise exceptions.AuthenticationFailed(
                _(
                    "This token was issued without a second factor, which this account now "
                    "needs. Get a new token with your code."
                )
            )
        return user, token

    def _cleanup_token(self, auth_token) -> bool:
        # Knox also walks every other token of the user on each request; expired tokens
        # are pruned daily instead (``members.tasks.api_tokens_prune``), so a request
        # costs one query for its token.
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False

    def renew_token(self, auth_token) -> None:
        # Knox extends the idle expiry at most once per MIN_REFRESH_INTERVAL; the last
        # use is recorded at the same moment, so a token costs no write per request.
        before = auth_token.expiry
        super().renew_token(auth_token)
        delta = (auth_token.expiry - before).total_seconds()
        if delta > knox_settings.MIN_REFRESH_INTERVAL or auth_token.last_used_at is None:
            auth_token.last_used_at = timezone.now()
            auth_token.save(update_fields=["expiry", "last_used_at"])
