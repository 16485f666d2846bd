"""Console tables on a phone (390 px) and a laptop (1366 px), in English and Chinese: a table
wider than its box scrolls (in a .table-scroll box, or on a phone in its own) and shows a
shadow on the side that has more (none once that edge is reached), and an amount is always
on one line, whole. The rules are the shared page's (base.html), so every console table
gets them; three pages check them."""
import io
import re

import pytest
from django.test import Client
from PIL import Image

from pawpact.accounts.models import User
from pawpact.platform.models import StatementImport
from tests.browser import browser_marks, chromium, fetch, page_open, screenshot
from tests.conftest import SHOP_PASSWORD
from tests.payments.test_reconciliation import _today
from tests.platform.funding.test_statement_lines_narrow import LINES

pytestmark = browser_marks
PAGES = ("/console/reconciliation/lines/", "/console/funding/", "/console/")
AMOUNT = r"^-?¥[\d,]+\.\d\d$"


SCROLLERS = "main table, main .table-scroll"


def _edges(page, index: int) -> tuple[float, float]:
    """The median brightness (0–255) of a box's leftmost and rightmost pixel columns."""
    box = page.locator(SCROLLERS).nth(index)
    image = Image.open(io.BytesIO(box.screenshot())).convert("L")
    width, height = image.size

    def median(x: int) -> float:
        return sorted(image.getpixel((x, y)) for y in range(height))[height // 2]

    return median(2), median(width - 3)


def _amounts_whole(page) -> list[str]:
    """The amounts (cells, and amounts within a sentence) that wrap or are clipped (none, if all is well)."""
    return page.evaluate("""pattern => [...document.querySelectorAll('main td, main .amount')].filter(td => {
        if (!new RegExp(pattern).test(td.textContent.trim())) return false;
        const range = document.createRange(); range.selectNodeContents(td);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        return tops.size > 1 || (td.tagName === 'TD' && td.scrollWidth > td.clientWidth);
    }).map(td => td.textContent.trim())""", AMOUNT)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_wide_console_tables_show_a_scroll_shadow_and_keep_amounts_whole(shop, tmp_path, language):
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    StatementImport.objects.create(shop=shop, provider="alipay", statement_date=_today(), status="done",
                                   filename="bill.csv", lines=4, matched=1, mismatches=2,
                                   line_results=[{**line, "customer_name": "Li Lei"} for line in LINES])  # fmt: skip
    console = Client(HTTP_HOST="localhost")
    console.force_login(admin)
    responses = {path: fetch(console, f"http://localhost{path}", HTTP_ACCEPT_LANGUAGE=language) for path in PAGES}
    scrolled = set()
    with chromium() as browser:
        for width in (390, 1366):
            page = browser.new_page(viewport={"width": width, "height": 900})
            for path in PAGES:
                page_open(page, f"http://localhost{path}", responses[path])
                assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, width)
                assert _amounts_whole(page) == [], (path, width)
                name = re.sub(r"\W+", "-", path.strip("/")) or "shops"
                screenshot(page, tmp_path, f"console-tables-{name}-{language}-{width}.png")
                for index in range(page.locator(SCROLLERS).count()):
                    table = page.locator(SCROLLERS).nth(index)
                    if not table.evaluate("t => t.scrollWidth > t.clientWidth + 1"):
                        inner = table.evaluate(
                            "t => [...t.querySelectorAll('table')].some(x => x.scrollWidth > x.clientWidth + 1)")
                        if not inner:  # no shadow on a box that fits (a table scrolling inside one shows its own)
                            assert min(_edges(page, index)) > 240, (path, width, index)
                        continue
                    scrolled.add((path, width))
                    left, right = _edges(page, index)
                    assert left > 240 and right < 225, (path, width, index, left, right)  # more to the right
                    table.evaluate("t => { t.scrollLeft = t.scrollWidth; }")
                    left, right = _edges(page, index)
                    assert left < 225 and right > 240, (path, width, index, left, right)  # more to the left
                    screenshot(page, tmp_path, f"console-tables-{name}-{language}-{width}-scrolled.png")
                    table.evaluate("t => { t.scrollLeft = 0; }")
            page.close()
    assert ("/console/reconciliation/lines/", 390) in scrolled
    assert not any(width == 1366 for _, width in scrolled), scrolled  # every table fits a laptop
