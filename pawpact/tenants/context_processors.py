"""What every page needs to know about the host's shop."""

from pawpact.tenants.enums import ShopMode
from pawpact.tenants.models import Shop


def mode(request) -> dict:
    """`pawpact_test_mode`: the page belongs to a shop in test mode (the banner says so)."""
    shop = getattr(request, "tenant", None)
    return {"pawpact_test_mode": isinstance(shop, Shop) and not shop.is_platform and shop.mode == ShopMode.TEST}
