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
    Skill,
    User,
)


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


@admin.register(Cooperative)
class CooperativeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "city", "founded_on"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [SkillInline]


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
