"""The zones of a shop's home come from what it offers: a shop with nothing on offer shows
none, one with plans, pets for adoption, listed products, mall items and services shows all
five; the API's anonymous `GET /shop` and the storefront's home page agree."""
from django.test import Client
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.billing.models import Plan
from pawpact.care.models import ServiceType
from pawpact.care.services.adoptions import adoption_listing_create
from pawpact.loyalty.wallet_models import MallItem
from pawpact.storefront.services.catalog import product_save
from pawpact.warehouses.models import WarehouseSku
from tests.care.pet_factories import shop_pet
from tests.conftest import host_of

ALL_ZONES = [
    ("plans", "Plan zone", "/api/v1/plans"),
    ("adoption", "Adopt a pet", "/api/v1/care/adoptions"),
    ("goods", "Pet supplies", "/api/v1/shop/products"),
    ("mall", "Points mall", "/api/v1/mall/items"),
    ("services", "Services", "/api/v1/care/services"),
]


def _zones(shop) -> list[tuple[str, str, str]]:
    body = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/shop").json()
    return [(zone["key"], zone["name"], zone["path"]) for zone in body["zones"]]


# How each zone's tile is told apart on the page.
TILES = {"plans": 'class="sf-zone" href="#plans"', "adoption": 'class="sf-zone" href="/adopt/"',
         "goods": 'class="sf-zone" href="#goods"', "mall": 'data-testid="zone-mall"',
         "services": 'data-testid="zone-services"'}  # fmt: skip


def _page_zones(shop) -> list[str]:
    html = Client(HTTP_HOST=host_of(shop)).get("/shop/").content.decode()
    return [key for key, _name, _path in ALL_ZONES if TILES[key] in html]


def _offer_everything(shop, warehouse) -> None:
    sku = WarehouseSku.objects.filter(warehouse=warehouse, available__gt=0).order_by("sku").first()
    with schema_context(shop.schema_name):
        product_save(sku=sku.sku, price_minor=max(sku.cost_minor * 2, 100))
        adoption_listing_create(pet=shop_pet("Snow"), values={"headline": "Snow"})
        MallItem.objects.create(name="Cat bed", points=700, stock=1)
        ServiceType.objects.create(name="Bath", kind="grooming", duration_minutes=60, price_minor=8_000)


def test_a_shop_offering_nothing_shows_no_zone(shop):
    with schema_context(shop.schema_name):
        Plan.objects.update(is_active=False)
        assert not ServiceType.objects.exists() and not MallItem.objects.exists()
    assert _zones(shop) == []
    assert _page_zones(shop) == []


def test_a_shop_offering_everything_shows_every_zone_in_the_pages_order(shop, other_shop, linked):
    _offer_everything(shop, linked)
    assert _zones(shop) == ALL_ZONES
    assert _page_zones(shop) == [key for key, _name, _path in ALL_ZONES]
    # The other shop offers none of it: only its own plans.
    assert [key for key, _name, _path in _zones(other_shop)] == ["plans"]
    zh = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/shop", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert zh["zones"][0]["name"] == "套餐专区"


def test_a_zone_leaves_when_its_last_item_does(shop):
    with schema_context(shop.schema_name):
        ServiceType.objects.create(name="Bath", kind="grooming", duration_minutes=60, price_minor=8_000)
    assert [key for key, _name, _path in _zones(shop)] == ["plans", "services"]
    with schema_context(shop.schema_name):
        ServiceType.objects.update(is_active=False)
        Plan.objects.update(is_active=False)
    assert _zones(shop) == []


def test_the_home_page_names_its_zones_and_plans_in_the_page_s_language(shop, linked):
    sku = WarehouseSku.objects.filter(warehouse=linked, available__gt=0).order_by("sku").first()
    with schema_context(shop.schema_name):
        product_save(sku=sku.sku, price_minor=max(sku.cost_minor * 2, 100))
    pages = {}
    for language in ("en", "zh-hans"):
        browser = Client(HTTP_HOST=host_of(shop))
        browser.cookies["django_language"] = language
        pages[language] = browser.get("/shop/").content.decode()
    assert 'href="#goods">Pet supplies<small>' in pages["en"] and "Drop-ship" not in pages["en"]
    assert 'href="#goods">宠物用品<small>' in pages["zh-hans"] and "一件代发" not in pages["zh-hans"]
    assert "<strong>Basic</strong>" in pages["en"] and "<strong>基础款</strong>" not in pages["en"]
    assert "<strong>基础款</strong>" in pages["zh-hans"] and "<strong>Basic</strong>" not in pages["zh-hans"]
    zh = APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/shop", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert [(zone["key"], zone["name"]) for zone in zh["zones"]] == [("plans", "套餐专区"), ("goods", "宠物用品")]
