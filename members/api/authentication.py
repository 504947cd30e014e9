from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication

from ..access import needs_two_factor


class VerifiedSessionAuthentication(SessionAuthentication):
    """Session auth that refuses privileged sessions without a second factor.

    Tokens are only handed out after a TOTP check (see ``TokenObtainApi``), so token
    requests need no extra check here.
    """

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = result[0]
        django_user = request._request.user
        verified = getattr(django_user, "is_verified", lambda: False)()
        if settings.WERKSTATION_REQUIRE_2FA and not verified and needs_two_factor(user):
            raise exceptions.PermissionDenied(
                _("Two-factor verification is required for this account.")
            )
        return result
