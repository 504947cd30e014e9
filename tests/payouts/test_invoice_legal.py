"""Issue 19, the invoice side: reverse-charged VAT, the G-account, the registrations on every
labour invoice and e-invoices addressed by OIN. Each test reads the PDF back (pypdf) and
parses the UBL, as the client and its bookkeeping would."""

import html
import io
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from django.db.models import Sum
from django.utils import timezone
from pypdf import PdfReader

from jobs.models import Client, ClientCooperative, Timesheet
from members.models import Cooperative
from payouts.models import Entry, Invoice, Payment, Split, VatReverseCharge
from payouts.selectors import account_balance
from payouts.services.ledger import AccountBook
from payouts.services.settlement import settlement_run
from tests.conftest import api_as, row_counts
from tests.factories import ClientFactory
from tests.factories.api import login_verified
from tests.factories.money import _issue, approved_timesheet
from tests.factories.work import ensure_founded
from werkstation.models import AuditEntry

pytestmark = pytest.mark.django_db

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def pdf_text(world, invoice_id) -> str:
    response = api_as(world.treasurer_a).get(
        f"/api/v1/cooperatives/alpha/invoices/{invoice_id}/pdf/"
    )
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def ubl(world, invoice_id) -> ET.Element:
    response = api_as(world.treasurer_a).get(
        f"/api/v1/cooperatives/alpha/invoices/{invoice_id}/ubl/"
    )
    assert response.status_code == 200
    return ET.fromstring(response.content)


def buyer_endpoint(root) -> tuple[str, str]:
    node = root.find("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", NS)
    return node.text, node.get("schemeID")


# ---------------------------------------------------------------- e-invoices by OIN (item 5)


def test_a_client_without_oin_is_addressed_by_kvk(settled):
    invoice = _issue(settled).data
    assert buyer_endpoint(ubl(settled, invoice["id"])) == (settled.client_a.kvk_number, "0106")


def test_a_municipality_with_an_oin_is_addressed_by_it(settled):
    oin = "00000001001234567000"
    response = api_as(settled.client_user).patch(
        f"/api/v1/clients/{settled.client_a.pk}/", {"oin": oin}, format="json"
    )
    assert response.status_code == 200
    assert response.data["oin"] == oin
    root = ubl(settled, _issue(settled).data["id"])
    assert buyer_endpoint(root) == (oin, "0190")
    ident = root.find("cac:AccountingCustomerParty/cac:Party/cac:PartyIdentification/cbc:ID", NS)
    assert (ident.text, ident.get("schemeID")) == (oin, "0190")
    # The legal entity keeps its KvK number; the supplier is still addressed by KvK.
    legal = root.find(
        "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID", NS
    )
    assert legal.text == settled.client_a.kvk_number
    seller = root.find("cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", NS)
    assert seller.get("schemeID") == "0106"


@pytest.mark.parametrize("oin", ["1234", "0000000100123456700X", "000000010012345670001"])
def test_an_oin_must_be_twenty_digits(settled, oin):
    response = api_as(settled.client_user).patch(
        f"/api/v1/clients/{settled.client_a.pk}/", {"oin": oin}, format="json"
    )
    assert response.status_code == 400
    assert response.data["error"]["field"] == "oin"
    settled.client_a.refresh_from_db()
    assert settled.client_a.oin == ""


# ---------------------------------------------------------------- VAT reverse charge (item 2)

VAT_NUMBER = "NL123456789B01"


def ledger_is_zero_sum():
    unbalanced = (
        Entry.objects.values("transaction_id").annotate(total=Sum("amount_cents")).exclude(total=0)
    )
    assert list(unbalanced) == []
    assert Entry.objects.aggregate(s=Sum("amount_cents"))["s"] == 0


def other_job(world, category):
    job = world.job
    job.pk = None
    job.category, job.title = category, f"Werk {category}"
    job.save()
    return job


def settle(world, *, vat_number="", categories=("greening",), days=(1, 2)):
    """Work for client A in ``categories`` (one approved timesheet per day), settled."""
    ensure_founded(world.coop_a)
    Client.objects.filter(pk=world.client_a.pk).update(vat_number=vat_number)
    greening = world.job
    for n, category in enumerate(categories):
        world.job = greening if category == "greening" else other_job(world, category)
        for d in days:
            approved_timesheet(world, days_ago=d, hours_earlier=4 * n)
    world.job = greening
    settlement_run()
    return world


def tax_subtotals(root) -> dict[str, tuple[str, str]]:
    """Category → (taxable amount, tax amount) of the VAT breakdown."""
    return {
        sub.find("cac:TaxCategory/cbc:ID", NS).text: (
            sub.find("cbc:TaxableAmount", NS).text,
            sub.find("cbc:TaxAmount", NS).text,
        )
        for sub in root.findall("cac:TaxTotal/cac:TaxSubtotal", NS)
    }


def test_standard_vat_for_a_client_without_a_vat_number(market):
    settle(market)
    invoice = _issue(market).data
    assert invoice["vat_cents"] == 2 * 2016
    assert invoice["reverse_charged_cents"] == 0
    text = pdf_text(market, invoice["id"])
    assert "Btw 21%" in text
    assert "verlegd" not in text.lower()
    root = ubl(market, invoice["id"])
    assert tax_subtotals(root) == {"S": ("192.00", "40.32")}
    assert {n.text for n in root.iter(f"{{{NS['cbc']}}}ID") if n.text in ("S", "AE")} == {"S"}
    ledger_is_zero_sum()


def test_reverse_charged_vat_for_a_vat_registered_client(market):
    settle(market, vat_number=VAT_NUMBER)
    invoice = _issue(market).data
    assert invoice["vat_cents"] == 0
    assert invoice["total_cents"] == invoice["subtotal_cents"] == 19200
    assert invoice["reverse_charged_cents"] == 19200
    assert all(line["vat_reverse_charged"] for line in invoice["lines"])
    # Settlement booked no VAT: nothing owed to the tax office for this work.
    book = AccountBook(market.coop_a.pk)
    assert account_balance(book.get("vat")) == 0
    assert account_balance(book.get("receivable", market.client_a.pk)) == 19200
    ledger_is_zero_sum()
    text = pdf_text(market, invoice["id"])
    assert "Btw verlegd" in text
    assert VAT_NUMBER in text
    assert "Btw 21%" not in text
    assert "€ 192,00" in text
    root = ubl(market, invoice["id"])
    assert tax_subtotals(root) == {"AE": ("192.00", "0.00")}
    category = root.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory", NS)
    assert category.find("cbc:Percent", NS).text == "0.00"
    assert category.find("cbc:TaxExemptionReasonCode", NS).text == "VATEX-EU-AE"
    assert category.find("cbc:TaxExemptionReason", NS).text == "Btw verlegd"
    lines = root.findall("cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:ID", NS)
    assert [n.text for n in lines] == ["AE", "AE"]
    buyer_vat = root.find(
        "cac:AccountingCustomerParty/cac:Party/cac:PartyTaxScheme/cbc:CompanyID", NS
    )
    assert buyer_vat.text == VAT_NUMBER
    assert root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", NS).text == "192.00"


def test_a_vat_registered_client_pays_vat_on_work_that_does_not_qualify(market):
    settle(market, vat_number=VAT_NUMBER, categories=("greening", "removals"))
    invoice = _issue(market).data
    assert invoice["subtotal_cents"] == 4 * 9600
    assert invoice["reverse_charged_cents"] == 2 * 9600
    assert invoice["vat_cents"] == 2 * 2016
    assert invoice["total_cents"] == 4 * 9600 + 2 * 2016
    root = ubl(market, invoice["id"])
    assert tax_subtotals(root) == {"S": ("192.00", "40.32"), "AE": ("192.00", "0.00")}
    text = pdf_text(market, invoice["id"])
    assert "Btw 21% over € 192,00" in text
    assert "Btw verlegd over € 192,00" in text
    assert VAT_NUMBER in text
    book = AccountBook(market.coop_a.pk)
    assert account_balance(book.get("vat")) == -2 * 2016
    ledger_is_zero_sum()


def test_a_paid_and_credited_reverse_charged_invoice_keeps_the_ledger_zero_sum(market):
    settle(market, vat_number=VAT_NUMBER)
    invoice = _issue(market).data
    treasurer = api_as(market.treasurer_a)
    credit = treasurer.post(
        "/api/v1/cooperatives/alpha/credit-notes/",
        {"invoice": invoice["id"], "reason": "Korting", "amount": "10.00"},
        format="json",
    )
    assert credit.status_code == 201, credit.data
    assert credit.data["vat_cents"] == 0
    assert credit.data["total_cents"] == 1000
    note_pdf = api_as(market.treasurer_a).get(
        f"/api/v1/cooperatives/alpha/credit-notes/{credit.data['id']}/pdf/"
    )
    note_text = " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(note_pdf.content)).pages
    )
    assert "Btw verlegd" in note_text
    assert "Btw 21%" not in note_text
    paid = treasurer.post(
        "/api/v1/cooperatives/alpha/payments/",
        {
            "invoice": invoice["number"],
            "amount": "182.00",
            "currency": "EUR",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    assert paid.status_code == 201
    assert paid.data["status"] == "paid"
    assert account_balance(AccountBook(market.coop_a.pk).get("vat")) == 0
    ledger_is_zero_sum()


def test_a_correction_of_reverse_charged_work_stays_reverse_charged(market):
    settle(market, vat_number=VAT_NUMBER, days=(1,))
    sheet = Timesheet.objects.get()
    response = api_as(market.board_a).post(
        f"/api/v1/timesheets/{sheet.pk}/correct/",
        {"minutes_worked": 120, "break_minutes": 0, "reason": "Eerder klaar"},
        format="json",
    )
    assert response.status_code in (200, 201), response.data
    corrected = Split.objects.get(kind="correction")
    assert corrected.vat_reverse_charged
    assert corrected.vat_cents == 0
    assert corrected.gross_cents == 6400
    ledger_is_zero_sum()


def test_the_board_confirms_which_categories_qualify(market):
    board = api_as(market.board_a)
    url = "/api/v1/cooperatives/alpha/reverse-charge/"
    shown = board.get(url).data
    assert shown["confirmed"] is False
    assert shown["categories"] == ["cleaning", "energy", "green_maintenance", "greening"]
    response = board.put(url, {"categories": ["cleaning"]}, format="json")
    assert response.status_code == 200, response.data
    assert response.data["categories"] == ["cleaning"]
    assert response.data["confirmed"] is True
    assert response.data["confirmed_by"] == market.board_a.full_name
    row = VatReverseCharge.objects.get(cooperative=market.coop_a)
    assert row.confirmed_by == market.board_a
    assert row.confirmed_at is not None
    entry = AuditEntry.objects.get(action="vat_reverse_charge.confirmed")
    assert entry.data["after"] == ["cleaning"]
    # Greening no longer qualifies: new work for a VAT-registered client carries VAT.
    settle(market, vat_number=VAT_NUMBER, days=(1,))
    assert Split.objects.get().vat_cents == 2016


def test_only_the_board_of_that_cooperative_changes_the_categories(market):
    url = "/api/v1/cooperatives/alpha/reverse-charge/"
    before = row_counts(VatReverseCharge, AuditEntry)
    for user, codes in (
        (market.board_b, (403, 404)),
        (market.treasurer_a, (403,)),
        (market.member_a, (403,)),
    ):
        response = api_as(user).put(url, {"categories": ["cleaning"]}, format="json")
        assert response.status_code in codes, (user, response.status_code)
    assert api_as(market.board_b).get(url).status_code in (403, 404)
    bad = api_as(market.board_a).put(url, {"categories": ["greening", "piracy"]}, format="json")
    assert bad.status_code == 400
    assert bad.data["error"]["field"] == "categories"
    assert row_counts(VatReverseCharge, AuditEntry) == before


def test_the_board_confirms_the_categories_on_its_page(client, market):
    login_verified(client, market.board_b)
    assert client.get("/c/alpha/treasury/reverse-charge/").status_code == 404
    client.logout()
    login_verified(client, market.board_a)
    page = client.get("/c/alpha/treasury/reverse-charge/")
    assert page.status_code == 200
    assert b"green_maintenance" in page.content
    response = client.post(
        "/c/alpha/treasury/reverse-charge/", {"categories": ["greening", "energy"]}
    )
    assert response.status_code == 302
    assert VatReverseCharge.objects.get().categories == ["greening", "energy"]
    page = client.get("/c/alpha/treasury/reverse-charge/")
    assert html.escape(market.board_a.full_name).encode() in page.content


# ---------------------------------------------------------------- registrations (item 4)

REGISTRATION = "Uitlener, ingeschreven in het Handelsregister (Waadi)"


def test_every_labour_invoice_states_the_registrations(settled):
    board = api_as(settled.board_a)
    response = board.patch(
        "/api/v1/cooperatives/alpha/",
        {"lender_registration": REGISTRATION, "wtta_number": "WTTA-000123"},
        format="json",
    )
    assert response.status_code == 200, response.data
    assert response.data["wtta_number"] == "WTTA-000123"
    invoice = _issue(settled).data
    text = pdf_text(settled, invoice["id"])
    assert f"KvK {settled.coop_a.kvk_number}" in text
    assert f"Registratie uitlener: {REGISTRATION}" in text
    assert "Wtta-toelating: WTTA-000123" in text
    note = ubl(settled, invoice["id"]).find("cbc:Note", NS).text
    assert f"KvK {settled.coop_a.kvk_number}" in note
    assert f"Registratie uitlener: {REGISTRATION}" in note
    assert "Wtta-toelating: WTTA-000123" in note
    # Frozen at issue: a later change does not rewrite the issued invoice.
    board.patch("/api/v1/cooperatives/alpha/", {"wtta_number": "WTTA-999"}, format="json")
    assert "Wtta-toelating: WTTA-000123" in pdf_text(settled, invoice["id"])


def test_without_an_admission_the_invoice_names_none(settled):
    invoice = _issue(settled).data
    text = pdf_text(settled, invoice["id"])
    assert "Wtta" not in text
    assert "Registratie uitlener" not in text
    assert ubl(settled, invoice["id"]).find("cbc:Note", NS).text == (
        f"KvK {settled.coop_a.kvk_number}"
    )


def test_only_the_board_of_that_cooperative_records_the_registrations(settled):
    before = settled.coop_a.wtta_number
    for user in (settled.board_b, settled.treasurer_a, settled.member_a):
        response = api_as(user).patch(
            "/api/v1/cooperatives/alpha/", {"wtta_number": "WTTA-1"}, format="json"
        )
        assert response.status_code in (403, 404)
    settled.coop_a.refresh_from_db()
    assert settled.coop_a.wtta_number == before


def test_the_board_records_the_registrations_on_the_settings_page(client, settled):
    from members.forms import CooperativeSettingsForm

    login_verified(client, settled.board_a)
    page = client.get("/c/alpha/settings/")
    assert b"wtta_number" in page.content
    assert b"lender_registration" in page.content
    coop = settled.coop_a
    data = {
        name: value
        for name in CooperativeSettingsForm.Meta.fields
        if (value := getattr(coop, name)) not in (None,)
    }
    data.update(lender_registration=REGISTRATION, wtta_number="WTTA-42", area_postcodes="3526")
    response = client.post("/c/alpha/settings/", data)
    assert response.status_code == 302, response.content[:2000]
    coop.refresh_from_db()
    assert (coop.lender_registration, coop.wtta_number) == (REGISTRATION, "WTTA-42")


@pytest.mark.parametrize(
    ("today", "level"),
    [
        (date(2026, 9, 30), None),
        (date(2026, 10, 1), "due"),
        (date(2026, 12, 31), "due"),
        (date(2027, 1, 1), "mandatory"),
    ],
)
def test_the_board_is_warned_from_october_2026_while_no_admission_is_recorded(
    client, settled, monkeypatch, mailoutbox, django_capture_on_commit_callbacks, today, level
):
    from members.services import registrations

    monkeypatch.setattr(registrations, "_today", lambda: today)
    login_verified(client, settled.board_a)
    page = client.get("/c/alpha/settings/").content.decode()
    assert ("Wtta" in page and 'role="alert"' in page) is (level is not None)
    if level == "mandatory":
        assert "Since 1 January 2027" in page or "Sinds 1 januari 2027" in page
    with django_capture_on_commit_callbacks(execute=True):
        warned = registrations.wtta_warnings_send()
    board_mail = [m for m in mailoutbox if settled.board_a.email in m.to]
    assert warned >= (1 if level else 0)
    assert bool(board_mail) is (level is not None)
    # A member without the board role sees no banner; another cooperative's board hears nothing.
    assert not [m for m in mailoutbox if settled.member_a.email in m.to]
    client.logout()
    login_verified(client, settled.member_a)
    assert 'role="alert"' not in client.get("/work/earnings/").content.decode()


def test_a_recorded_admission_silences_the_warning(client, settled, monkeypatch, mailoutbox):
    from members.services import registrations

    monkeypatch.setattr(registrations, "_today", lambda: date(2027, 2, 1))
    Cooperative.objects.filter(pk=settled.coop_a.pk).update(wtta_number="WTTA-7")
    Cooperative.objects.exclude(pk=settled.coop_a.pk).update(wtta_number="WTTA-8")
    login_verified(client, settled.board_a)
    assert 'role="alert"' not in client.get("/c/alpha/settings/").content.decode()
    assert registrations.wtta_warnings_send() == 0
    assert mailoutbox == []


# ---------------------------------------------------------------- G-account (item 3)

G_IBAN = "NL02ABNA0123456789"
IBAN = "NL91ABNA0417164300"


def g_agreement(world):
    Cooperative.objects.filter(pk=world.coop_a.pk).update(iban=IBAN, g_account_iban=G_IBAN)
    response = api_as(world.board_a).put(
        f"/api/v1/cooperatives/alpha/clients/{world.client_a.pk}/g-account/",
        {"agreement": True},
        format="json",
    )
    assert response.status_code == 200, response.data
    assert response.data["agreement"] is True
    assert response.data["set_by"] == world.board_a.full_name


def payment_means(root) -> list[str]:
    return [n.text for n in root.findall("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", NS)]


def test_without_a_g_account_agreement_one_account_is_named(market):
    settle(market)
    Cooperative.objects.filter(pk=market.coop_a.pk).update(iban=IBAN, g_account_iban=G_IBAN)
    invoice = _issue(market).data
    assert invoice["g_account_cents"] == 0
    assert invoice["g_account_percent"] is None
    text = pdf_text(market, invoice["id"])
    assert "G-rekening" not in text
    assert IBAN in text
    root = ubl(market, invoice["id"])
    assert payment_means(root) == [IBAN]
    assert "G-rekening" not in root.find("cbc:Note", NS).text


def test_a_g_account_share_of_25_percent_with_vat_charged(market):
    settle(market)
    g_agreement(market)
    invoice = _issue(market).data
    assert invoice["total_cents"] == 23232
    assert invoice["g_account_percent"] == "25.00"
    assert invoice["g_account_cents"] == 5808
    text = pdf_text(market, invoice["id"])
    assert "€ 58,08 (25% van het totaal) op G-rekening " + G_IBAN in text
    assert "€ 174,24 op rekening " + IBAN in text
    root = ubl(market, invoice["id"])
    assert payment_means(root) == [IBAN, G_IBAN]
    note = root.find("cbc:Note", NS).text
    assert "G-rekening: € 58,08 (25% van het totaal) op " + G_IBAN in note
    assert "€ 174,24 op " + IBAN in note


def test_a_g_account_share_of_20_percent_with_vat_reverse_charged(market):
    settle(market, vat_number=VAT_NUMBER)
    g_agreement(market)
    invoice = _issue(market).data
    assert invoice["total_cents"] == 19200
    assert invoice["vat_cents"] == 0
    assert invoice["g_account_percent"] == "20.00"
    assert invoice["g_account_cents"] == 3840
    text = pdf_text(market, invoice["id"])
    assert "€ 38,40 (20% van het totaal) op G-rekening " + G_IBAN in text
    assert "€ 153,60 op rekening " + IBAN in text
    assert "Btw verlegd" in text
    root = ubl(market, invoice["id"])
    assert payment_means(root) == [IBAN, G_IBAN]
    assert tax_subtotals(root) == {"AE": ("192.00", "0.00")}


def test_an_agreement_without_a_g_account_iban_is_refused(market):
    settle(market)
    g_agreement(market)
    Cooperative.objects.filter(pk=market.coop_a.pk).update(g_account_iban="")
    before = row_counts(Invoice)
    response = _issue(market)
    assert response.status_code == 400
    assert response.data["error"]["code"] == "no_g_account_iban"
    assert row_counts(Invoice) == before


def camt(iban: str, amount_cents: int, number: str, reference: str) -> str:
    day = timezone.localdate().isoformat()
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt>
<GrpHdr><MsgId>{reference}</MsgId><CreDtTm>{day}T08:00:00</CreDtTm></GrpHdr>
<Stmt><Id>{reference}</Id><Acct><Id><IBAN>{iban}</IBAN></Id></Acct>
<Ntry><Amt Ccy="EUR">{amount_cents / 100:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>{day}</Dt></BookgDt><AcctSvcrRef>{reference}</AcctSvcrRef>
<NtryDtls><TxDtls><RmtInf><Ustrd>Factuur {number}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>"""


def upload(world, xml: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile("camt.xml", xml.encode(), content_type="application/xml")
    return api_as(world.treasurer_a).post(
        "/api/v1/cooperatives/alpha/bank-statements/", {"file": file}, format="multipart"
    )


def test_two_transfers_on_two_statements_settle_the_invoice(market):
    settle(market)
    g_agreement(market)
    invoice = _issue(market).data
    book = AccountBook(market.coop_a.pk)
    payable = book.get("payable", market.member_a.pk)
    first = upload(market, camt(G_IBAN, 5808, invoice["number"], "G-1"))
    assert first.status_code == 201, first.data
    assert len(first.data["matched"]) == 1, first.data
    state = Invoice.objects.get(pk=invoice["id"])
    assert (state.status, state.g_account_paid_cents, state.open_cents) == (
        "partially_paid",
        5808,
        17424,
    )
    second = upload(market, camt(IBAN.replace("NL91", "NL 91"), 17424, invoice["number"], "B-1"))
    assert len(second.data["matched"]) == 1, second.data
    state.refresh_from_db()
    assert state.status == "paid"
    assert state.open_cents == 0
    # The G-account's balance is kept apart from the bank's; the member shares are payable.
    assert account_balance(book.get("g_account")) == 5808
    assert account_balance(book.get("bank")) == 17424
    assert account_balance(book.get("receivable", market.client_a.pk)) == 0
    assert account_balance(payable) == -2 * 8640
    assert [p.to_g_account for p in Payment.objects.order_by("id")] == [True, False]
    ledger_is_zero_sum()


def test_a_g_account_payment_by_hand_and_its_limits(market):
    settle(market)
    treasurer = api_as(market.treasurer_a)
    today = timezone.localdate().isoformat()
    plain = _issue(market, timesheets=[Timesheet.objects.order_by("id").first().pk]).data
    body = {"amount": "10.00", "currency": "EUR", "received_on": today, "to_g_account": True}
    refused = treasurer.post(
        "/api/v1/cooperatives/alpha/payments/", {**body, "invoice": plain["number"]}
    )
    assert refused.status_code == 400
    assert refused.data["error"]["field"] == "to_g_account"
    g_agreement(market)
    invoice = _issue(market).data  # the other day's work: € 116,16, G share € 29,04
    assert invoice["g_account_cents"] == 2904
    before = row_counts(Payment, Entry)
    too_much = treasurer.post(
        "/api/v1/cooperatives/alpha/payments/",
        {**body, "invoice": invoice["number"], "amount": "29.05"},
    )
    assert too_much.status_code == 400
    assert too_much.data["error"]["code"] == "above_g_account_share"
    assert row_counts(Payment, Entry) == before
    paid = treasurer.post(
        "/api/v1/cooperatives/alpha/payments/",
        {**body, "invoice": invoice["number"], "amount": "29.04"},
    )
    assert paid.status_code == 201
    assert paid.data["g_account_paid_cents"] == 2904
    rest = treasurer.post(
        "/api/v1/cooperatives/alpha/payments/",
        {**body, "invoice": invoice["number"], "amount": "87.12", "to_g_account": False},
    )
    assert rest.data["status"] == "paid"
    assert account_balance(AccountBook(market.coop_a.pk).get("g_account")) == 2904
    ledger_is_zero_sum()


def test_only_the_board_of_that_cooperative_records_a_g_account_agreement(market):
    url = f"/api/v1/cooperatives/alpha/clients/{market.client_a.pk}/g-account/"
    for user in (market.board_b, market.treasurer_a, market.member_a, market.client_user):
        response = api_as(user).put(url, {"agreement": True}, format="json")
        assert response.status_code in (403, 404), user
    assert api_as(market.board_b).get(url).status_code in (403, 404)
    assert not ClientCooperative.objects.get(client=market.client_a).g_account_agreement
    # A client that does not work with the cooperative: 404.
    other = ClientFactory()
    response = api_as(market.board_a).put(
        f"/api/v1/cooperatives/alpha/clients/{other.pk}/g-account/", {"agreement": True}
    )
    assert response.status_code == 404
    assert response.data["error"]["field"] == "client"


def test_a_new_g_account_needs_a_second_person(market):
    from members.models import SecondApproval
    from members.services.approvals import second_approval_decide

    board = api_as(market.board_a)
    response = board.patch("/api/v1/cooperatives/alpha/", {"g_account_iban": G_IBAN}, format="json")
    assert response.status_code == 200
    assert response.data["g_account_iban"] == ""
    approval = SecondApproval.objects.get(kind="cooperative_g_account", status="pending")
    bad = board.patch("/api/v1/cooperatives/alpha/", {"g_account_iban": "NL00XXXX"}, format="json")
    assert bad.status_code == 400
    assert bad.data["error"]["field"] == "g_account_iban"
    from werkstation.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        second_approval_decide(actor=market.board_a, approval=approval, approve=True)
    second_approval_decide(actor=market.staff, approval=approval, approve=True)
    market.coop_a.refresh_from_db()
    assert market.coop_a.g_account_iban == G_IBAN
    assert AuditEntry.objects.filter(action="cooperative.g_account_changed").exists()


def test_the_board_records_g_account_agreements_on_its_page(client, market):
    login_verified(client, market.board_b)
    assert client.get("/c/alpha/treasury/g-account/").status_code == 404
    assert (
        client.post(
            "/c/alpha/treasury/g-account/", {"client": market.client_a.pk, "agreement": "on"}
        ).status_code
        == 404
    )
    client.logout()
    login_verified(client, market.board_a)
    page = client.get("/c/alpha/treasury/g-account/")
    assert page.status_code == 200
    assert html.escape(market.client_a.name).encode() in page.content
    response = client.post(
        "/c/alpha/treasury/g-account/", {"client": market.client_a.pk, "agreement": "on"}
    )
    assert response.status_code == 302
    link = ClientCooperative.objects.get(client=market.client_a)
    assert link.g_account_agreement
    assert link.g_account_set_by == market.board_a
    client.post("/c/alpha/treasury/g-account/", {"client": market.client_a.pk})
    link.refresh_from_db()
    assert not link.g_account_agreement


# ---------------------------------------------------------------- per engagement (item 1)


@pytest.mark.parametrize("engagement", ["employee", "self_employed", "volunteer"])
@pytest.mark.parametrize("vat_mode", ["standard", "reverse_charged"])
def test_each_engagement_and_vat_mode_invoices_the_client_alike_and_keeps_the_books_at_zero(
    market, engagement, vat_mode
):
    """The client's invoice does not depend on how members are engaged; what the member
    receives does, and where it waits: wages through the payroll provider, fees and
    allowances to the member. After payment and payout every account of the member is
    settled and the ledger sums to zero."""
    from jobs.models import Claim
    from members.models import Profile
    from payouts.services.payouts import (
        payout_batch_approve,
        payout_batch_create,
        payout_batch_execute,
    )

    ensure_founded(market.coop_a)
    Client.objects.filter(pk=market.client_a.pk).update(
        vat_number=VAT_NUMBER if vat_mode == "reverse_charged" else ""
    )
    sheets = [approved_timesheet(market, days_ago=d) for d in (1, 2)]
    Claim.objects.filter(pk__in=[s.claim_id for s in sheets]).update(engagement=engagement)
    settlement_run()
    splits = list(Split.objects.filter(timesheet__in=sheets))
    assert {s.engagement for s in splits} == {engagement}
    invoice = _issue(market).data
    text = pdf_text(market, invoice["id"])
    root = ubl(market, invoice["id"])
    if vat_mode == "reverse_charged":
        assert invoice["vat_cents"] == 0
        assert "Btw verlegd" in text
        assert tax_subtotals(root) == {"AE": ("192.00", "0.00")}
    else:
        assert invoice["vat_cents"] == 2 * 2016
        assert "Btw 21%" in text
        assert tax_subtotals(root) == {"S": ("192.00", "40.32")}
    market.coop_a.iban, market.coop_a.bic = "NL91ABNA0417164300", "ABNANL2A"
    market.coop_a.save()
    Profile.objects.filter(user=market.member_a).update(
        iban="NL20INGB0001234567", account_holder="A. Lid"
    )
    api_as(market.treasurer_a).post(
        "/api/v1/cooperatives/alpha/payments/",
        {
            "invoice": invoice["number"],
            "amount": f"{invoice['total_cents'] / 100:.2f}",
            "currency": "EUR",
            "received_on": timezone.localdate().isoformat(),
        },
    )
    book = AccountBook(market.coop_a.pk)
    waits = "wages" if engagement == "employee" else "payable"
    share = sum(s.member_cents for s in splits)
    assert account_balance(book.get(waits, market.member_a.pk)) == -share
    batch = payout_batch_create(actor=market.treasurer_a, cooperative=market.coop_a)
    item = batch.items.get(member=market.member_a)
    assert item.method == ("payroll" if engagement == "employee" else "sepa")
    assert item.amount_cents == share
    payout_batch_approve(actor=market.treasurer_a, batch=batch)
    payout_batch_approve(actor=market.board_a, batch=batch)
    payout_batch_execute(actor=market.board_a, batch=batch)
    for kind in ("earned", "payable", "wages"):
        assert account_balance(book.get(kind, market.member_a.pk)) == 0
    ledger_is_zero_sum()
