"""A plan's English name: entered with the plan, changed or cleared on its page, refused when
too long (nothing written); the plan pages, the contract list and its export show the name in
the page's language with the other as fallback, entitlements likewise."""
import csv
import io

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.models import Plan
from tests.workspace.test_pages import active_contract
from tests.workspace.test_plans import plan_form

pytestmark = pytest.mark.django_db

BOTH = {"entitlements-0-item": "指定宠粮 / Designated food", "entitlements-0-quantity": "1500",
        "entitlements-0-unit": "g"}  # fmt: skip


def _page(client, path: str, language: str) -> str:
    client.cookies["django_language"] = language
    return client.get(path).content.decode()


def test_a_plan_made_with_both_names_shows_each_page_its_own(shop, owner_client):
    response = owner_client.post("/manage/plans/new/", plan_form(name_en="Kitten taster", **BOTH))
    assert response.status_code == 302
    with schema_context(shop.schema_name):
        plan = Plan.objects.get(name="猫咪尝鲜款")
    assert (plan.name_en, plan.code) == ("Kitten taster", "kitten-taster")
    english, chinese = _page(owner_client, "/manage/plans/", "en"), _page(owner_client, "/manage/plans/", "zh-hans")
    assert ">Kitten taster</a>" in english and ">猫咪尝鲜款</a>" not in english
    assert ">猫咪尝鲜款</a>" in chinese and ">Kitten taster</a>" not in chinese
    assert ">Basic</a>" in english and ">基础款</a>" in chinese
    detail = f"/manage/plans/{plan.pk}/"
    assert "Designated food 1,500 g / month" in _page(owner_client, detail, "en")
    assert "指定宠粮 1500 克/月" in _page(owner_client, detail, "zh-hans")


def test_the_english_name_is_changed_cleared_and_a_long_one_refused(shop, owner_client):
    with schema_context(shop.schema_name):
        plan = Plan.objects.get(code="basic")
    path = f"/manage/plans/{plan.pk}/"
    assert owner_client.post(path, {"name": "基础款", "name_en": "Starter", "is_active": "on"}).status_code == 302
    assert "<title>Starter" in _page(owner_client, path, "en")
    refused = owner_client.post(path, {"name": "基础款", "name_en": "x" * 81, "is_active": "on"})
    assert refused.status_code == 400
    with schema_context(shop.schema_name):
        assert Plan.objects.values_list("name", "name_en").get(pk=plan.pk) == ("基础款", "Starter")
    assert owner_client.post(path, {"name": "基础款", "name_en": "", "is_active": "on"}).status_code == 302
    with schema_context(shop.schema_name):
        assert Plan.objects.values_list("name", "name_en").get(pk=plan.pk) == ("基础款", "")
    assert "<title>基础款" in _page(owner_client, path, "en")


def test_the_contract_list_and_its_export_name_the_plan_in_the_page_s_language(shop, owner_client, adopter):
    active_contract(shop, *adopter)
    assert "<td>Basic <span" in _page(owner_client, "/manage/contracts/", "en")
    assert "<td>基础款 <span" in _page(owner_client, "/manage/contracts/", "zh-hans")
    for language, shown in (("en", "Basic v1"), ("zh-hans", "基础款 v1")):
        owner_client.cookies["django_language"] = language
        response = owner_client.get("/manage/contracts/?export=csv")
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        assert rows[1][4] == shown
