"""The lists show the average the rectification rule judges (one voice per customer, the rolling
window, no data below 5 customers) with its number of customers, never the all-time average;
the partner portal offers "mark completed" only once the visit has taken place."""
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from pawpact.accounts.models import User
from pawpact.core.clock import default_clock
from pawpact.partners.bookings import rating_submit
from pawpact.partners.enums import BookingStatus
from pawpact.partners.models import PartnerBooking, PartnerMember, PartnerRating
from pawpact.partners.selectors import partner_list, standings_attach
from pawpact.partners.services import rating_standing
from pawpact.workspace.enums import Role
from tests.conftest import SHOP_PASSWORD, host_of
from tests.partners.factories import booking, listed
from tests.workspace.conftest import client_for, staff_user

pytestmark = pytest.mark.django_db


def _rate(shop, partner, stars, customer_uuid=None):
    done = booking(shop, partner, customer_uuid=customer_uuid)
    return rating_submit(shop=shop, booking_id=done.pk, customer_uuid=done.customer_uuid, stars=stars)


def _console():
    client = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    client.force_login(User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, is_staff=True))
    return client


def test_the_lists_show_the_rules_average_and_its_customers_not_the_all_time_average(shop, shop_staff):
    judged, few = listed(name="Judged Vet"), listed(name="Few Vet")
    old = _rate(shop, judged, 1)  # a customer of 100 days ago: outside the window
    PartnerRating.objects.filter(pk=old.pk).update(created_at=default_clock.now() - timedelta(days=100))
    angry = uuid.uuid4()
    for _ in range(5):
        _rate(shop, judged, 1, customer_uuid=angry)  # one customer: one voice, their latest
    for _ in range(4):
        _rate(shop, judged, 5)
    for _ in range(3):
        _rate(shop, few, 5)
    # All time: (5×1 + 4×5 + 1) / 10 = 2.6. The rule: (1 + 4×5) / 5 = 4.20 over 5 customers.
    now = default_clock.now()
    [judged_row, few_row] = standings_attach(partner_list(query="Vet").order_by("-name"), now=now)
    assert (judged_row.standing_average, judged_row.standing_customers) == (Decimal("4.20"), 5)
    assert judged_row.standing_average == rating_standing(partner=judged, now=now).average
    assert (few_row.standing_average, few_row.standing_customers) == (None, 3)

    console = _console()
    page = console.get("/console/partners/").content.decode()
    assert "4.20" in page and "2.60" not in page and "no data" in page
    export = console.get("/console/partners/?export=csv").content.decode("utf-8-sig").splitlines()
    assert any(line.startswith("Judged Vet,") and ",5,4.20,10," in line for line in export), export
    staff = client_for(shop, staff_user(shop, Role.CLERK))
    find = staff.get("/manage/partners/find/").content.decode()
    assert "4.20" in find and "5 customers" in find and "3 customers" in find and "no data" in find
    api = APIClient(HTTP_HOST=host_of(shop))
    api.credentials(HTTP_AUTHORIZATION="Token " + shop_staff.api_token)
    body = api.get("/api/v1/partners").json()
    rows = {row["name"]: row for row in (body["results"] if isinstance(body, dict) else body)}
    assert (rows["Judged Vet"]["standing_average"], rows["Judged Vet"]["standing_customers"]) == ("4.20", 5)
    assert (rows["Few Vet"]["standing_average"], rows["Few Vet"]["standing_customers"]) == (None, 3)


def test_the_portal_offers_mark_completed_only_after_the_visit(shop):
    partner = listed()
    future = booking(shop, partner, completed=False)
    user = User.objects.create_user("lin@riverside.test", SHOP_PASSWORD)
    PartnerMember.objects.create(partner=partner, user=user)
    client = Client(HTTP_HOST=settings.PAWPACT_BASE_DOMAIN)
    client.force_login(user)
    page = client.get("/partner/").content.decode()
    assert f"/partner/bookings/{future.pk}/complete/" not in page
    assert "Can be completed once the visit has taken place." in page
    client.post(f"/partner/bookings/{future.pk}/complete/")
    assert PartnerBooking.objects.get(pk=future.pk).status == BookingStatus.REQUESTED
    with time_machine.travel(future.scheduled_at + timedelta(minutes=5)):
        later = client.get("/partner/").content.decode()
    assert f"/partner/bookings/{future.pk}/complete/" in later
