"""The zones of a shop's home page, read from what the shop offers right now: a shop with no
plan on sale shows no plan zone, one without a linked warehouse's listed products no shop
zone, and so on. The storefront's home and the API's `GET /shop` both read this list, so a
custom frontend lays out the same home as the shop's own pages."""
from __future__ import annotations

from pawpact.billing.models import Plan
from pawpact.care.models import ServiceType
from pawpact.care.pet_selectors import listings_public
from pawpact.loyalty.wallet_selectors import mall_items_on_sale
from pawpact.storefront.selectors import product_list

# In the order the home page lays them out.
ZONE_KEYS = ("plans", "adoption", "goods", "mall", "services")


def zones_offered() -> list[str]:
    """The keys of the zones with something in them, in the page's order."""
    offered = {
        "plans": Plan.objects.filter(is_active=True, versions__isnull=False).exists(),
        "adoption": listings_public().exists(),
        "goods": product_list().exists(),
        "mall": mall_items_on_sale().exists(),
        "services": ServiceType.objects.filter(is_active=True).exists(),
    }
    return [key for key in ZONE_KEYS if offered[key]]
