"""What a mini-program's home shows before sign-in: care services (list and one) and the
points mall's items answer without a token, active ones only and public fields only, each
shop its own; a staff token still sees inactive services; writing still needs staff."""
import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.api.opaque_ids import MALL_ITEM, opaque_id
from pawpact.care.models import ServiceType
from pawpact.care.services.catalogue import service_type_create
from pawpact.loyalty.mall import item_save
from tests.api.test_billing_api import api, error, ok
from tests.conftest import host_of


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def _catalogue(shop, name: str):
    with schema_context(shop.schema_name):
        on = service_type_create(name=f"{name} bath", kind="grooming", duration_minutes=60, price_minor=8_800)
        off = service_type_create(name=f"{name} retired", kind="grooming", duration_minutes=30, price_minor=5_000)
        ServiceType.objects.filter(pk=off.pk).update(is_active=False)
        item = item_save(name=f"{name} toy", points=300, cash_minor=990, stock=5)
    return on, off, item


def test_services_and_mall_items_answer_visitors_without_a_token(shop, other_shop):
    on, off, item = _catalogue(shop, "Alpha")
    _catalogue(other_shop, "Beta")
    visitor = APIClient(HTTP_HOST=host_of(shop))
    services = ok(visitor.get("/api/v1/care/services"))["results"]
    assert [(row["uuid"], row["name"], row["price_minor"]) for row in services] == [(str(on.uuid), "Alpha bath", 8_800)]
    one = ok(visitor.get(f"/api/v1/care/services/{on.uuid}"))
    assert (one["object"], one["name"], one["duration_minutes"]) == ("service_type", "Alpha bath", 60)
    assert error(visitor.get(f"/api/v1/care/services/{off.uuid}"), 404)["code"] == "not_found"
    items = ok(visitor.get("/api/v1/mall/items"))["results"]
    assert [(row["id"], row["name"], row["points"], row["cash_minor"]) for row in items] == [(opaque_id(MALL_ITEM, item.pk, schema_name=shop.schema_name), "Alpha toy", 300, 990)]
    assert set(items[0]) == {"object", "id", "name", "description", "points", "cash_minor", "currency", "stock"}


def test_one_shop_s_services_are_not_found_at_another(shop, other_shop):
    on, _off, _item = _catalogue(shop, "Alpha")
    _catalogue(other_shop, "Beta")
    stranger = APIClient(HTTP_HOST=host_of(other_shop))
    assert error(stranger.get(f"/api/v1/care/services/{on.uuid}"), 404)["code"] == "not_found"
    assert [row["name"] for row in ok(stranger.get("/api/v1/care/services"))["results"]] == ["Beta bath"]
    assert [row["name"] for row in ok(stranger.get("/api/v1/mall/items"))["results"]] == ["Beta toy"]


def test_staff_still_see_inactive_services_and_visitors_cannot_add(shop, shop_staff):
    _on, off, _item = _catalogue(shop, "Alpha")
    staff = api(shop, shop_staff.api_token)
    assert sorted(row["name"] for row in ok(staff.get("/api/v1/care/services"))["results"]) == ["Alpha bath", "Alpha retired"]
    assert ok(staff.get(f"/api/v1/care/services/{off.uuid}"))["is_active"] is False
    body = {"name": "Nails", "kind": "grooming", "duration_minutes": 15, "price_minor": 3_000}
    visitor = APIClient(HTTP_HOST=host_of(shop))
    assert error(visitor.post("/api/v1/care/services", body, format="json"), 401)["code"] == "not_authenticated"
    with schema_context(shop.schema_name):
        assert ServiceType.objects.count() == 2
    # A token sent is still checked on a public read.
    bad = APIClient(HTTP_HOST=host_of(shop), HTTP_AUTHORIZATION="Token nope")
    assert bad.get("/api/v1/mall/items").status_code == 401


def test_the_schema_marks_them_as_needing_no_token(shop):
    schema = ok(APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/schema.json"))
    for path in ("/api/v1/care/services", "/api/v1/care/services/{uuid}", "/api/v1/mall/items"):
        assert {} in schema["paths"][path]["get"]["security"], path
    assert {} not in schema["paths"]["/api/v1/care/services"]["post"]["security"]
    assert schema["components"]["securitySchemes"]["secretKey"]["scheme"] == "bearer"
