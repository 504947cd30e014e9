"""The kernel's admin: the audit trail and the outbox, and the helpers every app's admin
uses. Platform staff read in the admin; every change goes through a service (as an
admin action with the acting staff member), so it is checked and audited."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.template.response import TemplateResponse

from .audit import audit_record
from .audit_actions import KernelAction
from .errors import ApplicationError
from .models import AuditEntry, LegalParameter, OutboxEvent

_M = TypeVar("_M", bound=models.Model)

if TYPE_CHECKING:
    # ``ModelAdmin`` is generic in the stubs only (``django_stubs_ext.monkeypatch`` is not
    # installed at run time). These bases serve the admins of any model.
    from collections.abc import Callable

    from django.db.models import QuerySet
    from django.http import HttpRequest

    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = admin.ModelAdmin


class ReadOnlyAdmin(_ModelAdmin):
    """For rows that only the services write: staff read them here, never change them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ActionOnlyAdmin(ReadOnlyAdmin):
    """Every field read-only; staff act only through the admin actions (services)."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Needed for actions to run; no field is editable.
        return request.user.is_staff

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in self.model._meta.fields]


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=1000)


def run_service_action(
    modeladmin: admin.ModelAdmin[Any],
    request: HttpRequest,
    queryset: QuerySet[_M],
    call: Callable[[_M, str], object],
    *,
    success: str,
    ask_reason: bool = False,
) -> TemplateResponse | None:
    """Call ``call(obj, reason)`` for each selected row, as the acting staff member.

    With ``ask_reason`` an intermediate page asks for one reason first. Domain errors are
    shown per row; nothing is written for a row whose service call fails.
    """
    reason = ""
    if ask_reason:
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return TemplateResponse(
                request,
                "admin/service_action_reason.html",
                {
                    **modeladmin.admin_site.each_context(request),
                    "form": form,
                    "queryset": queryset,
                    "action": request.POST.get("action"),
                    "opts": modeladmin.model._meta,
                    "title": success,
                },
            )
        reason = form.cleaned_data["reason"]
    done = 0
    for obj in queryset:
        try:
            call(obj, reason)
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
        else:
            done += 1
    if done:
        modeladmin.message_user(request, f"{success}: {done}", messages.SUCCESS)
    return None


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "actor", "cooperative_id", "object_type", "object_id"]
    list_filter = ["action"]


@admin.register(OutboxEvent)
class OutboxEventAdmin(_ModelAdmin):
    list_display = ["id", "topic", "created_at", "published_at", "attempts"]
    list_filter = ["topic"]


@admin.register(LegalParameter)
class LegalParameterAdmin(_ModelAdmin):
    """Staff keep the legal figures here: a new period is a new row from its date. Every
    change is audited; a row that is in force is best corrected, not deleted."""

    list_display = ["key", "effective_from", "value", "verify", "source"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["key", "verify"]
    ordering = ["key", "-effective_from"]

    def save_model(
        self,
        request: HttpRequest,
        obj: LegalParameter,
        form: forms.ModelForm[LegalParameter],
        change: bool,  # noqa: FBT001 - Django admin's signature
    ) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=KernelAction.LEGAL_PARAMETER_CHANGED
            if change
            else KernelAction.LEGAL_PARAMETER_ADDED,
            target=obj,
            data={
                "key": obj.key,
                "from": obj.effective_from.isoformat(),
                "value": str(obj.value),
                "verify": obj.verify,
            },
        )

    def delete_model(self, request: HttpRequest, obj: LegalParameter) -> None:
        audit_record(
            actor=request.user,
            action=KernelAction.LEGAL_PARAMETER_DELETED,
            target=obj,
            data={"key": obj.key, "from": obj.effective_from.isoformat(), "value": str(obj.value)},
        )
        super().delete_model(request, obj)
