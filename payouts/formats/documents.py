"""Printable documents as PDF (reportlab): the invoice, the credit note, the income statement.

Every value from a person (names, addresses, reasons, job titles) goes in through
``werkstation.pdf.paragraph`` (escaped) or as a plain table cell (drawn as text).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.lib.styles import StyleSheet1, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from werkstation.engagements import ALL
from werkstation.money import format_money
from werkstation.pdf import a4_pdf, paragraph

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date

    from reportlab.platypus import Paragraph

    from members.models import User
    from payouts.models import CreditNote, Invoice, SelfBillingInvoice, Split


def invoice_pdf(invoice: Invoice) -> bytes:
    styles = getSampleStyleSheet()
    title = f"Factuur {invoice.display_number}"
    supplier, customer = invoice.supplier, invoice.customer
    story = [
        paragraph("{name}", styles["Title"], name=supplier["name"]),
        _party(supplier, styles, iban=True),
        Spacer(1, 8 * mm),
        paragraph("Factuur {n}", styles["Heading2"], n=invoice.display_number),
        paragraph(
            "Factuurdatum {issued} · vervaldatum {due}<br/>Periode {start} t/m {end}",
            styles["Normal"],
            issued=f"{invoice.issued_on:%d-%m-%Y}",
            due=f"{invoice.due_on:%d-%m-%Y}",
            start=f"{invoice.period_start:%d-%m-%Y}",
            end=f"{invoice.period_end:%d-%m-%Y}",
        ),
        Spacer(1, 4 * mm),
        _customer(customer, styles),
        Spacer(1, 6 * mm),
    ]
    rows = [["Datum", "Omschrijving", "Uren", "Tarief", "Bedrag"]]
    mixed = 0 < invoice.reverse_charged_cents < invoice.subtotal_cents
    for line in invoice.lines.all():
        rows.append(
            [
                f"{line.work_date:%d-%m-%Y}",
                line.description[:45] + " (btw verlegd)"
                if mixed and line.vat_reverse_charged
                else line.description[:60],
                f"{line.minutes / 60:.2f}".replace(".", ","),
                format_money(line.hourly_cents, invoice.currency, "nl"),
                format_money(line.amount_cents, invoice.currency, "nl"),
            ]
        )
    rate = (
        f"{invoice.vat_rate:.0f}"
        if invoice.vat_rate == invoice.vat_rate.to_integral()
        else f"{invoice.vat_rate}"
    )

    def eur(cents: int) -> str:
        return format_money(cents, invoice.currency, "nl")

    totals = [["", "Subtotaal", "", "", eur(invoice.subtotal_cents)]]
    if invoice.reverse_charged_cents:
        if invoice.standard_vat_base_cents:
            totals.append(
                [
                    "",
                    f"Btw {rate}% over {eur(invoice.standard_vat_base_cents)}",
                    "",
                    "",
                    eur(invoice.vat_cents),
                ]
            )
        totals.append(
            ["", f"Btw verlegd over {eur(invoice.reverse_charged_cents)}", "", "", eur(0)]
        )
    else:
        totals.append(["", f"Btw {rate}%", "", "", eur(invoice.vat_cents)])
    totals.append(["", "Totaal", "", "", eur(invoice.total_cents)])
    rows += totals
    table = _table(
        rows, [24 * mm, 76 * mm, 18 * mm, 22 * mm, 28 * mm], numbers_from=2, totals=len(totals)
    )
    story += [table, Spacer(1, 6 * mm)]
    if invoice.reverse_charged_cents:
        story.append(
            paragraph(
                "Btw verlegd: de btw over {amount} is verlegd naar {name}, btw-nummer {vat} "
                "(uitlening van personeel voor werk aan onroerende zaken).",
                styles["Normal"],
                amount=eur(invoice.reverse_charged_cents),
                name=customer["name"],
                vat=customer.get("vat_number") or "",
            )
        )
    if invoice.g_account_cents:
        assert invoice.g_account_percent is not None  # set with the G-account share
        story += [
            Spacer(1, 2 * mm),
            paragraph(
                "Graag het totaal van {total} vóór {due} in twee delen overmaken, beide onder "
                "vermelding van factuurnummer {n}:<br/>"
                "{g} ({percent}% van het totaal) op G-rekening {g_iban};<br/>"
                "{rest} op rekening {iban}.<br/>"
                "Het deel op de G-rekening dekt de loonheffingen en btw (ketenaansprakelijkheid).",
                styles["Normal"],
                total=eur(invoice.total_cents),
                due=f"{invoice.due_on:%d-%m-%Y}",
                n=invoice.display_number,
                g=eur(invoice.g_account_cents),
                percent=f"{invoice.g_account_percent.normalize():f}".replace(".", ","),
                g_iban=supplier.get("g_iban") or "",
                rest=eur(invoice.total_cents - invoice.g_account_cents),
                iban=supplier.get("iban") or "",
            ),
        ]
        return a4_pdf(title, story)
    story += [
        Spacer(1, 2 * mm),
        paragraph(
            "Graag het totaal van {total} vóór {due} overmaken{to} onder vermelding van factuurnummer {n}.",
            styles["Normal"],
            total=format_money(invoice.total_cents, invoice.currency, "nl"),
            due=f"{invoice.due_on:%d-%m-%Y}",
            to=f" op {supplier['iban']}" if supplier.get("iban") else "",
            n=invoice.display_number,
        ),
    ]
    return a4_pdf(title, story)


def _party(party: dict[str, Any], styles: StyleSheet1, *, iban: bool = False) -> Paragraph:
    """The supplier's address block (its name is the title above)."""
    markup = "{address}<br/>{postcode_city}<br/>KvK {kvk}"
    if party.get("vat_id"):
        markup += " · btw-id {vat_id}"
    if party.get("lender_registration"):
        markup += "<br/>Registratie uitlener: {lender_registration}"
    if party.get("wtta_number"):
        markup += "<br/>Wtta-toelating: {wtta_number}"
    if iban and party.get("iban"):
        markup += "<br/>IBAN {iban}"
    return paragraph(markup, styles["Normal"], **_fields(party))


def _customer(party: dict[str, Any], styles: StyleSheet1) -> Paragraph:
    markup = "Aan: {name}<br/>{address}<br/>{postcode_city}<br/>KvK {kvk}"
    if party.get("vat_number"):
        markup += " · btw-nummer {vat_number}"
    return paragraph(markup, styles["Normal"], **_fields(party))


def _fields(party: dict[str, Any]) -> dict[str, Any]:
    return {key: "" if value is None else value for key, value in party.items()}


def credit_note_pdf(note: CreditNote) -> bytes:
    """A Dutch credit note: names the invoice it corrects; amounts shown negative."""
    styles = getSampleStyleSheet()
    title = f"Creditnota {note.display_number}"
    supplier, customer, invoice = note.supplier, note.customer, note.invoice
    story = [
        paragraph("{name}", styles["Title"], name=supplier["name"]),
        _party(supplier, styles),
        Spacer(1, 8 * mm),
        paragraph("Creditnota {n}", styles["Heading2"], n=note.display_number),
        paragraph(
            "Datum {date}<br/>Creditering van factuur {invoice} van {issued}<br/>Reden: {reason}",
            styles["Normal"],
            date=f"{note.issued_on:%d-%m-%Y}",
            invoice=invoice.display_number,
            issued=f"{invoice.issued_on:%d-%m-%Y}",
            reason=note.reason,
        ),
        Spacer(1, 4 * mm),
        _customer(customer, styles),
        Spacer(1, 6 * mm),
    ]
    rows = [["Omschrijving", "Bedrag", "Btw"]]
    for line in note.lines.all():
        rows.append(
            [
                line.description[:70],
                format_money(-line.amount_cents, invoice.currency, "nl"),
                format_money(-line.vat_cents, invoice.currency, "nl"),
            ]
        )
    rate = (
        f"{note.vat_rate:.0f}"
        if note.vat_rate == note.vat_rate.to_integral()
        else f"{note.vat_rate}"
    )
    rows += [
        ["Subtotaal", format_money(-note.subtotal_cents, invoice.currency, "nl"), ""],
        [
            "Btw verlegd"
            if invoice.reverse_charged_cents == invoice.subtotal_cents
            and invoice.reverse_charged_cents
            else f"Btw {rate}%",
            format_money(-note.vat_cents, invoice.currency, "nl"),
            "",
        ],
        ["Totaal", format_money(-note.total_cents, invoice.currency, "nl"), ""],
    ]
    table = _table(rows, [110 * mm, 30 * mm, 28 * mm], numbers_from=1, totals=3)
    story += [
        table,
        Spacer(1, 8 * mm),
        paragraph(
            "Dit bedrag van {total} wordt verrekend met factuur {invoice}; wat u daarvan al betaalde, betalen wij u terug.",
            styles["Normal"],
            total=format_money(note.total_cents, invoice.currency, "nl"),
            invoice=invoice.display_number,
        ),
    ]
    return a4_pdf(title, story)


# The statement's groups, in Dutch like the rest of the document.
STATEMENT_GROUPS = {
    "employee": "Loon via de salarisverwerker",
    "self_employed": "Vergoedingen als zelfstandige",
    "volunteer": "Vrijwilligersvergoedingen",
}


def _table(
    rows: list[list[str]],
    widths: list[float],
    *,
    numbers_from: int,
    totals: int,
    bold: Iterable[int] = (),
) -> Table:
    """A document's table: a bold heading row, numbers right-aligned from column
    ``numbers_from``, a rule above the last ``totals`` rows and the last row bold."""
    table = Table(rows, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("ALIGN", (numbers_from, 0), (-1, -1), "RIGHT"),
                ("LINEABOVE", (0, -totals), (-1, -totals), 0.5, colors.black),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                *(("FONTNAME", (0, row), (-1, row), "Helvetica-Bold") for row in bold),
            ]
        )
    )
    return table


def _hours(minutes: int) -> str:
    """Minutes as hours with two decimals, Dutch style: 165 → "2,75"."""
    return f"{minutes / 60:.2f}".replace(".", ",")


def income_statement_pdf(
    *,
    user: User,
    cooperative_names: list[str],
    month_start: date,
    month_end: date,
    splits: Sequence[Split],
) -> bytes:
    """A member's monthly income statement, to hand to the municipality's benefits office."""
    styles = getSampleStyleSheet()
    title = "Inkomstenoverzicht"
    # Hours as on the invoices ("2,75"), not a count of minutes a benefits office must divide.
    rows = [["Datum", "Werk", "Uren", "Bruto", "Afdrachten", "Netto"]]
    bold: list[int] = []  # rows of a group's heading and subtotal
    # Grouped by engagement, as a benefits office asks: wage, fees and allowances apart.
    for engagement in ALL:
        group = [s for s in splits if s.engagement == engagement]
        if not group:
            continue
        bold.append(len(rows))
        rows.append(["", STATEMENT_GROUPS[engagement], "", "", "", ""])
        for split in group:
            rows.append(
                [
                    f"{split.work_date:%d-%m-%Y}",
                    split.timesheet.claim.shift.job.title[:40],
                    _hours(split.minutes),
                    format_money(split.gross_cents, language="nl"),
                    format_money(sum(split.pots.values()), language="nl"),
                    format_money(split.member_cents, language="nl"),
                ]
            )
        bold.append(len(rows))
        rows.append(
            [
                "",
                f"Subtotaal {STATEMENT_GROUPS[engagement].lower()}",
                _hours(sum(s.minutes for s in group)),
                format_money(sum(s.gross_cents for s in group), language="nl"),
                format_money(sum(s.gross_cents - s.member_cents for s in group), language="nl"),
                format_money(sum(s.member_cents for s in group), language="nl"),
            ]
        )
    gross = sum(s.gross_cents for s in splits)
    net = sum(s.member_cents for s in splits)
    rows.append(
        [
            "",
            "Totaal",
            _hours(sum(s.minutes for s in splits)),
            format_money(gross, language="nl"),
            format_money(gross - net, language="nl"),
            format_money(net, language="nl"),
        ]
    )
    table = _table(
        rows,
        [24 * mm, 58 * mm, 18 * mm, 24 * mm, 24 * mm, 24 * mm],
        numbers_from=2,
        totals=1,
        bold=bold,
    )
    story = [
        paragraph("Inkomstenoverzicht", styles["Title"]),
        paragraph(
            "{name} · {cooperatives}",
            styles["Normal"],
            name=user.full_name,
            cooperatives=", ".join(cooperative_names),
        ),
        paragraph(
            "Periode {start} t/m {end}",
            styles["Normal"],
            start=f"{month_start:%d-%m-%Y}",
            end=f"{month_end:%d-%m-%Y}",
        ),
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 6 * mm),
        paragraph(
            "Bruto is wat de opdrachtgever voor het werk betaalt (zonder btw); afdrachten gaan naar de "
            "fondsen van de coöperatie volgens de regels die de leden hebben vastgesteld.",
            styles["Normal"],
        ),
        paragraph(
            "Loon is brutoloon: de salarisverwerker houdt er loonheffing op in en zet het op je "
            "loonstrook. Een vergoeding als zelfstandige is omzet van je eigen onderneming. Een "
            "vrijwilligersvergoeding binnen de maximumbedragen is onbelast; wat daarboven viel, "
            "hield de coöperatie in.",
            styles["Normal"],
        ),
    ]
    return a4_pdf(title, story)


MONTH_NAMES = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)


def income_year_rows(splits: Iterable[Split]) -> list[dict[str, int]]:
    """One row per month of the year: gross (what the clients paid, without VAT), the
    payroll wage, self-employed fees, volunteer allowances (member shares), and what counts
    for the benefit: wage and fees; volunteer allowances within the maximums do not."""
    months = [
        {"month": m, "gross": 0, "wage": 0, "fees": 0, "allowances": 0, "counts": 0}
        for m in range(1, 13)
    ]
    for split in splits:
        row = months[split.work_date.month - 1]
        row["gross"] += split.gross_cents
        if split.engagement == "volunteer":
            row["allowances"] += split.member_cents
            continue
        if split.engagement == "employee":
            row["wage"] += split.member_cents
        else:
            row["fees"] += split.member_cents
        row["counts"] += split.member_cents
    return months


def income_year_pdf(
    *, user: User, cooperative_names: list[str], year: int, splits: Iterable[Split]
) -> bytes:
    """A member's earnings per month over ``year``, in the form a benefits office asks for."""
    styles = getSampleStyleSheet()
    title = f"Inkomstenoverzicht {year}"
    months = income_year_rows(splits)
    header = ["Maand", "Bruto", "Loon", "Zelfstandige", "Vrijwilliger", "Telt mee"]
    keys = ("gross", "wage", "fees", "allowances", "counts")
    rows = [header]
    for row in months:
        rows.append(
            [MONTH_NAMES[row["month"] - 1]]
            + [format_money(row[key], language="nl") for key in keys]
        )
    rows.append(
        ["Totaal"] + [format_money(sum(r[key] for r in months), language="nl") for key in keys]
    )
    table = Table(rows, colWidths=[26 * mm, 28 * mm, 28 * mm, 30 * mm, 30 * mm, 28 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.5, colors.black),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
            ]
        )
    )
    story = [
        paragraph("Inkomstenoverzicht {year}", styles["Title"], year=str(year)),
        paragraph(
            "{name} · {cooperatives}",
            styles["Normal"],
            name=user.full_name,
            cooperatives=", ".join(cooperative_names),
        ),
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 6 * mm),
        paragraph(
            "Per maand van de werkdatum. Bruto is wat de opdrachtgever voor het werk betaalt "
            "(zonder btw). Loon is het brutoloon via de salarisverwerker; zelfstandige: "
            "vergoedingen als zelfstandige; vrijwilliger: vrijwilligersvergoedingen binnen de "
            "maximumbedragen. Telt mee: loon en vergoedingen als zelfstandige, het deel dat je "
            "ontvangt; vrijwilligersvergoedingen binnen de maximumbedragen tellen niet mee.",
            styles["Normal"],
        ),
    ]
    return a4_pdf(title, story)


KOR_NOTE = "Vrijgesteld van btw op grond van de kleineondernemersregeling (KOR)"
SELF_BILLING_NOTE = "Factuur uitgereikt door afnemer"


def self_billing_pdf(invoice: SelfBillingInvoice) -> bytes:
    """A self-billing invoice: drawn up by the cooperative (the customer) in the name of the
    member (the supplier), with the legally required mention "Factuur uitgereikt door afnemer"."""
    styles = getSampleStyleSheet()
    member, cooperative = invoice.supplier, invoice.customer

    def eur(cents: int) -> str:
        return format_money(cents, invoice.currency, "nl")

    supplier_markup = "{address}<br/>{postcode_city}"
    if member.get("kvk"):
        supplier_markup += "<br/>KvK {kvk}"
    if member.get("vat_number") and not invoice.kor:
        supplier_markup += "<br/>Btw-nummer {vat_number}"
    story = [
        paragraph("{name}", styles["Title"], name=member["name"]),
        paragraph(supplier_markup, styles["Normal"], **_fields(member)),
        Spacer(1, 6 * mm),
        paragraph(SELF_BILLING_NOTE, styles["Heading3"]),
        paragraph("Factuur {n}", styles["Heading2"], n=invoice.number),
        paragraph(
            "Factuurdatum {issued}<br/>Periode {start} t/m {end}",
            styles["Normal"],
            issued=f"{invoice.issued_on:%d-%m-%Y}",
            start=f"{invoice.period_start:%d-%m-%Y}",
            end=f"{invoice.period_end:%d-%m-%Y}",
        ),
        Spacer(1, 4 * mm),
        paragraph(
            "Aan (afnemer, stelt deze factuur op): {name}<br/>{address}<br/>{postcode_city}"
            "<br/>KvK {kvk}" + (" · btw-id {vat_id}" if cooperative.get("vat_id") else ""),
            styles["Normal"],
            **_fields(cooperative),
        ),
        Spacer(1, 6 * mm),
    ]
    rows = [["Datum", "Omschrijving", "Uren", "Bedrag"]]
    for line in invoice.lines.all():
        rows.append(
            [
                f"{line.work_date:%d-%m-%Y}",
                line.description[:60],
                f"{line.minutes / 60:.2f}".replace(".", ","),
                eur(line.amount_cents),
            ]
        )
    totals = [["", "Subtotaal", "", eur(invoice.subtotal_cents)]]
    if invoice.kor:
        totals.append(["", "Btw (KOR)", "", eur(0)])
    else:
        rate = f"{invoice.vat_rate.normalize():f}".replace(".", ",")
        totals.append(["", f"Btw {rate}%", "", eur(invoice.vat_cents)])
    totals.append(["", "Totaal", "", eur(invoice.total_cents)])
    rows += totals
    table = _table(rows, [24 * mm, 94 * mm, 20 * mm, 30 * mm], numbers_from=2, totals=len(totals))
    story += [table, Spacer(1, 6 * mm)]
    if invoice.kor:
        story.append(paragraph(KOR_NOTE + ".", styles["Normal"]))
    story += [
        Spacer(1, 2 * mm),
        paragraph(
            "{coop} stelt deze factuur op namens {name} (factureren op verzoek, met "
            "instemming van {name}) en betaalt het totaal van {total} uit met de "
            "eerstvolgende uitbetaling.",
            styles["Normal"],
            coop=cooperative.get("name") or "",
            name=member["name"],
            total=eur(invoice.total_cents),
        ),
    ]
    return a4_pdf(f"Factuur {invoice.number}", story)
