"""The signed-in member's own things: profile, skills, availability, notifications, benefit arrangement, data export and erasure."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from members.models import NotificationPreference
from members.selectors import availability_exceptions_of, availability_of, member_skills_of
from members.services.accounts import profile_of
from members.services.benefits import (
    benefit_arrangement_delete,
    benefit_arrangement_of,
    benefit_arrangement_set,
)
from members.services.privacy import personal_data_export, user_erase
from members.services.profiles import (
    availability_exception_add,
    availability_exception_remove,
    availability_replace,
    member_skill_remove,
    member_skill_set,
    notification_preferences_update,
    profile_update,
)
from werkstation.api.pagination import list_schema, paginated

from . import serializers as s
from .cooperatives import seen_by


class MeApi(APIView):
    @extend_schema(responses=s.MeOutput, summary="Who am I, and my memberships")
    def get(self, request):
        return Response(s.MeOutput(request.user, context=seen_by(request)).data)


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
