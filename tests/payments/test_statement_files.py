"""Statement files in the providers' own formats, read into lines; a malformed file names its bad line."""
import io
import zipfile

import pytest

from pawpact.payments.base import StatementLine
from pawpact.payments.errors import StatementFileInvalid
from pawpact.payments.gateways import out_trade_no
from pawpact.payments.statement_files import statement_file_read

ALIPAY_HEADER = ("支付宝交易号,商户订单号,业务类型,商品名称,创建时间,完成时间,门店编号,门店名称,操作员,终端号,对方账户,"
                 "订单金额（元）,商家实收（元）,支付宝红包（元）,集分宝（元）,支付宝优惠（元）,商家优惠（元）,券核销金额（元）,"
                 "券名称,商家红包消费金额（元）,卡消费金额（元）,退款批次号/请求号,服务费（元）,分润（元）,备注")  # fmt: skip


def alipay_bill(*rows: tuple[str, str, str, str, str]) -> bytes:
    """Alipay's 业务明细 CSV as its portal gives it: GBK, comment lines around the table.
    rows: (trade_no, out_trade_no, 业务类型, amount in yuan, out_request_no)."""
    lines = ["#支付宝业务明细查询", "#账号：[20880000000000000156]", "#起始日期：[2026年03月16日 00:00:00]",
             "#-----------------------------------------业务明细列表----------------------------------------",
             ALIPAY_HEADER]  # fmt: skip
    for trade_no, order_no, kind, amount, request_no in rows:
        lines.append(f"{trade_no}\t,{order_no}\t,{kind},宠粮月付,2026-03-16 10:00:00,2026-03-16 10:00:01,,,,,"
                     f"buyer@example.com,{amount},{amount},0.00,0.00,0.00,0.00,0.00,,0.00,0.00,{request_no},0.00,0.00,")  # fmt: skip
    lines += ["#-----------------------------------------业务明细列表结束------------------------------------",
              f"#交易合计：{len(rows)}笔"]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n").encode("gb18030")


WECHAT_HEADER = ("交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,"
                 "应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,"
                 "商户数据包,手续费,费率,订单金额,申请退款金额,费率备注")  # fmt: skip


def wechat_bill(*rows: tuple[str, str, str, str, str, str]) -> bytes:
    """WeChat Pay's trade bill (ALL): backquoted values, totals at the end.
    rows: (transaction_id, out_trade_no, state, amount, refund_no, refund amount)."""
    lines = [WECHAT_HEADER]
    for transaction_id, order_no, state, amount, refund_no, refunded in rows:
        cells = ["2026-03-16 10:00:00", "wx2421b1c4370ec43b", "1900000109", "", "", transaction_id, order_no,
                 "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o", "PAP", state, "CMC", "CNY", amount, "0.00", "",
                 refund_no, refunded, "0.00", "ORIGINAL" if refund_no else "", "SUCCESS" if refund_no else "",
                 "宠粮月付", "", "0.00", "0.60%", amount, refunded, ""]  # fmt: skip
        lines.append(",".join(f"`{cell}" for cell in cells))
    lines += ["总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额",
              f"`{len(rows)},`0.00,`0.00,`0.00,`0.00,`0.00,`0.00"]  # fmt: skip
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def stripe_balance(*rows: tuple[str, str, str, str]) -> bytes:
    """Stripe's itemized balance report. rows: (txn id, reporting_category, gross, idempotency key)."""
    header = ("balance_transaction_id,created_utc,currency,gross,fee,net,reporting_category,source_id,description,"
              "payment_metadata[idempotency_key],refund_metadata[idempotency_key]")  # fmt: skip
    lines = [header]
    for txn, category, gross, key in rows:
        refund_key = key if category == "refund" else ""
        payment_key = "" if category == "refund" else key
        lines.append(f"{txn},2026-03-16 02:00:00,cny,{gross},0.00,{gross},{category},pi_1,,{payment_key},{refund_key}")
    return ("\n".join(lines) + "\n").encode()


def test_an_alipay_bill_in_gbk_with_its_comment_lines():
    content = alipay_bill(("2026031622001", "a" * 32, "交易", "399.00", ""),
                          ("2026031622001", "a" * 32, "退款", "-100.00", "b" * 32))  # fmt: skip
    assert statement_file_read(rail="alipay", content=content) == [
        StatementLine("charge", "a" * 32, "2026031622001", 39_900),
        StatementLine("refund", "b" * 32, "2026031622001", -10_000),
    ]


def test_an_alipay_bill_lists_transfers_out_under_their_own_type_with_the_payee():
    content = alipay_bill(("20260316110070001", "c" * 32, "转账", "-4309.20", ""))
    assert statement_file_read(rail="alipay", content=content) == [
        StatementLine("transfer", "c" * 32, "20260316110070001", -430_920, counterparty="buyer@example.com"),
    ]


def test_an_alipay_bill_inside_the_zip_alipay_serves():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("20880000000000000156_20260316_业务明细(汇总).csv", "汇总")
        bundle.writestr("20880000000000000156_20260316_业务明细.csv",
                        alipay_bill(("2026031622001", "c" * 32, "交易", "599.00", "")))  # fmt: skip
    lines = statement_file_read(rail="alipay", content=archive.getvalue())
    assert lines == [StatementLine("charge", "c" * 32, "2026031622001", 59_900)]


def test_a_wechat_trade_bill_with_its_totals():
    content = wechat_bill(("4200000001", "d" * 32, "SUCCESS", "899.00", "", "0.00"),
                          ("4200000001", "d" * 32, "REFUND", "899.00", "e" * 32, "899.00"))  # fmt: skip
    assert statement_file_read(rail="wechat", content=content) == [
        StatementLine("charge", "d" * 32, "4200000001", 89_900),
        StatementLine("refund", "e" * 32, "", -89_900),
    ]


def test_stripe_balance_transactions_by_the_metadata_key():
    content = stripe_balance(("txn_1", "charge", "399.00", "debit:1:1:1"), ("txn_2", "payout", "-399.00", ""),
                             ("txn_3", "refund", "-99.00", "refund:1"))  # fmt: skip
    assert statement_file_read(rail="stripe", content=content) == [
        StatementLine("charge", out_trade_no("debit:1:1:1"), "txn_1", 39_900),
        StatementLine("refund", out_trade_no("refund:1"), "txn_3", -9_900),
    ]


@pytest.mark.parametrize(
    ("rail", "content", "message"),
    [
        ("alipay", alipay_bill(("1", "a" * 32, "交易", "3.9x", "")), "Line 6: '3.9x' is not an amount."),
        ("alipay", alipay_bill(("1", "a" * 32, "交易", "399.001", "")), "Line 6: '399.001' has more than two decimals."),
        ("alipay", alipay_bill(("1", "a" * 32, "提现", "399.00", "")), "Line 6: unknown 业务类型 '提现'."),
        ("alipay", alipay_bill(("1", "", "交易", "399.00", "")), "Line 6: 商户订单号 is empty."),
        ("alipay", wechat_bill(("1", "a" * 32, "SUCCESS", "1.00", "", "0.00")), "unknown 业务类型"),
        ("wechat", alipay_bill(("1", "a" * 32, "交易", "399.00", "")), "unknown 交易状态"),
        ("wechat", b"not,a,bill\n1,2,3\n", "No header row with 商户订单号"),
        ("stripe", stripe_balance(("txn_1", "charge", "399.00", "")), "Line 2 has no idempotency key"),
        ("alipay", b"", "The file is empty."),
        ("alipay", b"PK\x03\x04broken", "The zip file is damaged."),
        ("sandbox", b"x", "Statements of this provider cannot be uploaded."),
    ],
)
def test_a_malformed_file_is_refused_with_its_bad_line(rail, content, message):
    with pytest.raises(StatementFileInvalid) as refused:
        statement_file_read(rail=rail, content=content)
    assert message in refused.value.message
    assert refused.value.fields == {"file": [refused.value.message]}
