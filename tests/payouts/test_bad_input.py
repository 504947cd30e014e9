"""The issue's bad-input list, end to end through the API: a clear 4xx naming the field,
and nothing written (row counts unchanged). The webhook with a bad signature is tested
with the Stripe webhooks."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from members.models import Proposal
from payouts.models import (
    Entry,
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    Payment,
    PayoutBatch,
    PayoutItem,
    RuleSet,
    Split,
    Transaction,
)
from tests.conftest import api_as, row_counts
from tests.factories.money import _issue, approved_timesheet
from werkstation.models import AuditEntry, OutboxEvent

pytestmark = pytest.mark.django_db
MONEY = (
    Invoice,
    InvoiceLine,
    Payment,
    Transaction,
    Entry,
    PayoutBatch,
    PayoutItem,
    Split,
    AuditEntry,
)


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"currency": "EUR", "pots": [{"pot": "member", "percent": "5"}]}, "spec.pots[0]"),
        ({"currency": "EUR", "pots": [{"pot": "fund", "percent": "120"}]}, "spec.pots[0]"),
        ({"currency": "USD", "pots": []}, "spec.currency"),
        ("not an object", "spec"),
    ],
)
def test_a_rule_set_that_breaks_the_format(world, spec, field):
    before = row_counts(Proposal, RuleSet, AuditEntry, OutboxEvent)
    response = api_as(world.board_a).post(
        "/api/v1/cooperatives/alpha/proposals/",
        {"kind": "payout_rules", "title": "Nieuwe regels", "payload": {"spec": spec}},
        format="json",
    )
    assert response.status_code == 400, response.data
    assert response.data["error"]["field"].removeprefix("payload.").startswith(field)
    assert row_counts(Proposal, RuleSet, AuditEntry, OutboxEvent) == before


def test_a_payment_in_another_currency_from_a_bank_statement(settled):
    invoice = _issue(settled).data
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Id>S1</Id>
<Ntry><Amt Ccy="USD">{invoice["total_cents"] / 100:.2f}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>{timezone.localdate().isoformat()}</Dt></BookgDt><AcctSvcrRef>REF-USD</AcctSvcrRef>
<NtryDtls><TxDtls><RmtInf><Ustrd>Factuur {invoice["number"]}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>"""
    before = row_counts(*MONEY)
    response = api_as(settled.treasurer_a).post(
        "/api/v1/cooperatives/alpha/bank-statements/",
        {"file": SimpleUploadedFile("camt.xml", xml.encode())},
        format="multipart",
    )
    assert response.status_code == 201
    assert response.data["matched"] == []
    assert "EUR" in response.data["unmatched"][0]["why"]
    assert row_counts(*MONEY) == before
    assert Invoice.objects.get().status == "issued"


def test_a_payment_in_another_currency_or_above_the_open_amount(settled):
    invoice = _issue(settled).data
    before = row_counts(*MONEY)
    api = api_as(settled.treasurer_a)
    for body, field in (
        ({"amount": "10.00", "currency": "GBP"}, "currency"),
        ({"amount": f"{invoice['total_cents'] / 100 + 0.01:.2f}", "currency": "EUR"}, "amount"),
        ({"amount": "-5.00", "currency": "EUR"}, "amount"),
    ):
        response = api.post(
            "/api/v1/cooperatives/alpha/payments/",
            {"invoice": invoice["number"], "received_on": timezone.localdate().isoformat(), **body},
        )
        assert response.status_code == 400, response.data
        assert response.data["error"]["field"] == field, response.data
    assert row_counts(*MONEY) == before


def test_an_invoice_for_unapproved_work_keeps_the_numbering_gapless(settled):
    pending = approved_timesheet(settled, days_ago=4)
    pending.status = "submitted"
    pending.save()
    before = row_counts(*MONEY, InvoiceSequence)
    response = _issue(settled, timesheets=[pending.pk])
    assert response.status_code == 400
    assert response.data["error"]["field"] == "timesheets"
    unknown = _issue(settled, timesheets=[999999])
    assert unknown.status_code == 400
    assert unknown.data["error"]["field"] == "timesheets"
    assert row_counts(*MONEY, InvoiceSequence) == before
    year = timezone.localdate().year
    assert _issue(settled).data["number"] == f"{year}-00001"  # no number was used up


def test_a_payout_above_the_balance(settled):
    """Nothing is payable before the client pays: no batch, no item, no ledger rows."""
    before = row_counts(*MONEY)
    response = api_as(settled.treasurer_a).post("/api/v1/cooperatives/alpha/payout-batches/")
    assert response.status_code == 400
    assert response.data["error"]["field"] == "cooperative"
    assert row_counts(*MONEY) == before


def test_a_period_that_ends_before_it_starts(settled):
    today = timezone.localdate()
    before = row_counts(*MONEY, InvoiceSequence)
    response = _issue(
        settled, period_start=today.isoformat(), period_end=(today - timedelta(days=3)).isoformat()
    )
    assert response.status_code == 400
    assert response.data["error"]["field"] == "period_end"
    assert row_counts(*MONEY, InvoiceSequence) == before
