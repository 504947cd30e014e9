"""UBL 2.1 e-invoices in the Dutch profile (SI-UBL 2.0, the NLCIUS of EN 16931).

Public bodies in the Netherlands receive e-invoices; for work under a right-to-challenge
contract the contract's reference goes into ``ContractDocumentReference`` and
``BuyerReference`` (the municipality routes the invoice by it). Amounts come straight
from the issued invoice, so the e-invoice and the PDF never disagree.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as etree  # noqa: N813 - the name lxml and the docs use

from werkstation.money import decimal_string, format_money

if TYPE_CHECKING:
    from payouts.models import Invoice

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS = {
    None: "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
POSTCODE = re.compile(r"^\d{4} ?[A-Z]{2}\b")
KVK_SCHEME = "0106"  # ISO 6523 ICD of the Dutch Chamber of Commerce number
OIN_SCHEME = "0190"  # ISO 6523 ICD of the Dutch OIN (public bodies, Digipoort/Peppol)


def contract_references(invoice: Invoice) -> list[str]:
    from jobs.challenges.models import Contract

    return sorted(
        Contract.objects.filter(
            contract_jobs__job__shifts__claims__timesheet__splits__invoice_line__invoice=invoice
        )
        .values_list("reference", flat=True)
        .distinct()
    )


def invoice_note(invoice: Invoice) -> str:
    """The invoice's one free-text note (Peppol allows one): the registrations a labour
    invoice states, and the reverse charge."""
    supplier, parts = invoice.supplier, []
    if supplier.get("kvk"):
        parts.append(f"KvK {supplier['kvk']}")
    if supplier.get("lender_registration"):
        parts.append(f"Registratie uitlener: {supplier['lender_registration']}")
    if supplier.get("wtta_number"):
        parts.append(f"Wtta-toelating: {supplier['wtta_number']}")
    if invoice.reverse_charged_cents:
        parts.append(f"Btw verlegd (btw-nummer afnemer {invoice.customer.get('vat_number', '')})")
    if invoice.g_account_cents:
        assert invoice.g_account_percent is not None  # set with the G-account share
        percent = f"{invoice.g_account_percent.normalize():f}".replace(".", ",")
        parts.append(
            f"G-rekening: {format_money(invoice.g_account_cents, invoice.currency, 'nl')} "
            f"({percent}% van het totaal) op {supplier.get('g_iban', '')}, "
            f"{format_money(invoice.total_cents - invoice.g_account_cents, invoice.currency, 'nl')} "
            f"op {supplier.get('iban', '')}"
        )
    return "; ".join(parts)


def invoice_ubl(invoice: Invoice) -> bytes:  # noqa: PLR0915 - one statement per element, in document order
    cac, cbc = NS["cac"], NS["cbc"]

    def el(
        parent: etree.Element, ns: str, tag: str, text: object = None, **attrs: object
    ) -> etree.Element:
        node = etree.SubElement(parent, f"{{{ns}}}{tag}", {k: str(v) for k, v in attrs.items()})
        if text is not None:
            node.text = str(text)
        return node

    def money(parent: etree.Element, tag: str, cents: int) -> etree.Element:
        return el(
            parent, cbc, tag, decimal_string(cents, invoice.currency), currencyID=invoice.currency
        )

    def party(
        parent: etree.Element, tag: str, data: dict[str, Any], *, vat: str, postcode_city: str
    ) -> None:
        wrapper = el(parent, cac, tag)
        node = el(wrapper, cac, "Party")
        # A public body is addressed by its OIN when we know it, everyone else by KvK.
        endpoint, scheme = (
            (data["oin"], OIN_SCHEME) if data.get("oin") else (data["kvk"], KVK_SCHEME)
        )
        el(node, cbc, "EndpointID", endpoint, schemeID=scheme)
        ident = el(node, cac, "PartyIdentification")
        el(ident, cbc, "ID", endpoint, schemeID=scheme)
        el(el(node, cac, "PartyName"), cbc, "Name", data["name"])
        address = el(node, cac, "PostalAddress")
        found = POSTCODE.match(postcode_city.strip())
        postcode = found.group(0) if found else ""
        city = postcode_city.strip()[len(postcode) :].strip()
        if data.get("address"):
            el(address, cbc, "StreetName", data["address"])
        if city:
            el(address, cbc, "CityName", city)
        if postcode:
            el(address, cbc, "PostalZone", postcode)
        el(el(address, cac, "Country"), cbc, "IdentificationCode", "NL")
        if vat:
            tax_scheme = el(node, cac, "PartyTaxScheme")
            el(tax_scheme, cbc, "CompanyID", vat)
            el(el(tax_scheme, cac, "TaxScheme"), cbc, "ID", "VAT")
        legal = el(node, cac, "PartyLegalEntity")
        el(legal, cbc, "RegistrationName", data["name"])
        el(legal, cbc, "CompanyID", data["kvk"], schemeID=KVK_SCHEME)
        if data.get("email"):
            el(el(node, cac, "Contact"), cbc, "ElectronicMail", data["email"])

    category = "S" if invoice.vat_rate > 0 else "Z"
    percent = f"{invoice.vat_rate:.2f}"

    def tax_category(parent: etree.Element, tag: str, *, reverse_charged: bool) -> None:
        node = el(parent, cac, tag)
        if reverse_charged:  # EN 16931 category AE: VAT reverse charge
            el(node, cbc, "ID", "AE")
            el(node, cbc, "Percent", "0.00")
            if tag == "TaxCategory":  # an exemption reason belongs on the breakdown only
                el(node, cbc, "TaxExemptionReasonCode", "VATEX-EU-AE")
                el(node, cbc, "TaxExemptionReason", "Btw verlegd")
        else:
            el(node, cbc, "ID", category)
            el(node, cbc, "Percent", percent)
        el(el(node, cac, "TaxScheme"), cbc, "ID", "VAT")

    references = contract_references(invoice)
    for prefix, uri in NS.items():
        etree.register_namespace(prefix or "", uri)
    root = etree.Element(f"{{{NS[None]}}}Invoice")
    el(root, cbc, "CustomizationID", CUSTOMIZATION_ID)
    el(root, cbc, "ProfileID", PROFILE_ID)
    el(root, cbc, "ID", invoice.display_number)
    el(root, cbc, "IssueDate", invoice.issued_on.isoformat())
    el(root, cbc, "DueDate", invoice.due_on.isoformat())
    el(root, cbc, "InvoiceTypeCode", "380")
    note = invoice_note(invoice)
    if note:
        el(root, cbc, "Note", note)
    el(root, cbc, "DocumentCurrencyCode", invoice.currency)
    el(root, cbc, "BuyerReference", references[0] if references else invoice.display_number)
    period = el(root, cac, "InvoicePeriod")
    el(period, cbc, "StartDate", invoice.period_start.isoformat())
    el(period, cbc, "EndDate", invoice.period_end.isoformat())
    for reference in references:
        el(el(root, cac, "ContractDocumentReference"), cbc, "ID", reference)
    supplier, customer = invoice.supplier, invoice.customer
    party(
        root,
        "AccountingSupplierParty",
        supplier,
        vat=supplier.get("vat_id", ""),
        postcode_city=supplier.get("postcode_city", ""),
    )
    party(
        root,
        "AccountingCustomerParty",
        customer,
        vat=customer.get("vat_number", ""),
        postcode_city=customer.get("postcode_city", ""),
    )
    means = el(root, cac, "PaymentMeans")
    el(means, cbc, "PaymentMeansCode", "30")
    el(means, cbc, "PaymentID", invoice.display_number)
    if supplier.get("iban"):
        account = el(means, cac, "PayeeFinancialAccount")
        el(account, cbc, "ID", supplier["iban"])
        el(account, cbc, "Name", supplier["name"])
        if supplier.get("bic"):
            el(el(account, cac, "FinancialInstitutionBranch"), cbc, "ID", supplier["bic"])
    if invoice.g_account_cents and supplier.get("g_iban"):
        # The share for the G-account: a second credit transfer (the amounts are in the note).
        g_means = el(root, cac, "PaymentMeans")
        el(g_means, cbc, "PaymentMeansCode", "30", name="G-rekening")
        el(g_means, cbc, "PaymentID", invoice.display_number)
        g_account = el(g_means, cac, "PayeeFinancialAccount")
        el(g_account, cbc, "ID", supplier["g_iban"])
        el(g_account, cbc, "Name", f"G-rekening {supplier['name']}")
    el(el(root, cac, "PaymentTerms"), cbc, "Note", f"Betaling uiterlijk {invoice.due_on:%d-%m-%Y}")
    tax = el(root, cac, "TaxTotal")
    money(tax, "TaxAmount", invoice.vat_cents)
    standard = invoice.standard_vat_base_cents
    if standard or not invoice.reverse_charged_cents:
        sub = el(tax, cac, "TaxSubtotal")
        money(sub, "TaxableAmount", standard)
        money(sub, "TaxAmount", invoice.vat_cents)
        tax_category(sub, "TaxCategory", reverse_charged=False)
    if invoice.reverse_charged_cents:
        sub = el(tax, cac, "TaxSubtotal")
        money(sub, "TaxableAmount", invoice.reverse_charged_cents)
        money(sub, "TaxAmount", 0)
        tax_category(sub, "TaxCategory", reverse_charged=True)
    totals = el(root, cac, "LegalMonetaryTotal")
    money(totals, "LineExtensionAmount", invoice.subtotal_cents)
    money(totals, "TaxExclusiveAmount", invoice.subtotal_cents)
    money(totals, "TaxInclusiveAmount", invoice.total_cents)
    money(totals, "PayableAmount", invoice.total_cents)
    for number, line in enumerate(invoice.lines.all(), start=1):
        node = el(root, cac, "InvoiceLine")
        el(node, cbc, "ID", number)
        el(node, cbc, "InvoicedQuantity", f"{Decimal(line.minutes) / 60:.4f}", unitCode="HUR")
        money(node, "LineExtensionAmount", line.amount_cents)
        line_period = el(node, cac, "InvoicePeriod")
        el(line_period, cbc, "StartDate", line.work_date.isoformat())
        el(line_period, cbc, "EndDate", line.work_date.isoformat())
        item = el(node, cac, "Item")
        el(item, cbc, "Name", line.description[:100])
        tax_category(item, "ClassifiedTaxCategory", reverse_charged=line.vat_reverse_charged)
        price = el(node, cac, "Price")
        money(price, "PriceAmount", line.hourly_cents)
    etree.indent(root)
    document: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return document
