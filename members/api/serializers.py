from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from members.access import membership_view_fields
from members.models import (
    AvailabilityException,
    AvailabilitySlot,
    Cooperative,
    Membership,
    MemberSkill,
    NotificationPreference,
    Profile,
    Skill,
    User,
)
from werkstation.api.fields import WallClockTimeField
from werkstation.api.outputs import DictOutput


class CooperativePublicOutput(serializers.ModelSerializer):
    active_members = serializers.IntegerField(read_only=True)

    class Meta:
        model = Cooperative
        fields = ["id", "slug", "name", "city", "area_postcodes", "founded_on", "active_members"]


class CooperativeOutput(serializers.ModelSerializer):
    class Meta:
        model = Cooperative
        fields = [
            "id",
            "slug",
            "name",
            "legal_name",
            "address_line",
            "postcode",
            "city",
            "kvk_number",
            "vat_id",
            "lender_registration",
            "wtta_number",
            "iban",
            "bic",
            "g_account_iban",
            "area_postcodes",
            "currency",
            "vat_rate",
            "quorum_percent",
            "voting_days",
            "max_proxies_per_member",
            "cosigners_required",
            "claim_withdrawal_hours",
            "timesheet_auto_approve_days",
            "founded_on",
        ]


class CooperativeCreateInput(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    slug = serializers.SlugField(max_length=60, required=False, allow_blank=True)
    legal_name = serializers.CharField(max_length=200)
    kvk_number = serializers.CharField(max_length=20)
    founded_on = serializers.DateField(required=False)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    area_postcodes = serializers.ListField(child=serializers.CharField(), required=False)
    board_emails = serializers.ListField(child=serializers.EmailField(), required=False)


class CooperativeUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=120, required=False)
    legal_name = serializers.CharField(max_length=200, required=False)
    address_line = serializers.CharField(max_length=200, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=7, required=False, allow_blank=True)
    city = serializers.CharField(max_length=100, required=False, allow_blank=True)
    vat_id = serializers.CharField(max_length=20, required=False, allow_blank=True)
    lender_registration = serializers.CharField(
        max_length=120,
        required=False,
        allow_blank=True,
        help_text="Registration as a lender of labour (Waadi), printed on every labour invoice.",
    )
    wtta_number = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="Admission number under the Wtta (mandatory from 1 January 2027).",
    )
    iban = serializers.CharField(max_length=40, required=False, allow_blank=True)
    bic = serializers.CharField(max_length=11, required=False, allow_blank=True)
    g_account_iban = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text="The G-account (chain liability); a change waits for a second board member.",
    )
    area_postcodes = serializers.ListField(child=serializers.CharField(), required=False)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    quorum_percent = serializers.IntegerField(min_value=0, max_value=100, required=False)
    voting_days = serializers.IntegerField(min_value=1, max_value=90, required=False)
    max_proxies_per_member = serializers.IntegerField(min_value=0, max_value=10, required=False)
    cosigners_required = serializers.IntegerField(min_value=0, max_value=100, required=False)
    claim_withdrawal_hours = serializers.IntegerField(min_value=0, max_value=720, required=False)
    timesheet_auto_approve_days = serializers.IntegerField(
        min_value=1, max_value=60, required=False
    )


class UserBriefOutput(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "full_name", "email"]


class MemberUserOutput(serializers.ModelSerializer):
    email = serializers.EmailField(
        required=False, help_text="Only for the member themselves and the board."
    )

    class Meta:
        model = User
        fields = ["id", "full_name", "email"]


class MembershipOutput(serializers.ModelSerializer):
    """A membership as ``context["viewer"]`` may see it (``membership_view_fields``): members
    see names and roles; the e-mail address only the member and the board; the motivation
    only the applicant, and the board while the application is open."""

    user = MemberUserOutput(read_only=True)
    motivation = serializers.CharField(
        required=False,
        help_text="Only for the applicant, and for the board while the application is open.",
    )
    cooperative = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    roles = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Membership
        fields = [
            "id",
            "user",
            "cooperative",
            "status",
            "member_number",
            "roles",
            "engagement",
            "motivation",
            "applied_at",
            "decided_at",
            "status_reason",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        shown = membership_view_fields(self.context.get("viewer"), instance)
        if "email" not in shown:
            data["user"].pop("email", None)
        if "motivation" not in shown:
            data.pop("motivation", None)
        return data


class MembershipRolesOutput(MembershipOutput):
    pending_roles = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Roles asked for that wait for a second board member.",
    )

    class Meta(MembershipOutput.Meta):
        fields = [*MembershipOutput.Meta.fields, "pending_roles"]


class ApplyInput(serializers.Serializer):
    motivation = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class MembershipReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class RolesInput(serializers.Serializer):
    is_board = serializers.BooleanField(required=False)
    is_treasurer = serializers.BooleanField(required=False)
    is_auditor = serializers.BooleanField(required=False)
    engagement = serializers.ChoiceField(choices=Membership.Engagement.choices, required=False)


class SkillOutput(serializers.ModelSerializer):
    class Meta:
        model = Skill
        fields = ["id", "slug", "name", "requires_certificate"]


class SkillInput(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    requires_certificate = serializers.BooleanField(default=False)


class ProfileOutput(serializers.ModelSerializer):
    yearly_earnings_cap = serializers.DecimalField(
        source="yearly_earnings_cap.amount",
        max_digits=10,
        decimal_places=2,
        read_only=True,
        allow_null=True,
    )

    class Meta:
        model = Profile
        fields = [
            "phone",
            "street",
            "postcode",
            "city",
            "latitude",
            "longitude",
            "travel_radius_km",
            "target_hours_per_week",
            "yearly_earnings_cap",
            "earnings_cap_reason",
            "languages",
            "iban",
            "account_holder",
            "date_of_birth",
            "kvk_number",
            "vat_number",
            "kor",
        ]


class ProfileInput(serializers.Serializer):
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    street = serializers.CharField(max_length=120, required=False, allow_blank=True)
    postcode = serializers.CharField(max_length=10, required=False, allow_blank=True)
    city = serializers.CharField(max_length=80, required=False, allow_blank=True)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True
    )
    travel_radius_km = serializers.DecimalField(max_digits=5, decimal_places=1, required=False)
    target_hours_per_week = serializers.IntegerField(min_value=0, max_value=60, required=False)
    yearly_earnings_cap = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True
    )
    earnings_cap_reason = serializers.CharField(max_length=200, required=False, allow_blank=True)
    languages = serializers.ListField(child=serializers.CharField(max_length=5), required=False)
    iban = serializers.CharField(max_length=40, required=False, allow_blank=True)
    account_holder = serializers.CharField(max_length=120, required=False, allow_blank=True)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    kvk_number = serializers.CharField(
        max_length=12, required=False, allow_blank=True, help_text="KvK number (self-employed)"
    )
    vat_number = serializers.CharField(
        max_length=20, required=False, allow_blank=True, help_text="VAT number, NL123456789B01"
    )
    kor = serializers.BooleanField(
        required=False, help_text="Uses the small business scheme (KOR): no VAT"
    )


class MemberSkillOutput(serializers.ModelSerializer):
    skill = SkillOutput(read_only=True)
    cooperative = serializers.CharField(source="skill.cooperative.slug", read_only=True)

    class Meta:
        model = MemberSkill
        fields = ["id", "skill", "cooperative", "certificate_number", "certificate_expires_on"]


class MemberSkillInput(serializers.Serializer):
    skill = serializers.IntegerField()
    certificate_number = serializers.CharField(max_length=60, required=False, allow_blank=True)
    certificate_expires_on = serializers.DateField(required=False, allow_null=True)


class AvailabilitySlotSerializer(serializers.ModelSerializer):
    start = WallClockTimeField()
    end = WallClockTimeField()

    class Meta:
        model = AvailabilitySlot
        fields = ["weekday", "start", "end"]


@extend_schema_field(AvailabilitySlotSerializer(many=True))
class _SlotList(serializers.ListField):
    """Checked slot by slot by the service (its errors name ``slots[i].field``)."""


class AvailabilityInput(serializers.Serializer):
    slots = _SlotList(child=serializers.DictField(), allow_empty=True)


class AvailabilityExceptionSerializer(serializers.ModelSerializer):
    start = WallClockTimeField(required=False, allow_null=True)
    end = WallClockTimeField(required=False, allow_null=True)

    class Meta:
        model = AvailabilityException
        fields = ["id", "date", "available", "start", "end", "note"]
        read_only_fields = ["id"]


class RegisterInput(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, min_length=1)
    full_name = serializers.CharField(max_length=150)
    language = serializers.ChoiceField(choices=["nl", "en"], default="nl")


class TokenInput(serializers.Serializer):
    email = serializers.EmailField()
    password = serializers.CharField(write_only=True, max_length=256)
    otp_token = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20,
        help_text="The 6-digit code of the authenticator app, or a recovery code. Required "
        "for board members, treasurers, auditors and platform staff.",
    )
    name = serializers.CharField(
        required=False, allow_blank=True, max_length=80, help_text="A name to recognise it by."
    )


class MeOutput(serializers.ModelSerializer):
    memberships = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "email", "full_name", "preferred_language", "is_staff", "memberships"]

    @extend_schema_field(MembershipOutput(many=True))
    def get_memberships(self, user) -> list:
        from members.selectors import memberships_of

        return MembershipOutput(memberships_of(user), many=True, context=self.context).data


class SensitiveProfileOutput(DictOutput):
    iban = serializers.CharField()
    account_holder = serializers.CharField()
    yearly_earnings_cap = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    earnings_cap_reason = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)


class AccountExportOutput(DictOutput):
    email = serializers.EmailField()
    full_name = serializers.CharField()
    preferred_language = serializers.CharField()
    date_joined = serializers.DateTimeField()


class PersonalDataExportOutput(DictOutput):
    """Everything Werkstation holds about you: the account, then one section for each kind
    of personal data an app registered (``members.services.privacy``)."""

    def get_fields(self):
        from members.services.privacy import personal_data_registrations

        fields: dict[str, serializers.Field] = {
            "exported_at": serializers.DateTimeField(),
            "account": AccountExportOutput(),
        }
        for name, registration in personal_data_registrations().items():
            fields[name] = serializers.JSONField(
                help_text=f"From {', '.join(registration.fields)}."
            )
        return fields


class DoneOutput(serializers.Serializer):
    status = serializers.CharField(help_text="What was done.")


class TokenOutput(serializers.Serializer):
    token = serializers.CharField(help_text="Shown once; send it as 'Authorization: Token …'.")
    expiry = serializers.DateTimeField(
        help_text="When it expires unless used; each use extends it, up to the absolute limit."
    )


class ApiTokenOutput(serializers.Serializer):
    token_key = serializers.CharField(help_text="The token's first characters, to recognise it.")
    name = serializers.CharField()
    created = serializers.DateTimeField()
    expiry = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    second_factor = serializers.BooleanField()
    current = serializers.SerializerMethodField()

    def get_current(self, token) -> bool:
        request = self.context.get("request")
        auth = getattr(request, "auth", None)
        return getattr(auth, "digest", None) == token.digest


class SecondApprovalOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    description = serializers.CharField()
    requested_by = serializers.CharField(source="requested_by.full_name")
    requested_at = serializers.DateTimeField()
    decided_by = serializers.CharField(source="decided_by.full_name", allow_null=True, default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField()
    may_decide = serializers.BooleanField()


class ApprovalDecisionInput(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class EraseInput(serializers.Serializer):
    confirm_email = serializers.CharField()


class InvitationOutput(serializers.Serializer):
    kind = serializers.CharField()
    email = serializers.EmailField()
    cooperative = serializers.CharField(source="cooperative.name", default=None, allow_null=True)
    expires_at = serializers.DateTimeField()


class NotificationPreferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = NotificationPreference
        fields = ["shift_digest", "claim_updates", "timesheet_updates", "governance_updates"]


class BenefitArrangementInput(serializers.Serializer):
    keep_percent = serializers.IntegerField(
        required=False, allow_null=True, help_text="The share of earnings you may keep, 1–100."
    )
    monthly_max_cents = serializers.IntegerField(
        required=False, allow_null=True, help_text="The monthly maximum you may keep, in cents."
    )
    starts_on = serializers.DateField(required=False, allow_null=True)
    months = serializers.IntegerField(required=False, allow_null=True, help_text="1–60.")
    municipality = serializers.CharField(required=False, allow_blank=True, default="")


class BenefitArrangementOutput(serializers.Serializer):
    recorded = serializers.BooleanField()
    keep_percent = serializers.IntegerField(allow_null=True)
    monthly_max_cents = serializers.IntegerField(allow_null=True)
    starts_on = serializers.DateField(allow_null=True)
    months = serializers.IntegerField(allow_null=True)
    last_month = serializers.DateField(allow_null=True, help_text="First day of the last month.")
    municipality = serializers.CharField()
