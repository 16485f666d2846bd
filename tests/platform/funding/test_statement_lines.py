"""The console shows every line of an imported statement: what it matched in the shop's books
or why it did not, filtered, totalled per side and exported; kept once per import."""
import csv
import io
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from pawpact.billing.models import RailRefund
from pawpact.core.money import Money
from pawpact.payments.gateways import out_trade_no
from pawpact.billing.services.exit_money import rail_refund
from pawpact.platform.models import ReconciliationMismatch, StatementImport
from tests.payments.gateways import alipay_credentials, fake_alipay  # noqa: F401 (fixture)
from tests.payments.test_reconciliation import _today
from tests.payments.test_statement_files import alipay_bill, wechat_bill
from tests.platform.funding.test_reconciliation_console import GHOST, _upload, console, paid_on_alipay  # noqa: F401

LATE, SHORT = "refund:test:late", "refund:test:short"


def _visible(page: str) -> str:
    """The page's text as read, without tags (a code in an option's value is not shown)."""
    return re.sub(r"<[^>]+>", " ", page)


@pytest.fixture
def refunded(shop, paid_on_alipay):  # noqa: F811
    """Two refunds of the paid debit recorded today: ¥100.00 and ¥50.00."""
    with schema_context(shop.schema_name):
        contract = paid_on_alipay.period.contract
        for key, fen in ((SHORT, 10_000), (LATE, 5_000)):
            rail_refund(payment_method=contract.payment_method, amount=Money(fen), key=key,
                        charge_reference=paid_on_alipay.rail_reference,
                        metadata={"purpose": "period_refund", "contract_id": str(contract.pk)})  # fmt: skip
        assert sorted(RailRefund.objects.values_list("amount_minor", flat=True)) == [5_000, 10_000]
    return paid_on_alipay


def _bill(attempt) -> bytes:
    """The debit as paid, a charge nobody made, the ¥100.00 refund as ¥90.00, a transfer out;
    the ¥50.00 refund is missing."""
    return alipay_bill(
        ("2026000000000000000000000001", out_trade_no(attempt.idempotency_key), "交易", "399.00", ""),
        ("2026000000000000000000000099", GHOST, "交易", "129.00", ""),
        ("2026000000000000000000000001", out_trade_no(attempt.idempotency_key), "退款", "90.00", out_trade_no(SHORT)),
        ("2026000000000000000000000777", "p" * 32, "转账", "500.00", ""),
    )  # fmt: skip


def _imported(console, shop, attempt, capture):  # noqa: F811
    response = _upload(console, shop, _bill(attempt), capture=capture)
    assert response.status_code == 302
    return StatementImport.objects.get()


def test_an_import_keeps_every_line_with_its_result_totals_and_exports(
    console, shop, refunded, django_capture_on_commit_callbacks  # noqa: F811
):
    imported = _imported(console, shop, refunded, django_capture_on_commit_callbacks)
    assert (imported.status, imported.lines, imported.matched, imported.mismatches) == ("done", 4, 1, 3)
    key = refunded.idempotency_key
    assert [(r["kind"], r["order_no"], r["amount_minor"], r["our_amount_minor"], r["result"], r["our_record"],
             r["our_key"]) for r in imported.line_results] == [
        ("charge", out_trade_no(key), 39_900, 39_900, "matched", "debit", key),
        ("charge", GHOST, 12_900, 0, "missing_here", "", ""),
        ("refund", out_trade_no(SHORT), -9_000, -10_000, "amount_differs", "refund", SHORT),
        ("refund", out_trade_no(LATE), 0, -5_000, "missing_at_provider", "refund", LATE),
        ("transfer", "p" * 32, -50_000, 0, "not_matched", "", ""),
    ]  # fmt: skip
    assert imported.line_results[1]["provider_reference"] == "2026000000000000000000000099"
    contract = refunded.period.contract
    with schema_context(shop.schema_name):
        customer = contract.customer.name
    # Whose money each line is, as the books knew it: the contract's customer for the debit and
    # its refunds; nobody for a charge the books do not know, nor for a transfer out.
    assert [(r["customer_name"], r["contract_uuid"]) for r in imported.line_results] == [
        (customer, str(contract.uuid)), ("", ""), (customer, str(contract.uuid)), (customer, str(contract.uuid)),
        ("", "")]  # fmt: skip
    assert ReconciliationMismatch.objects.filter(resolved_at__isnull=True).count() == 3

    url = f"/console/reconciliation/imports/{imported.pk}/"
    response = console.get(url)
    totals = response.context["totals"]
    assert (totals.lines, totals.matched, totals.matched_minor, totals.mismatched) == (5, 1, 39_900, 3)
    assert (totals.mismatched_statement_minor, totals.mismatched_books_minor) == (3_900, -15_000)
    assert (totals.statement_minor, totals.books_minor) == (-6_200, 24_900)
    page = response.content.decode()
    # Each amount kept on one line: a wrapped "-¥90.00" would leave a minus sign reading as a dash.
    assert ('<span class="amount">-¥90.00</span> on the statement, <span class="amount">-¥100.00</span> in the'
            " books.") in page  # fmt: skip
    assert "Paid in the books (Refund), but not on the statement." in page
    assert "On the statement, but the books show no payment under this number." in page
    assert "A transfer out of the account: not a payment of the shop&#x27;s books." in page
    assert "0 days old" in page and "missing_here" not in _visible(page) and "amount_differs" not in _visible(page)
    ghost = ReconciliationMismatch.objects.get(reference=GHOST)
    assert f"/console/reconciliation/mismatches/{ghost.pk}/" in page
    reference = f"Contract {contract.uuid.hex[:8]}"
    assert _visible(page).count(customer) == 3 and _visible(page).count(reference) == 3
    # The key is a detail for whoever needs it (a tooltip and the export), not the line's name.
    assert key not in _visible(page) and f'title="Idempotency key: {key}"' in page
    assert f'href="/console/funding/shops/{shop.pk}/"' in page

    mismatched = console.get(url + "?result=mismatched&kind=refund").context["line_rows"]
    assert [row.line["order_no"] for row in mismatched] == [out_trade_no(SHORT), out_trade_no(LATE)]
    assert [r.line["order_no"] for r in console.get(url + "?result=matched").context["line_rows"]] == [
        out_trade_no(key)]  # fmt: skip

    export = console.get(url + "?result=mismatched&export=csv")
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert rows[0] == ["Shop", "Provider", "Statement date", "Kind", "Customer", "Contract or order",
                       "Merchant order number", "Provider's number", "On the statement (¥)", "In the books (¥)",
                       "Result", "Matched to / reason", "Idempotency key", "Age (days)", "Mismatch state"]  # fmt: skip
    assert [row[11] for row in rows[1:]] == ["On the statement, but the books show no payment under this number.",
                                            "-¥90.00 on the statement, -¥100.00 in the books.",
                                            "Paid in the books (Refund), but not on the statement."]  # fmt: skip
    assert [(row[3], row[4], row[5], row[6], row[8], row[9], row[10], row[13], row[14]) for row in rows[1:]] == [
        ("Payment", "", "", GHOST, "129.00", "0.00", "Moved at the provider, not in the books", "0", "Open"),
        ("Refund", customer, reference, out_trade_no(SHORT), "-90.00", "-100.00", "Amounts differ", "0", "Open"),
        ("Refund", customer, reference, out_trade_no(LATE), "0.00", "-50.00", "In the books, not at the provider",
         "0", "Open"),
    ]  # fmt: skip
    assert rows[1][0] == shop.name and rows[1][1] == "Alipay" and rows[1][2] == _today().isoformat()
    xlsx = console.get(url + "?export=xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 7 and values[1][6] == out_trade_no(key) and float(values[1][8]) == 399.0
    assert values[1][4:6] == (customer, reference)
    assert values[1][10] == "Matched" and values[1][11] == "Debit" and values[1][12] == key


def test_the_same_statement_imported_again_keeps_its_lines_once(
    console, shop, refunded, django_capture_on_commit_callbacks  # noqa: F811
):
    imported = _imported(console, shop, refunded, django_capture_on_commit_callbacks)
    again = _upload(console, shop, _bill(refunded), capture=django_capture_on_commit_callbacks)
    assert again["Location"] == f"/console/reconciliation/imports/{imported.pk}/"
    assert StatementImport.objects.count() == 1 and len(StatementImport.objects.get().line_results) == 5
    lines = console.get("/console/reconciliation/lines/")
    assert lines.context["day"] == _today() and len(lines.context["line_rows"]) == 5
    # The same day changed at the provider and imported again: the day's lines are the latest import's.
    changed = _upload(console, shop, _bill(refunded) + b"\r\n", capture=django_capture_on_commit_callbacks)
    assert changed.status_code == 302 and StatementImport.objects.count() == 2
    rows = console.get("/console/reconciliation/lines/").context["line_rows"]
    latest = StatementImport.objects.order_by("-id").first()
    assert len(rows) == 5 and {row.source.pk for row in rows} == {latest.pk}
    assert ReconciliationMismatch.objects.count() == 3


def test_a_bad_file_is_refused_and_no_lines_are_written(
    console, shop, paid_on_alipay, django_capture_on_commit_callbacks  # noqa: F811
):
    bill = wechat_bill(("4200000000000000000000000001", GHOST, "SUCCES", "399.00", "", "0.00"))
    response = _upload(console, shop, bill, capture=django_capture_on_commit_callbacks, provider="wechat")
    assert response.status_code == 400
    assert "Line 2: unknown 交易状态 &#x27;SUCCES&#x27;." in response.content.decode()
    assert (StatementImport.objects.count(), ReconciliationMismatch.objects.count()) == (0, 0)
    assert console.get("/console/reconciliation/lines/").context["line_rows"] == []


def test_a_wechat_bill_reads_in_chinese_and_lines_filter_by_shop(
    console, shop, other_shop, paid_on_alipay, django_capture_on_commit_callbacks  # noqa: F811
):
    bill = wechat_bill(("4200000000000000000000000001", GHOST, "SUCCESS", "59.00", "", "0.00"),
                       ("4200000000000000000000000001", GHOST, "REFUND", "59.00", "5" * 32, "20.00"))  # fmt: skip
    for each in (shop, other_shop):
        assert _upload(console, each, bill, capture=django_capture_on_commit_callbacks,
                       provider="wechat").status_code == 302  # fmt: skip
    mine = StatementImport.objects.get(shop=shop)
    assert [(r["kind"], r["amount_minor"], r["result"]) for r in mine.line_results] == [
        ("charge", 5_900, "missing_here"), ("refund", -2_000, "missing_here")]  # fmt: skip
    every = console.get("/console/reconciliation/lines/?provider=wechat").context["line_rows"]
    assert sorted(row.source.shop_id for row in every) == sorted([shop.pk, shop.pk, other_shop.pk, other_shop.pk])
    only = console.get(f"/console/reconciliation/lines/?provider=wechat&shop={other_shop.pk}")
    assert {row.source.shop_id for row in only.context["line_rows"]} == {other_shop.pk}
    assert only.context["totals"].mismatched_statement_minor == 3_900
    exported = console.get(f"/console/reconciliation/lines/?shop={other_shop.pk}&export=csv").content.decode("utf-8-sig")
    assert shop.name not in exported.replace(other_shop.name, "") and len(exported.splitlines()) == 3
    page = _visible(console.get(f"/console/reconciliation/imports/{mine.pk}/",
                                HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode())  # fmt: skip
    assert "退款" in page and "服务商有资金变动，账簿中没有" in page and "账单上有，账簿中没有此单号的付款。" in page
    assert not any(english in page for english in ("Refund", "Payment", "On the statement", "Result", "Lines"))


def test_an_import_from_before_lines_were_kept_says_so(console, shop):
    old = StatementImport.objects.create(shop=shop, provider="alipay", statement_date=_today(), status="done",
                                         lines=3, matched=3)  # fmt: skip
    page = console.get(f"/console/reconciliation/imports/{old.pk}/").content.decode()
    assert "imported before its lines were kept" in page


def test_statement_lines_are_for_platform_admins_only(public_client, shop, shop_client):
    imported = StatementImport.objects.create(shop=shop, provider="alipay", statement_date=_today(), status="done",
                                              lines=1, line_results=[{"kind": "charge", "order_no": GHOST,
                                              "provider_reference": "1", "amount_minor": 100, "our_amount_minor": 0,
                                              "result": "missing_here"}])  # fmt: skip
    owner = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    owner.force_login(shop.owner)
    for path in ("/console/reconciliation/lines/", "/console/reconciliation/lines/?export=csv",
                 f"/console/reconciliation/imports/{imported.pk}/?export=xlsx"):
        response = public_client.get(path)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
        assert shop_client.get(path).status_code == 404
        assert owner.get(path).status_code == 403


def test_a_long_statement_is_shown_a_page_at_a_time_and_totalled_and_exported_whole(console, shop):
    lines = [{"kind": "charge", "order_no": f"{i:032x}", "provider_reference": str(i), "amount_minor": 100,
              "our_amount_minor": 100, "result": "matched", "our_record": "debit", "our_key": f"k{i}"}
             for i in range(450)]  # fmt: skip
    big = StatementImport.objects.create(shop=shop, provider="alipay", statement_date=_today(), status="done",
                                         lines=450, matched=450, line_results=lines)  # fmt: skip
    url = f"/console/reconciliation/imports/{big.pk}/?kind=charge"
    first = console.get(url)
    assert len(first.context["line_rows"]) == 200 and first.context["totals"].matched_minor == 45_000
    assert "Lines 1 to 200 of 450" in first.content.decode() and "kind=charge&amp;page=2" in first.content.decode()
    last = console.get(url + "&page=3")
    assert [row.line["our_key"] for row in last.context["line_rows"]] == [f"k{i}" for i in range(400, 450)]
    assert len(console.get(url + "&page=3&export=csv").content.decode("utf-8-sig").splitlines()) == 451


def _line(i: int, *, customer: str, contract: str = "", order: str = "", fen: int = 100, books: int = 100) -> dict:
    return {"kind": "charge", "order_no": f"{i:032x}", "provider_reference": str(i), "amount_minor": fen,
            "our_amount_minor": books, "result": "matched" if fen == books else "amount_differs",
            "our_record": "order" if order else "debit", "our_key": f"debit:{i}", "customer_name": customer,
            "contract_uuid": contract, "order_number": order}  # fmt: skip


def _lines_page_queries(console, url: str) -> tuple[int, object]:  # noqa: F811
    with CaptureQueriesContext(connection) as queries:
        response = console.get(url)
    assert response.status_code == 200
    return len(queries), response


def test_lines_name_the_shop_customer_and_contract_with_no_query_per_line(console, shop, other_shop):  # noqa: F811
    contract = "3f2a9c1e-0000-4000-8000-000000000001"
    StatementImport.objects.create(shop=other_shop, provider="alipay", statement_date=_today(), status="done", lines=1,
                                   matched=1, line_results=[_line(0, customer="Wang Fang", order="SO26112900007")])  # fmt: skip
    mine = StatementImport.objects.create(shop=shop, provider="alipay", statement_date=_today(), status="done", lines=1,
                                          matched=1, line_results=[_line(1, customer="Li Lei", contract=contract)])  # fmt: skip
    few, response = _lines_page_queries(console, "/console/reconciliation/lines/")
    text = _visible(response.content.decode())
    assert "Li Lei" in text and "Contract 3f2a9c1e" in text and "Wang Fang" in text and "Order SO26112900007" in text
    assert "debit:1" not in text and 'title="Idempotency key: debit:1"' in response.content.decode()
    assert [(row.source.shop_id, row.customer, row.reference) for row in response.context["line_rows"]] == [
        (shop.pk, "Li Lei", "Contract 3f2a9c1e"), (other_shop.pk, "Wang Fang", "Order SO26112900007")]  # fmt: skip
    # One shop's lines never show another shop's customers.
    only = console.get(f"/console/reconciliation/lines/?shop={other_shop.pk}")
    assert [row.customer for row in only.context["line_rows"]] == ["Wang Fang"]
    assert "Li Lei" not in _visible(only.content.decode())

    mine.line_results = [_line(i, customer=f"Customer {i}", contract=contract) for i in range(450)]
    mine.save(update_fields=["line_results"])
    many, response = _lines_page_queries(console, "/console/reconciliation/lines/")
    assert len(response.context["line_rows"]) == 200 and "Customer 199" in _visible(response.content.decode())
    # Session, user, the day, the imports with their shops, the shop filter's choices, one
    # mismatch look-up per import: the same 9 queries for 2 lines as for a page of 200.
    assert (few, many) == (9, 9)
    imported, _ = _lines_page_queries(console, f"/console/reconciliation/imports/{mine.pk}/")
    assert imported == 6


def test_the_xlsx_export_ends_with_a_labelled_totals_row_and_the_csv_keeps_one_row_a_line(
    console, shop  # noqa: F811
):
    lines = [_line(1, customer="Li Lei", fen=39_900, books=39_900), _line(2, customer="Li Lei", fen=12_900, books=0),
             {**_line(3, customer="", fen=-9_000, books=-10_000), "kind": "refund"}]  # fmt: skip
    imported = StatementImport.objects.create(shop=shop, provider="alipay", statement_date=_today(), status="done",
                                              lines=3, matched=1, mismatches=2, line_results=lines)  # fmt: skip
    url = f"/console/reconciliation/imports/{imported.pk}/?export="
    sheet = load_workbook(io.BytesIO(console.get(url + "xlsx").content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 5
    assert values[4] == ("Total", "3 lines", None, None, None, None, None, None, 438.0, 299.0, None, None, None, None,
                         None)  # fmt: skip
    assert sheet.cell(row=5, column=1).font.b is True
    assert sum(float(row[8]) for row in values[1:4]) == 438.0 and sum(float(row[9]) for row in values[1:4]) == 299.0
    one = console.get(url + "xlsx&result=mismatched")
    assert list(load_workbook(io.BytesIO(one.content)).active.iter_rows(values_only=True))[-1][:10] == (
        "Total", "2 lines", None, None, None, None, None, None, 39.0, -100.0)  # fmt: skip
    rows = list(csv.reader(io.StringIO(console.get(url + "csv").content.decode("utf-8-sig"))))
    assert len(rows) == 4 and [row[6] for row in rows[1:]] == [f"{i:032x}" for i in (1, 2, 3)]
    assert not any("Total" in cell for row in rows for cell in row)
    chinese = console.get(url + "xlsx", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert list(load_workbook(io.BytesIO(chinese.content)).active.iter_rows(values_only=True))[-1][:2] == (
        "合计", "3 行")  # fmt: skip
