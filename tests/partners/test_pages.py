"""Staff find and book partners and see only their shop's bookings; customers search
clinics near them and rate their completed visits once."""

from datetime import date, timedelta

import pytest
from django_tenants.utils import schema_context

from pawpact.core.clock import default_clock
from pawpact.partners.models import PartnerBooking, PartnerRating
from pawpact.workspace.enums import Role
from tests.care.factories import customer_with_pet
from tests.care.test_api import login
from tests.partners.factories import booking, listed
from tests.workspace.conftest import client_for, staff_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.OWNER, Role.MANAGER, Role.CLERK])
def test_every_staff_role_finds_partners_and_sends_a_booking(shop, role):
    partner = listed(name="Riverside Vet")
    client = client_for(shop, staff_user(shop, role))
    with schema_context(shop.schema_name):
        _customer, pet = customer_with_pet()
    found = client.get("/manage/partners/find/?service=checkup")
    assert found.status_code == 200 and "Riverside Vet" in found.content.decode()
    day = (default_clock.today() + timedelta(days=3)).isoformat()
    response = client.post(f"/manage/partners/{partner.pk}/book/",
                           {"pet": pet.pk, "service": "checkup", "day": day, "at": "10:30"})  # fmt: skip
    assert response.status_code == 302
    sent = PartnerBooking.objects.get()
    assert (sent.shop_id, sent.pet_name, sent.status, sent.price_minor) == (shop.pk, pet.name, "requested", 0)
    listing = client.get("/manage/partners/")
    assert "Riverside Vet" in listing.content.decode()
    assert "Service partners" in listing.content.decode()  # the menu entry


def test_a_booking_in_the_past_is_a_form_error_and_nothing_is_written(shop):
    partner = listed()
    client = client_for(shop, staff_user(shop, Role.CLERK))
    with schema_context(shop.schema_name):
        _customer, pet = customer_with_pet()
    response = client.post(f"/manage/partners/{partner.pk}/book/",
                           {"pet": pet.pk, "service": "checkup", "day": date(2020, 1, 1).isoformat(), "at": "10:00"})  # fmt: skip
    assert response.status_code == 400
    assert "scheduled_at" not in response.context["form"].fields  # shown above the form
    assert PartnerBooking.objects.count() == 0


def test_staff_see_only_their_shops_bookings_and_export_them(shop, other_shop):
    partner = listed()
    booking(shop, partner, completed=False)
    theirs = booking(other_shop, partner, completed=False)
    theirs.customer_name = "Beta customer"
    theirs.save()
    client = client_for(shop, staff_user(shop, Role.OWNER))
    page = client.get("/manage/partners/").content.decode()
    assert "Lin Wei" in page and "Beta customer" not in page
    csv_text = client.get("/manage/partners/?export=csv").getvalue().decode("utf-8-sig")
    assert csv_text.count("\n") == 2 and "Beta customer" not in csv_text  # the header and our one booking
    booking(shop, partner, with_entitlement=True)
    booking(other_shop, partner, with_entitlement=True)
    assert [(line.counterparty, line.bookings, line.amount_minor)
            for line in client.get("/manage/partners/").context["statement"]] == [("Riverside Vet", 1, 8000)]  # fmt: skip
    # Another shop's booking cannot be completed from this shop's page.
    client.post(f"/manage/partners/bookings/{theirs.pk}/complete/")
    assert PartnerBooking.objects.get(pk=theirs.pk).status == "requested"


def test_customers_get_no_staff_partner_pages(shop):
    with schema_context(shop.schema_name):
        customer, _pet = customer_with_pet()
        login(customer)
    client = client_for(shop, customer.user)
    assert client.get("/manage/partners/").status_code == 403


def test_emergency_search_page_lists_nearby_clinics_and_refuses_bad_coordinates(shop):
    listed(name="Harbour Animal Hospital", latitude=31.2310, longitude=121.4740)
    client = client_for(shop)
    page = client.get("/emergency/?lat=31.2304&lng=121.4737")
    assert page.status_code == 200
    assert [c.name for c in page.context["clinics"]] == ["Harbour Animal Hospital"]
    bad = client.get("/emergency/?lat=123&lng=121")
    assert bad.status_code == 400 and bad.context["clinics"] is None


def test_the_customer_rates_a_completed_visit_once_from_their_page(shop):
    partner = listed()
    with schema_context(shop.schema_name):
        customer, _pet = customer_with_pet()
        login(customer)
    done = booking(shop, partner, customer_uuid=customer.uuid)
    pending = booking(shop, partner, customer_uuid=customer.uuid, completed=False)
    client = client_for(shop, customer.user)
    page = client.get("/my/partner-services/").content.decode()
    assert page.count('name="stars"') == 5  # one form: only the completed visit can be rated
    client.post(f"/my/partner-services/{done.pk}/rate/", {"stars": 5, "comment": "Great"})
    client.post(f"/my/partner-services/{done.pk}/rate/", {"stars": 1})
    client.post(f"/my/partner-services/{pending.pk}/rate/", {"stars": 2})
    assert list(PartnerRating.objects.values_list("booking_id", "stars")) == [(done.pk, 5)]
