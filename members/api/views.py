"""Members API: one small view per operation; services do the work."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from werkstation.api.base import get_object_or_error, site_url
from werkstation.api.pagination import list_schema, page_of, paginated
from werkstation.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed

from ..access import has_role, require_role, second_factor_required
from ..lockout import lockout_message
from ..models import ApiToken, Cooperative, Membership, NotificationPreference, SecondApproval
from ..selectors import (
    applications_open,
    availability_exceptions_of,
    availability_of,
    cooperatives_public,
    member_skills_of,
    memberships_visible,
    second_approvals_of,
    skills_of_cooperative,
)
from ..services import memberships as membership_services
from ..services.accounts import profile_of, user_register
from ..services.approvals import approval_kind, approvals_decidable, second_approval_decide
from ..services.benefits import (
    benefit_arrangement_delete,
    benefit_arrangement_of,
    benefit_arrangement_set,
)
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
from ..services.tokens import api_token_create, api_token_revoke
from ..services.two_factor import has_device, two_factor_check
from . import serializers as s


class SignInLocked(ApplicationError):
    status_code = 429
    default_code = "locked_out"


def lockout_seconds() -> int:
    from django.conf import settings

    return int(settings.AXES_COOLOFF_TIME.total_seconds())


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

    @list_schema(s.CooperativePublicOutput, summary="List cooperatives (public)")
    def get(self, request):
        return paginated(request, cooperatives_public(), s.CooperativePublicOutput)

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

    @extend_schema(
        responses=PolymorphicProxySerializer(
            component_name="CooperativeDetail",
            serializers=[s.CooperativeOutput, s.CooperativePublicOutput],
            resource_type_field_name=None,
        ),
        summary="A cooperative: its settings for its members, the public details for others",
    )
    def get(self, request, slug: str):
        cooperative = get_object_or_error(cooperatives_public(), field="slug", slug=slug)
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
    @list_schema(s.MembershipOutput, summary="Members of a cooperative")
    def get(self, request, slug: str):
        cooperative = _cooperative(slug)
        require_role(request.user, cooperative, "member")
        rows = memberships_visible(user=request.user, cooperative=cooperative)
        return paginated(request, rows, s.MembershipOutput, context=_seen_by(request))


class ApplicationsApi(APIView):
    @list_schema(s.MembershipOutput, summary="Open applications (board)")
    def get(self, request, slug: str):
        cooperative = _cooperative(slug)
        require_role(request.user, cooperative, "board")
        rows = applications_open(cooperative=cooperative)
        return paginated(request, rows, s.MembershipOutput, context=_seen_by(request))

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
        request=s.MembershipReasonInput,
        responses=s.MembershipOutput,
        summary="Reject an application (board)",
    )
    def post(self, request, membership_id: int):
        membership = _membership_for(request.user, membership_id)
        data = s.MembershipReasonInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_services.membership_reject(
            actor=request.user, membership=membership, reason=data.validated_data["reason"]
        )
        return Response(s.MembershipOutput(membership, context=_seen_by(request)).data)


class MembershipSuspendApi(APIView):
    @extend_schema(
        request=s.MembershipReasonInput,
        responses=s.MembershipOutput,
        summary="Suspend a member (board)",
    )
    def post(self, request, membership_id: int):
        membership = _membership_for(request.user, membership_id)
        data = s.MembershipReasonInput(data=request.data)
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
        responses={200: s.MembershipRolesOutput, 202: s.MembershipRolesOutput},
        summary="Set roles and engagement (board); granting a role waits for a second board member",
    )
    def patch(self, request, membership_id: int):
        membership = _membership_for(request.user, membership_id)
        data = s.RolesInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        membership = membership_services.membership_set_roles(
            actor=request.user, membership=membership, **data.validated_data
        )
        # 202 when a granted role still waits for a second board member.
        return Response(
            s.MembershipRolesOutput(membership, context=_seen_by(request)).data,
            status=status.HTTP_202_ACCEPTED if membership.pending_roles else status.HTTP_200_OK,
        )


class MembershipSensitiveApi(APIView):
    @extend_schema(
        responses=s.SensitiveProfileOutput,
        summary="Payout details and earnings cap (member or treasurer; logged)",
    )
    def get(self, request, membership_id: int):
        membership = _membership_for(request.user, membership_id)
        details = sensitive_profile_read(actor=request.user, member=membership.user)
        return Response(s.SensitiveProfileOutput(details).data)


class CooperativeSkillsApi(APIView):
    @list_schema(s.SkillOutput, summary="The cooperative's skill list")
    def get(self, request, slug: str):
        cooperative = _cooperative(slug)
        return paginated(request, skills_of_cooperative(cooperative), s.SkillOutput)

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
    @extend_schema(responses=s.MeOutput, summary="Who am I, and my memberships")
    def get(self, request):
        return Response(s.MeOutput(request.user, context=_seen_by(request)).data)


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
    @list_schema(s.MemberSkillOutput, summary="My skills and certificates")
    def get(self, request):
        return paginated(request, member_skills_of(request.user), s.MemberSkillOutput)

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
    @list_schema(s.AvailabilitySlotSerializer, summary="My weekly availability")
    def get(self, request):
        return paginated(request, availability_of(request.user), s.AvailabilitySlotSerializer)

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
    @list_schema(s.AvailabilityExceptionSerializer, summary="My dated exceptions")
    def get(self, request):
        rows = availability_exceptions_of(request.user)
        return paginated(request, rows, s.AvailabilityExceptionSerializer)

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


def _arrangement_out(arrangement) -> dict:
    if arrangement is None:
        return {
            "recorded": False,
            "keep_percent": None,
            "monthly_max_cents": None,
            "starts_on": None,
            "months": None,
            "last_month": None,
            "municipality": "",
        }
    return {
        "recorded": True,
        "keep_percent": arrangement.keep_percent,
        "monthly_max_cents": arrangement.monthly_max_cents,
        "starts_on": arrangement.starts_on,
        "months": arrangement.months,
        "last_month": arrangement.last_month,
        "municipality": arrangement.municipality,
    }


class MyBenefitArrangementApi(APIView):
    """The member's own bijstand arrangement: only the member reads and changes it."""

    @extend_schema(responses=s.BenefitArrangementOutput, summary="My benefit arrangement")
    def get(self, request):
        arrangement = benefit_arrangement_of(request.user)
        return Response(s.BenefitArrangementOutput(_arrangement_out(arrangement)).data)

    @extend_schema(
        request=s.BenefitArrangementInput,
        responses=s.BenefitArrangementOutput,
        summary="Record or change my benefit arrangement",
    )
    def put(self, request):
        data = s.BenefitArrangementInput(data=request.data)
        data.is_valid(raise_exception=True)
        arrangement = benefit_arrangement_set(user=request.user, fields=data.validated_data)
        return Response(s.BenefitArrangementOutput(_arrangement_out(arrangement)).data)

    @extend_schema(responses={204: None}, summary="Remove my benefit arrangement")
    def delete(self, request):
        benefit_arrangement_delete(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyDataExportApi(APIView):
    @extend_schema(responses=s.PersonalDataExportOutput, summary="Download my personal data (JSON)")
    def get(self, request):
        response = Response(
            s.PersonalDataExportOutput(personal_data_export(user=request.user)).data
        )
        response["Content-Disposition"] = 'attachment; filename="werkstation-my-data.json"'
        return response


class MyErasureApi(APIView):
    @extend_schema(
        request=s.EraseInput, responses=s.DoneOutput, summary="Erase my account (anonymise)"
    )
    def post(self, request):
        data = s.EraseInput(data=request.data)
        data.is_valid(raise_exception=True)
        user_erase(
            user=request.user,
            actor=request.user,
            confirm_email=data.validated_data["confirm_email"],
        )
        return Response(s.DoneOutput({"status": "erased"}).data)


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


def _approval_rows(approvals: list, user) -> list[dict]:
    decidable = approvals_decidable(user=user, approvals=approvals)
    return [
        {
            "id": approval.pk,
            "kind": approval.kind,
            "status": approval.status,
            "description": approval_kind(approval.kind).describe(approval),
            "requested_by": approval.requested_by,
            "requested_at": approval.requested_at,
            "decided_by": approval.decided_by,
            "decided_at": approval.decided_at,
            "reason": approval.reason,
            "may_decide": approval.pk in decidable,
        }
        for approval in approvals
    ]


def _approval_output(approval, user) -> dict:
    return s.SecondApprovalOutput(_approval_rows([approval], user)[0]).data


class ApprovalListApi(APIView):
    @list_schema(s.SecondApprovalOutput, summary="Requests that need a second person (board)")
    def get(self, request, slug: str):
        cooperative = _cooperative(slug)
        if not has_role(request.user, cooperative, "board", "treasurer"):
            raise NotFound(_("Not found."), field="slug")
        page = page_of(request, second_approvals_of(cooperative=cooperative))
        rows = _approval_rows(page.items, request.user)
        return page.response(s.SecondApprovalOutput(rows, many=True).data)


def _approval_for(user, approval_id: int) -> SecondApproval:
    approval = get_object_or_error(
        SecondApproval.objects.select_related("cooperative", "requested_by", "decided_by"),
        pk=approval_id,
    )
    if not has_role(user, approval.cooperative_id, "board", "treasurer"):
        raise NotFound(_("Not found."), field="id")
    return approval


class _ApprovalDecisionApi(APIView):
    approve: bool

    def post(self, request, approval_id: int):
        approval = _approval_for(request.user, approval_id)
        data = s.ApprovalDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        approval = second_approval_decide(
            actor=request.user,
            approval=approval,
            approve=self.approve,
            reason=data.validated_data.get("reason", ""),
        )
        return Response(_approval_output(approval, request.user))


@extend_schema(
    request=s.ApprovalDecisionInput,
    responses=s.SecondApprovalOutput,
    summary="Approve a request as the second person (board)",
)
class ApprovalApproveApi(_ApprovalDecisionApi):
    approve = True


@extend_schema(
    request=s.ApprovalDecisionInput,
    responses=s.SecondApprovalOutput,
    summary="Reject a request (board), or withdraw your own",
)
class ApprovalRejectApi(_ApprovalDecisionApi):
    approve = False


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
