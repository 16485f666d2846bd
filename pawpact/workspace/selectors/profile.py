"""The shop's profile as anyone may read it (the API's `GET /shop`, through the setting
PAWPACT_SHOP_PROFILE_READER: the API sits beside the workspace and does not import it)."""
from pawpact.workspace.models import ShopProfile


def shop_profile_public() -> dict:
    """Address, hours and contacts, and whether there is a logo; empty until the owner fills them in.
    Read, never created: an anonymous request writes nothing."""
    profile = ShopProfile.objects.filter(pk=1).first() or ShopProfile()
    return {
        "address": profile.address,
        "opening_hours": profile.opening_hours,
        "phone": profile.contact_phone,
        "email": profile.contact_email,
        "has_logo": bool(profile.logo),
    }
