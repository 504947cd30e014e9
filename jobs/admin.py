from django.contrib import admin

from .models import Client, ClientCooperative, ClientUser


class ClientUserInline(admin.TabularInline):
    model = ClientUser
    extra = 0
    raw_id_fields = ["user"]


class ClientCooperativeInline(admin.TabularInline):
    model = ClientCooperative
    extra = 0


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "kvk_number"]
    list_filter = ["kind"]
    inlines = [ClientUserInline, ClientCooperativeInline]
