"""A shop's SaaS invoice as a PDF (ReportLab; the CID font STSong-Light renders Chinese
without shipping font files)."""
from datetime import timedelta
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from pawpact.core.money import Money
from pawpact.platform.enums import InvoiceStatus
from pawpact.platform.models import SaasInvoice

FONT = "STSong-Light"
_font_registered = False


def _font() -> str:
    global _font_registered
    if not _font_registered:
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
        _font_registered = True
    return FONT


def saas_invoice_pdf(invoice: SaasInvoice) -> bytes:
    font = _font()
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=4 * mm)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    shop = invoice.shop
    amount = Money(invoice.amount_minor, invoice.currency).format()
    last_day = invoice.period_end - timedelta(days=1)  # periods are [start, end)
    period = f"{invoice.period_start:%Y-%m-%d} – {last_day:%Y-%m-%d}"
    status = InvoiceStatus(invoice.status).label
    if invoice.paid_at:
        status = f"{status} {timezone.localtime(invoice.paid_at):%Y-%m-%d %H:%M}"
    rows = [
        ["账单编号 Invoice number", invoice.number],
        ["出账日期 Issued", f"{timezone.localtime(invoice.created_at):%Y-%m-%d}"],
        ["门店 Shop", shop.name],
        ["订阅方案 Plan", invoice.plan.name],
        ["计费周期 Service period", period],
        ["金额 Amount", amount],
        ["状态 Status", str(status)],
    ]
    table = Table(
        [[Paragraph(escape(label), body), Paragraph(escape(value), body)] for label, value in rows],
        colWidths=[55 * mm, 110 * mm],
    )
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    story = [
        Paragraph(escape("Pawpact 订阅账单 / Subscription invoice"), title),
        table,
        Spacer(1, 6 * mm),
        Paragraph(escape(f"Pawpact SaaS — {invoice.plan.name}, {amount} / 月 month"), body),
    ]
    buffer = BytesIO()
    SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Pawpact invoice {invoice.number}",
        author="Pawpact",
        subject=f"{shop.name} {invoice.number}",
        creator="Pawpact",
    ).build(story)
    return buffer.getvalue()
