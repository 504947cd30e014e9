from __future__ import annotations

from decimal import Decimal

from django.urls import reverse
from lxml import etree

from payouts.services.invoices import invoice_issue
from payouts.services.money_settings import reverse_charge_update
from payouts.services.settlement import settlement_run
from tests.conftest import api_as
from tests.factories.work import ensure_founded

from .test_api import _approved_work

NS = {
    "ubl": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def test_invoice_to_the_municipality_as_si_ubl(awarded):
    w = awarded
    w.coop_a.vat_id, w.coop_a.iban, w.coop_a.postcode = (
        "NL123456789B01",
        "NL91ABNA0417164300",
        "3526 KL",
    )
    w.coop_a.address_line = "Marshalllaan 1"
    w.coop_a.save()
    ensure_founded(w.coop_a)
    # This board does not count green maintenance as lent labour on buildings and grounds,
    # so the municipality (VAT-registered) is charged VAT (reverse charge: test_invoice_legal).
    reverse_charge_update(actor=w.board_a, cooperative=w.coop_a, categories=["greening"])
    sheets = _approved_work(w, w.gardeners[:2], hours=3)
    settlement_run(timesheet_ids=[s.pk for s in sheets])
    work_date = sheets[0].splits.get().work_date
    invoice = invoice_issue(
        actor=w.treasurer_a,
        cooperative=w.coop_a,
        client=w.municipality,
        period_start=work_date,
        period_end=work_date,
    )
    response = api_as(w.treasurer_a).get(
        reverse("payouts_api:invoice-ubl", args=["alpha", invoice.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    doc = etree.fromstring(response.content)

    def one(path):
        found = doc.xpath(path, namespaces=NS)
        assert len(found) == 1, path
        return found[0].text

    assert doc.tag == f"{{{NS['ubl']}}}Invoice"
    assert (
        one("cbc:CustomizationID") == "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"
    )
    assert one("cbc:ProfileID") == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    assert one("cbc:ID") == invoice.display_number
    assert one("cbc:InvoiceTypeCode") == "380"
    assert one("cac:ContractDocumentReference/cbc:ID") == w.contract.reference
    assert one("cbc:BuyerReference") == w.contract.reference
    supplier = "cac:AccountingSupplierParty/cac:Party"
    assert one(f"{supplier}/cac:PartyLegalEntity/cbc:CompanyID") == w.coop_a.kvk_number
    assert one(f"{supplier}/cac:PartyTaxScheme/cbc:CompanyID") == "NL123456789B01"
    assert one(f"{supplier}/cac:PostalAddress/cbc:PostalZone") == "3526 KL"
    customer = "cac:AccountingCustomerParty/cac:Party"
    assert one(f"{customer}/cac:PartyLegalEntity/cbc:CompanyID") == "30280353"
    assert one(f"{customer}/cac:PartyTaxScheme/cbc:CompanyID") == "NL001234567B01"
    assert one(f"{customer}/cac:PartyName/cbc:Name") == "Gemeente Utrecht"
    assert one("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == "NL91ABNA0417164300"
    lines = doc.xpath("cac:InvoiceLine", namespaces=NS)
    assert len(lines) == 2
    line_total = sum(
        Decimal(line.xpath("cbc:LineExtensionAmount", namespaces=NS)[0].text) for line in lines
    )
    net = Decimal(one("cac:LegalMonetaryTotal/cbc:LineExtensionAmount"))
    tax = Decimal(one("cac:TaxTotal/cbc:TaxAmount"))
    assert line_total == net == Decimal("192.00")  # 2 members × 3 h × € 32
    assert Decimal(one("cac:TaxTotal/cac:TaxSubtotal/cbc:TaxableAmount")) == net
    assert one("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory/cbc:Percent") == "21.00"
    assert tax == Decimal("40.32")
    assert Decimal(one("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount")) == net + tax
    assert (
        Decimal(one("cac:LegalMonetaryTotal/cbc:PayableAmount"))
        == Decimal(invoice.total_cents) / 100
    )
    for line in lines:
        qty = Decimal(line.xpath("cbc:InvoicedQuantity", namespaces=NS)[0].text)
        price = Decimal(line.xpath("cac:Price/cbc:PriceAmount", namespaces=NS)[0].text)
        assert line.xpath("cbc:InvoicedQuantity/@unitCode", namespaces=NS) == ["HUR"]
        assert qty * price == Decimal(line.xpath("cbc:LineExtensionAmount", namespaces=NS)[0].text)
    assert api_as(w.member_a).get(
        reverse("payouts_api:invoice-ubl", args=["alpha", invoice.pk])
    ).status_code in (403, 404)


def test_the_treasurer_downloads_the_e_invoice_from_the_invoice_page(awarded):
    from django.test import Client as WebClient

    from tests.factories.api import login_verified

    w = awarded
    ensure_founded(w.coop_a)
    sheets = _approved_work(w, w.gardeners[:1], hours=2)
    settlement_run(timesheet_ids=[s.pk for s in sheets])
    day = sheets[0].splits.get().work_date
    invoice = invoice_issue(
        actor=w.treasurer_a,
        cooperative=w.coop_a,
        client=w.municipality,
        period_start=day,
        period_end=day,
    )
    client = WebClient()
    login_verified(client, w.treasurer_a)
    url = reverse("payouts:invoice", args=["alpha", invoice.pk])
    assert "?format=ubl" in client.get(url).content.decode()
    doc = etree.fromstring(client.get(url, {"format": "ubl"}).content)
    assert doc.xpath("cac:ContractDocumentReference/cbc:ID/text()", namespaces=NS) == [
        w.contract.reference
    ]
