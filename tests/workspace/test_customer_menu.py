"""The customer's menu lists every customer page on every customer page, and only for customers."""
from datetime import date

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.customers.models import Customer

from pawpact.workspace.customer_menu import customer_menu_for
from tests.conftest import SHOP_PASSWORD, host_of

pytestmark = pytest.mark.django_db


def test_menu_lists_installed_customer_pages_in_order():
    menu = customer_menu_for("/my/plans/")
    assert [item["key"] for item in menu] == [
        "plans", "pets", "orders", "boxes", "book", "bookings", "partner_services", "emergency", "membership", "paid_membership",
        "coupons",
        "stored_value", "mall", "referral", "complaints", "messages",
    ]  # fmt: skip
    assert [item["is_current"] for item in menu] == [True] + [False] * 15


def test_my_account_lists_every_customer_page_and_the_top_bar_only_the_pinned(shop):
    with schema_context(shop.schema_name):
        user = User.objects.create_user("li@example.com", SHOP_PASSWORD, name="Li")
        Customer.objects.create(name="Li", phone="13800138000", birth_date=date(1990, 1, 1), user=user)
    client = Client(HTTP_HOST=host_of(shop))
    assert client.get("/my/")["Location"].startswith("/accounts/login/")
    with schema_context(shop.schema_name):  # sessions live in the shop's schema
        client.force_login(user)
    response = client.get("/my/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response
    page = response.content.decode()
    tiles = page.split('class="h5-tiles"', 1)[1]
    top_bar = page.split('class="h5-tiles"', 1)[0]
    for label in ("My plans", "My pets", "Book a service", "My coupons", "Points mall", "Complaints", "Messages"):
        assert label in tiles, label
    assert "My plans" in top_bar and "Messages" in top_bar and "Points mall" not in top_bar
