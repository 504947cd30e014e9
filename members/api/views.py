"""Members API: one small view per operation; services do the work."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django_otp import devices_for_user, match_token
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from werkstation.api.base import get_object_or_error, site_url
from werkstation.errors import NotFound, PermissionDenied, ValidationFailed

from ..access import has_role, needs_two_factor, require_role
from ..models import Cooperative, Membership, NotificationPreference
from ..selectors import (
    applications_open,
    availability_exceptions_of,
    availability_of,
    cooperatives_public,
    member_skills_of,
    memberships_of,
    memberships_visible,
    skills_of_cooperative,
)
from ..services import memberships as membership_services
from ..services.accounts import profile_of, user_register
from ..services.cooperatives import cooperative_create, cooperative_update, skill_create
from ..services.invitations import invitation_accept, invitation_get_open
from ..services.privacy import personal_data_export, sensitive_profile_read, user_erase
from ..services.profiles import (
    availability_exception_add,
    availability_exception_remove,
    availability_replace,
    member_skill_remove,
    member_skill_set,
    notification_preferences_update,
    profile_update,
)
from . import serializers as s


def _cooperative(slug: str) -> Cooperative:
    return get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)


def _membership_for(user, membership_id: int) -> Membership:
    """A membership the user may act on: their own, or any in a cooperative they board."""
    membership = get_object_or_error(
        Membership.objects.select_related("user", "cooperative"), pk=membership_id
    )
    if membership.user_id == user.pk or has_role(user, membership.cooperative_id, "member"):
        return membership
    raise NotFound(_("Not found."), field="id")


def _seen_by(request) -> dict:
    return {"viewer": request.user}


class CooperativeListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(
        responses=s.CooperativePublicOutput(many=True), summary="List cooperatives (public)"
    )
    def get(self, request):
        return Response(s.CooperativePublicOutput(cooperatives_public(), many=True).data)

    @extend_schema(
        request=s.CooperativeCreateInput,
        responses={201: s.CooperativeOutput},
        summary="Create (staff)",
    )
    def post(self, request):
        if not request.user.is_authenticated:
            raise PermissionDenied(_("Sign in first."), code="not_authenticated")
        data = s.CooperativeCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        cooperative = cooperative_create(
            actor=request.user, site_url=site_url(request), **data.validated_data
        )
        return Response(s.CooperativeOutput(cooperative).data, status=status.HTTP_201_CREATED)


class CooperativeDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=s.CooperativeOutput, summary="A cooperative; members see its settings")
    def get(self, request, slug: str):
        cooperative = _cooperative(slug)
        if has_role(request.user, cooperative, "member"):
            return Response(s.CooperativeOutput(cooperative).data)
        return Response(s.CooperativePublicOutput(cooperative).data)

    @extend_schema(
        request=s.CooperativeUpdateInput,
        responses=s.CooperativeOutput,
        summary="Change settings (board)",
    )
    def patch(self, request, slug: str):
        if not request.user.is_authenticated:
            raise PermissionDenied(_("Sign in first."), code="not_authenticated")
        cooperative = _cooperative(slug)
        data = s.CooperativeUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        cooperative = cooperative_update(
            actor=request.user, cooperative=cooperative, **data.validated_data
        )
        return Response(s.CooperativeOutput(cooperative).data)


class CooperativeMembersApi(APIView):
    @extend_schema(responses=s.MembershipOutput(many=True), summary="Members of a cooperative")
    def get(self, request, slug: str):
        cooperative = _cooperative(slug)
        require_role(request.user, cooperative, "member")
        return Response(
            s.MembershipOutput(
                memberships_visible(user=request.user, cooperative=cooperative),
                many=True,
                context=_seen_by(request),
            ).data
        )


class ApplicationsApi(APIView):
    @extend_schema(responses=s.MembershipOutput(many=True), summary="Open applications (board)")
    def get(self, request, slug: str):
        cooperative = _cooperative(slug)
        require_role(request.user, cooperative, "board")
        return Response(
            s.MembershipOutput(
                applications_open(cooperative=cooperative), many=True, context=_seen_by(request)
            ).data
        )

    @extend_schema(
        request=s.ApplyInput, responses={201: s.MembershipOutput}, summary="Apply for membership"
    )
    def post(self, request, slug: str):
        cooperative = _cooperative(slug)
        data = s.ApplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_services.membership_apply(
            user=request.user,
            cooperative=cooperative,
            motivation=data.validated_data.get("motivation", ""),
        )
        return Response(
            s.MembershipOutput(membership, context=_seen_by(request)).data,
            status=status.HTTP_201_CREATED,
        )


class MembershipAdmitApi(APIView):
    @extend_schema(request=None, responses=s.MembershipOutput, summary="Admit an applicant (board)")
    def post(self, request, membership_id: int):
        membership = _membership_for(request.user, membership_id)
        membership = membership_services.membership_admit(actor=request.user, membership=membership)
        return Response(s.MembershipOutput(membership, context=_seen_by(request)).data)


class MembershipRejectApi(APIView):
    @extend_schema(
        request=s.ReasonInput, responses=s.MembershipOutput, summary="Reject an application (board)"
    )
    def post(self, request, membership_id: int):
        membership = _membership_for(request.user, membership_id)
        data = s.ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_services.membership_reject(
            actor=request.user, membership=membership, reason=data.validated_data["reason"]
        )
        return Response(s.MembershipOutput(membership, context=_seen_by(request)).data)


class MembershipSuspendApi(APIView):
    @extend_schema(
        request=s.ReasonInput, responses=s.MembershipOutput, summary="Suspend a member (board)"
    )
    def post(self, request, membership_id: int):
        membership = _membership_for(request.user, membership_id)
        data = s.ReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_services.membership_suspend(
            actor=request.user, membership=membership, reason=data.validated_data["reason"]
        )
        return Response(s.MembershipOutput(membership, context=_seen_by(request)).data)


class MembershipReinstateApi(APIView):
    @extend_schema(
        request=None, responses=s.MembershipOutput, summary="Reinstate a suspended member (board)"
    )
    def post(self, request, membership_id: int):
        membership = _membership_for(request.user, membership_id)
        membership = membership_services.membership_reinstate(
            actor=request.user, membership=membership
        )
        return Response(s.MembershipOutput(membership, context=_seen_by(request)).data)


class MembershipLeaveApi(APIView):
    @extend_schema(
        request=None, responses=s.MembershipOutput, summary="Leave the cooperative (own membership)"
    )
    def post(self, request, membership_id: int):
        membership = _membership_for(request.user, membership_id)
        membership = membership_services.membership_leave(user=request.user, membership=membership)
        return Response(s.MembershipOutput(membership, context=_seen_by(request)).data)


class MembershipRolesApi(APIView):
    @extend_schema(
        request=s.RolesInput,
        responses=s.MembershipOutput,
        summary="Set roles and engagement (board)",
    )
    def patch(self, request, membership_id: int):
        membership = _membership_for(request.user, membership_id)
        data = s.RolesInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        membership = membership_services.membership_set_roles(
            actor=request.user, membership=membership, **data.validated_data
        )
        return Response(s.MembershipOutput(membership, context=_seen_by(request)).data)


class MembershipSensitiveApi(APIView):
    @extend_schema(
        responses=dict, summary="Payout details and earnings cap (member or treasurer; logged)"
    )
    def get(self, request, membership_id: int):
        membership = _membership_for(request.user, membership_id)
        return Response(sensitive_profile_read(actor=request.user, member=membership.user))


class CooperativeSkillsApi(APIView):
    @extend_schema(responses=s.SkillOutput(many=True), summary="The cooperative's skill list")
    def get(self, request, slug: str):
        cooperative = _cooperative(slug)
        return Response(s.SkillOutput(skills_of_cooperative(cooperative), many=True).data)

    @extend_schema(
        request=s.SkillInput, responses={201: s.SkillOutput}, summary="Add a skill (board)"
    )
    def post(self, request, slug: str):
        cooperative = _cooperative(slug)
        data = s.SkillInput(data=request.data)
        data.is_valid(raise_exception=True)
        skill = skill_create(actor=request.user, cooperative=cooperative, **data.validated_data)
        return Response(s.SkillOutput(skill).data, status=status.HTTP_201_CREATED)


class MeApi(APIView):
    @extend_schema(responses=dict, summary="Who am I, and my memberships")
    def get(self, request):
        user = request.user
        return Response(
            {
                "id": user.pk,
                "email": user.email,
                "full_name": user.full_name,
                "preferred_language": user.preferred_language,
                "is_staff": user.is_staff,
                "memberships": s.MembershipOutput(
                    memberships_of(user), many=True, context=_seen_by(request)
                ).data,
            }
        )


class MyProfileApi(APIView):
    @extend_schema(responses=s.ProfileOutput, summary="My profile")
    def get(self, request):
        return Response(s.ProfileOutput(profile_of(request.user)).data)

    @extend_schema(request=s.ProfileInput, responses=s.ProfileOutput, summary="Change my profile")
    def patch(self, request):
        data = s.ProfileInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        profile = profile_update(user=request.user, **data.validated_data)
        return Response(s.ProfileOutput(profile).data)


class MySkillsApi(APIView):
    @extend_schema(responses=s.MemberSkillOutput(many=True), summary="My skills and certificates")
    def get(self, request):
        return Response(s.MemberSkillOutput(member_skills_of(request.user), many=True).data)

    @extend_schema(
        request=s.MemberSkillInput,
        responses={201: s.MemberSkillOutput},
        summary="Add or update a skill",
    )
    def post(self, request):
        data = s.MemberSkillInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        member_skill = member_skill_set(
            user=request.user,
            skill_id=values["skill"],
            certificate_number=values.get("certificate_number", ""),
            certificate_expires_on=values.get("certificate_expires_on"),
        )
        return Response(s.MemberSkillOutput(member_skill).data, status=status.HTTP_201_CREATED)


class MySkillDetailApi(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Remove a skill")
    def delete(self, request, member_skill_id: int):
        member_skill_remove(user=request.user, member_skill_id=member_skill_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyAvailabilityApi(APIView):
    @extend_schema(
        responses=s.AvailabilitySlotSerializer(many=True), summary="My weekly availability"
    )
    def get(self, request):
        return Response(s.AvailabilitySlotSerializer(availability_of(request.user), many=True).data)

    @extend_schema(
        request=s.AvailabilityInput,
        responses=s.AvailabilitySlotSerializer(many=True),
        summary="Replace my weekly availability",
    )
    def put(self, request):
        data = s.AvailabilityInput(data=request.data)
        data.is_valid(raise_exception=True)
        slots = availability_replace(user=request.user, slots=data.validated_data["slots"])
        return Response(s.AvailabilitySlotSerializer(slots, many=True).data)


class MyAvailabilityExceptionsApi(APIView):
    @extend_schema(
        responses=s.AvailabilityExceptionSerializer(many=True), summary="My dated exceptions"
    )
    def get(self, request):
        return Response(
            s.AvailabilityExceptionSerializer(
                availability_exceptions_of(request.user), many=True
            ).data
        )

    @extend_schema(
        request=s.AvailabilityExceptionSerializer,
        responses={201: s.AvailabilityExceptionSerializer},
        summary="Add a dated exception",
    )
    def post(self, request):
        data = s.AvailabilityExceptionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        exception = availability_exception_add(user=request.user, **data.validated_data)
        return Response(
            s.AvailabilityExceptionSerializer(exception).data, status=status.HTTP_201_CREATED
        )


class MyAvailabilityExceptionDetailApi(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Remove a dated exception")
    def delete(self, request, exception_id: int):
        availability_exception_remove(user=request.user, exception_id=exception_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyNotificationsApi(APIView):
    @extend_schema(responses=s.NotificationPreferenceSerializer, summary="My e-mail preferences")
    def get(self, request):
        preference, _created = NotificationPreference.objects.get_or_create(user=request.user)
        return Response(s.NotificationPreferenceSerializer(preference).data)

    @extend_schema(
        request=s.NotificationPreferenceSerializer,
        responses=s.NotificationPreferenceSerializer,
        summary="Change my e-mail preferences",
    )
    def patch(self, request):
        data = s.NotificationPreferenceSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        preference = notification_preferences_update(user=request.user, **data.validated_data)
        return Response(s.NotificationPreferenceSerializer(preference).data)


class MyDataExportApi(APIView):
    @extend_schema(responses=dict, summary="Download my personal data (JSON)")
    def get(self, request):
        response = Response(personal_data_export(user=request.user))
        response["Content-Disposition"] = 'attachment; filename="werkstation-my-data.json"'
        return response


class MyErasureApi(APIView):
    @extend_schema(
        request=s.EraseInput, responses={200: dict}, summary="Erase my account (anonymise)"
    )
    def post(self, request):
        data = s.EraseInput(data=request.data)
        data.is_valid(raise_exception=True)
        user_erase(
            user=request.user,
            actor=request.user,
            confirm_email=data.validated_data["confirm_email"],
        )
        return Response({"status": "erased"})


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
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        request=s.TokenInput,
        responses=s.TokenOutput,
        summary="Get an API token (with TOTP when required)",
    )
    def post(self, request):
        from django.conf import settings

        data = s.TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        user = authenticate(request, username=values["email"], password=values["password"])
        if user is None:
            raise ValidationFailed(
                _("E-mail address or password is wrong."),
                code="invalid_credentials",
                field="password",
            )
        if settings.WERKSTATION_REQUIRE_2FA and needs_two_factor(user):
            if not any(True for _d in devices_for_user(user, confirmed=True)):
                raise PermissionDenied(
                    _("Set up two-factor sign-in in the web app first."),
                    code="two_factor_setup_required",
                )
            if not values.get("otp_token") or match_token(user, values["otp_token"]) is None:
                raise ValidationFailed(
                    _("Enter the 6-digit code from your authenticator app."),
                    code="invalid_otp",
                    field="otp_token",
                )
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class InvitationApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=s.InvitationOutput, summary="Look at an invitation")
    def get(self, request, token: str):
        return Response(s.InvitationOutput(invitation_get_open(token=token)).data)


class InvitationAcceptApi(APIView):
    @extend_schema(request=None, responses=dict, summary="Accept an invitation")
    def post(self, request, token: str):
        invitation_accept(token=token, user=request.user)
        return Response({"status": "accepted"})
