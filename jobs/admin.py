from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from werkstation.admin import ReadOnlyAdmin

from .models import Client, ClientCooperative, ClientLinkRequest, ClientUser
from .services.clients import client_verify


class ClientUserInline(admin.TabularInline):
    model = ClientUser
    extra = 0
    raw_id_fields = ["user"]


class ClientCooperativeInline(admin.TabularInline):
    """Links exist only because both sides agreed (``ClientLinkRequest``): read-only here."""

    model = ClientCooperative
    extra = 0
    can_delete = False
    readonly_fields = ["cooperative", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "kvk_number", "verified_at"]
    list_filter = ["kind", ("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "kvk_number"]
    readonly_fields = ["verified_at", "verified_by", "created_by", "created_at"]
    inlines = [ClientUserInline, ClientCooperativeInline]
    actions = ["verify"]

    @admin.action(description=_("Verify: this organisation is who it says it is"))
    def verify(self, request, queryset):
        for client in queryset:
            client_verify(actor=request.user, client=client)
        self.message_user(request, _("%(n)s verified.") % {"n": queryset.count()}, messages.SUCCESS)


@admin.register(ClientLinkRequest)
class ClientLinkRequestAdmin(ReadOnlyAdmin):
    """Requests are answered by the client and the board themselves, never here."""

    list_display = ["cooperative", "client", "organisation", "direction", "status", "created_at"]
    list_filter = ["status", "direction"]
    exclude = ["token"]
