"""The lines of statement imports as the console shows and exports them.

Each import keeps its lines' results as the shop's books matched them
(pawpact.tenants.ports.StatementLineResult, on StatementImport.line_results), so the page
reads them without matching again. A result is kept as a code and the line's own fields;
the reason is worded here, in the viewer's language, when it is shown. A mismatch is
looked up in the console's mismatch list (same shop, provider, day, kind and number) to
show whether it is still open and to link to it.

The lines page shows the latest finished import of each shop, provider and day: a day
imported again replaces that day's lines, as it replaces that day's mismatches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Max
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, pgettext

from pawpact.core.money import Money
from pawpact.core.reasons import Reasons
from pawpact.platform.enums import MismatchKind
from pawpact.platform.enums import StatementImportStatus as Status
from pawpact.platform.models import ReconciliationMismatch, StatementImport

MATCHED = "matched"
NOT_MATCHED = "not_matched"  # a transfer out: not a payment of the shop's books
MISMATCHED = "mismatched"  # the filter for any mismatch kind
KINDS = ("charge", "refund", "transfer")

WORDS = {
    MismatchKind.MISSING_HERE: gettext_noop("On the statement, but the books show no payment under this number."),
    "missing_here_sent": gettext_noop("Our %(record)s was sent, but the books do not show it as paid."),
    MismatchKind.MISSING_AT_PROVIDER: gettext_noop("Paid in the books (%(record)s), but not on the statement."),
    MismatchKind.AMOUNT_DIFFERS: gettext_noop("%(theirs)s on the statement, %(ours)s in the books."),
    NOT_MATCHED: gettext_noop("A transfer out of the account: not a payment of the shop's books."),
}
LINE_REASONS = Reasons(WORDS, kind="statement line result", defaults={"record": "", "theirs": "", "ours": ""})


def kind_labels() -> dict[str, str]:
    return {"charge": pgettext("statement line", "Payment"), "refund": _("Refund"), "transfer": _("Transfer out")}


def record_labels() -> dict[str, str]:
    return {"debit": _("Debit"), "deposit": _("Deposit"), "penalty": _("Penalty"), "refund": _("Refund"),
            "order": _("Order"), "payout": _("Payout")}  # fmt: skip


def result_choices() -> list[tuple[str, str]]:
    return [("", _("All")), (MATCHED, _("Matched")), (MISMATCHED, _("Mismatched")),
            *MismatchKind.choices, (NOT_MATCHED, _("Not matched (transfers out)"))]  # fmt: skip


def kind_choices() -> list[tuple[str, str]]:
    return [("", _("All")), *kind_labels().items()]


@dataclass(frozen=True)
class LineFilter:
    result: str = ""
    kind: str = ""
    shop_id: int | None = None


@dataclass(frozen=True)
class LineRow:
    source: StatementImport
    line: dict  # one StatementLineResult as kept
    kind: str  # worded
    result: str  # worded: Matched, the mismatch kind, Not matched
    detail: str  # what it matched, or why not
    age_days: int | None  # a mismatch's age, from its statement's day
    mismatch: ReconciliationMismatch | None  # the console's row for it, when listed
    customer: str  # whose money, as the books named the customer when matched ("" when unknown)
    reference: str  # the contract's or the order's human reference, worded ("" when unknown)
    detail_html: str  # `detail` for the page: escaped, each amount kept on one line


@dataclass(frozen=True)
class LineTotals:
    lines: int
    matched: int
    matched_minor: int
    mismatched: int
    mismatched_statement_minor: int
    mismatched_books_minor: int
    statement_minor: int
    books_minor: int


def _is_mismatch(result: str) -> bool:
    return result not in (MATCHED, NOT_MATCHED)


def _wanted(line: dict, filters: LineFilter) -> bool:
    result = line.get("result", "")
    if filters.kind and line.get("kind") != filters.kind:
        return False
    if filters.result == MISMATCHED:
        return _is_mismatch(result)
    return not filters.result or result == filters.result


def line_detail(line: dict, *, html: bool = False) -> str:
    """What a matched line matched, or why a line did not match, in the active language.
    `html`: escaped, each amount in a span that keeps it on one line (a wrapped "-¥90.00"
    leaves a minus sign at a line's end that reads as a dash)."""
    record = record_labels().get(line.get("our_record", ""), line.get("our_record", ""))
    result = line.get("result", "")
    if result == MATCHED:
        return escape(record) if html else record
    code = "missing_here_sent" if result == MismatchKind.MISSING_HERE and record else result
    theirs, ours = (Money(int(line.get(field) or 0)).format() for field in ("amount_minor", "our_amount_minor"))
    if not html:
        return LINE_REASONS.text(code, {"record": record, "theirs": theirs, "ours": ours})
    # Marks no translation contains stand for the amounts while the sentence is escaped.
    text = escape(LINE_REASONS.text(code, {"record": record, "theirs": "\x00theirs\x00", "ours": "\x00ours\x00"}))
    for mark, amount in (("\x00theirs\x00", theirs), ("\x00ours\x00", ours)):
        text = text.replace(mark, format_html('<span class="amount">{}</span>', amount))
    return mark_safe(text)  # the sentence escaped above, the amounts by format_html


def record_reference(line: dict) -> str:
    """The contract a line's money belongs to, by the reference the console shows contracts
    by (the first 8 digits of its uuid, as on the funding pages), or the order's number."""
    if line.get("contract_uuid"):
        return _("Contract %(ref)s") % {"ref": line["contract_uuid"].replace("-", "")[:8]}
    if line.get("order_number"):
        return _("Order %(number)s") % {"number": line["order_number"]}
    return ""


def result_label(result: str) -> str:
    if result == MATCHED:
        return _("Matched")
    if result in MismatchKind.values:
        return MismatchKind(result).label
    return _("Not matched")


def _listed(imports: list[StatementImport]) -> dict[tuple, ReconciliationMismatch]:
    found = {}
    for source in imports:
        for row in ReconciliationMismatch.objects.filter(shop_id=source.shop_id, provider=source.provider,
                                                         statement_date=source.statement_date):  # fmt: skip
            found[(source.pk, row.kind, row.reference)] = row
    return found


def import_line_rows(*, imports: list[StatementImport], filters: LineFilter, today: date) -> list[LineRow]:
    """The kept lines of `imports` that pass `filters`, worded, in the order they were matched."""
    kinds = kind_labels()
    listed = _listed(imports)
    rows = []
    for source in imports:
        if filters.shop_id and source.shop_id != filters.shop_id:
            continue
        for line in source.line_results:
            if not _wanted(line, filters):
                continue
            result = line.get("result", "")
            mismatch = listed.get((source.pk, result, line.get("order_no", "")))
            age = (today - source.statement_date).days if _is_mismatch(result) else None
            rows.append(LineRow(source, line, kinds.get(line.get("kind", ""), line.get("kind", "")),
                                result_label(result), line_detail(line), age, mismatch,
                                line.get("customer_name", ""), record_reference(line),
                                line_detail(line, html=True)))  # fmt: skip
    return rows


def line_totals(rows: list[LineRow]) -> LineTotals:
    """Counts and net amounts (fen; refunds and transfers out count negative) of `rows`."""
    lines = [row.line for row in rows]
    matched = [line for line in lines if line.get("result") == MATCHED]
    mismatched = [line for line in lines if _is_mismatch(line.get("result", ""))]

    def total(of: list[dict], field: str) -> int:
        return sum(int(line.get(field) or 0) for line in of)

    return LineTotals(
        lines=len(lines), matched=len(matched), matched_minor=total(matched, "amount_minor"),
        mismatched=len(mismatched), mismatched_statement_minor=total(mismatched, "amount_minor"),
        mismatched_books_minor=total(mismatched, "our_amount_minor"),
        statement_minor=total(lines, "amount_minor"), books_minor=total(lines, "our_amount_minor"),
    )  # fmt: skip


def latest_imports(*, day: date, provider: str = "") -> list[StatementImport]:
    """The latest finished import of each shop and provider for `day` (a day imported again
    replaces its lines), by shop name."""
    done = StatementImport.objects.filter(status=Status.DONE, statement_date=day)
    if provider:
        done = done.filter(provider=provider)
    latest = done.values("shop_id", "provider").annotate(last=Max("id")).values_list("last", flat=True)
    return list(StatementImport.objects.filter(pk__in=list(latest)).select_related("shop")
                .order_by("shop__name", "provider"))  # fmt: skip


def last_imported_day() -> date | None:
    return (StatementImport.objects.filter(status=Status.DONE).order_by("-statement_date")
            .values_list("statement_date", flat=True).first())  # fmt: skip
