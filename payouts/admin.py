"""Platform staff's admin for money: read-only. The one action is the staff second
approval of a payout batch where the cooperative has nobody who qualifies — through the
same service as the app, which checks exactly that."""

from django.contrib import admin

from werkstation.admin import ActionOnlyAdmin, run_service_action

from .models import PayoutBatch
from .services.payouts import payout_batch_approve


@admin.register(PayoutBatch)
class PayoutBatchAdmin(ActionOnlyAdmin):
    list_display = ["id", "cooperative", "status", "execution_date", "created_at"]
    list_filter = ["status"]
    actions = ["approve_as_staff"]

    @admin.action(description="Give the second approval as platform staff")
    def approve_as_staff(self, request, queryset):
        return run_service_action(
            self,
            request,
            queryset,
            lambda batch, _reason: payout_batch_approve(actor=request.user, batch=batch),
            success="Approved as platform staff",
        )
