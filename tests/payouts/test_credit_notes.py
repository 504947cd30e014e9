"""Credit notes: own gapless series, legal fields, VAT, PDF, ledger reversals."""

import io

import pytest
from django.db.models import Sum
from django.utils import timezone
from pypdf import PdfReader

from payouts.models import (
    CreditNote,
    CreditNoteLine,
    Entry,
    Invoice,
    InvoiceLine,
    Split,
    Transaction,
)
from payouts.selectors import account_balance
from payouts.services.ledger import AccountBook
from tests.conftest import api_as, row_counts
from tests.factories.money import _issue

pytestmark = pytest.mark.django_db
SHARE, LINE, GROSS, VAT = 8640, 11616, 9600, 2016
URL = "/api/v1/cooperatives/alpha/credit-notes/"


def _pay(world, number, cents):
    return api_as(world.treasurer_a).post(
        "/api/v1/cooperatives/alpha/payments/",
        {
            "invoice": number,
            "amount": f"{cents / 100:.2f}",
            "currency": "EUR",
            "received_on": timezone.localdate().isoformat(),
        },
    )


@pytest.fixture
def invoiced(settled):
    settled.invoice = _issue(settled).data
    settled.book = AccountBook(settled.coop_a.pk)
    return settled


def _balance(world, kind, key=""):
    return account_balance(world.book.get(kind, key))


def test_crediting_a_line_reverses_its_split_and_lowers_what_is_open(invoiced):
    line = invoiced.invoice["lines"][0]
    api = api_as(invoiced.treasurer_a)
    response = api.post(
        URL,
        {
            "invoice": invoiced.invoice["id"],
            "lines": [line["id"]],
            "reason": "Dienst niet uitgevoerd",
        },
    )
    assert response.status_code == 201, response.data
    year = timezone.localdate().year
    assert response.data["number"] == f"C{year}-00001"
    assert response.data["total_cents"] == LINE
    invoice = Invoice.objects.get()
    assert (invoice.credited_cents, invoice.open_cents, invoice.status) == (
        LINE,
        2 * LINE,
        "issued",
    )
    reversal = Split.objects.get(kind="reversal")
    assert reversal.reverses_id == InvoiceLine.objects.get(pk=line["id"]).split_id
    assert reversal.member_cents == -SHARE
    assert reversal.gross_cents == -GROSS
    assert _balance(invoiced, "earned", invoiced.member_a.pk) == -2 * SHARE
    assert _balance(invoiced, "receivable", invoiced.client_a.pk) == 2 * LINE
    assert _balance(invoiced, "vat") == -2 * VAT
    assert Entry.objects.aggregate(s=Sum("amount_cents"))["s"] == 0
    # The member sees the reversal on their earnings.
    earnings = api_as(invoiced.member_a).get("/api/v1/me/earnings/").data
    assert earnings["net"] == f"{2 * SHARE / 100:.2f}"
    # The rest is paid: the two remaining lines are released, the credited one never.
    assert _pay(invoiced, invoiced.invoice["number"], 2 * LINE).data["status"] == "paid"
    assert _balance(invoiced, "payable", invoiced.member_a.pk) == -2 * SHARE
    assert _balance(invoiced, "earned", invoiced.member_a.pk) == 0
    # Crediting the same line again is refused and writes nothing.
    before = row_counts(CreditNote, CreditNoteLine, Split, Transaction, Entry)
    again = api.post(
        URL, {"invoice": invoiced.invoice["id"], "lines": [line["id"]], "reason": "nog eens"}
    )
    assert again.status_code == 400
    assert again.data["error"]["field"] == "lines"
    assert row_counts(CreditNote, CreditNoteLine, Split, Transaction, Entry) == before


def test_an_amount_credit_is_the_cooperatives_cost_and_completes_the_cover(invoiced):
    api = api_as(invoiced.treasurer_a)
    response = api.post(
        URL,
        {"invoice": invoiced.invoice["id"], "amount": "50.00", "reason": "Korting wegens overlast"},
    )
    assert response.status_code == 201, response.data
    assert (
        response.data["subtotal_cents"],
        response.data["vat_cents"],
        response.data["total_cents"],
    ) == (5000, 1050, 6050)
    assert _balance(invoiced, "credits") == 5000
    assert _balance(invoiced, "vat") == -3 * VAT + 1050
    assert (
        _balance(invoiced, "earned", invoiced.member_a.pk) == -3 * SHARE
    )  # members keep their pay
    # Paying what is left releases every line.
    rest = 3 * LINE - 6050
    assert _pay(invoiced, invoiced.invoice["number"], rest).data["status"] == "paid"
    assert _balance(invoiced, "payable", invoiced.member_a.pk) == -3 * SHARE
    second = api.post(
        URL, {"invoice": invoiced.invoice["id"], "amount": "1.00", "reason": "nog wat"}
    ).data
    assert second["number"].endswith("-00002")  # gapless, own series
    assert Invoice.objects.get().open_cents == -121  # the client is owed a refund now


def test_credit_note_pdf_and_page_show_number_invoice_and_totals(client, invoiced):
    from tests.factories.api import login_verified

    note = (
        api_as(invoiced.treasurer_a)
        .post(
            URL,
            {
                "invoice": invoiced.invoice["id"],
                "lines": [invoiced.invoice["lines"][1]["id"]],
                "reason": "Dubbel gefactureerd",
            },
        )
        .data
    )
    pdf = api_as(invoiced.treasurer_a).get(f"{URL}{note['id']}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert f"Creditnota {note['number']}" in text
    assert invoiced.invoice["number"] in text
    assert "-€ 116,16" in text
    assert "-€ 20,16" in text
    assert "Btw 21%" in text
    assert invoiced.coop_a.legal_name in text
    assert invoiced.client_a.name in text
    assert "Dubbel gefactureerd" in text
    login_verified(client, invoiced.treasurer_a)
    page = client.get(f"/c/alpha/treasury/credit-notes/{note['id']}/").content.decode()
    assert note["number"] in page
    assert "€ 116,16" in page
    assert (
        client.get(f"/c/alpha/treasury/credit-notes/{note['id']}/?format=pdf")["Content-Type"]
        == "application/pdf"
    )


def test_invoice_page_issues_a_credit_note_and_shows_errors_by_the_field(client, invoiced):
    from tests.factories.api import login_verified

    login_verified(client, invoiced.treasurer_a)
    url = f"/c/alpha/treasury/invoices/{invoiced.invoice['id']}/"
    before = row_counts(CreditNote, Transaction)
    both = client.post(
        url, {"lines": [str(invoiced.invoice["lines"][0]["id"])], "amount": "10", "reason": "x"}
    )
    assert both.status_code == 200
    assert both.context["credit_form"].errors["lines"]
    too_much = client.post(url, {"amount": "999.00", "reason": "x"})
    assert too_much.context["credit_form"].errors["amount"]
    assert row_counts(CreditNote, Transaction) == before
    done = client.post(
        url, {"lines": [str(invoiced.invoice["lines"][0]["id"])], "reason": "niet gedaan"}
    )
    assert done.status_code == 302
    assert CreditNote.objects.count() == 1
    assert (
        "credited" in client.get(url).content.decode()
        or "gecrediteerd" in client.get(url).content.decode()
    )
    board = client.__class__()
    login_verified(board, invoiced.board_a)
    assert board.post(url, {"amount": "1", "reason": "x"}).status_code == 403


def test_a_line_already_paid_out_cannot_be_credited_but_an_amount_can(invoiced):
    from payouts.services.payouts import (
        payout_batch_approve,
        payout_batch_create,
        payout_batch_execute,
    )

    _pay(invoiced, invoiced.invoice["number"], 3 * LINE)
    invoiced.coop_a.iban = "NL91ABNA0417164300"
    invoiced.coop_a.save()
    from members.models import Profile

    Profile.objects.filter(user=invoiced.member_a).update(
        iban="NL20INGB0001234567", account_holder="A"
    )
    batch = payout_batch_create(actor=invoiced.treasurer_a, cooperative=invoiced.coop_a)
    payout_batch_approve(actor=invoiced.treasurer_a, batch=batch)
    payout_batch_approve(actor=invoiced.board_a, batch=batch)
    payout_batch_execute(actor=invoiced.board_a, batch=batch)
    before = row_counts(CreditNote, Split, Transaction)
    refused = api_as(invoiced.treasurer_a).post(
        URL,
        {
            "invoice": invoiced.invoice["id"],
            "lines": [invoiced.invoice["lines"][0]["id"]],
            "reason": "x",
        },
    )
    assert refused.status_code == 400
    assert refused.data["error"]["code"] == "paid_out"
    assert row_counts(CreditNote, Split, Transaction) == before
    ok = api_as(invoiced.treasurer_a).post(
        URL, {"invoice": invoiced.invoice["id"], "amount": "96.00", "reason": "korting"}
    )
    assert ok.status_code == 201
    assert Invoice.objects.get().open_cents == -LINE


def test_only_the_treasurer_issues_credit_notes(invoiced):
    body = {"invoice": invoiced.invoice["id"], "amount": "1.00", "reason": "x"}
    assert api_as(invoiced.board_a).post(URL, body).status_code == 403
    assert api_as(invoiced.member_a).post(URL, body).status_code == 403
    assert api_as(invoiced.member_b).get(URL).status_code == 404
    assert api_as(invoiced.board_a).get(URL).status_code == 200


def test_credited_hours_can_be_corrected_and_go_on_the_next_invoice(invoiced):
    line = invoiced.invoice["lines"][0]
    sheet_id = InvoiceLine.objects.get(pk=line["id"]).split.timesheet_id
    api = api_as(invoiced.treasurer_a)
    blocked = api.post(
        f"/api/v1/timesheets/{sheet_id}/correct/", {"minutes_worked": 120, "reason": "2 uur"}
    )
    assert blocked.status_code == 409
    assert blocked.data["error"]["code"] == "invoiced"
    api.post(
        URL, {"invoice": invoiced.invoice["id"], "lines": [line["id"]], "reason": "Verkeerde uren"}
    )
    corrected = api.post(
        f"/api/v1/timesheets/{sheet_id}/correct/", {"minutes_worked": 120, "reason": "2 uur"}
    )
    assert corrected.status_code == 201, corrected.data
    assert corrected.data["gross_cents"] == 6400
    again = _issue(invoiced)
    assert again.status_code == 201
    assert again.data["subtotal_cents"] == 6400
    assert Entry.objects.aggregate(s=Sum("amount_cents"))["s"] == 0
    assert _balance(invoiced, "receivable", invoiced.client_a.pk) == 2 * LINE + 6400 + 1344


def test_hours_corrected_before_invoicing_are_invoiced_as_corrected(settled):
    sheet = settled.sheets[0]
    api = api_as(settled.treasurer_a)
    assert (
        api.post(
            f"/api/v1/timesheets/{sheet.pk}/correct/", {"minutes_worked": 60, "reason": "1 uur"}
        ).status_code
        == 201
    )
    invoice = _issue(settled).data
    assert invoice["subtotal_cents"] == 2 * GROSS + 3200
    assert len(invoice["lines"]) == 3


def test_lists_take_a_fixed_number_of_queries(invoiced):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_as(invoiced.treasurer_a)

    def counts():
        result = []
        for url in (
            URL,
            "/api/v1/cooperatives/alpha/invoices/",
            "/api/v1/cooperatives/alpha/payments/",
        ):
            with CaptureQueriesContext(connection) as queries:
                assert api.get(url).status_code == 200
            result.append(len(queries))
        return result

    lines = invoiced.invoice["lines"]
    api.post(URL, {"invoice": invoiced.invoice["id"], "lines": [lines[0]["id"]], "reason": "x"})
    _pay(invoiced, invoiced.invoice["number"], LINE)
    one = counts()
    for line in lines[1:]:
        api.post(URL, {"invoice": invoiced.invoice["id"], "lines": [line["id"]], "reason": "x"})
    second = _issue(invoiced, period_start="2000-01-01")  # nothing left: refused
    assert second.status_code == 400
    assert counts() == one
    assert len(api.get(URL).data) == 3
