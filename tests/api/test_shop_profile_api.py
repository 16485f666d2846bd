"""GET /api/v1/shop: the shop's public profile, from its host, without a token."""
from django.db import connection
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.workspace.models import ShopProfile
from tests.conftest import host_of

# The seeded shop sells plans and nothing else yet (tests/storefront/test_shop_zones.py: all zones).
ZONE_PATHS = {"plans": "/api/v1/plans"}


def _profile(shop, **values):
    with schema_context(shop.schema_name):
        ShopProfile.objects.update_or_create(pk=1, defaults=values)


def test_anonymous_visitor_reads_the_shops_profile(shop):
    _profile(shop, address="1 Pet Road", opening_hours="9:00-20:00", contact_phone="13800138000",
             contact_email="hi@alpha.test", logo="profile/logo.png")  # fmt: skip
    response = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/shop")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("object", "name", "address", "opening_hours", "phone", "email", "livemode")} == {
        "object": "shop", "name": shop.name, "address": "1 Pet Road", "opening_hours": "9:00-20:00",
        "phone": "13800138000", "email": "hi@alpha.test", "livemode": False,
    }  # fmt: skip
    assert body["logo_url"] == f"http://{host_of(shop)}/shop/logo/"
    assert {zone["key"]: zone["path"] for zone in body["zones"]} == ZONE_PATHS
    assert [zone["name"] for zone in body["zones"]][0] == "Plan zone"
    assert "no-store" not in response.get("Cache-Control", "")


def test_profile_without_details_answers_empty_fields_and_writes_nothing(shop):
    with schema_context(shop.schema_name):
        ShopProfile.objects.all().delete()
    body = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/shop", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert (body["address"], body["phone"], body["logo_url"]) == ("", "", None)
    assert body["zones"][0]["name"] == "套餐专区"
    connection.set_schema_to_public()
    with schema_context(shop.schema_name):
        assert ShopProfile.objects.count() == 0


def test_each_shop_answers_its_own_profile(shop, other_shop):
    _profile(shop, address="Alpha street")
    _profile(other_shop, address="Beta street")
    alpha = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/shop").json()
    beta = APIClient(HTTP_HOST=host_of(other_shop)).get("/api/v1/shop").json()
    assert (alpha["name"], alpha["address"]) == (shop.name, "Alpha street")
    assert (beta["name"], beta["address"]) == (other_shop.name, "Beta street")


def test_plans_are_anonymous_too(shop):
    response = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/plans")
    assert response.status_code == 200 and response.json()["results"]


def test_unknown_parameter_is_refused(shop):
    response = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/shop?shop=beta")
    assert response.status_code == 400
