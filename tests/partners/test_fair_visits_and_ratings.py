"""A partner visit is completed only once it has taken place (nothing cleared, no rating
before); one customer is one voice in the ratings rule, whatever the number of visits they
rate; and the console's headline and chart follow that same rule."""
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client

from pawpact.accounts.models import User
from pawpact.core.clock import default_clock
from pawpact.partners.bookings import partner_booking_complete, rating_submit
from pawpact.partners.enums import BookingStatus, PartnerState
from pawpact.partners.errors import VisitNotYet
from pawpact.partners.models import Partner, PartnerBooking
from pawpact.partners.selectors import rating_months
from pawpact.partners.services import rating_standing
from pawpact.platform.models import PlatformJournal
from pawpact.workspace.enums import Role
from tests.conftest import SHOP_PASSWORD
from tests.partners.factories import booking, listed
from tests.workspace.conftest import client_for, staff_user

pytestmark = pytest.mark.django_db


def _rate(shop, partner, stars, customer_uuid=None):
    done = booking(shop, partner, customer_uuid=customer_uuid)
    return rating_submit(shop=shop, booking_id=done.pk, customer_uuid=done.customer_uuid, stars=stars)


def test_a_future_visit_cannot_be_completed_and_nothing_is_cleared(shop):
    partner = listed(price_minor=8000)
    future = booking(shop, partner, with_entitlement=True, completed=False)
    with pytest.raises(VisitNotYet):
        partner_booking_complete(shop=shop, booking_id=future.pk)
    future.refresh_from_db()
    assert (future.status, future.completed_at) == (BookingStatus.REQUESTED, None)
    assert PlatformJournal.objects.filter(kind="partner.clearing").count() == 0
    with time_machine.travel(future.scheduled_at + timedelta(minutes=1)):
        done = partner_booking_complete(shop=shop, booking_id=future.pk)
    assert done.status == BookingStatus.COMPLETED
    assert PlatformJournal.objects.filter(kind="partner.clearing").count() == 1


def test_the_staff_page_offers_completion_only_after_the_visit_and_asks_first(shop):
    partner = listed()
    future = booking(shop, partner, completed=False)
    client = client_for(shop, staff_user(shop, Role.OWNER))
    page = client.get("/manage/partners/").content.decode()
    assert f"/manage/partners/bookings/{future.pk}/complete/" not in page
    assert "Can be completed once the visit has taken place." in page
    refused = client.post(f"/manage/partners/bookings/{future.pk}/complete/", follow=True)
    assert "it can be completed once it has taken place" in refused.content.decode()
    assert PartnerBooking.objects.get(pk=future.pk).status == BookingStatus.REQUESTED
    with time_machine.travel(future.scheduled_at + timedelta(minutes=5)):
        later = client.get("/manage/partners/").content.decode()
    assert f"/manage/partners/bookings/{future.pk}/complete/" in later
    assert 'data-confirm="Did Riverside Vet serve Mochi? The customer can then rate the visit."' in later


def test_one_customer_rating_many_visits_is_one_voice_and_no_verdict(shop):
    partner = listed()
    angry = uuid.uuid4()
    for _ in range(5):
        _rate(shop, partner, 2, customer_uuid=angry)
    assert Partner.objects.get(pk=partner.pk).state == PartnerState.LISTED
    standing = rating_standing(partner=partner, now=default_clock.now())
    assert (standing.average, standing.customers, standing.needed) == (None, 1, 5)


def test_four_happy_customers_outweigh_one_who_rated_five_visits(shop):
    partner = listed()
    angry = uuid.uuid4()
    for _ in range(5):
        _rate(shop, partner, 1, customer_uuid=angry)
    for _ in range(4):
        _rate(shop, partner, 5)
    # Counted per rating it would be (5 + 20) / 9 = 2.78: rectification. Per customer: (1 + 20) / 5.
    assert Partner.objects.get(pk=partner.pk).state == PartnerState.LISTED
    assert rating_standing(partner=partner, now=default_clock.now()).average == Decimal("4.20")
    this_month = rating_months(partner=partner, today=default_clock.today())[-1]
    assert this_month[1:] == (4.2, 5)


def test_the_console_headline_explains_the_rule_under_rectification(shop, public_client):
    partner = listed()
    for _ in range(5):
        _rate(shop, partner, 2)
    assert Partner.objects.get(pk=partner.pk).state == PartnerState.RECTIFICATION
    admin = User.objects.create_user("ops@pawpact.test", SHOP_PASSWORD, name="Ops", is_staff=True)
    client = Client(HTTP_HOST=public_client.defaults.get("HTTP_HOST", "testserver"))
    client.force_login(admin)
    page = client.get(f"/console/partners/{partner.pk}/").content.decode()
    assert "Average under the ratings rule" in page and "no data" in page
    assert "0 customers in the window; a verdict needs 5 different customers." in page
    assert "Only ratings since" in page and "2.00" in page  # the history keeps the average that caused it
