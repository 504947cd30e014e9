"""Printable documents as PDF (reportlab): the invoice, the credit note, the income statement."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from werkstation.pdf import a4_pdf

from .models import CreditNote, Invoice


def euros(cents: int) -> str:
    whole, rest = divmod(abs(cents), 100)
    text = f"€ {whole:,}".replace(",", ".") + f",{rest:02d}"
    return f"-{text}" if cents < 0 else text


def invoice_pdf(invoice: Invoice) -> bytes:
    styles = getSampleStyleSheet()
    title = f"Factuur {invoice.display_number}"
    supplier, customer = invoice.supplier, invoice.customer
    story = [
        Paragraph(supplier["name"], styles["Title"]),
        Paragraph(
            f"{supplier['address']}<br/>{supplier['postcode_city']}<br/>KvK {supplier['kvk']}"
            + (f" · btw-id {supplier['vat_id']}" if supplier.get("vat_id") else "")
            + (f"<br/>IBAN {supplier['iban']}" if supplier.get("iban") else ""),
            styles["Normal"],
        ),
        Spacer(1, 8 * mm),
        Paragraph(f"Factuur {invoice.display_number}", styles["Heading2"]),
        Paragraph(
            f"Factuurdatum {invoice.issued_on:%d-%m-%Y} · vervaldatum {invoice.due_on:%d-%m-%Y}<br/>"
            f"Periode {invoice.period_start:%d-%m-%Y} t/m {invoice.period_end:%d-%m-%Y}",
            styles["Normal"],
        ),
        Spacer(1, 4 * mm),
        Paragraph(
            f"Aan: {customer['name']}<br/>{customer['address']}<br/>{customer['postcode_city']}<br/>KvK {customer['kvk']}"
            + (f" · btw-nummer {customer['vat_number']}" if customer.get("vat_number") else ""),
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    rows = [["Datum", "Omschrijving", "Uren", "Tarief", "Bedrag"]]
    for line in invoice.lines.all():
        rows.append(
            [f"{line.work_date:%d-%m-%Y}", line.description[:60], f"{line.minutes / 60:.2f}".replace(".", ","),
             euros(line.hourly_cents), euros(line.amount_cents)]
        )  # fmt: skip
    rate = (
        f"{invoice.vat_rate:.0f}"
        if invoice.vat_rate == invoice.vat_rate.to_integral()
        else f"{invoice.vat_rate}"
    )
    rows += [
        ["", "Subtotaal", "", "", euros(invoice.subtotal_cents)],
        ["", f"Btw {rate}%", "", "", euros(invoice.vat_cents)],
        ["", "Totaal", "", "", euros(invoice.total_cents)],
    ]
    table = Table(rows, colWidths=[24 * mm, 76 * mm, 18 * mm, 22 * mm, 28 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                ("LINEABOVE", (0, -3), (-1, -3), 0.5, colors.black),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 8 * mm),
        Paragraph(
            f"Graag het totaal van {euros(invoice.total_cents)} vóór {invoice.due_on:%d-%m-%Y} overmaken"
            + (f" op {supplier['iban']}" if supplier.get("iban") else "")
            + f" onder vermelding van factuurnummer {invoice.display_number}.",
            styles["Normal"],
        ),
    ]
    return a4_pdf(title, story)


def credit_note_pdf(note: CreditNote) -> bytes:
    """A Dutch credit note: names the invoice it corrects; amounts shown negative."""
    styles = getSampleStyleSheet()
    title = f"Creditnota {note.display_number}"
    supplier, customer, invoice = note.supplier, note.customer, note.invoice
    story = [
        Paragraph(supplier["name"], styles["Title"]),
        Paragraph(
            f"{supplier['address']}<br/>{supplier['postcode_city']}<br/>KvK {supplier['kvk']}"
            + (f" · btw-id {supplier['vat_id']}" if supplier.get("vat_id") else ""),
            styles["Normal"],
        ),
        Spacer(1, 8 * mm),
        Paragraph(f"Creditnota {note.display_number}", styles["Heading2"]),
        Paragraph(
            f"Datum {note.issued_on:%d-%m-%Y}<br/>"
            f"Creditering van factuur {invoice.display_number} van {invoice.issued_on:%d-%m-%Y}<br/>"
            f"Reden: {note.reason}",
            styles["Normal"],
        ),
        Spacer(1, 4 * mm),
        Paragraph(
            f"Aan: {customer['name']}<br/>{customer['address']}<br/>{customer['postcode_city']}<br/>KvK {customer['kvk']}"
            + (f" · btw-nummer {customer['vat_number']}" if customer.get("vat_number") else ""),
            styles["Normal"],
        ),
        Spacer(1, 6 * mm),
    ]
    rows = [["Omschrijving", "Bedrag", "Btw"]]
    for line in note.lines.all():
        rows.append([line.description[:70], euros(-line.amount_cents), euros(-line.vat_cents)])
    rate = (
        f"{note.vat_rate:.0f}"
        if note.vat_rate == note.vat_rate.to_integral()
        else f"{note.vat_rate}"
    )
    rows += [
        ["Subtotaal", euros(-note.subtotal_cents), ""],
        [f"Btw {rate}%", euros(-note.vat_cents), ""],
        ["Totaal", euros(-note.total_cents), ""],
    ]
    table = Table(rows, colWidths=[110 * mm, 30 * mm, 28 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("ALIGN", (1, 0), (-1, -1), "RIGHT"), ("LINEABOVE", (0, -3), (-1, -3), 0.5, colors.black),
        ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
    ]))  # fmt: skip
    story += [
        table,
        Spacer(1, 8 * mm),
        Paragraph(
            f"Dit bedrag van {euros(note.total_cents)} wordt verrekend met factuur {invoice.display_number}; "
            "wat u daarvan al betaalde, betalen wij u terug.",
            styles["Normal"],
        ),
    ]
    return a4_pdf(title, story)


def income_statement_pdf(
    *, user, cooperative_names: list[str], month_start, month_end, splits
) -> bytes:
    """A member's monthly income statement, to hand to the municipality's benefits office."""
    styles = getSampleStyleSheet()
    title = "Inkomstenoverzicht"
    rows = [["Datum", "Werk", "Minuten", "Bruto", "Afdrachten", "Netto"]]
    for split in splits:
        deductions = sum(split.pots.values())
        rows.append([f"{split.work_date:%d-%m-%Y}", split.timesheet.claim.shift.job.title[:40], str(split.minutes),
                     euros(split.gross_cents), euros(deductions), euros(split.member_cents)])  # fmt: skip
    gross = sum(s.gross_cents for s in splits)
    net = sum(s.member_cents for s in splits)
    rows.append(
        [
            "",
            "Totaal",
            str(sum(s.minutes for s in splits)),
            euros(gross),
            euros(gross - net),
            euros(net),
        ]
    )
    table = Table(rows, colWidths=[24 * mm, 58 * mm, 18 * mm, 24 * mm, 24 * mm, 24 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"), ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("ALIGN", (2, 0), (-1, -1), "RIGHT"), ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
        ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
    ]))  # fmt: skip
    story = [
        Paragraph("Inkomstenoverzicht", styles["Title"]),
        Paragraph(f"{user.full_name} · {', '.join(cooperative_names)}", styles["Normal"]),
        Paragraph(f"Periode {month_start:%d-%m-%Y} t/m {month_end:%d-%m-%Y}", styles["Normal"]),
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 6 * mm),
        Paragraph(
            "Bruto is wat de opdrachtgever voor het werk betaalt (zonder btw); afdrachten gaan naar de "
            "fondsen van de coöperatie volgens de regels die de leden hebben vastgesteld.",
            styles["Normal"],
        ),
    ]
    return a4_pdf(title, story)
