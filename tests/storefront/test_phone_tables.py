"""The owner's catalog and parcels at 390 px: wide tables scroll inside their box (the page
itself does not), product names stay on one line and the price box and its buttons keep their size."""
from django_tenants.utils import schema_context

from pawpact.storefront.services.catalog import product_save
from pawpact.warehouses.models import WarehouseSku
from pawpact.workspace.enums import Role
from tests.browser import browser_marks, chromium, fetch, page_open, screenshot
from tests.conftest import host_of
from tests.storefront.test_order_reships import _dispatched_two_line_order
from tests.workspace.conftest import client_for, staff_user

pytestmark = browser_marks

MEASURE = """() => {
  const box = (el) => el ? el.getBoundingClientRect() : null;
  const price = document.querySelector('input[name="price"]');
  const cells = [...document.querySelectorAll('.table-scroll td')];
  return {
    page: document.documentElement.scrollWidth,
    scrollers: [...document.querySelectorAll('.table-scroll')].map((el) => box(el).right),
    price: price ? box(price).width : null,
    save: price ? box(price.form.querySelector('button')).width : null,
    tallest: Math.max(...cells.map((td) => box(td).height)),
    lang: box(document.querySelector('.lang select')) ? box(document.querySelector('.lang select')).width : 0,
  };
}"""


def test_catalog_and_parcels_fit_a_phone(shop, linked, tmp_path):
    _user, order, _lines = _dispatched_two_line_order(shop)
    with schema_context(shop.schema_name):
        product_save(sku="FC-0003", price_minor=WarehouseSku.objects.get(warehouse=linked, sku="FC-0003").cost_minor * 2)
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    owner.cookies["django_language"] = "zh-hans"
    base = f"http://{host_of(shop)}"
    pages = {"catalog": fetch(owner, base + "/manage/catalog/?q=FC-000"), "parcels": fetch(owner, base + "/manage/parcels/")}
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        for name, response in pages.items():
            page_open(page, f"{base}/{name}", response)
            found = page.evaluate(MEASURE)
            screenshot(page, tmp_path, f"owner-{name}-390.png")
            assert found["page"] <= 390, (name, found)  # the page does not scroll sideways
            assert all(right <= 390 for right in found["scrollers"]), (name, found)
            assert found["tallest"] < 140, (name, found)  # no name squeezed a letter per line
            assert found["lang"] <= 160, (name, found)  # the language switch is not a full-width box
            if name == "catalog":
                assert found["price"] >= 100 and found["save"] >= 40, found
        page.close()
