"""Self-billing: the treasurer issues the invoices self-employed members send the cooperative, and downloads them."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from members.access import has_role, page_cooperative
from werkstation.confirm import Confirmation, confirmation, is_confirmed
from werkstation.errors import ApplicationError
from werkstation.forms import add_application_error


def self_billing_pdf_response(invoice):
    from django.http import HttpResponse

    from payouts.formats.documents import self_billing_pdf

    response = HttpResponse(self_billing_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="factuur-{invoice.number}.pdf"'
    return response


class SelfBillingIssueForm(forms.Form):
    month = forms.CharField(
        label=gettext_lazy("Month"),
        max_length=7,
        widget=forms.DateInput(attrs={"type": "month"}),
        help_text=gettext_lazy("For example 2026-11. Only months that are over."),
    )


def _issue_confirmation(start, members: int) -> Confirmation:
    return Confirmation(
        title=_("Issue the self-billing invoices for %(month)s?")
        % {"month": date_format(start, "F Y")},
        confirm_label=_("Yes, issue the invoices"),
        rows=[
            (_("Month"), date_format(start, "F Y")),
            (_("Self-employed members with work"), str(members)),
        ],
        consequence=_(
            "Each of them gets an invoice with a number of its own. An issued invoice "
            "cannot be deleted."
        ),
    )


@login_required
def self_billing(request, slug: str):
    """The cooperative's self-billing invoices (treasurer, auditor); the treasurer issues a
    month's by hand (the beat issues last month's on the 1st)."""
    from payouts.selectors import self_billing_invoices_of_cooperative
    from payouts.services.self_billing import self_billing_due, self_billing_issue

    cooperative = page_cooperative(request.user, slug, "treasurer", "auditor")
    can_issue = has_role(request.user, cooperative, "treasurer")
    form = SelfBillingIssueForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_issue:
            return render(request, "403.html", status=403)
        if form.is_valid():
            month = form.cleaned_data["month"]
            try:
                start, members = self_billing_due(cooperative=cooperative, month=month)
                if not members:
                    messages.info(
                        request,
                        _(
                            "Nothing to invoice for %(month)s: no self-employed member has "
                            "work in that month that is not on an invoice yet."
                        )
                        % {"month": date_format(start, "F Y")},
                    )
                    return redirect("payouts:self-billing", slug=slug)
                if not is_confirmed(request):
                    return confirmation(
                        request,
                        _issue_confirmation(start, members),
                        back_url=reverse("payouts:self-billing", args=[slug]),
                    )
                run = self_billing_issue(actor=request.user, cooperative=cooperative, month=month)
            except ApplicationError as exc:
                add_application_error(form, exc)
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d self-billing invoice issued.",
                        "%(n)d self-billing invoices issued.",
                        len(run.issued),
                    )
                    % {"n": len(run.issued)},
                )
                for _person, exc in run.refused:
                    messages.warning(request, exc.message)
                return redirect("payouts:self-billing", slug=slug)
    return render(
        request,
        "payouts/self_billing.html",
        {
            "cooperative": cooperative,
            "invoices": self_billing_invoices_of_cooperative(cooperative.pk)[:100],
            "form": form,
            "can_issue": can_issue,
        },
    )


@login_required
def self_billing_document(request, slug: str, invoice_id: int):
    from payouts.selectors import self_billing_invoices_of_cooperative

    cooperative = page_cooperative(request.user, slug, "treasurer", "auditor")
    invoice = get_object_or_404(self_billing_invoices_of_cooperative(cooperative.pk), pk=invoice_id)
    return self_billing_pdf_response(invoice)
