"""The statement lines of the console on a phone (390 px) and a laptop (1366 px), in both
languages: nothing wider than the screen (the table scrolls in its own box), no header cell
stacked a character a line, and a result worded, never a code."""
import pytest
from django.test import Client

from pawpact.accounts.models import User
from pawpact.platform.models import ReconciliationMismatch, StatementImport
from tests.browser import browser_marks, chromium, fetch, page_open, screenshot
from tests.conftest import SHOP_PASSWORD
from tests.payments.test_reconciliation import _today

pytestmark = browser_marks
KEY = "debit:" + "0" * 32 + ":1:1"
LINES = [
    {"kind": "charge", "order_no": "a" * 32, "provider_reference": "2026000000000000000000000001",
     "amount_minor": 39_900, "our_amount_minor": 39_900, "result": "matched", "our_record": "debit", "our_key": KEY},
    {"kind": "charge", "order_no": "f" * 32, "provider_reference": "2026000000000000000000000099",
     "amount_minor": 12_900, "our_amount_minor": 0, "result": "missing_here"},
    {"kind": "refund", "order_no": "b" * 32, "provider_reference": "2026000000000000000000000001",
     "amount_minor": -9_000, "our_amount_minor": -10_000, "result": "amount_differs", "our_record": "refund",
     "our_key": "refund:test:short"},
    {"kind": "transfer", "order_no": "c" * 32, "provider_reference": "2026000000000000000000000777",
     "amount_minor": -50_000, "our_amount_minor": 0, "result": "not_matched"},
]  # fmt: skip


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_statement_lines_fit_a_phone_and_a_laptop(shop, tmp_path, language):
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    imported = StatementImport.objects.create(shop=shop, provider="alipay", statement_date=_today(), status="done",
                                              filename="bill.csv", lines=4, matched=1, mismatches=2,
                                              line_results=LINES)  # fmt: skip
    ReconciliationMismatch.objects.create(shop=shop, provider="alipay", statement_date=_today(), kind="missing_here",
                                          reference="f" * 32, amount_minor=12_900, our_amount_minor=0)  # fmt: skip
    console = Client(HTTP_HOST="localhost")
    console.force_login(admin)
    pages = {"import": f"/console/reconciliation/imports/{imported.pk}/", "lines": "/console/reconciliation/lines/"}
    responses = {name: fetch(console, f"http://localhost{path}", HTTP_ACCEPT_LANGUAGE=language)
                 for name, path in pages.items()}  # fmt: skip
    for response in responses.values():
        text = response.content.decode()
        assert ">missing_here<" not in text and ">amount_differs<" not in text and ">charge<" not in text
    with chromium() as browser:
        for width in (390, 1366):
            page = browser.new_page(viewport={"width": width, "height": 900})
            for name, path in pages.items():
                page_open(page, f"http://localhost{path}", responses[name])
                assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
                tallest = page.evaluate("Math.max(0, ...[...document.querySelectorAll('th')].map(th => th.getBoundingClientRect().height))")
                assert tallest < 60, (name, width, tallest)
                assert page.locator("table.import-lines tbody tr").count() == 4
                screenshot(page, tmp_path, f"statement-lines-{name}-{language}-{width}.png")
            page.close()
