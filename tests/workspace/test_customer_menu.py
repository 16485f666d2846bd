"""The customer's menu lists every customer page on every customer page, and only for customers."""
import pytest

from pawpact.workspace.customer_menu import customer_menu_for

pytestmark = pytest.mark.django_db


def test_menu_lists_installed_customer_pages_in_order():
    menu = customer_menu_for("/my/plans/")
    assert [item["key"] for item in menu] == [
        "plans", "pets", "orders", "book", "bookings", "partner_services", "emergency", "membership", "coupons",
        "stored_value", "mall", "referral", "complaints", "messages",
    ]  # fmt: skip
    assert [item["is_current"] for item in menu] == [True] + [False] * 13
