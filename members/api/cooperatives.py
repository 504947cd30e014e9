"""Cooperatives, their members and skills, and the board's membership actions (admit, reject, suspend, reinstate, roles)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from members.access import has_role, require_role
from members.models import Cooperative, Membership
from members.selectors import (
    applications_open,
    cooperatives_public,
    memberships_visible,
    skills_of_cooperative,
)
from members.services import memberships as membership_services
from members.services.cooperatives import cooperative_create, cooperative_update, skill_create
from members.services.privacy import sensitive_profile_read
from werkstation.api.base import get_object_or_error, site_url
from werkstation.api.pagination import list_schema, paginated
from werkstation.errors import NotFound, PermissionDenied

from . import serializers as s


def cooperative_or_404(slug: str) -> Cooperative:
    return get_object_or_error(Cooperative.objects.all(), field="slug", slug=slug)


def _membership_for(user, membership_id: int) -> Membership:
    """A membership the user may act on: their own, or any in a cooperative they board."""
    membership = get_object_or_error(
        Membership.objects.select_related("user", "cooperative"), pk=membership_id
    )
    if membership.user_id == user.pk or has_role(user, membership.cooperative_id, "member"):
        return membership
    raise NotFound(_("Not found."), field="id")


def seen_by(request) -> dict:
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
        cooperative = cooperative_or_404(slug)
        data = s.CooperativeUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        cooperative = cooperative_update(
            actor=request.user, cooperative=cooperative, **data.validated_data
        )
        return Response(s.CooperativeOutput(cooperative).data)


class CooperativeMembersApi(APIView):
    @list_schema(s.MembershipOutput, summary="Members of a cooperative")
    def get(self, request, slug: str):
        cooperative = cooperative_or_404(slug)
        require_role(request.user, cooperative, "member")
        rows = memberships_visible(user=request.user, cooperative=cooperative)
        return paginated(request, rows, s.MembershipOutput, context=seen_by(request))


class ApplicationsApi(APIView):
    @list_schema(s.MembershipOutput, summary="Open applications (board)")
    def get(self, request, slug: str):
        cooperative = cooperative_or_404(slug)
        require_role(request.user, cooperative, "board")
        rows = applications_open(cooperative=cooperative)
        return paginated(request, rows, s.MembershipOutput, context=seen_by(request))

    @extend_schema(
        request=s.ApplyInput, responses={201: s.MembershipOutput}, summary="Apply for membership"
    )
    def post(self, request, slug: str):
        cooperative = cooperative_or_404(slug)
        data = s.ApplyInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = membership_services.membership_apply(
            user=request.user,
            cooperative=cooperative,
            motivation=data.validated_data.get("motivation", ""),
        )
        return Response(
            s.MembershipOutput(membership, context=seen_by(request)).data,
            status=status.HTTP_201_CREATED,
        )


class MembershipAdmitApi(APIView):
    @extend_schema(request=None, responses=s.MembershipOutput, summary="Admit an applicant (board)")
    def post(self, request, membership_id: int):
        membership = _membership_for(request.user, membership_id)
        membership = membership_services.membership_admit(actor=request.user, membership=membership)
        return Response(s.MembershipOutput(membership, context=seen_by(request)).data)


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
        return Response(s.MembershipOutput(membership, context=seen_by(request)).data)


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
        return Response(s.MembershipOutput(membership, context=seen_by(request)).data)


class MembershipReinstateApi(APIView):
    @extend_schema(
        request=None, responses=s.MembershipOutput, summary="Reinstate a suspended member (board)"
    )
    def post(self, request, membership_id: int):
        membership = _membership_for(request.user, membership_id)
        membership = membership_services.membership_reinstate(
            actor=request.user, membership=membership
        )
        return Response(s.MembershipOutput(membership, context=seen_by(request)).data)


class MembershipLeaveApi(APIView):
    @extend_schema(
        request=None, responses=s.MembershipOutput, summary="Leave the cooperative (own membership)"
    )
    def post(self, request, membership_id: int):
        membership = _membership_for(request.user, membership_id)
        membership = membership_services.membership_leave(user=request.user, membership=membership)
        return Response(s.MembershipOutput(membership, context=seen_by(request)).data)


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
            s.MembershipRolesOutput(membership, context=seen_by(request)).data,
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
        cooperative = cooperative_or_404(slug)
        return paginated(request, skills_of_cooperative(cooperative), s.SkillOutput)

    @extend_schema(
        request=s.SkillInput, responses={201: s.SkillOutput}, summary="Add a skill (board)"
    )
    def post(self, request, slug: str):
        cooperative = cooperative_or_404(slug)
        data = s.SkillInput(data=request.data)
        data.is_valid(raise_exception=True)
        skill = skill_create(actor=request.user, cooperative=cooperative, **data.validated_data)
        return Response(s.SkillOutput(skill).data, status=status.HTTP_201_CREATED)
