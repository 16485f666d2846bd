"""The Members pages in chromium: the owner's rule editor (with a refused ladder), the members
list with its chart and a member's page at 1366 px, the customer's My membership at 390 px;
both languages. Screenshots: the test's tmp dir and $PAWPACT_SCREENSHOT_DIR when set."""
import mimetypes
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connections
from django_tenants.utils import schema_context

from pawpact.loyalty.benefits import member_benefits_save
from pawpact.loyalty.models import TierBasis
from pawpact.loyalty.points import points_events_apply
from pawpact.loyalty.tiers import tier_preset_apply
from pawpact.workspace.enums import Role
from tests.browser import browser_marks, chromium, fetch, screenshot
from tests.conftest import host_of
from tests.loyalty.conftest import NOW
from tests.loyalty.helpers import order
from tests.loyalty.test_member_pages import preset_rows
from tests.storefront.test_my_plans import browser_of, customer_with_login
from tests.workspace.conftest import client_for, staff_user

pytestmark = [*browser_marks, pytest.mark.django_db, pytest.mark.usefixtures("traveller")]


def serve(page, url: str, response) -> None:
    """The page from the test client's response; its static files (CSS, ECharts) from the project."""

    def handle(route):
        address = route.request.url
        if address == url:
            route.fulfill(status=response.status_code, headers=dict(response.items()), body=response.content)
            return
        path = address.split("/static/", 1)[1].split("?")[0] if "/static/" in address else None
        found = finders.find(path) if path else None
        if found:
            route.fulfill(status=200, body=Path(found).read_bytes(),
                          content_type=mimetypes.guess_type(found)[0] or "application/octet-stream")  # fmt: skip
        else:
            route.fulfill(status=404, body=b"")

    page.route("**/*", handle)
    page.goto(url)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_members_pages_at_desk_and_phone_width(shop, language, tmp_path):
    with schema_context(shop.schema_name):
        tier_preset_apply(basis=TierBasis.SPEND_VISITS)
        member_benefits_save(member_day=8, discount_percent=5, points_multiplier=2, multi_pet_half_price=True)
        customers = [customer_with_login(shop) for _ in range(4)]
        for i, customer in enumerate(customers):
            points_events_apply(events=[order(customer, at=NOW - timedelta(days=5 + i), amount_minor=amount)
                                        for amount in (30_000 * (i + 1), 45_000 * i)])  # fmt: skip
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    owner.cookies["django_language"] = language
    customer = browser_of(shop, customers[2])
    customer.cookies["django_language"] = language
    base = f"http://{host_of(shop)}"
    refused = owner.post("/manage/members/rules/", {**preset_rows(), "t2-min_spend": "900"})
    assert refused.status_code == 400
    desk = {
        "rules": fetch(owner, base + "/manage/members/rules/"),
        "rules-refused": refused,
        "members": fetch(owner, base + "/manage/members/"),
        "member": fetch(owner, f"{base}/manage/members/{customers[2].uuid}/"),
    }
    phone = {"my-membership": fetch(customer, base + "/my/membership/")}
    with chromium() as browser:
        for width, pages in ((1366, {**desk, **phone}), (390, {**phone, "members": desk["members"]})):
            page = browser.new_page(viewport={"width": width, "height": 900 if width > 400 else 844})
            for name, response in pages.items():
                serve(page, f"{base}/{name}/", response)
                assert page.locator("main").is_visible()
                if name == "members":
                    page.wait_for_selector(".ws-chart svg")
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if name == "my-membership":
                    assert overflow <= 0, f"{name} scrolls sideways at {width} px"
                screenshot(page, tmp_path, f"members-{name}-{width}-{language}.png")
            page.close()
    connections["default"].set_schema_to_public()
