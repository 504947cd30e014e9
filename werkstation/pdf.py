"""A4 PDF documents (invoices, credit notes, statements, reports) with one page layout.

reportlab's ``Paragraph`` reads its text as markup: ``<img src=…>`` embeds a file from the
server, ``<a href=…>`` a link, and a broken tag makes the whole document fail. So user text
(a client's name, an address, a reason) never goes into a paragraph as it is:
``paragraph`` takes fixed markup with ``{named}`` places and escapes every value it fills
in. Table cells given as plain strings are drawn as text, not read as markup.
"""

from __future__ import annotations

from io import BytesIO
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

if TYPE_CHECKING:
    from reportlab.lib.styles import ParagraphStyle


def pdf_text(value: object) -> str:
    """User text as inert paragraph text: ``&``, ``<`` and ``>`` escaped."""
    return escape(str(value))


def paragraph(markup: str, style: ParagraphStyle, **values: object) -> Paragraph:
    """A paragraph of our own ``markup`` (tags like ``<br/>`` allowed) with ``values``
    filled in as escaped text: ``paragraph("Aan: {name}<br/>{city}", style, name=…)``."""
    return Paragraph(markup.format(**{k: pdf_text(v) for k, v in values.items()}), style)


def a4_pdf(title: str, story: list[Flowable]) -> bytes:
    """Lay out ``story`` (reportlab flowables) on A4 with the house margins; the PDF bytes."""
    buffer = BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, title=title
    ).build(story)
    return buffer.getvalue()
