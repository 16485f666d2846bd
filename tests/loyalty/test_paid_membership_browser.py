"""Paid membership in chromium: the staff page (figures, chart, plans, members) and a plan's
form at 1366 px and 390 px; the customer's page (plans with the trial, then the membership
in force) at 390 px and 1366 px; both languages, nothing scrolling sideways on a phone.
Screenshots: the test's tmp dir and $PAWPACT_SCREENSHOT_DIR when set."""
from datetime import timedelta

import pytest
from django.db import connections
from django_tenants.utils import schema_context

from pawpact.billing.models import PaymentMethod
from pawpact.core.clock import FixedClock
from pawpact.loyalty.paid_membership import paid_membership_join
from pawpact.loyalty.paid_refunds import paid_membership_cancel
from pawpact.loyalty.paid_renewals import paid_renewals_run
from pawpact.workspace.enums import Role
from tests.browser import browser_marks, chromium, fetch, screenshot
from tests.conftest import host_of
from tests.loyalty.conftest import NOW
from tests.loyalty.paid_helpers import method, plan
from tests.loyalty.test_member_browser import serve
from tests.storefront.test_my_plans import browser_of, customer_with_login
from tests.workspace.conftest import client_for, staff_user

pytestmark = [*browser_marks, pytest.mark.django_db, pytest.mark.usefixtures("traveller")]


def _members(shop):
    with schema_context(shop.schema_name):
        monthly, yearly = plan(990, trial_days=7), plan(9_900, months=12, goods_discount_percent=15)
        plan(39_900, months=12, goods_discount_percent=20, free_services_per_month=2)
        clock = FixedClock(NOW - timedelta(days=120))
        members = []
        for n in range(6):
            customer = customer_with_login(shop)
            card = method(customer)
            membership = paid_membership_join(customer=customer, plan=yearly if n in (1, 3) else monthly, payment_method=card,
                                              request_key=f"b{n}", clock=clock)  # fmt: skip
            if n == 5:  # its renewals are declined: retried, then it lapses
                PaymentMethod.objects.filter(pk=card.pk).update(token="tok_insufficient_funds.x")
            if n == 4:
                paid_membership_cancel(membership=membership, clock=clock)
            members.append(customer)
            clock.advance(timedelta(days=9))
        for _day in range(0, 130, 10):  # four months of renewals, retries and lapses
            clock.advance(timedelta(days=10))
            paid_renewals_run(clock=clock)
        shopper = customer_with_login(shop)
        method(shopper)
    return members, shopper


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_paid_membership_pages_at_desk_and_phone_width(shop, language, tmp_path):
    members, shopper = _members(shop)
    owner = client_for(shop, staff_user(shop, Role.OWNER))
    owner.cookies["django_language"] = language
    base = f"http://{host_of(shop)}"
    desk = {"paid": fetch(owner, base + "/manage/members/paid/"),
            "paid-plan": fetch(owner, base + "/manage/members/paid/plans/new/")}  # fmt: skip
    phone = {}
    for name, customer in (("club-join", shopper), ("club-member", members[1])):
        client = browser_of(shop, customer)
        client.cookies["django_language"] = language
        phone[name] = fetch(client, base + "/my/club/")
    with chromium() as browser:
        for width in (1366, 390):
            page = browser.new_page(viewport={"width": width, "height": 900 if width > 400 else 844})
            for name, response in {**desk, **phone}.items():
                assert response.status_code == 200, name
                serve(page, f"{base}/{name}/", response)
                assert page.locator("main").is_visible()
                if name == "paid":
                    page.wait_for_selector(".ws-chart svg, .ws-chart canvas")
                if name.startswith("club"):
                    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    assert overflow <= 0, f"{name} scrolls sideways at {width} px"
                screenshot(page, tmp_path, f"paid-{name}-{width}-{language}.png")
            page.close()
    connections["default"].set_schema_to_public()
