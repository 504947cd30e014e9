"""Invoices, payments in, and member shares becoming payable."""

import io
from datetime import timedelta

import pytest
from django.db.models import Sum
from django.utils import timezone
from pypdf import PdfReader

from payouts.models import Entry, Invoice, InvoiceLine, Payment, Transaction
from payouts.selectors import account_balance
from payouts.services.ledger import AccountBook
from tests.conftest import api_as, row_counts
from tests.factories.money import _issue, approved_timesheet

pytestmark = pytest.mark.django_db


def test_treasurer_issues_gapless_invoices_with_a_real_pdf(settled):
    first = _issue(settled, timesheets=[settled.sheets[0].pk])
    assert first.status_code == 201, first.data
    second = _issue(settled)
    assert second.status_code == 201
    year = timezone.localdate().year
    assert (first.data["number"], second.data["number"]) == (f"{year}-00001", f"{year}-00002")
    assert first.data["total_cents"] == 11616
    assert second.data["total_cents"] == 2 * 11616
    pdf = api_as(settled.treasurer_a).get(
        f"/api/v1/cooperatives/alpha/invoices/{second.data['id']}/pdf/"
    )
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert f"Factuur {year}-00002" in text
    assert "232,32" in text
    assert "192,00" in text
    assert "Btw 21%" in text
    assert settled.coop_a.legal_name in text
    assert settled.client_a.name in text
    # Nothing left to invoice.
    again = _issue(settled)
    assert again.status_code == 400
    assert again.data["error"]["code"] == "nothing_to_invoice"


def test_invoice_for_unapproved_work_is_refused_and_writes_nothing(settled):
    pending = approved_timesheet(settled, days_ago=5)
    pending.status = "submitted"
    pending.save()
    before = row_counts(Invoice, InvoiceLine)
    response = _issue(settled, timesheets=[settled.sheets[0].pk, pending.pk])
    assert response.status_code == 400
    assert response.data["error"]["field"] == "timesheets"
    assert row_counts(Invoice, InvoiceLine) == before


def test_only_the_treasurer_issues(settled):
    assert (
        api_as(settled.member_a).post("/api/v1/cooperatives/alpha/invoices/", {}).status_code == 403
    )
    response = api_as(settled.board_a).post(
        "/api/v1/cooperatives/alpha/invoices/",
        {"client": settled.client_a.pk, "period_start": "2026-01-01", "period_end": "2030-01-01"},
    )
    assert response.status_code == 403


def test_payment_in_another_currency_is_refused_and_writes_nothing(settled):
    number = _issue(settled).data["number"]
    before = row_counts(Payment, Transaction, Entry)
    response = api_as(settled.treasurer_a).post(
        "/api/v1/cooperatives/alpha/payments/",
        {
            "invoice": number,
            "amount": "100.00",
            "currency": "USD",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.data["error"]["field"] == "currency"
    assert row_counts(Payment, Transaction, Entry) == before


def test_partial_then_full_payment_releases_member_shares(settled):
    invoice = _issue(settled).data
    pay = api_as(settled.treasurer_a)
    today = timezone.localdate().isoformat()
    book = AccountBook(settled.coop_a.pk)
    earned, payable = (
        book.get("earned", settled.member_a.pk),
        book.get("payable", settled.member_a.pk),
    )
    assert account_balance(earned) == -3 * 8640
    assert account_balance(payable) == 0
    # € 150 covers the first line (€ 116.16) but not the second.
    response = pay.post(
        "/api/v1/cooperatives/alpha/payments/",
        {"invoice": invoice["number"], "amount": "150.00", "currency": "EUR", "received_on": today},
    )
    assert response.status_code == 201
    assert response.data["status"] == "partially_paid"
    assert account_balance(payable) == -8640
    assert account_balance(earned) == -2 * 8640
    too_much = pay.post(
        "/api/v1/cooperatives/alpha/payments/",
        {"invoice": invoice["number"], "amount": "999.00", "currency": "EUR", "received_on": today},
    )
    assert too_much.status_code == 400
    assert too_much.data["error"]["code"] == "overpayment"
    rest = f"{(invoice['total_cents'] - 15000) / 100:.2f}"
    response = pay.post(
        "/api/v1/cooperatives/alpha/payments/",
        {"invoice": invoice["number"], "amount": rest, "currency": "EUR", "received_on": today},
    )
    assert response.data["status"] == "paid"
    assert account_balance(payable) == -3 * 8640
    assert account_balance(earned) == 0
    assert account_balance(book.get("receivable", settled.client_a.pk)) == 0
    assert account_balance(book.get("bank")) == invoice["total_cents"]
    assert Entry.objects.aggregate(s=Sum("amount_cents"))["s"] == 0


def test_unknown_invoice_number_names_the_field(settled):
    response = api_as(settled.treasurer_a).post(
        "/api/v1/cooperatives/alpha/payments/",
        {"invoice": "2026-99999", "amount": "1.00", "currency": "EUR", "received_on": "2026-11-01"},
    )
    assert response.status_code == 404
    assert response.data["error"]["field"] == "invoice"


def test_treasury_pages_issue_and_show_invoices(client, settled):
    from tests.factories.api import login_verified

    login_verified(client, settled.treasurer_a)
    today = timezone.localdate()
    response = client.post(
        "/c/alpha/treasury/",
        {
            "action": "issue",
            "client": settled.client_a.pk,
            "period_start": (today - timedelta(days=10)).isoformat(),
            "period_end": today.isoformat(),
        },
    )
    assert response.status_code == 302
    invoice = Invoice.objects.get()
    page = client.get(f"/c/alpha/treasury/invoices/{invoice.pk}/")
    assert "€ 348,48".encode() in page.content
    assert (
        client.get(f"/c/alpha/treasury/invoices/{invoice.pk}/?format=pdf")["Content-Type"]
        == "application/pdf"
    )
    member = client.__class__()
    member.force_login(settled.member_a)
    assert member.get("/c/alpha/treasury/").status_code == 403


def test_overdue_invoices_get_one_reminder_a_week(settled, django_capture_on_commit_callbacks):
    from django.core import mail

    from payouts.services.invoices import invoice_reminders_send

    _issue(settled)
    later = timezone.localdate() + timedelta(days=20)
    with django_capture_on_commit_callbacks(execute=True):
        assert invoice_reminders_send(today=later) == 1
        assert invoice_reminders_send(today=later) == 0
    assert [m.to for m in mail.outbox] == [[settled.client_a.billing_email]]


def test_weekly_task_drafts_batches_but_moves_no_money(settled):
    from payouts.models import PayoutBatch
    from payouts.tasks import weekly_payout_batches

    invoice = _issue(settled).data
    api_as(settled.treasurer_a).post(
        "/api/v1/cooperatives/alpha/payments/",
        {
            "invoice": invoice["number"],
            "amount": f"{invoice['total_cents'] / 100:.2f}",
            "currency": "EUR",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    assert weekly_payout_batches() == 1
    assert PayoutBatch.objects.get().status == "draft"
