"""The console's warehouse list on a phone: each warehouse's state, last check, SKU and shop
counts all show within 390 px (a card per warehouse, each value named); at 1366 px it stays a table."""
from django.conf import settings

from pawpact.accounts.models import User
from tests.browser import browser_marks, chromium, fetch, page_open, screenshot
from tests.conftest import SHOP_PASSWORD

pytestmark = browser_marks

MEASURE = """() => [...document.querySelectorAll('table.wh-list tbody td')].map((td) => {
  const box = td.getBoundingClientRect();
  return {right: box.right, text: td.innerText, label: getComputedStyle(td, '::before').content};
})"""


def test_the_warehouse_list_fits_a_phone(linked, public_client, tmp_path):
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    public_client.force_login(admin)
    url = f"http://{settings.PAWPACT_BASE_DOMAIN}/console/warehouses/"
    response = fetch(public_client, url, HTTP_ACCEPT_LANGUAGE="en")
    with chromium() as browser:
        for width in (390, 1366):
            page = browser.new_page(viewport={"width": width, "height": 844})
            page_open(page, url, response)
            cells = page.evaluate(MEASURE)
            screenshot(page, tmp_path, f"console-warehouses-{width}.png")
            assert len(cells) == 5 and all(cell["right"] <= width for cell in cells), (width, cells)
            labels = [cell["label"] for cell in cells[1:]]
            if width == 390:
                assert all(label not in ("none", "normal") for label in labels), labels  # each value is named
                assert page.evaluate("document.documentElement.scrollWidth") <= 390
            else:
                assert all(label in ("none", "normal") for label in labels), labels
            page.close()
