"""The partner pages in chromium at 1366 and 390 px, English and Chinese: nothing wider
than the screen, and screenshots to look at (tests/browser.py)."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.partners.bookings import rating_submit
from pawpact.partners.portal import partner_hours_update
from pawpact.workspace.enums import Role
from tests.browser import browser_marks, chromium, fetch, page_serve, screenshot
from tests.care.factories import customer_with_pet
from tests.care.test_api import login
from tests.conftest import SHOP_PASSWORD, host_of
from tests.partners.factories import booking, listed
from tests.workspace.conftest import client_for, staff_user

pytestmark = [*browser_marks, pytest.mark.django_db]


@pytest.fixture
def scene(shop):
    near = listed(name="Harbour Animal Hospital", latitude=31.2310, longitude=121.4740, price_minor=8800)
    jade = listed(name="Jade Pet Clinic", latitude=31.2420, longitude=121.4790)
    partner_hours_update(partner=near, days=["00:00-24:00"] * 7, open_24h=True)
    partner_hours_update(partner=jade, days=["09:00-12:00, 13:30-21:00"] * 6 + [""], open_24h=False)
    listed(name="Silk Groomers", kind="groomer", services=("grooming", "bath"))
    with schema_context(shop.schema_name):
        customer, _pet = customer_with_pet()
        login(customer)
    for stars in (5, 4, 5):
        done = booking(shop, near, customer_uuid=customer.uuid)
        rating_submit(shop=shop, booking_id=done.pk, customer_uuid=customer.uuid, stars=stars, comment="Calm and kind")
    booking(shop, near, customer_uuid=customer.uuid)
    booking(shop, near, customer_uuid=customer.uuid, completed=False, with_entitlement=True)
    return near, customer


def _pages(shop, near, customer):
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    console = Client(HTTP_HOST="localhost")
    console.force_login(admin)
    host = host_of(shop)
    staff = client_for(shop, staff_user(shop, Role.CLERK))
    mine = client_for(shop, customer.user)
    return [
        ("console-partner", console, f"http://localhost/console/partners/{near.pk}/"),
        ("console-partners", console, "http://localhost/console/partners/"),
        ("staff-find", staff, f"http://{host}/manage/partners/find/"),
        ("staff-bookings", staff, f"http://{host}/manage/partners/"),
        ("customer-emergency", mine, f"http://{host}/emergency/?lat=31.2304&lng=121.4737"),
        ("customer-visits", mine, f"http://{host}/my/partner-services/"),
    ]


def _with_styles(url: str, response) -> dict:
    """The page and its stylesheets (the workspace's are static files), as page_serve wants them."""
    import re
    from urllib.parse import urljoin

    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.http import HttpResponse

    answers = {url: response}
    for href in re.findall(r'<link[^>]+href="([^"]+\.css)"', response.content.decode()):
        found = finders.find(href.removeprefix(settings.STATIC_URL))
        if found:
            with open(found, "rb") as css:
                answers[urljoin(url, href)] = HttpResponse(css.read(), content_type="text/css")
    return answers


def test_partner_pages_fit_both_widths_in_both_languages(shop, scene, tmp_path):
    near, customer = scene
    pages = _pages(shop, near, customer)
    by_language = {
        language: [(name, url, fetch(client, url, HTTP_ACCEPT_LANGUAGE=language)) for name, client, url in pages]
        for language in ("en", "zh-hans")
    }
    assert "附近急诊医院" in by_language["zh-hans"][4][2].content.decode()
    assert "Average stars by month" in by_language["en"][0][2].content.decode()
    with chromium() as browser:
        for language, answers in by_language.items():
            for width in (1366, 390):
                page = browser.new_page(viewport={"width": width, "height": 900})
                for name, url, response in answers:
                    page_serve(page, _with_styles(url, response))
                    page.goto(url)
                    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                    assert overflow <= 1 or name.startswith(("console", "staff")), (name, language, width, overflow)
                    screenshot(page, tmp_path, f"partners-{name}-{language}-{width}.png")
                page.close()
