"""The pages of this change in chromium at 390 and 1366 px, English and Chinese: the
console's warehouse page with a refused import (the reason in the progress area, the retry
button) and the plan box editor saying when a change applies. Nothing wider than the screen."""
import pytest
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.templatetags.static import static
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.storefront.services.catalog import product_save
from pawpact.warehouses.models import Warehouse
from pawpact.workspace.enums import Role
from tests.billing.debits.factories import contract_create
from tests.browser import browser_marks, chromium, fetch, page_serve, screenshot
from tests.conftest import SHOP_PASSWORD, host_of
from tests.storefront.conftest import SECRET  # noqa: F401
from tests.workspace.conftest import client_for, staff_user

pytestmark = browser_marks
WORDS = {"en": ("Retry the import", "A change applies from the next paid period"),
         "zh-hans": ("重新导入", "修改从下一个已付款的期开始生效")}  # fmt: skip


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_refused_import_and_box_editor_fit_a_phone_and_a_laptop(shop, linked, sandbox_warehouse, tmp_path, language):
    retry, effective = WORDS[language]
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    console = Client(HTTP_HOST="localhost")
    console.force_login(admin)
    console.post("/console/warehouses/", {"name": "East Cloud", "code": "east", "base_url": sandbox_warehouse.url,
                                          "key_id": "east-key", "secret": "a-wrong-secret-of-enough-length"})  # fmt: skip
    east = Warehouse.objects.get(code="east")
    console.post(f"/console/warehouses/{east.pk}/import/", follow=True)
    warehouse_url = f"http://localhost/console/warehouses/{east.pk}/"
    with schema_context(shop.schema_name):
        product_save(sku="FC-0002", price_minor=50_000)
        version = contract_create().plan_version
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    shop_base = f"http://{host_of(shop).split(':')[0]}"
    box_url = f"{shop_base}/manage/catalog/plans/{version.pk}/box/"
    with open(finders.find("workspace/workspace.css"), "rb") as handle:  # the staff pages' stylesheet
        stylesheet = {f"{shop_base}{static('workspace/workspace.css')}": HttpResponse(handle.read(), content_type="text/css")}
    pages = {"warehouse": (warehouse_url, fetch(console, warehouse_url, HTTP_ACCEPT_LANGUAGE=language), retry),
             "box": (box_url, fetch(owner, box_url, HTTP_ACCEPT_LANGUAGE=language), effective)}  # fmt: skip
    with chromium() as browser:
        for width in (390, 1366):
            page = browser.new_page(viewport={"width": width, "height": 900})
            for name, (url, response, words) in pages.items():
                page_serve(page, {url: response, **stylesheet})
                page.goto(url)
                assert words in page.inner_text("body"), (name, width)
                assert page.evaluate("document.documentElement.scrollWidth") <= width, (name, width)
                screenshot(page, tmp_path, f"{name}-{language}-{width}.png")
            page.close()
