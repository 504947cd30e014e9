"""CAMT.053 import: credits that name an invoice become payments, once."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from payouts.models import Invoice, Payment
from tests.conftest import api_as
from tests.factories.money import _issue

pytestmark = pytest.mark.django_db

STATEMENT = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr><MsgId>1</MsgId>
<CreDtTm>2026-11-27T08:00:00</CreDtTm></GrpHdr><Stmt><Id>S1</Id>
<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt></BookgDt>
<AcctSvcrRef>REF-1</AcctSvcrRef><NtryDtls><TxDtls><RmtInf><Ustrd>Factuur {number} dank u</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">12.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt></BookgDt>
<AcctSvcrRef>REF-2</AcctSvcrRef><NtryDtls><TxDtls><RmtInf><Ustrd>Gift voor de buurt</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">50.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{day}</Dt></BookgDt>
<AcctSvcrRef>REF-3</AcctSvcrRef></Ntry>
</Stmt></BkToCstmrStmt></Document>"""


def _upload(world, xml: str):
    file = SimpleUploadedFile("camt.xml", xml.encode(), content_type="application/xml")
    return api_as(world.treasurer_a).post(
        "/api/v1/cooperatives/alpha/bank-statements/", {"file": file}, format="multipart"
    )


def test_statement_matches_by_invoice_number_once(settled):
    invoice = _issue(settled).data
    xml = STATEMENT.format(
        amount=f"{invoice['total_cents'] / 100:.2f}",
        day=timezone.localdate().isoformat(),
        number=invoice["number"],
    )
    response = _upload(settled, xml)
    assert response.status_code == 201, response.data
    assert [m["invoice"] for m in response.data["matched"]] == [invoice["number"]]
    # A gift without an invoice number, and a debit that is no payout of ours: for the treasurer.
    assert [row["reference"] for row in response.data["unmatched"]] == ["REF-3", "REF-2"]
    assert Invoice.objects.get(pk=invoice["id"]).status == "paid"
    again = _upload(settled, xml)
    assert again.data["skipped"] == 1
    assert Payment.objects.count() == 1


def test_not_a_statement_is_refused(settled):
    response = _upload(settled, "<html>nope</html>")
    assert response.status_code == 400
    assert response.data["error"]["field"] == "file"
    assert Payment.objects.count() == 0


@pytest.mark.parametrize(
    "booking",
    ["<BookgDt><DtTm>{day}T09:30:00</DtTm></BookgDt>", "<ValDt><Dt>{day}</Dt></ValDt>"],
)
def test_a_booking_moment_or_only_a_value_date_is_read(settled, booking):
    invoice = _issue(settled).data
    day = timezone.localdate().isoformat()
    xml = STATEMENT.format(
        amount=f"{invoice['total_cents'] / 100:.2f}", day=day, number=invoice["number"]
    ).replace(f"<BookgDt><Dt>{day}</Dt></BookgDt>", booking.format(day=day), 1)
    response = _upload(settled, xml)
    assert response.status_code == 201, response.data
    assert Payment.objects.get().received_on.isoformat() == day


def test_an_entry_without_any_date_is_refused_naming_the_file_and_nothing_is_booked(settled):
    invoice = _issue(settled).data
    day = timezone.localdate().isoformat()
    xml = STATEMENT.format(
        amount=f"{invoice['total_cents'] / 100:.2f}", day=day, number=invoice["number"]
    ).replace(f"<BookgDt><Dt>{day}</Dt></BookgDt>", "", 1)
    response = _upload(settled, xml)
    assert response.status_code == 400, response.data
    assert response.data["error"]["field"] == "file"
    assert "boekdatum ontbreekt" in response.data["error"]["message"]  # Dutch by default
    assert Payment.objects.count() == 0
    assert Invoice.objects.get(pk=invoice["id"]).status != "paid"


def test_the_treasurer_imports_a_statement_on_the_page_and_reads_what_it_did(client, settled):
    """The page posts to itself and says in words what happened; never raw JSON, never
    silence on a file that cannot be read."""
    from tests.factories.api import login_verified

    login_verified(client, settled.treasurer_a)
    page = client.get("/c/alpha/treasury/").content.decode()
    assert "/api/v1/" not in page.split('name="action" value="camt"')[0].rsplit("<form", 1)[-1]
    assert '<pre id="camt-result"' not in page
    bad = SimpleUploadedFile("camt.xml", b"<html>nope</html>", content_type="application/xml")
    answer = client.post("/c/alpha/treasury/", {"action": "camt", "file": bad}, follow=True)
    assert answer.status_code == 200
    assert "Dit is geen CAMT.053-XML-bestand." in answer.content.decode()
    missing = client.post("/c/alpha/treasury/", {"action": "camt"}, follow=True)
    assert missing.status_code == 200
    assert [m.level_tag for m in missing.context["messages"]] == ["error"]
    invoice = _issue(settled).data
    xml = STATEMENT.format(
        amount=f"{invoice['total_cents'] / 100:.2f}",
        day=timezone.localdate().isoformat(),
        number=invoice["number"],
    )
    file = SimpleUploadedFile("camt.xml", xml.encode(), content_type="application/xml")
    done = client.post("/c/alpha/treasury/", {"action": "camt", "file": file}, follow=True)
    body = done.content.decode()
    assert Payment.objects.count() == 1
    messages = [str(m) for m in done.context["messages"]]
    assert len(messages) == 3  # what it did, and the gift and the debit left over
    assert "€ 12,00" in body
    assert "Gift voor de buurt" in body
    assert "{" not in " ".join(messages)
