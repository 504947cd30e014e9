"""Issue 19, the invoice side: reverse-charged VAT, the G-account, the registrations on every
labour invoice and e-invoices addressed by OIN. Each test reads the PDF back (pypdf) and
parses the UBL, as the client and its bookkeeping would."""

import io
import xml.etree.ElementTree as ET

import pytest
from pypdf import PdfReader

from tests.conftest import api_as
from tests.factories.money import _issue

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
    assert response.status_code == 200 and response.data["oin"] == oin
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
    assert response.status_code == 400 and response.data["error"]["field"] == "oin"
    settled.client_a.refresh_from_db()
    assert settled.client_a.oin == ""
