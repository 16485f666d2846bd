"""The pet pages in a real browser at 390 px and 1366 px, in both languages; screenshots go
to $PAWPACT_SCREENSHOT_DIR (or the test's tmp dir)."""
from datetime import date, timedelta

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.db import connections
from django.http import HttpResponse
from django.templatetags.static import static
from django_tenants.utils import schema_context

from pawpact.care.services.adoptions import adoption_application_submit, adoption_listing_create
from pawpact.care.services.guarantee import guarantee_claim_submit
from pawpact.care.services.pet_archive import health_record_add, pet_weight_record
from pawpact.workspace.enums import Role
from tests.billing.lifecycle.messages.helpers import active_contract
from tests.browser import browser_marks, chromium, fetch, page_serve, screenshot
from tests.care.pet_factories import CLOCK, TODAY, pdf, shop_pet
from tests.care.test_pet_pages import APPLY, customer_client
from tests.conftest import host_of
from tests.workspace.conftest import client_for, staff_user

pytestmark = browser_marks


def _rows():
    contract = active_contract()
    pet = contract.pet
    pet.breed, pet.birthday, pet.adoption_date, pet.allergies = "Ragdoll", date(2025, 10, 2), TODAY - timedelta(days=6), "Chicken"
    pet.save()
    health_record_add(pet=pet, kind="vaccine", done_on=TODAY - timedelta(days=6), product="Feline trivalent", next_due=date(2027, 3, 14), clock=CLOCK)
    health_record_add(pet=pet, kind="deworming", done_on=TODAY - timedelta(days=2), product="Milbemax", clock=CLOCK)
    pet_weight_record(pet=pet, measured_on=TODAY, grams=3450, clock=CLOCK)
    guarantee_claim_submit(pet=pet, customer=contract.customer, condition="FIP", diagnosed_on=TODAY, evidence=pdf(), note="Fever for three days", clock=CLOCK)
    listing = adoption_listing_create(pet=shop_pet("Snow"), values={
        "headline": "Snow, a calm British Shorthair kitten", "fee_minor": 80_000,
        "description": "Loves laps and quiet homes.", "health_checks": "FeLV/FIV negative, two vaccines"}, clock=CLOCK)
    adoption_application_submit(listing=listing, values={**APPLY, "consent": True, "message": "We have a cat tree ready."}, clock=CLOCK)
    return contract, pet, listing


def _stylesheet(base: str) -> dict:
    """The workspace's stylesheet, which the staff pages link to."""
    path = static("workspace/workspace.css")
    with open(finders.find("workspace/workspace.css"), "rb") as handle:
        return {f"{base}{path}": HttpResponse(handle.read(), content_type="text/css")}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_pet_pages_render_at_phone_and_desk_width(shop, language, tmp_path):
    with time_machine.travel(CLOCK.now(), tick=False):
        with schema_context(shop.schema_name):
            contract, pet, listing = _rows()
        customer = customer_client(shop, contract.customer)
        desk = client_for(shop, staff_user(shop, Role.MANAGER))
        visitor = client_for(shop)
        for client in (customer, desk, visitor):
            client.cookies["django_language"] = language
        base = f"http://{host_of(shop)}"
        phone = {
            "my-pets": fetch(customer, f"{base}/my/pets/"), "my-pet": fetch(customer, f"{base}/my/pets/{pet.uuid}/"),
            "claim": fetch(customer, f"{base}/my/pets/{pet.uuid}/claim/"), "adopt": fetch(visitor, f"{base}/adopt/"),
            "adopt-detail": fetch(visitor, f"{base}/adopt/{listing.uuid}/"),
        }
        staff = {
            "staff-pets": fetch(desk, f"{base}/manage/pets/"), "staff-archive": fetch(desk, f"{base}/manage/pets/archive/{pet.uuid}/"),
            "staff-listings": fetch(desk, f"{base}/manage/pets/adoptions/"),
            "staff-applications": fetch(desk, f"{base}/manage/pets/applications/"),
            "staff-claims": fetch(desk, f"{base}/manage/pets/claims/"),
        }
    with chromium() as browser:
        for width, pages in ((390, phone), (1366, {**phone, **staff})):
            page = browser.new_page(viewport={"width": width, "height": 844})
            for name, response in pages.items():
                page_serve(page, {f"{base}/{name}": response, **_stylesheet(base)})
                page.goto(f"{base}/{name}")
                assert page.locator("main").is_visible()
                overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0 or name.startswith("staff"), (name, width, overflow)
                screenshot(page, tmp_path, f"pets-{name}-{width}-{language}.png")
            page.close()
    connections["default"].set_schema_to_public()
