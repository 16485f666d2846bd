"""The staff parcels page in a browser at 1366 and 390 px, in English and Chinese: every card
stays inside the page, each table fits its card or scrolls inside it, and the page itself never
scrolls sideways. Screenshots go to $PAWPACT_SCREENSHOT_DIR."""
import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.storefront.models import ReshipRequest
from pawpact.workspace.enums import Role
from tests.browser import browser_marks, live_browser, screenshot
from tests.conftest import host_of
from tests.storefront.test_box_reship_pages import _photo
from tests.storefront.test_order_reships import _dispatched_two_line_order
from tests.workspace.conftest import client_for, staff_user

pytestmark = browser_marks

MEASURE = """() => {
  const box = (el) => el.getBoundingClientRect();
  const width = document.documentElement.clientWidth;
  const tables = [...document.querySelectorAll('main table, .card table')].map((table) => {
    const card = table.closest('.card');
    const scroller = table.closest('.table-scroll');
    const style = scroller ? getComputedStyle(scroller) : null;
    return {
      table: Math.round(box(table).width), card: card ? Math.round(box(card).right) : null,
      cardWidth: card ? Math.round(box(card).width) : null,
      scrolls: !!scroller && ['auto', 'scroll'].includes(style.overflowX),
      scrollerRight: scroller ? Math.round(box(scroller).right) : null,
      rows: table.querySelectorAll('tbody tr').length,
    };
  });
  const cells = [...document.querySelectorAll('.card td')].map((td) => box(td).height);
  return {
    width, page: document.documentElement.scrollWidth, body: document.body.scrollWidth, tables,
    cards: [...document.querySelectorAll('.card')].map((card) => Math.round(box(card).right)),
    tallest: Math.max(...cells),
    styled: document.querySelector('.card') ? getComputedStyle(document.querySelector('.card')).borderTopStyle !== 'none'
      || getComputedStyle(document.querySelector('.card')).backgroundColor !== 'rgba(0, 0, 0, 0)' : false,
  };
}"""


def _session(shop, user) -> str:
    client = Client(HTTP_HOST=host_of(shop))
    with schema_context(shop.schema_name):
        client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_parcels_page_fits_a_laptop_and_a_phone(shop, linked, settings, tmp_path, monkeypatch, language):
    settings.MEDIA_ROOT = str(tmp_path)
    user, order, lines = _dispatched_two_line_order(shop)
    sent = client_for(shop, user).post(f"/shop/orders/{order.uuid}/", {
        f"item_{lines['FC-0001'].pk}": "1", "reason": "damaged", "photos": [_photo()],
        "note": "The bag of cat food arrived torn open along the whole bottom seam and half of it spilled"})  # fmt: skip
    assert sent.status_code == 302
    with schema_context(shop.schema_name):
        assert ReshipRequest.objects.count() == 1
    owner = _session(shop, staff_user(shop, Role.OWNER))
    with live_browser(monkeypatch) as (browser, server):
        base = f"http://{host_of(shop).split(':')[0]}:{server.port}"
        for width, height in ((1366, 900), (390, 844)):
            context = browser.new_context(viewport={"width": width, "height": height})
            context.add_cookies([{"name": "django_language", "value": language, "url": base + "/"},
                                 {"name": settings.SESSION_COOKIE_NAME, "value": owner, "url": base + "/"}])  # fmt: skip
            page = context.new_page()
            assert page.goto(base + "/manage/parcels/").status == 200
            assert page.locator("[data-reships-recent] h2").inner_text() == (
                "Recent reships" if language == "en" else "最近的补发")  # fmt: skip
            assert page.locator("[data-parcels] h2").inner_text() == (
                "Every parcel, newest first" if language == "en" else "全部包裹（最新在前）")  # fmt: skip
            assert page.locator("[data-parcels] .ws-exports a").count() == 4  # the exports sit with the list they export
            found = page.evaluate(MEASURE)
            screenshot(page, tmp_path, f"staff-parcels-{language}-{width}.png")
            context.close()
            assert found["styled"], found  # the workspace's stylesheet was served
            assert found["page"] <= found["width"] and found["body"] <= found["width"], found  # no sideways page scroll
            assert all(right <= found["width"] for right in found["cards"]), found
            assert len(found["tables"]) >= 2 and sum(t["rows"] for t in found["tables"]) >= 3, found
            for table in found["tables"]:
                fits = table["table"] <= table["cardWidth"]
                assert fits or (table["scrolls"] and table["scrollerRight"] <= table["card"]), (width, table)
            assert found["tallest"] < 200, found  # no column squeezed to a letter per line
