"""A member's earnings: the list, one split explained, the income statement (PDF) and the self-billing invoices made for them."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from payouts.selectors.earnings import member_earnings, split_explain
from werkstation.errors import NotFound

from .self_billing import self_billing_pdf_response


@login_required
def earnings(request):
    try:
        year = int(request.GET.get("year", timezone.localdate().year))
    except ValueError:
        year = timezone.localdate().year
    from payouts.selectors import self_billing_invoices_of_member

    return render(
        request,
        "payouts/earnings.html",
        {
            "earnings": member_earnings(user=request.user, year=year, readable=True),
            "self_billing_invoices": self_billing_invoices_of_member(request.user)[:24],
        },
    )


@login_required
def my_self_billing_invoice(request, invoice_id: int):
    """One of the member's own self-billing invoices as PDF; anyone else's is not found."""
    from payouts.selectors import self_billing_invoices_of_member

    invoice = get_object_or_404(self_billing_invoices_of_member(request.user), pk=invoice_id)
    return self_billing_pdf_response(invoice)


@login_required
def earning_detail(request, split_id: int):
    try:
        explained = split_explain(user=request.user, split_id=split_id, readable=True)
    except NotFound as exc:
        raise Http404 from exc
    return render(request, "payouts/earning_detail.html", {"split": explained})


# --- Treasury pages -------------------------------------------------------------------


@login_required
def income_statement(request):
    from calendar import monthrange
    from datetime import date

    from django.http import HttpResponse

    from members.selectors import cooperatives_of
    from payouts.formats.documents import income_statement_pdf, income_year_pdf
    from payouts.selectors import splits_of_member

    if request.GET.get("year"):
        try:
            year = int(request.GET["year"])
            date(year, 1, 1)
        except (TypeError, ValueError, OverflowError):
            year = timezone.localdate().year
        pdf = income_year_pdf(
            user=request.user,
            cooperative_names=[c.name for c in cooperatives_of(request.user)],
            year=year,
            splits=list(splits_of_member(request.user).filter(work_date__year=year)),
        )
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="inkomsten-{year}.pdf"'
        return response
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        start = date(year, month, 1)
    except ValueError:
        today = timezone.localdate()
        start = today.replace(day=1)
    end = start.replace(day=monthrange(start.year, start.month)[1])
    splits = list(
        splits_of_member(request.user)
        .filter(work_date__gte=start, work_date__lte=end)
        .order_by("work_date", "id")
    )
    pdf = income_statement_pdf(
        user=request.user,
        cooperative_names=[c.name for c in cooperatives_of(request.user)],
        month_start=start,
        month_end=end,
        splits=splits,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="inkomsten-{start:%Y-%m}.pdf"'
    return response
