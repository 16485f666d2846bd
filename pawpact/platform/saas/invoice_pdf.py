"""A shop's SaaS invoice as a PDF."""
from datetime import timedelta

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from pawpact.core.money import Money
from pawpact.core.pdf import body_style, pdf_render, text, title_style
from pawpact.platform.enums import InvoiceStatus
from pawpact.platform.models import SaasInvoice


def saas_invoice_pdf(invoice: SaasInvoice) -> bytes:
    title = title_style(size=16, leading=22, space_after=4 * mm)
    body = body_style(size=10, leading=15)
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
    table = Table([[text(label, body), text(value, body)] for label, value in rows], colWidths=[55 * mm, 110 * mm])
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    story = [
        text("Pawpact 订阅账单 / Subscription invoice", title),
        table,
        Spacer(1, 6 * mm),
        text(f"Pawpact SaaS — {invoice.plan.name}, {amount} / 月 month", body),
    ]
    return pdf_render(
        story,
        title=f"Pawpact invoice {invoice.number}",
        author="Pawpact",
        subject=f"{shop.name} {invoice.number}",
        creator="Pawpact",
    )
