"""Web pages and the webhook endpoint of Stripe."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from jobs.selectors import clients_of_user
from members.access import has_role, page_cooperative
from members.models import Cooperative
from payouts.models import Invoice, StripeEvent, StripeSettings
from werkstation.errors import ApplicationError
from werkstation.forms import add_application_error

from .checkout import can_pay_invoice, invoice_payment_link
from .connect import (
    connect_account_refresh,
    connect_onboarding_link,
    connect_status,
)
from .setup import stripe_settings_clear, stripe_settings_save, stripe_status
from .webhooks import NotReady, stripe_webhook_receive

logger = logging.getLogger(__name__)


# --- webhooks ---------------------------------------------------------------------------


def _single_cooperative() -> Cooperative:
    cooperatives = list(Cooperative.objects.all()[:2])
    if len(cooperatives) != 1:
        raise Http404
    return cooperatives[0]


@csrf_exempt
@require_POST
def stripe_webhook(request, slug: str | None = None):
    cooperative = (
        get_object_or_404(Cooperative, slug=slug) if slug is not None else _single_cooperative()
    )
    try:
        event = stripe_webhook_receive(
            cooperative=cooperative,
            payload=request.body,
            signature=request.headers.get("Stripe-Signature"),
            site_url=request.build_absolute_uri("/").rstrip("/"),
        )
    except ApplicationError as exc:
        return JsonResponse(
            {"error": {"code": exc.code, "message": exc.message, "field": exc.field}}, status=400
        )
    except NotReady as exc:
        return JsonResponse({"error": {"code": "not_ready", "message": str(exc)}}, status=503)
    except Exception:
        logger.exception("stripe webhook for %s failed; Stripe will deliver it again", cooperative)
        return JsonResponse({"error": {"code": "failed", "message": "handler failed"}}, status=500)
    return JsonResponse({"received": True, "status": event.status if event else "ignored"})


# --- treasury: Stripe settings ----------------------------------------------------------


class StripeSettingsForm(forms.Form):
    secret_key = forms.CharField(
        label=gettext_lazy("Secret key"),
        required=False,
        max_length=255,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Starts with sk_ or rk_. Leave empty to keep the current one."),
    )
    webhook_secret = forms.CharField(
        label=gettext_lazy("Webhook signing secret"),
        required=False,
        max_length=255,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy("Starts with whsec_. Leave empty to keep the current one."),
    )
    connect_webhook_secret = forms.CharField(
        label=gettext_lazy("Webhook signing secret for connected accounts"),
        required=False,
        max_length=255,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=gettext_lazy(
            "Of the second endpoint, for your members' accounts (Connect). Leave empty to keep."
        ),
    )
    connect_enabled = forms.BooleanField(
        label=gettext_lazy("Pay members by Stripe Connect"), required=False
    )
    connect_overflow = forms.ChoiceField(
        label=gettext_lazy("When the Stripe balance is too low"),
        choices=StripeSettings.Overflow.choices,
    )


@login_required
def stripe_settings_page(request, slug: str):
    cooperative = page_cooperative(request.user, slug, "treasurer", "board", "auditor")
    can_edit = has_role(request.user, cooperative, "treasurer", "board")
    state = stripe_status(cooperative)
    initial = {
        "connect_enabled": state["connect_enabled"],
        "connect_overflow": state["connect_overflow"],
    }
    form = StripeSettingsForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and can_edit:
        try:
            if request.POST.get("action") == "clear":
                stripe_settings_clear(actor=request.user, cooperative=cooperative)
                messages.success(request, _("The Stripe keys were removed."))
                return redirect("payouts:stripe-settings", slug=slug)
            if form.is_valid():
                stripe_settings_save(
                    actor=request.user, cooperative=cooperative, **form.cleaned_data
                )
                messages.success(
                    request,
                    _(
                        "The Stripe settings are saved. A change of keys may wait for a second "
                        "person's approval under Second approvals."
                    ),
                )
                return redirect("payouts:stripe-settings", slug=slug)
        except ApplicationError as exc:
            add_application_error(form, exc)
    return render(
        request,
        "payouts/stripe_settings.html",
        {
            "cooperative": cooperative,
            "form": form,
            "state": state,
            "can_edit": can_edit,
            "webhook_url": request.build_absolute_uri(
                reverse("payouts:stripe-webhook", kwargs={"slug": slug})
            ),
            "events": StripeEvent.objects.filter(cooperative=cooperative)[:20],
        },
    )


# --- clients: their invoices, paid online -----------------------------------------------


@login_required
def client_invoices(request):
    clients = list(clients_of_user(request.user))
    invoices = Invoice.objects.filter(client__in=clients).select_related("client", "cooperative")
    return render(request, "payouts/client_invoices.html", {"invoices": invoices[:100]})


@login_required
def client_invoice(request, invoice_id: int):
    invoice = get_object_or_404(
        Invoice.objects.select_related("cooperative", "client"), pk=invoice_id
    )
    if not can_pay_invoice(request.user, invoice):
        raise Http404
    if request.GET.get("format") == "pdf":
        from payouts.views.treasury import invoice_pdf_response

        return invoice_pdf_response(invoice)
    online = stripe_status(invoice.cooperative)["payments_on"]
    if request.method == "POST":
        page = request.build_absolute_uri(
            reverse("payouts:client-invoice", kwargs={"invoice_id": invoice.pk})
        )
        try:
            checkout = invoice_payment_link(
                actor=request.user, invoice=invoice, success_url=f"{page}?paid=1", cancel_url=page
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("payouts:client-invoice", invoice_id=invoice.pk)
        return redirect(checkout.url)
    if request.GET.get("paid"):
        messages.success(
            request, _("Thank you. The payment shows here as soon as Stripe confirms it.")
        )
    return render(
        request,
        "payouts/client_invoice.html",
        {
            "invoice": invoice,
            "lines": invoice.lines.all(),
            "online": online,
            "payable": online
            and invoice.status in (Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_PAID),
        },
    )


# --- members: payouts by Stripe Connect -------------------------------------------------


@login_required
def stripe_connect_page(request, slug: str):
    cooperative = page_cooperative(request.user, slug, "member")
    if request.method == "POST":
        page = request.build_absolute_uri(reverse("payouts:stripe-connect", kwargs={"slug": slug}))
        try:
            url = connect_onboarding_link(
                actor=request.user,
                cooperative=cooperative,
                return_url=f"{page}?back=1",
                refresh_url=page,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("payouts:stripe-connect", slug=slug)
        return redirect(url)
    if request.GET.get("back"):
        try:
            connect_account_refresh(actor=request.user, cooperative=cooperative)
        except ApplicationError as exc:
            messages.error(request, exc.message)
    return render(
        request,
        "payouts/stripe_connect.html",
        {
            "cooperative": cooperative,
            "status": connect_status(user=request.user, cooperative=cooperative),
        },
    )
