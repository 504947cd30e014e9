"""A4 PDF documents (invoices, credit notes, statements, reports) with one page layout."""

from __future__ import annotations

from io import BytesIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import SimpleDocTemplate


def a4_pdf(title: str, story: list) -> bytes:
    """Lay out ``story`` (reportlab flowables) on A4 with the house margins; the PDF bytes."""
    buffer = BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, title=title
    ).build(story)
    return buffer.getvalue()
