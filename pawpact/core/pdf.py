"""What every PDF the product renders shares: the Chinese font, text styles and the page setup.

ReportLab's built-in CID font STSong-Light renders Chinese without shipping font
files (the reader's PDF viewer supplies the glyphs); it is registered once per process.
"""
from functools import cache
from io import BytesIO
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate

FONT = "STSong-Light"


@cache
def cjk_font() -> str:
    """The font's name, registered with ReportLab on first use."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    return FONT


def title_style(*, size: float, leading: float, space_after: float) -> ParagraphStyle:
    return ParagraphStyle("title", fontName=cjk_font(), fontSize=size, leading=leading, spaceAfter=space_after)


def body_style(*, size: float, leading: float) -> ParagraphStyle:
    """Running text; CJK wrapping breaks lines between any two characters, as Chinese needs."""
    return ParagraphStyle("body", fontName=cjk_font(), fontSize=size, leading=leading, wordWrap="CJK")


def heading_style(body: ParagraphStyle, *, space_before: float, space_after: float = 0) -> ParagraphStyle:
    """A section heading: the body's font and wrapping, at 11 points."""
    return ParagraphStyle(
        "heading", parent=body, fontSize=11, leading=16, spaceBefore=space_before, spaceAfter=space_after
    )


def text(value: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text: `<` and `&` in names and agreement clauses print as they are."""
    return Paragraph(escape(value), style)


def pdf_render(story: list[Flowable], *, pagesize: tuple[float, float] = A4, margin: float = 18 * mm,
               **info: Any) -> bytes:  # fmt: skip
    """The story laid out on pages with the same margin on every side; `info` is the document's
    metadata (title, author, subject, keywords, creator)."""
    buffer = BytesIO()
    SimpleDocTemplate(
        buffer, pagesize=pagesize, leftMargin=margin, rightMargin=margin, topMargin=margin, bottomMargin=margin, **info
    ).build(story)
    return buffer.getvalue()
