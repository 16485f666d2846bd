"""Console pages on a phone (390 px) in a real browser: nothing wider than the screen, wide
tables scroll inside their own box, and no column header shrinks to one character a line."""
import uuid

import pytest
from django.test import Client

from pawpact.accounts.models import User
from pawpact.platform.models import PayoutAccount
from tests.browser import browser_marks, chromium, fetch, page_open, screenshot
from tests.conftest import SHOP_PASSWORD
from tests.platform.funding.conftest import drain, emit, signed

pytestmark = browser_marks

PAGES = {"shops": "/console/", "money": "/console/shops/{shop}/money/", "funding": "/console/funding/shops/{shop}/"}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_console_pages_fit_a_phone_and_a_laptop(shop, clock, tmp_path, language):
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    emit(shop, signed(uuid.uuid4()))
    drain(shop, clock)
    PayoutAccount.objects.create(shop=shop, kind="alipay_receiver", account_ref="2088000000000001",
                                 holder_name="Alpha Pets Ltd")  # fmt: skip
    console = Client(HTTP_HOST="localhost")
    console.force_login(admin)
    responses = {name: fetch(console, f"http://localhost{path.format(shop=shop.pk)}", HTTP_ACCEPT_LANGUAGE=language)
                 for name, path in PAGES.items()}  # fmt: skip
    with chromium() as browser:
        for width in (390, 1366):
            page = browser.new_page(viewport={"width": width, "height": 900})
            for name, path in PAGES.items():
                page_open(page, f"http://localhost{path.format(shop=shop.pk)}", responses[name])
                assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
                # A header cell is one line high: never a word stacked one character a line.
                tallest = page.evaluate("Math.max(0, ...[...document.querySelectorAll('th')].map(th => th.getBoundingClientRect().height))")
                assert tallest < 60, (name, width, tallest)
                screenshot(page, tmp_path, f"console-{name}-{language}-{width}.png")
            page.close()
