"""Statement files as the providers themselves produce them, read into StatementLine rows.

A platform admin uploads the file a provider's merchant portal gives out when the
statement cannot be fetched (or to check a fetched one):
- Alipay: the trade bill (账务明细 / 业务明细) CSV, GBK or UTF-8, comment lines starting with
  "#", or the zip Alipay serves it in; 业务类型 交易 is a charge, 退款 a refund, 转账 a transfer out;
- WeChat Pay: the trade bill (交易账单, ALL), every value prefixed with a backquote and the
  totals after the lines; 交易状态 SUCCESS is a charge, REFUND a refund;
- Stripe: the balance transactions export (dashboard or the itemized report), with the
  PaymentIntent's metadata column carrying our idempotency key.
Amounts are yuan in every format. A malformed file raises StatementFileInvalid naming the
first line that is wrong, so nothing is imported from it.
"""
from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from pawpact.payments.base import StatementLine
from pawpact.payments.enums import Rail
from pawpact.payments.errors import StatementFileInvalid
from pawpact.payments.gateways import out_trade_no

MAX_BYTES = 20 * 1024 * 1024


def _invalid(message: str) -> StatementFileInvalid:
    return StatementFileInvalid(message, fields={"file": [message]})


def _text(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _invalid(_("The file is neither UTF-8 nor GBK text."))


def _fen(value: str, *, line: int) -> int:
    cleaned = value.strip().lstrip("`").replace(",", "").replace("¥", "")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise _invalid(_("Line %(line)d: %(value)r is not an amount.") % {"line": line, "value": value}) from None
    if amount != amount.quantize(Decimal("0.01")) or not amount.is_finite():
        raise _invalid(_("Line %(line)d: %(value)r has more than two decimals.") % {"line": line, "value": value})
    return int(amount * 100)


def _rows(text: str, *, header_has: str, skip: Callable[[list[str]], bool]) -> Iterable[tuple[int, dict]]:
    """(line number, row by column) after the header row that names `header_has`."""
    header: list[str] | None = None
    for number, cells in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip().lstrip("`").strip() for cell in cells]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if header is None:
            if header_has in cells:
                header = cells
            continue
        if skip(cells):
            continue
        if len(cells) < len(header):
            raise _invalid(_("Line %(line)d has %(found)d columns, the header %(expected)d.")
                           % {"line": number, "found": len(cells), "expected": len(header)})  # fmt: skip
        yield number, dict(zip(header, cells, strict=False))
    if header is None:
        raise _invalid(_("No header row with %(column)s: this is not that provider's statement.")
                       % {"column": header_has})  # fmt: skip


def _required(row: dict, column: str, *, line: int) -> str:
    value = row.get(column, "")
    if not value:
        raise _invalid(_("Line %(line)d: %(column)s is empty.") % {"line": line, "column": column})
    return value


# 交易 a charge, 退款 a refund, 转账 a transfer out (the platform's payouts by alipay.fund.trans.uni.transfer).
ALIPAY_KINDS = {"交易": "charge", "退款": "refund", "转账": "transfer"}


def alipay_bill_read(content: bytes) -> list[StatementLine]:
    if content[:2] == b"PK":
        content = _alipay_detail_from_zip(content)
    lines = []
    for number, row in _rows(_text(content), header_has="商户订单号", skip=lambda cells: False):
        kind = ALIPAY_KINDS.get(row.get("业务类型", ""))
        if kind is None:
            raise _invalid(_("Line %(line)d: unknown 业务类型 %(kind)r.") % {"line": number, "kind": row.get("业务类型", "")})
        order_no = _required(row, "退款批次号/请求号" if kind == "refund" else "商户订单号", line=number)
        amount = abs(_fen(_required(row, "订单金额（元）", line=number), line=number))
        lines.append(StatementLine(kind=kind, order_no=order_no, provider_reference=row.get("支付宝交易号", ""),
                                   amount_minor=amount if kind == "charge" else -amount,
                                   counterparty=row.get("对方账户", "") if kind == "transfer" else ""))  # fmt: skip
    return lines


def _alipay_detail_from_zip(content: bytes) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = [name for name in archive.namelist() if name.endswith(".csv") and "汇总" not in name]
            if not names:
                raise _invalid(_("The zip holds no detail CSV."))
            return archive.read(names[0])
    except zipfile.BadZipFile:
        raise _invalid(_("The zip file is damaged.")) from None


def wechat_bill_read(content: bytes) -> list[StatementLine]:
    lines = []
    totals_follow = False

    def skip(cells: list[str]) -> bool:
        nonlocal totals_follow
        if cells[0].startswith("总交易单数"):
            totals_follow = True
        return totals_follow

    for number, row in _rows(_text(content), header_has="商户订单号", skip=skip):
        state = row.get("交易状态", "")
        if state == "SUCCESS":
            amount = _fen(_required(row, "订单金额", line=number), line=number)
            lines.append(StatementLine("charge", _required(row, "商户订单号", line=number),
                                       row.get("微信订单号", ""), amount))  # fmt: skip
        elif state == "REFUND":
            amount = abs(_fen(_required(row, "退款金额", line=number), line=number))
            lines.append(StatementLine("refund", _required(row, "商户退款单号", line=number),
                                       row.get("微信退款单号", ""), -amount))  # fmt: skip
        else:
            raise _invalid(_("Line %(line)d: unknown 交易状态 %(state)r.") % {"line": number, "state": state})
    return lines


STRIPE_KEY_COLUMNS = ("payment_metadata[idempotency_key]", "idempotency_key (metadata)")
STRIPE_REFUND_KEY_COLUMNS = ("refund_metadata[idempotency_key]", *STRIPE_KEY_COLUMNS)


def stripe_balance_read(content: bytes) -> list[StatementLine]:
    text = _text(content)
    header = "balance_transaction_id" if "balance_transaction_id" in text.split("\n", 1)[0] else "id"
    lines = []
    for number, row in _rows(text, header_has=header, skip=lambda cells: False):
        category = (row.get("reporting_category") or row.get("Type") or "").lower()
        if category not in ("charge", "payment", "refund"):
            continue  # payouts, fees and transfers are not charges or refunds of ours
        refund = category == "refund"
        columns = STRIPE_REFUND_KEY_COLUMNS if refund else STRIPE_KEY_COLUMNS
        key = next((row[column] for column in columns if row.get(column)), "")
        if not key:
            raise _invalid(_("Line %(line)d has no idempotency key in its metadata.") % {"line": number})
        amount = _fen(row.get("gross") or _required(row, "Amount", line=number), line=number)
        lines.append(StatementLine("refund" if refund else "charge", out_trade_no(key),
                                   _required(row, header, line=number), -abs(amount) if refund else amount))  # fmt: skip
    return lines


READERS: dict[str, Callable[[bytes], list[StatementLine]]] = {
    Rail.ALIPAY: alipay_bill_read,
    Rail.WECHAT: wechat_bill_read,
    Rail.STRIPE: stripe_balance_read,
}


def statement_file_read(*, rail: str, content: bytes) -> list[StatementLine]:
    """The lines of one provider's statement file; StatementFileInvalid if it is not one."""
    if rail not in READERS:
        raise _invalid(_("Statements of this provider cannot be uploaded."))
    if not content:
        raise _invalid(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise _invalid(_("The file is larger than 20 MB."))
    try:
        return READERS[rail](content)
    except csv.Error as error:
        raise _invalid(_("The file is not a readable CSV: %(error)s") % {"error": error}) from None
