from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import (
    AvailabilityException,
    AvailabilitySlot,
    Cooperative,
    Invitation,
    Membership,
    MemberSkill,
    Profile,
    Proposal,
    Skill,
    User,
)
from .services.cooperatives import BOARD_EDITABLE, cooperative_create


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active"]
    search_fields = ["email", "full_name"]
    fieldsets = (
        (None, {"fields": ("email", "password", "full_name", "preferred_language")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined", "erased_at")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "full_name", "password1", "password2")}),
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
    founding hooks run (e.g. the founding rule set) and the first board is invited."""

    list_display = ["name", "slug", "city", "founded_on"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SkillInline]

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


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
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
    raw_id_fields = ["user", "decided_by"]


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
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["kind", "email", "cooperative", "created_at", "accepted_at"]
    readonly_fields = ["token"]


admin.site.register([MemberSkill, AvailabilitySlot, AvailabilityException])


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    """Results only: individual votes are not in the admin, so secret ballots stay secret."""

    list_display = ["title", "cooperative", "kind", "status", "opens_at", "closes_at"]
    list_filter = ["status", "kind"]
    readonly_fields = ["result", "electorate_size", "quorum_percent"]
