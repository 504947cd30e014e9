"""Platform staff's admin for members.

Staff read here. What changes a membership, a role, a vote or how someone signs in goes
through an admin action that calls the same service as the app, with the acting staff
member — so it is checked, audited and e-mailed like any other change. Fields those
services own (status, roles, member numbers, a proposal's status and secrecy, 2FA
devices) are read-only.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from werkstation.admin import ActionOnlyAdmin, ReadOnlyAdmin, run_service_action

from .models import (
    ApiToken,
    AvailabilityException,
    AvailabilitySlot,
    Cooperative,
    Invitation,
    Membership,
    MemberSkill,
    Profile,
    Proposal,
    RoleGrant,
    SecondApproval,
    Skill,
    User,
)
from .services import memberships as membership_services
from .services.accounts import user_staff_set
from .services.approvals import second_approval_decide
from .services.cooperatives import BOARD_EDITABLE, cooperative_create
from .services.tokens import api_tokens_revoke_all
from .services.two_factor import two_factor_reset

# 2FA devices change only through the services (enrolment link, security page, reset).
for _model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name", "preferred_language")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Dates", {"fields": ("last_login", "date_joined", "erased_at")}),
    )
    readonly_fields = ["is_staff", "is_superuser", "last_login", "date_joined", "erased_at"]
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
    )
    actions = ["reset_two_factor", "unlock_sign_in", "make_staff", "remove_staff"]

    @admin.action(description="Reset two-factor sign-in (e-mails a new set-up link)")
    def reset_two_factor(self, request, queryset):
        return run_service_action(
            self,
            request,
            queryset,
            lambda user, _reason: two_factor_reset(actor=request.user, user=user),
            success="Two-factor sign-in reset",
        )

    @admin.action(description="Unlock sign-in after too many failed attempts")
    def unlock_sign_in(self, request, queryset):
        from axes.utils import reset

        count = sum(reset(username=user.email) for user in queryset)
        self.message_user(request, f"Unlocked: {count} attempts removed", messages.SUCCESS)

    @admin.action(description="Make platform staff", permissions=["change"])
    def make_staff(self, request, queryset):
        return run_service_action(
            self,
            request,
            queryset,
            lambda user, _reason: user_staff_set(actor=request.user, user=user, is_staff=True),
            success="Made platform staff",
        )

    @admin.action(description="Remove from platform staff", permissions=["change"])
    def remove_staff(self, request, queryset):
        return run_service_action(
            self,
            request,
            queryset,
            lambda user, _reason: user_staff_set(actor=request.user, user=user, is_staff=False),
            success="Removed from platform staff",
        )


class SkillInline(admin.TabularInline):
    model = Skill
    extra = 0


class CooperativeAddForm(forms.ModelForm):
    board_emails = forms.CharField(
        label="Invite the first board (e-mail addresses, comma separated)", required=False
    )

    class Meta:
        model = Cooperative
        fields = [
            "name",
            "slug",
            "legal_name",
            "kvk_number",
            "founded_on",
            *sorted(BOARD_EDITABLE - {"name"}),
        ]


@admin.register(Cooperative)
class CooperativeAdmin(admin.ModelAdmin):
    """Staff create cooperatives here; creation goes through the service, so the
    founding hooks run (e.g. the founding rule set) and the first board is invited.
    The bank account changes only through a board request and a second approval."""

    list_display = ["name", "slug", "city", "founded_on"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SkillInline]
    readonly_fields = ["iban", "bic", "next_iban", "next_bic", "next_iban_from"]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = CooperativeAddForm
        return super().get_form(request, obj, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        fields = {
            name: form.cleaned_data[name]
            for name in BOARD_EDITABLE
            if name in form.cleaned_data and name not in ("name", "legal_name")
        }
        emails = [
            e.strip() for e in form.cleaned_data.get("board_emails", "").split(",") if e.strip()
        ]
        created = cooperative_create(
            actor=request.user,
            name=obj.name,
            slug=obj.slug,
            legal_name=obj.legal_name,
            kvk_number=obj.kvk_number,
            founded_on=obj.founded_on,
            board_emails=emails,
            site_url=request.build_absolute_uri("/"),
            **fields,
        )
        obj.pk = created.pk
        obj._state.adding = False


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    can_delete = False
    fields = ["role", "granted_at", "requested_by", "approved_by", "revoked_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(ActionOnlyAdmin):
    """Status, roles and member numbers change only through the services: suspending and
    reinstating are actions here; roles are granted by the board with a second approval
    (staff give that approval under *Second approvals* where the board cannot)."""

    list_display = [
        "user",
        "cooperative",
        "status",
        "member_number",
        "is_board",
        "is_treasurer",
        "is_auditor",
    ]
    list_filter = ["cooperative", "status", "is_board"]
    search_fields = ["user__email", "user__full_name"]
    inlines = [RoleGrantInline]
    actions = ["suspend", "reinstate"]

    @admin.action(description="Suspend (asks for a reason)")
    def suspend(self, request, queryset):
        return run_service_action(
            self,
            request,
            queryset,
            lambda m, reason: membership_services.membership_suspend(
                actor=request.user, membership=m, reason=reason
            ),
            success="Suspended",
            ask_reason=True,
        )

    @admin.action(description="Reinstate")
    def reinstate(self, request, queryset):
        return run_service_action(
            self,
            request,
            queryset,
            lambda m, _reason: membership_services.membership_reinstate(
                actor=request.user, membership=m
            ),
            success="Reinstated",
        )


@admin.register(SecondApproval)
class SecondApprovalAdmin(ActionOnlyAdmin):
    """Where a cooperative has nobody who may give a second approval (fewer than two board
    members, say), staff give it here — through the same service, which checks that."""

    list_display = ["id", "cooperative", "kind", "status", "requested_by", "requested_at"]
    list_filter = ["status", "kind"]
    actions = ["approve_as_staff"]

    @admin.action(description="Give the second approval as platform staff")
    def approve_as_staff(self, request, queryset):
        return run_service_action(
            self,
            request,
            queryset,
            lambda approval, reason: second_approval_decide(
                actor=request.user, approval=approval, approve=True, reason=reason
            ),
            success="Approved as platform staff",
            ask_reason=True,
        )


@admin.register(ApiToken)
class ApiTokenAdmin(ActionOnlyAdmin):
    """Token digests only; staff can revoke every token of a person."""

    list_display = ["token_key", "user", "name", "created", "expiry", "last_used_at"]
    search_fields = ["token_key", "user__email"]
    actions = ["revoke_all_of_owner"]

    @admin.action(description="Revoke every token of these tokens' owners")
    def revoke_all_of_owner(self, request, queryset):
        owners = {token.user for token in queryset}
        for owner in owners:
            api_tokens_revoke_all(user=owner, reason="two_factor_reset", actor=request.user)
        self.message_user(request, f"Revoked the tokens of {len(owners)} people", messages.SUCCESS)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "postcode", "city"]
    # IBAN and the earnings cap are sensitive: not shown in the admin.
    exclude = [
        "iban",
        "account_holder",
        "yearly_earnings_cap_currency",
        "yearly_earnings_cap",
        "earnings_cap_reason",
    ]
    raw_id_fields = ["user"]


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["kind", "email", "cooperative", "created_at", "accepted_at"]
    exclude = ["token"]


admin.site.register([MemberSkill, AvailabilitySlot, AvailabilityException])


@admin.register(Proposal)
class ProposalAdmin(ReadOnlyAdmin):
    """Read-only: a proposal's status, secrecy and result change only through governance.
    Individual votes are not in the admin, so secret ballots stay secret."""

    list_display = ["title", "cooperative", "kind", "status", "opens_at", "closes_at"]
    list_filter = ["status", "kind"]
