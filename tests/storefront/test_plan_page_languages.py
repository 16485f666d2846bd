"""A plan's page in the reader's language: its name (`name_en` for English, the shop's name as
fallback) and its monthly entitlements worded from the stored entries, for a visitor."""
from django.test import Client
from django_tenants.utils import schema_context

from pawpact.billing.models import Plan
from pawpact.billing.services.plans import plan_update
from tests.conftest import host_of


def _page(shop, language: str) -> str:
    browser = Client(HTTP_HOST=host_of(shop))
    browser.cookies["django_language"] = language
    response = browser.get("/shop/plans/basic/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_plan_page_names_the_plan_and_its_entitlements_in_the_page_s_language(shop):
    english, chinese = _page(shop, "en"), _page(shop, "zh-hans")
    assert "<h1>Basic</h1>" in english and "<h1>基础款</h1>" in chinese
    assert "<h2>Monthly entitlements</h2>" in english and "<h2>每月权益</h2>" in chinese
    for text in ("Designated food 1,500 g / month", "Litter 1 bag / month", "Basic check-up 1 visit / month"):
        assert f"<span>{text}</span>" in english, text
    for text in ("指定宠粮 1500 克/月", "猫砂 1 袋/月", "基础体检 1 次/月"):
        assert f"<span>{text}</span>" in chinese, text


def test_without_an_english_name_an_english_page_shows_the_shop_s_name(shop, other_shop):
    with schema_context(shop.schema_name):
        plan_update(plan=Plan.objects.get(code="basic"), name="基础款", name_en="", is_active=True)
    assert "<h1>基础款</h1>" in _page(shop, "en")
    assert "<h1>Basic</h1>" in _page(other_shop, "en")
