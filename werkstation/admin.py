from django.contrib import admin

from .models import AuditEntry, OutboxEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that only the services write: staff read them here, never change them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "actor", "cooperative_id", "object_type", "object_id"]
    list_filter = ["action"]


@admin.register(OutboxEvent)
class OutboxEventAdmin(admin.ModelAdmin):
    list_display = ["id", "topic", "created_at", "published_at", "attempts"]
    list_filter = ["topic"]
