"""Partner pages a first-time user tripped on: errors next to the field at fault (once), a
delisted partner's booking page that says why, distances in km, admins land in the console."""
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.partners.models import Partner, PartnerBooking
from pawpact.partners.services import partner_delist
from pawpact.workspace.enums import Role
from tests.care.factories import customer_with_pet
from tests.conftest import SHOP_PASSWORD
from tests.partners.factories import PDF, listed
from tests.workspace.conftest import client_for, staff_user

pytestmark = pytest.mark.django_db


def test_a_partner_booking_in_the_past_is_shown_on_the_day_field(shop):
    partner = listed()
    client = client_for(shop, staff_user(shop, Role.CLERK))
    with schema_context(shop.schema_name):
        _customer, pet = customer_with_pet()
    response = client.post(f"/manage/partners/{partner.pk}/book/",
                           {"pet": pet.pk, "service": "checkup", "day": date(2020, 1, 1).isoformat(), "at": "10:00"})  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors["day"] == ["Choose a time in the future."]
    assert PartnerBooking.objects.count() == 0


def test_a_delisted_partners_booking_page_says_why(shop):
    partner = listed(name="Harbour Vet")
    partner_delist(partner=partner, note="Licence expired")
    client = client_for(shop, staff_user(shop, Role.CLERK))
    page = client.get(f"/manage/partners/{partner.pk}/book/")
    assert page.status_code == 409 and "Harbour Vet no longer takes bookings through Pawpact." in page.content.decode()
    assert client.get("/manage/partners/999999/book/").status_code == 404


def test_both_coordinates_wrong_say_each_range_once(public_client):
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    public_client.force_login(admin)
    data = {"kind": "clinic", "name": "Far Away", "phone": "021-1234", "address": "9 Harbour St", "latitude": "95",
            "longitude": "200", "services": ["emergency"], "entitlement_price": "80", "licence_number": "VET-1",
            "licence_file": SimpleUploadedFile("licence.pdf", PDF, content_type="application/pdf")}  # fmt: skip
    page = public_client.post("/console/partners/new/", data).content.decode()
    assert page.count("Enter a latitude between -90 and 90.") == 1
    assert page.count("Enter a longitude between -180 and 180.") == 1
    assert Partner.objects.count() == 0


def test_emergency_distances_read_in_metres_then_kilometres(shop):
    listed(name="Next Door Vet", latitude=31.2310, longitude=121.4740)
    listed(name="Across Town Vet", latitude=31.2530, longitude=121.4737)
    page = client_for(shop).get("/emergency/?lat=31.2304&lng=121.4737", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "73 米" in page and "2.5 公里" in page


def test_a_platform_admin_lands_in_the_console_after_login(public_client):
    User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    response = Client(HTTP_HOST=public_client.defaults.get("HTTP_HOST", "testserver")).post(
        "/accounts/login/", {"login": "ops@pawpact.test", "password": SHOP_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/console/"
