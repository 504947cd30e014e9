"""Accounts: registering, signing in for an API token (with its lockout), the tokens, and invitations."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from members.access import second_factor_required
from members.lockout import lockout_message
from members.models import ApiToken
from members.services.accounts import user_register
from members.services.invitations import invitation_accept, invitation_get_open
from members.services.tokens import api_token_create, api_token_revoke
from members.services.two_factor import has_device, two_factor_check
from werkstation.api.pagination import list_schema, paginated
from werkstation.errors import ApplicationError, PermissionDenied, ValidationFailed

from . import serializers as s


class SignInLocked(ApplicationError):
    status_code = 429
    default_code = "locked_out"


def lockout_seconds() -> int:
    from django.conf import settings

    return int(settings.AXES_COOLOFF_TIME.total_seconds())


class RegisterApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=s.RegisterInput, responses={201: s.UserBriefOutput}, summary="Create an account"
    )
    def post(self, request):
        data = s.RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = user_register(**data.validated_data)
        return Response(s.UserBriefOutput(user).data, status=status.HTTP_201_CREATED)


class TokenObtainApi(APIView):
    """Password, and the code where 2FA is needed, in exchange for a personal token."""

    error_statuses = (429,)  # sign-in lockout, 2FA throttle

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=s.TokenInput,
        responses={200: s.TokenOutput},
        summary="Get an API token (with a 2FA code where the role needs one)",
    )
    def post(self, request):
        data = s.TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        # django-axes counts this attempt (per account and per address) and refuses a
        # locked-out one before the password is checked.
        user = authenticate(request._request, username=values["email"], password=values["password"])
        if getattr(request._request, "axes_locked_out", False):
            raise SignInLocked(lockout_message(), extra={"retry_after_seconds": lockout_seconds()})
        if user is None:
            raise ValidationFailed(
                _("E-mail address or password is wrong."),
                code="invalid_credentials",
                field="password",
            )
        second_factor = False
        code = (values.get("otp_token") or "").strip()
        if second_factor_required(user):
            if not has_device(user):
                raise PermissionDenied(
                    _("Set up two-factor sign-in first, with the link we e-mailed you."),
                    code="two_factor_setup_required",
                )
            if not code:
                raise ValidationFailed(
                    _("Enter the 6-digit code from your authenticator app, or a recovery code."),
                    code="invalid_otp",
                    field="otp_token",
                )
            two_factor_check(user=user, code=code)
            second_factor = True
        token, plain = api_token_create(
            user=user, second_factor=second_factor, name=values.get("name", "")
        )
        return Response(s.TokenOutput({"token": plain, "expiry": token.expiry}).data)


class ApiTokenListApi(APIView):
    @list_schema(s.ApiTokenOutput, summary="My API tokens")
    def get(self, request):
        tokens = ApiToken.objects.filter(user=request.user).order_by("-created")
        return paginated(request, tokens, s.ApiTokenOutput, context={"request": request})


class ApiTokenDetailApi(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Revoke one of my API tokens")
    def delete(self, request, token_key: str):
        api_token_revoke(user=request.user, token_key=token_key)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=s.InvitationOutput, summary="Look at an invitation")
    def get(self, request, token: str):
        return Response(s.InvitationOutput(invitation_get_open(token=token)).data)


class InvitationAcceptApi(APIView):
    @extend_schema(request=None, responses=s.DoneOutput, summary="Accept an invitation")
    def post(self, request, token: str):
        invitation_accept(token=token, user=request.user)
        return Response(s.DoneOutput({"status": "accepted"}).data)
