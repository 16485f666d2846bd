"""The customer's menu on a shop host: every customer page of every app, in one list.

The apps that serve these pages sit in different layers, so the list names pages by URL
name; a page whose app is not installed is left out rather than breaking the menu. A phone's
top bar has room for a few links: the pinned ones, beside "My account" (/my/), the page
that shows them all.
"""
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class CustomerMenuItem:
    key: str
    label: str
    url_name: str
    pinned: bool = False  # also in the top bar of every customer page


# In the order a customer looks for things: what they signed, what they bought, messages.
CUSTOMER_MENU = (
    CustomerMenuItem("plans", _("My plans"), "my_contracts", pinned=True),
    CustomerMenuItem("pets", _("My pets"), "care:my_pets"),
    CustomerMenuItem("orders", _("My orders"), "storefront:orders"),
    CustomerMenuItem("boxes", _("My plan boxes"), "storefront:boxes"),
    CustomerMenuItem("book", _("Book a service"), "care:my_book"),
    CustomerMenuItem("bookings", _("My bookings"), "care:my_bookings"),
    CustomerMenuItem("partner_services", _("Clinic & grooming visits"), "my_partner_services"),
    CustomerMenuItem("emergency", _("Emergency clinics"), "emergency_clinics"),
    CustomerMenuItem("membership", _("My membership"), "my_membership"),
    CustomerMenuItem("paid_membership", _("Paid membership"), "my_paid_membership"),
    CustomerMenuItem("coupons", _("My coupons"), "my_coupons"),
    CustomerMenuItem("stored_value", _("Stored value"), "my_stored_value"),
    CustomerMenuItem("mall", _("Points mall"), "my_mall"),
    CustomerMenuItem("referral", _("Refer a friend"), "my_referral"),
    CustomerMenuItem("complaints", _("Complaints"), "care:my_complaints"),
    CustomerMenuItem("messages", _("Messages"), "my_messages", pinned=True),
)


def customer_menu_for(path: str) -> list[dict]:
    items = []
    for item in CUSTOMER_MENU:
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append(
            {"key": item.key, "label": item.label, "url": url, "pinned": item.pinned, "is_current": path.startswith(url)}
        )
    return items
