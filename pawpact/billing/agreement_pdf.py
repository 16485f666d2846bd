"""A PDF copy of a signed agreement: the stored text, then the signature block.

ReportLab's built-in CID font STSong-Light renders Chinese without shipping font
files (the reader's PDF viewer supplies the glyphs). The SHA-256 is also written
into the document's metadata, so the copy can be matched to its record without
parsing page content.
"""
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer

from pawpact.billing.models import Contract

FONT = "STSong-Light"
_font_registered = False


def _font() -> str:
    global _font_registered
    if not _font_registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _font_registered = True
    return FONT


def agreement_pdf(contract: Contract) -> bytes:
    """The signed agreement as PDF bytes. Only signed contracts have one."""
    if not contract.agreement_text or not contract.signed_at:
        raise ValueError("Only a signed contract has an agreement PDF.")
    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=15, leading=20, spaceAfter=4 * mm)
    body = ParagraphStyle("body", fontName=font, fontSize=9.5, leading=14, wordWrap="CJK")
    heading = ParagraphStyle("heading", parent=body, fontSize=11, leading=16, spaceBefore=3 * mm)
    # The digest in a Latin font: 64 hex characters must wrap anywhere, and stay searchable.
    digest = ParagraphStyle("digest", fontName="Courier", fontSize=8.5, leading=12, wordWrap="CJK")

    lines = contract.agreement_text.splitlines()
    story = [Paragraph(escape(lines[0]), title)]
    for line in lines[1:]:
        if not line.strip():
            story.append(Spacer(1, 2 * mm))
        elif _is_heading(line):
            story.append(Paragraph(escape(line), heading))
        else:
            story.append(Paragraph(escape(line), body))

    signed_at = timezone.localtime(contract.signed_at).isoformat(timespec="seconds")
    story += [
        Spacer(1, 6 * mm),
        HRFlowable(width="100%"),
        Paragraph(escape("签署记录 / Signature record"), heading),
        Paragraph(escape(f"签署人 Signed by: {contract.signed_by_name}"), body),
        Paragraph(escape(f"签署时间 Signed at: {signed_at}"), body),
        Paragraph(escape(f"IP 地址 IP address: {contract.signed_ip or '-'}"), body),
        Paragraph(escape(f"设备 Device: {contract.signed_user_agent or '-'}"), body),
        Paragraph(escape("文本 SHA-256 of the text:"), body),
        Paragraph(contract.agreement_sha256, digest),
    ]

    buffer = BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=lines[0],
        author=contract.signed_by_name,
        subject=f"SHA-256 {contract.agreement_sha256}",
        keywords=[str(contract.uuid), contract.agreement_sha256],
        creator="Pawpact",
    )
    document.build(story)
    return buffer.getvalue()


def _is_heading(line: str) -> bool:
    # Clause headings look like "三、扣款日历 / Debit calendar".
    return "、" in line[:4] and " / " in line
