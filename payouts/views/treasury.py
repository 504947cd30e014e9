"""The treasury page: invoices, payments, refunds, payout batches and their files, credit notes."""

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from jobs.models import Client
from members.access import has_role, page_cooperative
from payouts.formats.documents import credit_note_pdf, invoice_pdf
from payouts.models import CreditNote, Dispute, Invoice, Payment, PayoutBatch, PayoutItem, Refund
from payouts.selectors import payments_of
from payouts.services.credit_notes import credit_note_issue
from payouts.services.invoices import invoice_issue, payment_record
from payouts.services.payouts import (
    payout_batch_approve,
    payout_batch_confirm,
    payout_batch_create,
    payout_batch_execute,
)
from payouts.services.reversals import payment_refund, payout_item_return
from payouts.stripe.checkout import can_pay_invoice
from werkstation.confirm import Confirmation, confirmation, is_confirmed
from werkstation.errors import ApplicationError
from werkstation.forms import add_application_error
from werkstation.money import format_money, to_minor
from werkstation.templatetags.money import longdate


class InvoiceIssueForm(forms.Form):
    client = forms.ModelChoiceField(label=gettext_lazy("Client"), queryset=Client.objects.none())
    period_start = forms.DateField(
        label=gettext_lazy("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=gettext_lazy("Until"), widget=forms.DateInput(attrs={"type": "date"})
    )


class PaymentForm(forms.Form):
    invoice = forms.CharField(label=gettext_lazy("Invoice number"), max_length=20)
    amount = forms.DecimalField(label=gettext_lazy("Amount (€)"), max_digits=12, decimal_places=2)
    received_on = forms.DateField(
        label=gettext_lazy("Received on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reference = forms.CharField(
        label=gettext_lazy("Bank reference"), max_length=140, required=False
    )


def _treasury_page(request, slug: str):
    """The cooperative of a treasury page: 404 for outsiders, 403 for members without a
    role in the books."""
    return page_cooperative(request.user, slug, "treasurer", "board", "auditor")


class RefundForm(forms.Form):
    payment = forms.ModelChoiceField(label=gettext_lazy("Payment"), queryset=Payment.objects.none())
    amount = forms.DecimalField(
        label=gettext_lazy("Amount (€)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=250)


@login_required
def treasury(request, slug: str):
    cooperative = _treasury_page(request, slug)
    issue_form = InvoiceIssueForm(request.POST if request.POST.get("action") == "issue" else None)
    issue_form.fields["client"].queryset = Client.objects.filter(links__cooperative=cooperative)
    payment_form = PaymentForm(request.POST if request.POST.get("action") == "payment" else None)
    refund_form = RefundForm(request.POST if request.POST.get("action") == "refund" else None)
    payments = payments_of(cooperative.pk)
    refund_form.fields["payment"].queryset = payments
    refund_form.fields["payment"].label_from_instance = lambda p: (
        f"{p.invoice.display_number if p.invoice else '–'} · {longdate(p.received_on)} · {format_money(p.amount_cents, p.currency, get_language())}"
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "issue" and issue_form.is_valid():
                invoice = invoice_issue(
                    actor=request.user, cooperative=cooperative, **issue_form.cleaned_data
                )
                messages.success(
                    request, _("Invoice %(n)s issued.") % {"n": invoice.display_number}
                )
                return redirect("payouts:treasury", slug=slug)
            if request.POST.get("action") == "payment" and payment_form.is_valid():
                data = payment_form.cleaned_data
                payment_record(
                    actor=request.user,
                    cooperative=cooperative,
                    invoice_number=data["invoice"],
                    amount=data["amount"],
                    currency=cooperative.currency,
                    received_on=data["received_on"],
                    reference=data["reference"],
                )
                messages.success(request, _("Payment recorded."))
                return redirect("payouts:treasury", slug=slug)
            if request.POST.get("action") == "refund" and refund_form.is_valid():
                data = refund_form.cleaned_data
                payment_refund(
                    actor=request.user,
                    payment=data["payment"],
                    reason=data["reason"],
                    amount_cents=to_minor(data["amount"], data["payment"].currency),
                )
                messages.success(request, _("Refund recorded."))
                return redirect("payouts:treasury", slug=slug)
            if request.POST.get("action") == "camt":
                _import_statement(request, cooperative)
                return redirect("payouts:treasury", slug=slug)
            if request.POST.get("action") == "batch":
                payout_batch_create(actor=request.user, cooperative=cooperative)
                messages.success(request, _("Payout batch drafted; two people must approve it."))
                return redirect("payouts:treasury", slug=slug)
        except ApplicationError as exc:
            forms_by_action = {"issue": issue_form, "payment": payment_form, "refund": refund_form}
            target = forms_by_action.get(request.POST.get("action"))
            if target is not None:
                add_application_error(target, exc)
            else:
                messages.error(request, exc.message)
    return render(
        request,
        "payouts/treasury.html",
        {
            "cooperative": cooperative,
            "credit_notes": CreditNote.objects.filter(cooperative=cooperative).select_related(
                "invoice"
            )[:50],
            "invoices": Invoice.objects.filter(cooperative=cooperative).select_related("client")[
                :50
            ],
            "batches": PayoutBatch.objects.filter(cooperative=cooperative)
            .annotate(awaiting_bank=Count("items", filter=Q(items__status=PayoutItem.Status.SENT)))
            .prefetch_related("items__member", "approvals__user")[:20],
            "issue_form": issue_form,
            "payment_form": payment_form,
            "refund_form": refund_form,
            "refunds": Refund.objects.filter(cooperative=cooperative).select_related(
                "payment__invoice"
            )[:20],
            "disputes": Dispute.objects.filter(cooperative=cooperative).select_related(
                "payment__invoice"
            )[:20],
            "payments": payments[:20],
            "can_act": has_role(request.user, cooperative, "treasurer"),
            "can_return": has_role(request.user, cooperative, "treasurer", "board"),
            "is_board": has_role(request.user, cooperative, "board"),
            "can_self_bill": has_role(request.user, cooperative, "treasurer", "auditor"),
        },
    )


def _import_statement(request, cooperative) -> None:
    """A CAMT.053 file from the page: what it did, and each entry left for the treasurer,
    as messages (a file that cannot be read raises, naming why)."""
    from payouts.formats.camt import MAX_STATEMENT_BYTES
    from payouts.services.statements import camt053_import
    from werkstation.errors import ValidationFailed

    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationFailed(
            _("Choose the bank statement file first."), code="required", field="file"
        )
    result = camt053_import(
        actor=request.user, cooperative=cooperative, data=upload.read(MAX_STATEMENT_BYTES + 1)
    )
    messages.success(
        request,
        _(
            "Bank statement read: %(matched)d payments recorded, %(confirmed)d payouts "
            "confirmed, %(unmatched)d entries left for you, %(skipped)d skipped (not a credit, "
            "or read before)."
        )
        % {
            "matched": len(result.matched),
            "confirmed": len(result.payouts_confirmed),
            "unmatched": len(result.unmatched),
            "skipped": result.skipped,
        },
    )
    lang = get_language()
    for row in result.unmatched:
        messages.warning(
            request,
            f"{longdate(row['booked_on'])} · "
            f"{format_money(to_minor(row['amount'], row['currency']), row['currency'], lang)}"
            f"{' · ' + row['text'][:80] if row['text'] else ''}: {row['why']}",
        )


BATCH_MESSAGES = {
    "approve": gettext_lazy(
        "Your approval is recorded. With a second approval the batch can be executed."
    ),
    "execute": gettext_lazy("The batch is executed: the members are paid."),
}


def invoice_pdf_response(invoice: Invoice):
    from django.http import HttpResponse

    response = HttpResponse(invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="factuur-{invoice.display_number}.pdf"'
    return response


def _execute_confirmation(batch: PayoutBatch) -> Confirmation:
    items = [i for i in batch.items.all() if i.status == PayoutItem.Status.PENDING]
    lang = get_language()
    rows = [
        (_("Payout batch"), f"#{batch.pk}"),
        (_("Execution date"), date_format(batch.execution_date, "DATE_FORMAT")),
        (_("Members paid"), str(len(items))),
        (_("Total"), format_money(sum(i.amount_cents for i in items), language=lang)),
    ]
    for method, label in PayoutItem.Method.choices:
        part = [i.amount_cents for i in items if i.method == method]
        if part:
            rows.append((str(label), format_money(sum(part), language=lang)))
    return Confirmation(
        title=_("Execute payout batch #%(n)s?") % {"n": batch.pk},
        confirm_label=_("Yes, pay out now"),
        rows=rows,
        consequence=_(
            "The money leaves the cooperative's account: transfers are sent and the SEPA file "
            "is final. This cannot be undone."
        ),
        danger=True,
    )


@login_required
@require_POST
def batch_action(request, slug: str, batch_id: int, action: str):
    cooperative = _treasury_page(request, slug)
    batch = get_object_or_404(PayoutBatch, pk=batch_id, cooperative=cooperative)
    try:
        if action == "approve":
            payout_batch_approve(actor=request.user, batch=batch)
        elif action == "execute":
            if not is_confirmed(request):
                return confirmation(
                    request,
                    _execute_confirmation(batch),
                    back_url=reverse("payouts:treasury", args=[slug]),
                )
            batch = payout_batch_execute(actor=request.user, batch=batch)
            if batch.status == PayoutBatch.Status.APPROVED:
                messages.warning(
                    request,
                    _(
                        "Stripe has not confirmed every transfer yet; the batch is finished "
                        "automatically within minutes, or execute it again."
                    ),
                )
                return redirect("payouts:treasury", slug=slug)
        elif action == "confirm-paid":
            confirmed = payout_batch_confirm(actor=request.user, batch=batch)
            messages.success(
                request,
                ngettext(
                    "%(n)d payout is now shown as paid to its member.",
                    "%(n)d payouts are now shown as paid to their members.",
                    len(confirmed),
                )
                % {"n": len(confirmed)},
            )
            return redirect("payouts:treasury", slug=slug)
        else:
            raise Http404
        messages.success(request, BATCH_MESSAGES[action])
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("payouts:treasury", slug=slug)


@login_required
@require_POST
def payout_item_returned(request, slug: str, item_id: int):
    cooperative = _treasury_page(request, slug)
    item = get_object_or_404(PayoutItem, pk=item_id, batch__cooperative=cooperative)
    try:
        payout_item_return(actor=request.user, item=item, reason=request.POST.get("reason", ""))
        messages.success(
            request, _("The payout is owed to the member again; the next batch pays it.")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("payouts:treasury", slug=slug)


class CreditNoteForm(forms.Form):
    lines = forms.MultipleChoiceField(
        label=gettext_lazy("Lines to take off the bill"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("The work is reversed: the member is not paid for it."),
    )
    amount = forms.DecimalField(
        label=gettext_lazy("Or an amount (€, without VAT)"),
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=gettext_lazy("A discount the cooperative carries; the members keep their pay."),
    )
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=250)


@login_required
def invoice_document(request, slug: str, invoice_id: int):
    cooperative = _treasury_page(request, slug)
    invoice = get_object_or_404(Invoice, pk=invoice_id, cooperative=cooperative)
    if request.GET.get("format") == "pdf":
        return invoice_pdf_response(invoice)
    if request.GET.get("format") == "ubl":
        from django.http import HttpResponse

        from payouts.formats.ubl import invoice_ubl

        response = HttpResponse(invoice_ubl(invoice), content_type="application/xml")
        response["Content-Disposition"] = (
            f'attachment; filename="factuur-{invoice.display_number}.xml"'
        )
        return response
    lines = list(invoice.lines.select_related("credit_line__credit_note"))
    can_credit = has_role(request.user, cooperative, "treasurer")
    form = CreditNoteForm(request.POST if request.method == "POST" else None)
    form.fields["lines"].choices = [
        (
            str(line.pk),
            f"{line.work_date:%d-%m-%Y} · {line.description} · {format_money(line.amount_cents, invoice.currency, get_language())}",
        )
        for line in lines
        if not hasattr(line, "credit_line")
    ]
    if request.method == "POST":
        if not can_credit:
            return render(request, "403.html", status=403)
        if form.is_valid():
            data = form.cleaned_data
            try:
                note = credit_note_issue(
                    actor=request.user,
                    invoice=invoice,
                    reason=data["reason"],
                    line_ids=[int(pk) for pk in data["lines"]],
                    amount=data["amount"],
                )
                messages.success(
                    request, _("Credit note %(n)s issued.") % {"n": note.display_number}
                )
                return redirect("payouts:credit-note", slug=slug, note_id=note.pk)
            except ApplicationError as exc:
                add_application_error(form, exc)
    return render(
        request,
        "payouts/invoice.html",
        {
            "invoice": invoice,
            "lines": lines,
            "credit_form": form,
            "can_credit": can_credit,
            "can_pay": can_pay_invoice(request.user, invoice),
            "credit_notes": invoice.credit_notes.all(),
        },
    )


@login_required
def credit_note_document(request, slug: str, note_id: int):
    cooperative = _treasury_page(request, slug)
    note = get_object_or_404(
        CreditNote.objects.select_related("invoice"), pk=note_id, cooperative=cooperative
    )
    if request.GET.get("format") == "pdf":
        from django.http import HttpResponse

        response = HttpResponse(credit_note_pdf(note), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="creditnota-{note.display_number}.pdf"'
        return response
    return render(request, "payouts/credit_note.html", {"note": note, "lines": note.lines.all()})
