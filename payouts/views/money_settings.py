"""The board's money settings page: the volunteer allowance maximums."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.access import page_cooperative
from payouts.models import VatReverseCharge
from payouts.selectors import money_settings_of
from payouts.services.money_settings import money_settings_update, reverse_charge_update
from payouts.services.settlement import reverse_charge_categories
from werkstation.errors import ApplicationError
from werkstation.forms import add_application_error
from werkstation.money import from_minor, to_minor


class MoneySettingsForm(forms.Form):
    volunteer_month_max = forms.DecimalField(
        label=gettext_lazy("Volunteer allowance: most per calendar month (€)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
    )
    volunteer_year_max = forms.DecimalField(
        label=gettext_lazy("Volunteer allowance: most per calendar year (€)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=gettext_lazy(
            "A volunteer receives nothing above these; the rest stays with the cooperative fund."
        ),
    )


@login_required
def money_settings(request, slug: str):
    cooperative = page_cooperative(request.user, slug, "board")
    current = money_settings_of(cooperative.pk)
    form = MoneySettingsForm(
        request.POST or None,
        initial={
            "volunteer_month_max": from_minor(current.volunteer_month_max_cents),
            "volunteer_year_max": from_minor(current.volunteer_year_max_cents),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            money_settings_update(
                actor=request.user,
                cooperative=cooperative,
                volunteer_month_max_cents=to_minor(form.cleaned_data["volunteer_month_max"]),
                volunteer_year_max_cents=to_minor(form.cleaned_data["volunteer_year_max"]),
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("payouts:money-settings", slug=slug)
    return render(
        request, "payouts/money_settings.html", {"cooperative": cooperative, "form": form}
    )


class ReverseChargeForm(forms.Form):
    categories = forms.MultipleChoiceField(
        label=gettext_lazy("Job categories with VAT reverse-charged"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Lending labour for work on buildings and grounds: for these categories a "
            "VAT-registered client gets an invoice with “btw verlegd” and pays the VAT itself."
        ),
    )

    def __init__(self, *args, **kwargs):
        from jobs.models.work import CATEGORY_CHOICES

        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = CATEGORY_CHOICES


@login_required
def reverse_charge(request, slug: str):
    cooperative = page_cooperative(request.user, slug, "board")
    confirmed = (
        VatReverseCharge.objects.filter(cooperative=cooperative)
        .select_related("confirmed_by")
        .first()
    )
    form = ReverseChargeForm(
        request.POST or None,
        initial={"categories": sorted(reverse_charge_categories(cooperative.pk))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            reverse_charge_update(
                actor=request.user,
                cooperative=cooperative,
                categories=form.cleaned_data["categories"],
            )
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The categories with VAT reverse-charged are confirmed. Invoices issued from "
                    "now on follow them; invoices already issued stay as they are."
                ),
            )
            return redirect("payouts:reverse-charge", slug=slug)
    return render(
        request,
        "payouts/reverse_charge.html",
        {"cooperative": cooperative, "form": form, "confirmed": confirmed},
    )


@login_required
def g_account_agreements(request, slug: str):
    """The board records which clients pay a share of each invoice into the G-account."""
    from jobs.models import ClientCooperative
    from jobs.services.clients import client_g_account_set

    cooperative = page_cooperative(request.user, slug, "board")
    if request.method == "POST":
        try:
            client_id = int(request.POST.get("client", ""))
        except ValueError:
            client_id = 0
        agreement = request.POST.get("agreement") == "on"
        try:
            client_g_account_set(
                actor=request.user,
                cooperative=cooperative,
                client_id=client_id,
                agreement=agreement,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Recorded: this client's next invoices ask for a share into the G-account.")
                if agreement
                else _("Recorded: this client's next invoices are paid into one account."),
            )
        return redirect("payouts:g-account", slug=slug)
    links = (
        ClientCooperative.objects.filter(cooperative=cooperative)
        .select_related("client", "g_account_set_by")
        .order_by("client__name")
    )
    return render(
        request,
        "payouts/g_account.html",
        {"cooperative": cooperative, "links": links},
    )
