"""Payout batches: four eyes, SEPA pain.001.001.09, paid once."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree

from jobs.models import Claim
from members.models import Membership, Profile
from payouts.formats.payroll import payroll_csv
from payouts.models import Entry, PayoutBatch, PayoutItem, Split, Transaction
from payouts.selectors import account_balance
from payouts.services.ledger import AccountBook, Leg, post
from payouts.services.payouts import (
    payout_batch_approve,
    payout_batch_create,
    payout_batch_execute,
)
from payouts.services.settlement import settlement_run
from tests.conftest import api_as, row_counts
from tests.factories.api import login_verified
from tests.factories.money import _issue, approved_timesheet
from tests.factories.work import ensure_founded

pytestmark = pytest.mark.django_db
NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"


@pytest.fixture
def payable(settled):
    return _pay(settled)


def _pay(settled):
    settled.coop_a.iban, settled.coop_a.bic = "NL91ABNA0417164300", "ABNANL2A"
    settled.coop_a.save()
    Profile.objects.filter(user=settled.member_a).update(
        iban="NL20INGB0001234567", account_holder="A. Lid"
    )
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
    return settled


def test_four_eyes_then_sepa_file_and_each_member_paid_once(payable):
    api = api_as(payable.treasurer_a)
    batch = api.post("/api/v1/cooperatives/alpha/payout-batches/").data
    assert batch["status"] == "draft"
    assert batch["items"][0]["amount_cents"] == 3 * 8640
    execute = f"/api/v1/cooperatives/alpha/payout-batches/{batch['id']}/execute/"
    assert api.post(execute).status_code == 403  # nobody approved yet
    assert (
        api.post(f"/api/v1/cooperatives/alpha/payout-batches/{batch['id']}/approve/").status_code
        == 200
    )
    again = api.post(f"/api/v1/cooperatives/alpha/payout-batches/{batch['id']}/approve/")
    assert again.status_code == 409
    assert again.data["error"]["code"] == "four_eyes"
    assert api.post(execute).status_code == 403  # one approval is not enough
    assert (
        api_as(payable.member_a)
        .post(f"/api/v1/cooperatives/alpha/payout-batches/{batch['id']}/approve/")
        .status_code
        == 403
    )
    board = api_as(payable.board_a)
    assert (
        board.post(f"/api/v1/cooperatives/alpha/payout-batches/{batch['id']}/approve/").data[
            "status"
        ]
        == "approved"
    )
    done = board.post(execute)
    # In the bank's file, not yet paid: nobody has seen the money leave the account.
    assert done.status_code == 200
    assert done.data["items"][0]["status"] == "sent"
    assert done.data["items"][0]["paid_at"] is None
    assert done.data["items"][0]["sent_at"]
    book = AccountBook(payable.coop_a.pk)
    assert account_balance(book.get("payable", payable.member_a.pk)) == 0
    counts = row_counts(Transaction, Entry)
    assert board.post(execute).status_code == 200  # a retry pays nobody twice
    assert (
        payout_batch_execute(actor=None, batch=PayoutBatch.objects.get(pk=batch["id"])).status
        == "executed"
    )
    assert row_counts(Transaction, Entry) == counts
    xml = api.get(f"/api/v1/cooperatives/alpha/payout-batches/{batch['id']}/sepa.xml").content
    root = etree.fromstring(xml)
    assert root.tag == f"{{{NS}}}Document"
    assert root.findtext(f".//{{{NS}}}CtrlSum") == "259.20"
    assert root.findtext(f".//{{{NS}}}CdtrAcct/{{{NS}}}Id/{{{NS}}}IBAN") == "NL20INGB0001234567"
    # Nothing payable remains, so there is no new batch to make.
    assert api.post("/api/v1/cooperatives/alpha/payout-batches/").status_code == 400
    # The treasurer sees the transfer on the bank account and confirms it.
    confirm = f"/api/v1/cooperatives/alpha/payout-batches/{batch['id']}/confirm-paid/"
    assert api_as(payable.member_a).post(confirm).status_code == 403
    paid = api.post(confirm)
    assert paid.status_code == 200
    assert paid.data["items"][0]["status"] == "paid"
    assert paid.data["items"][0]["confirmed_by"] == "treasurer"
    assert paid.data["items"][0]["paid_at"]
    # Nothing is waiting for the bank any more.
    assert api.post(confirm).status_code == 409


def test_a_new_iban_holds_the_payout_for_three_days(payable):
    Profile.objects.filter(user=payable.member_a).update(
        iban_changed_at=timezone.now() - timedelta(days=1)
    )
    batch = payout_batch_create(actor=payable.treasurer_a, cooperative=payable.coop_a)
    item = batch.items.get()
    assert item.status == "held"
    assert "vastgehouden tot" in item.hold_reason
    payout_batch_approve(actor=payable.treasurer_a, batch=batch)
    payout_batch_approve(actor=payable.board_a, batch=batch)
    payout_batch_execute(actor=payable.board_a, batch=batch)
    assert PayoutItem.objects.get(pk=item.pk).status == "held"
    assert (
        account_balance(AccountBook(payable.coop_a.pk).get("payable", payable.member_a.pk))
        == -3 * 8640
    )


@pytest.fixture
def payroll(market):
    """Work claimed on payroll: the member's usual engagement when they claimed."""
    Membership.objects.filter(user=market.member_a, cooperative=market.coop_a).update(
        engagement="employee"
    )
    ensure_founded(market.coop_a)
    market.sheets = [approved_timesheet(market, days_ago=d) for d in (1, 2, 3)]
    settlement_run()
    return _pay(market)


def test_employees_go_to_the_payroll_export(payroll):
    payable = payroll
    batch = payout_batch_create(actor=payable.treasurer_a, cooperative=payable.coop_a)
    assert batch.items.get().method == "payroll"
    payout_batch_approve(actor=payable.treasurer_a, batch=batch)
    payout_batch_approve(actor=payable.board_a, batch=batch)
    batch = payout_batch_execute(actor=payable.board_a, batch=batch)
    assert batch.sepa_xml == ""
    csv_text = (
        api_as(payable.treasurer_a)
        .get(f"/api/v1/cooperatives/alpha/payout-batches/{batch.pk}/payroll.csv")
        .content.decode()
    )
    assert "member_number,name,minutes,gross_cents,net_cents" in csv_text
    assert "25920" in csv_text


def test_payroll_wages_and_fees_of_one_member_are_paid_each_their_own_way(market):
    """One member, one shift on payroll and two self-employed: the wages go to the payroll
    provider and only the payroll shift is in the payroll file; the fees go by SEPA."""
    ensure_founded(market.coop_a)
    sheets = [approved_timesheet(market, days_ago=d) for d in (1, 2, 3)]
    Claim.objects.filter(pk=sheets[0].claim_id).update(engagement="employee")
    settlement_run()
    wages = Split.objects.get(timesheet=sheets[0])
    fees = Split.objects.filter(timesheet__in=sheets[1:])
    assert wages.engagement == "employee"
    assert {s.engagement for s in fees} == {"self_employed"}
    _pay(market)
    batch = payout_batch_create(actor=market.treasurer_a, cooperative=market.coop_a)
    items = {i.method: i.amount_cents for i in batch.items.filter(member=market.member_a)}
    assert items == {"payroll": wages.member_cents, "sepa": sum(s.member_cents for s in fees)}
    payout_batch_approve(actor=market.treasurer_a, batch=batch)
    payout_batch_approve(actor=market.board_a, batch=batch)
    batch = payout_batch_execute(actor=market.board_a, batch=batch)
    assert set(batch.items.values_list("status", flat=True)) <= {"paid", "sent"}
    rows = payroll_csv(batch).splitlines()
    assert rows[1].split(",")[2:] == [
        str(wages.minutes),
        str(wages.gross_cents),
        str(wages.member_cents),
    ]
    book = AccountBook(market.coop_a.pk)
    for kind in ("payable", "wages"):
        assert account_balance(book.get(kind, market.member_a.pk)) == 0
    assert sum(Entry.objects.values_list("amount_cents", flat=True)) == 0


def test_a_payout_above_the_balance_is_refused_and_books_nothing(payable):
    batch = payout_batch_create(actor=payable.treasurer_a, cooperative=payable.coop_a)
    book = AccountBook(payable.coop_a.pk)
    # Meanwhile a correction lowers what the member is owed.
    post(
        payable.coop_a.pk,
        kind="correction",
        reference="test-correction",
        description="correction",
        legs=[
            Leg(book.get("payable", payable.member_a.pk), 1000),
            Leg(book.get("fund", "coop_fund"), -1000),
        ],
    )
    payout_batch_approve(actor=payable.treasurer_a, batch=batch)
    payout_batch_approve(actor=payable.board_a, batch=batch)
    before = row_counts(Transaction, Entry)
    payout_batch_execute(actor=payable.board_a, batch=batch)
    item = batch.items.get()
    assert item.status == "failed"
    assert "saldo" in item.hold_reason
    assert row_counts(Transaction, Entry) == before


def _why(world, split_id):
    return api_as(world.member_a).get(f"/api/v1/me/earnings/{split_id}/").data


def test_the_why_page_follows_each_shift_to_the_payout_that_paid_it(settled):
    from payouts.models import Split
    from payouts.services.reversals import payout_item_return

    splits = list(Split.objects.filter(member=settled.member_a).order_by("work_date", "id"))
    assert {_why(settled, s.pk)["payout"] == [] for s in splits} == {True}
    before = _why(settled, splits[0].pk)["payout_status"]
    # The client pays: every share becomes payable, not yet paid out.
    _pay(settled)
    assert _why(settled, splits[0].pk)["payout_status"] != before
    assert _why(settled, splits[0].pk)["payout"] == []
    batch = payout_batch_create(actor=settled.treasurer_a, cooperative=settled.coop_a)
    payout_batch_approve(actor=settled.treasurer_a, batch=batch)
    payout_batch_approve(actor=settled.board_a, batch=batch)
    batch = payout_batch_execute(actor=settled.board_a, batch=batch)
    item = batch.items.get()
    traced = [_why(settled, s.pk)["payout"] for s in splits]
    assert [t[0]["item"] for t in traced] == [item.pk] * 3
    assert sum(round(float(t[0]["amount"]) * 100) for t in traced) == item.amount_cents
    # The member's earnings page shows the same, per shift.
    page = api_as(settled.member_a).get("/api/v1/me/earnings/").data
    assert {row["payout"][0]["batch"] for row in page["shifts"]} == {batch.pk}
    browser = Client()
    login_verified(browser, settled.member_a)
    html = browser.get(f"/work/earnings/{splits[0].pk}/")
    assert f"{batch.pk}".encode() in html.content
    # The bank returns the payout: the shares are payable again, paid by nothing.
    payout_item_return(actor=settled.treasurer_a, item=item, reason="IBAN onbekend")
    assert [_why(settled, s.pk)["payout"] for s in splits] == [[], [], []]


DEBIT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>2</MsgId>
<CreDtTm>2026-11-28T08:00:00</CreDtTm></GrpHdr><Stmt><Id>S2</Id>
<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt></BookgDt>
<AcctSvcrRef>OUT-1</AcctSvcrRef><NtryDtls><TxDtls><Refs><EndToEndId>{e2e}</EndToEndId></Refs>
<RmtInf><Ustrd>Werkstation uitbetaling</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>"""


def _executed(world):
    batch = payout_batch_create(actor=world.treasurer_a, cooperative=world.coop_a)
    payout_batch_approve(actor=world.treasurer_a, batch=batch)
    payout_batch_approve(actor=world.board_a, batch=batch)
    return payout_batch_execute(actor=world.board_a, batch=batch)


def _statement(user, slug: str, item, amount_cents: int | None = None):
    from django.core.files.uploadedfile import SimpleUploadedFile

    xml = DEBIT.format(
        amount=f"{(amount_cents or item.amount_cents) / 100:.2f}",
        day=timezone.localdate().isoformat(),
        e2e=item.idempotency_key[:35],
    )
    return api_as(user).post(
        f"/api/v1/cooperatives/{slug}/bank-statements/",
        {"file": SimpleUploadedFile("camt.xml", xml.encode())},
        format="multipart",
    )


def _member_sees(world) -> set[str]:
    shifts = api_as(world.member_a).get("/api/v1/me/earnings/").data["shifts"]
    return {shift["payout_status"] for shift in shifts}


def test_a_sepa_payout_shows_as_sent_until_the_bank_statement_confirms_it(payable):
    item = _executed(payable).items.get()
    assert item.status == "sent"
    assert item.paid_at is None
    assert _member_sees(payable) == {"naar de bank gestuurd: betaald zodra de bank het bevestigt"}
    response = _statement(payable.treasurer_a, "alpha", item)
    assert response.status_code == 201, response.data
    assert response.data["payouts_confirmed"] == [
        {"item": item.pk, "batch": item.batch_id, "amount_cents": item.amount_cents}
    ]
    item.refresh_from_db()
    assert item.status == "paid"
    assert item.paid_at
    assert item.confirmed_by == "bank_statement"
    assert _member_sees(payable) == {"uitbetaald"}
    # The same statement again changes nothing and reports nothing as unmatched.
    again = _statement(payable.treasurer_a, "alpha", item)
    assert again.data["payouts_confirmed"] == []
    assert again.data["unmatched"] == []


def test_a_debit_of_another_amount_confirms_nothing(payable):
    item = _executed(payable).items.get()
    response = _statement(payable.treasurer_a, "alpha", item, amount_cents=item.amount_cents - 1)
    assert response.data["payouts_confirmed"] == []
    assert [row["why"] for row in response.data["unmatched"]] == [
        "het bedrag wijkt af van het bedrag van de uitbetaling"
    ]
    assert PayoutItem.objects.get(pk=item.pk).status == "sent"


def test_another_cooperatives_statement_never_confirms_our_payout(payable):
    item = _executed(payable).items.get()
    Membership.objects.filter(user=payable.board_b, cooperative=payable.coop_b).update(
        is_treasurer=True
    )
    response = _statement(payable.board_b, "beta", item)
    assert response.status_code == 201, response.data
    assert response.data["payouts_confirmed"] == []
    assert len(response.data["unmatched"]) == 1
    assert PayoutItem.objects.get(pk=item.pk).status == "sent"


def test_the_treasurer_confirms_a_batch_on_the_treasury_page(payable):
    batch = _executed(payable)
    browser = Client()
    login_verified(browser, payable.treasurer_a)
    page = browser.get("/c/alpha/treasury/").content.decode()
    assert "De bank heeft deze overboekingen betaald" in page
    response = browser.post(f"/c/alpha/treasury/batches/{batch.pk}/confirm-paid/", follow=True)
    assert "1 uitbetaling staat nu bij het lid als betaald." in response.content.decode()
    assert batch.items.get().status == "paid"
    assert batch.items.get().confirmed_by == "treasurer"
    assert (
        "De bank heeft deze overboekingen betaald"
        not in browser.get("/c/alpha/treasury/").content.decode()
    )


def test_executing_a_batch_from_the_page_asks_first_with_the_total(payable):
    batch = payout_batch_create(actor=payable.treasurer_a, cooperative=payable.coop_a)
    payout_batch_approve(actor=payable.treasurer_a, batch=batch)
    payout_batch_approve(actor=payable.board_a, batch=batch)
    web = Client()
    login_verified(web, payable.treasurer_a)
    web.cookies["django_language"] = "nl"
    url = f"/c/alpha/treasury/batches/{batch.pk}/execute/"
    text = web.post(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="confirm-slot").content.decode()
    assert text.lstrip().startswith("<dialog")
    assert "€ 259,20" in text
    assert PayoutBatch.objects.get(pk=batch.pk).status == "approved"
    assert web.post(url, {"confirmed": "1"}).status_code == 302
    assert PayoutBatch.objects.get(pk=batch.pk).status == "executed"


def test_the_client_downloads_its_invoices_as_pdf(payable):
    from payouts.models import Invoice

    invoice = Invoice.objects.get()
    web = Client()
    web.force_login(payable.client_user)
    listing = web.get("/invoices/").content.decode()
    assert f"/invoices/{invoice.pk}/?format=pdf" in listing
    pdf = web.get(f"/invoices/{invoice.pk}/?format=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    outsider = Client()
    outsider.force_login(payable.member_b)
    assert outsider.get(f"/invoices/{invoice.pk}/?format=pdf").status_code == 404


def test_the_client_invoice_page_reads_well_on_a_phone(settled):
    # The lines gave raw minutes ("180") under "Minuten" while the PDF says hours, the
    # dates broke as "decem/ber" in a column four wide, and without online payment the
    # bank transfer began with "Of" (or) after nothing.
    from payouts.models import Invoice

    settled.coop_a.iban = "NL91ABNA0417164300"
    settled.coop_a.save()
    _issue(settled)
    invoice = Invoice.objects.get()
    line = invoice.lines.first()
    web = Client()
    web.force_login(settled.client_user)
    web.cookies["django_language"] = "nl"
    page = web.get(f"/invoices/{invoice.pk}/").content.decode()
    table = page.split('<table class="stack" id="invoice-lines">', 1)[1].split("</table>", 1)[0]
    assert "Minuten" not in table
    assert "<th>Uren</th>" in table
    assert f'<td data-label="Uren">{line.minutes // 60} u' in table
    assert f'<td data-label="Datum">{line.work_date:%d-%m-%Y}</td>' in table
    transfer = page.split('id="transfer">', 1)[1].split("</p>", 1)[0]
    assert "NL91ABNA0417164300" in transfer
    assert not transfer.startswith("Of ")
    assert not transfer.startswith("Or ")
