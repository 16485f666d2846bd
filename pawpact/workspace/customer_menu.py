"""The customer's menu on a shop host: every customer page of every app, in one list.

The apps that serve these pages sit in different layers, so the list names pages by URL
name; a page whose app is not installed is left out rather than breaking the menu.
"""
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class CustomerMenuItem:
    key: str
    label: str
    url_name: str


# In the order a customer looks for things: what they signed, what they bought, messages.
CUSTOMER_MENU = (
    CustomerMenuItem("plans", _("My plans"), "my_contracts"),
    CustomerMenuItem("pets", _("My pets"), "care:my_pets"),
    CustomerMenuItem("orders", _("My orders"), "storefront:orders"),
    CustomerMenuItem("messages", _("Messages"), "my_messages"),
)


def customer_menu_for(path: str) -> list[dict]:
    items = []
    for item in CUSTOMER_MENU:
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"key": item.key, "label": item.label, "url": url, "is_current": path.startswith(url)})
    return items
