"""The shop's public profile, read from the host alone: what a frontend shows before anyone
signs in (its name, where and when it is open, how to reach it, what it offers)."""
from django.conf import settings
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from pawpact.api.openapi import error_responses
from pawpact.api.v1.shop.serializers import ShopProfileSerializer
from pawpact.care.zones import zones_offered

# Each zone's name and the API list holding its items; which zones a shop shows comes from
# what it offers (pawpact.care.zones), the same as its own home page.
ZONES = {
    "plans": (_("Plan zone"), "api_plan_list"),
    "adoption": (_("Adopt a pet"), "api_care_adoption_list"),
    "goods": (_("Pet supplies"), "api_shop_product_list"),
    "mall": (_("Points mall"), "api_mall_items"),
    "services": (_("Services"), "api_care_service_list"),
}


def shop_profile(request) -> dict:
    shop = request.tenant
    profile = import_string(settings.PAWPACT_SHOP_PROFILE_READER)()
    return {
        "name": shop.name,
        **{key: profile[key] for key in ("address", "opening_hours", "phone", "email")},
        "logo_url": request.build_absolute_uri(reverse("shop_logo")) if profile["has_logo"] else None,
        "zones": [
            {"key": key, "name": str(ZONES[key][0]), "path": reverse(ZONES[key][1])} for key in zones_offered()
        ],
        "livemode": shop.is_live,
    }


class ShopProfileApi(APIView):
    """Public: no token needed; the shop is the host called."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary=_("The shop's public profile (no token needed)"),
        responses={200: ShopProfileSerializer, **error_responses(400)},
        auth=[],
    )
    def get(self, request):
        return Response(ShopProfileSerializer(shop_profile(request)).data)
