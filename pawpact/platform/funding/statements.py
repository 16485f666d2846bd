"""Settlement statements: one per payout, as CSV and PDF.

A statement lists the contracts bought and advanced in the payout, the collections the
platform booked on the shop's contracts since its previous payout (after that
payout's settlement date, up to this one's, by booking date in the platform's time
zone), the clawbacks deducted, and the net payout (advances − clawbacks).

CSV columns: section, contract, date, description, contract_value, advance_rate, fee,
amount, currency. Amounts are in major units with two decimals (¥4,299.20 → 4299.20);
clawbacks are negative; the last rows are the totals (advances, collections,
clawbacks, net_payout).
"""
from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from pawpact.core.clock import local_date, local_midnight
from pawpact.core.money import Money
from pawpact.core.pdf import body_style, cjk_font, heading_style, pdf_render, text, title_style
from pawpact.platform.enums import ClawbackReason, PayoutStatus, PlatformAccount, PlatformJournalKind
from pawpact.platform.models import Payout, PlatformLedgerLine

CSV_HEADER = [
    "section", "contract", "date", "description", "contract_value", "advance_rate", "fee", "amount", "currency",
]  # fmt: skip


@dataclass(frozen=True)
class AdvanceRow:
    contract_uuid: UUID
    signed_on: date
    periods: int
    monthly_amount_minor: int
    value_minor: int
    advance_rate: Decimal
    fee_minor: int
    amount_minor: int


@dataclass(frozen=True)
class CollectionRow:
    contract_uuid: UUID
    booked_on: date
    description: str
    amount_minor: int


@dataclass(frozen=True)
class ClawbackRow:
    contract_uuid: UUID | None  # None for a month of partner redemptions
    created_on: date
    reason: str
    reason_label: str
    amount_minor: int


@dataclass
class Statement:
    payout_id: int
    shop_id: int
    shop_name: str
    shop_slug: str
    settlement_date: date
    since: date | None  # the previous payout's settlement date (exclusive), None for the first
    currency: str
    status: str
    rail_reference: str
    advances: list[AdvanceRow] = field(default_factory=list)
    collections: list[CollectionRow] = field(default_factory=list)
    clawbacks: list[ClawbackRow] = field(default_factory=list)
    advances_minor: int = 0
    clawbacks_minor: int = 0
    net_minor: int = 0

    @property
    def collections_minor(self) -> int:
        return sum(row.amount_minor for row in self.collections)

    @property
    def filename(self) -> str:
        return f"settlement-{self.shop_slug}-{self.settlement_date.isoformat()}-{self.payout_id}"


def statement_build(*, payout: Payout) -> Statement:
    """The statement of one payout, from public tables only."""
    shop = payout.shop
    previous = _previous_settlement_date(payout)
    return Statement(
        payout_id=payout.pk,
        shop_id=shop.pk,
        shop_name=shop.name,
        shop_slug=shop.slug,
        settlement_date=payout.settlement_date,
        since=previous,
        currency=payout.currency,
        status=payout.status,
        rail_reference=payout.rail_reference,
        advances=_advance_rows(payout),
        collections=_collection_rows(payout, since=previous),
        clawbacks=_clawback_rows(payout),
        advances_minor=payout.advances_minor,
        clawbacks_minor=payout.clawbacks_minor,
        net_minor=payout.amount_minor,
    )


def _previous_settlement_date(payout: Payout) -> date | None:
    return (
        Payout.objects.filter(shop_id=payout.shop_id, settlement_date__lt=payout.settlement_date)
        .order_by("-settlement_date")
        .values_list("settlement_date", flat=True)
        .first()
    )


def _advance_rows(payout: Payout) -> list[AdvanceRow]:
    return [
        AdvanceRow(
            contract_uuid=advance.contract_uuid,
            signed_on=local_date(advance.signed_at),
            periods=advance.periods,
            monthly_amount_minor=advance.monthly_amount_minor,
            value_minor=advance.contract_value_minor,
            advance_rate=advance.advance_rate,
            fee_minor=advance.fee_minor,
            amount_minor=advance.amount_minor,
        )
        for advance in payout.advances.order_by("signed_at", "id")
    ]


def _collection_rows(payout: Payout, *, since: date | None) -> list[CollectionRow]:
    """Collections booked after the previous payout's settlement day, up to this one's (inclusive)."""
    lines = PlatformLedgerLine.objects.filter(
        journal__kind=PlatformJournalKind.ADVANCE_COLLECTION,
        journal__shop_id=payout.shop_id,
        account=PlatformAccount.CASH,
        journal__created_at__lt=local_midnight(payout.settlement_date + timedelta(days=1)),
    )
    if since is not None:
        lines = lines.filter(journal__created_at__gte=local_midnight(since + timedelta(days=1)))
    return [
        CollectionRow(
            contract_uuid=line.journal.contract_uuid,
            booked_on=local_date(line.journal.created_at),
            description=line.journal.memo,
            amount_minor=line.amount_minor,
        )
        for line in lines.select_related("journal").order_by("journal__created_at", "journal_id")
    ]


def _clawback_rows(payout: Payout) -> list[ClawbackRow]:
    return [
        ClawbackRow(
            contract_uuid=clawback.advance.contract_uuid if clawback.advance else None,
            created_on=local_date(clawback.created_at),
            reason=clawback.reason,
            reason_label=str(ClawbackReason(clawback.reason).label),
            amount_minor=clawback.amount_minor,
        )
        for clawback in payout.clawbacks.select_related("advance").order_by("id")
    ]


def major(amount_minor: int) -> str:
    """Fen as yuan with two decimals: 429920 → "4299.20", -39900 → "-399.00"."""
    return f"{Decimal(amount_minor).scaleb(-2):.2f}"


def statement_rows(statement: Statement) -> list[list[str]]:
    """The CSV's rows, header first."""
    currency = statement.currency
    rows = [list(CSV_HEADER)]
    for a in statement.advances:
        rows.append([
            "advance", str(a.contract_uuid), a.signed_on.isoformat(),
            f"{a.periods} × {major(a.monthly_amount_minor)}", major(a.value_minor), str(a.advance_rate),
            major(a.fee_minor), major(a.amount_minor), currency,
        ])  # fmt: skip
    for c in statement.collections:
        rows.append(["collection", str(c.contract_uuid), c.booked_on.isoformat(), c.description, "", "", "",
                     major(c.amount_minor), currency])  # fmt: skip
    for k in statement.clawbacks:
        rows.append(["clawback", str(k.contract_uuid or ""), k.created_on.isoformat(), k.reason, "", "", "",
                     major(-k.amount_minor), currency])  # fmt: skip
    for label, amount in (
        ("advances", statement.advances_minor),
        ("collections", statement.collections_minor),
        ("clawbacks", -statement.clawbacks_minor),
        ("net_payout", statement.net_minor),
    ):
        rows.append(["total", "", statement.settlement_date.isoformat(), label, "", "", "", major(amount), currency])
    return rows


def statement_csv(statement: Statement) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(statement_rows(statement))
    return out.getvalue().encode("utf-8")


def statement_pdf(statement: Statement) -> bytes:
    """The statement as a PDF (in the CJK font, so Chinese labels and shop names render)."""
    title = title_style(size=15, leading=20, space_after=3 * mm)
    body = body_style(size=9, leading=13)
    heading = heading_style(body, space_before=4 * mm, space_after=2 * mm)
    story = [
        text(_("Settlement statement"), title),
        *_pdf_header(statement, body),
        text(_("Contracts and advances"), heading),
        _pdf_advances(statement),
        text(_("Collections"), heading),
        _pdf_collections(statement),
        text(_("Clawbacks"), heading),
        _pdf_clawbacks(statement),
        Spacer(1, 4 * mm),
        _pdf_totals(statement),
    ]
    return pdf_render(
        story, pagesize=landscape(A4), margin=14 * mm, title=f"Settlement statement {statement.filename}",
        author="Pawpact", subject=f"payout {statement.payout_id}",
    )  # fmt: skip


def _pdf_header(statement: Statement, body: ParagraphStyle) -> list[Paragraph]:
    since = statement.since.isoformat() if statement.since else "—"
    return [
        text(f"{statement.shop_name} ({statement.shop_slug})", body),
        text(
            _("Payout %(id)s · settlement date %(date)s · collections after %(since)s · status %(status)s")
            % {"id": statement.payout_id, "date": statement.settlement_date.isoformat(), "since": since,
               "status": PayoutStatus(statement.status).label},  # fmt: skip
            body,
        ),
        text(_("Rail reference: %(ref)s") % {"ref": statement.rail_reference or "—"}, body),
    ]


def _pdf_table(header: list[str], rows: list[list[str]]) -> Table:
    """A small grid with a shaded header row repeated on every page; an empty section reads "None"."""
    data = [header] + (rows or [[_("None")] + [""] * (len(header) - 1)])
    table = Table(data, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), cjk_font(), 7.5),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f1f1ee")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8c8c2")),
                ("ALIGN", (-1, 1), (-1, -1), "RIGHT"),
            ]
        )
    )
    return table


def _money_format(currency: str) -> Callable[[int], str]:
    return lambda amount_minor: Money(amount_minor, currency).format()


def _pdf_advances(statement: Statement) -> Table:
    money = _money_format(statement.currency)
    return _pdf_table(
        [_("Contract"), pgettext("date", "Signed"), _("Plan"), _("Value"), _("Rate"), _("Fee"), _("Advance")],
        [
            [str(a.contract_uuid), a.signed_on.isoformat(), f"{a.periods} × {money(a.monthly_amount_minor)}",
             money(a.value_minor), str(a.advance_rate), money(a.fee_minor), money(a.amount_minor)]
            for a in statement.advances
        ],  # fmt: skip
    )


def _pdf_collections(statement: Statement) -> Table:
    money = _money_format(statement.currency)
    return _pdf_table(
        [_("Contract"), _("Booked"), _("Debit"), _("Amount")],
        [[str(c.contract_uuid), c.booked_on.isoformat(), c.description, money(c.amount_minor)]
         for c in statement.collections],  # fmt: skip
    )


def _pdf_clawbacks(statement: Statement) -> Table:
    money = _money_format(statement.currency)
    return _pdf_table(
        [_("Contract"), _("Date"), _("Reason"), _("Amount")],
        [[str(k.contract_uuid or "—"), k.created_on.isoformat(), k.reason_label, money(-k.amount_minor)]
         for k in statement.clawbacks],  # fmt: skip
    )


def _pdf_totals(statement: Statement) -> Table:
    money = _money_format(statement.currency)
    return _pdf_table(
        [_("Total"), _("Amount")],
        [
            [_("Advances"), money(statement.advances_minor)],
            [_("Collections (to the platform)"), money(statement.collections_minor)],
            [_("Clawbacks"), money(-statement.clawbacks_minor)],
            [_("Net payout"), money(statement.net_minor)],
        ],
    )
