"""Read-only views for platform staff: every change goes through the services (and so
through the audit log), never through the admin."""

from django.contrib import admin

from werkstation.admin import ReadOnlyAdmin

from .models import Bid, Challenge, Contract, ContractAmendment, Tender


@admin.register(Tender)
class TenderAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "client", "status", "submission_deadline"]
    list_filter = ["status"]
    search_fields = ["reference", "title"]


@admin.register(Challenge)
class ChallengeAdmin(ReadOnlyAdmin):
    list_display = ["task", "cooperative", "client", "status", "decision_deadline"]
    list_filter = ["status"]


@admin.register(Bid)
class BidAdmin(ReadOnlyAdmin):
    list_display = ["tender", "cooperative", "status", "price_cents", "submitted_at"]
    list_filter = ["status"]


class AmendmentInline(admin.TabularInline):
    model = ContractAmendment
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["reference", "title", "cooperative", "client", "status", "budget_cents"]
    list_filter = ["status"]
    inlines = [AmendmentInline]
