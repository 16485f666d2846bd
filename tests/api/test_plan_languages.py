"""Plans in the request's language: `name` and `name_en` as the shop gave them, `display_name`
in the language asked for with the other as fallback; each entitlement's `kind_label` and
`description` ("Designated food 1,500 g / month", "指定宠粮 1500 克/月") built from the stored
entry, which stays as stored. The same on a single plan, an anonymous list and a contract's
expanded plan; each shop answers its own plans' names."""
import pytest
from django.core.cache import cache
from django_tenants.utils import schema_context
from rest_framework.test import APIClient

from pawpact.api.opaque_ids import PLAN, opaque_id
from pawpact.billing.models import Plan
from pawpact.billing.services.plans import plan_create, plan_update, plan_version_create
from tests.api.test_billing_api import api, draft, ok
from tests.conftest import host_of

BASIC_ENTITLEMENTS = [
    {"kind": "food", "item": "指定宠粮 Designated food", "quantity": 1500, "unit": "g"},
    {"kind": "litter", "item": "猫砂 Litter", "quantity": 1, "unit": "bag"},
    {"kind": "checkup", "item": "基础体检 Basic check-up", "quantity": 1, "unit": "visit"},
]
TERMS = {"monthly_price_minor": 19_900, "periods": 12, "debit_day": 5, "scope_of_use": "仅限猫粮 / cat food only",
         "deposit_minor": 0, "penalty_rate": "0.05", "cooling_off_days": 7}  # fmt: skip


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def _plans(shop, language: str) -> dict[str, dict]:
    answer = ok(APIClient(HTTP_HOST=host_of(shop)).get("/api/v1/plans", HTTP_ACCEPT_LANGUAGE=language))
    return {plan["code"]: plan for plan in answer["results"]}


def test_the_seed_plans_answer_both_names_and_the_one_asked_for(shop):
    english, chinese = _plans(shop, "en")["basic"], _plans(shop, "zh-hans")["basic"]
    assert (english["name"], english["name_en"], english["display_name"]) == ("基础款", "Basic", "Basic")
    assert (chinese["name"], chinese["name_en"], chinese["display_name"]) == ("基础款", "Basic", "基础款")
    assert [plan["display_name"] for plan in _plans(shop, "en").values()] == ["Premium", "Advanced", "Basic"]
    assert [plan["display_name"] for plan in _plans(shop, "zh_CN").values()] == ["高端款", "进阶款", "基础款"]


def test_each_entitlement_has_its_kind_and_a_description_in_the_language_asked_for(shop):
    english = _plans(shop, "en")["basic"]["current_version"]
    chinese = _plans(shop, "zh-hans")["basic"]["current_version"]
    assert [(e["kind_label"], e["description"]) for e in english["entitlements"]] == [
        ("Food", "Designated food 1,500 g / month"), ("Litter", "Litter 1 bag / month"),
        ("Check-up", "Basic check-up 1 visit / month")]  # fmt: skip
    assert [(e["kind_label"], e["description"]) for e in chinese["entitlements"]] == [
        ("宠粮", "指定宠粮 1500 克/月"), ("猫砂", "猫砂 1 袋/月"), ("体检", "基础体检 1 次/月")]  # fmt: skip
    stored = ("kind", "item", "quantity", "unit")
    assert [{key: e[key] for key in stored} for e in english["entitlements"]] == BASIC_ENTITLEMENTS
    assert [(r["kind"], r["kind_label"]) for r in chinese["fulfilment_rewards"]] == [("deworming", "驱虫")]
    assert [(r["kind"], r["kind_label"]) for r in english["fulfilment_rewards"]] == [("deworming", "Deworming")]


def test_a_name_in_one_language_falls_back_and_items_show_as_the_shop_wrote_them(shop):
    entitlements = [
        {"kind": "food", "item": "猫粮", "quantity": 2, "unit": "kg"},
        {"kind": "grooming", "item": "grooming", "quantity": 1, "unit": "session"},
        {"kind": "snacks", "item": "冻干零食 / Freeze-dried treats", "quantity": 3, "unit": "块"},
    ]
    with schema_context(shop.schema_name):
        chinese_only = plan_create(code="kitten", name="幼猫款", entitlements=entitlements, **TERMS)
        plan_create(code="senior", name="Senior care", entitlements=entitlements, **TERMS)
    english, chinese = _plans(shop, "en"), _plans(shop, "zh-hans")
    assert (english["kitten"]["display_name"], english["kitten"]["name_en"]) == ("幼猫款", "")
    assert chinese["senior"]["display_name"] == "Senior care"
    assert [e["description"] for e in english["kitten"]["current_version"]["entitlements"]] == [
        "猫粮 2 kg / month", "Grooming 1 session / month", "Freeze-dried treats 3 块 / month"]  # fmt: skip
    assert [e["description"] for e in chinese["kitten"]["current_version"]["entitlements"]] == [
        "猫粮 2 千克/月", "洗护 1 次/月", "冻干零食 3 块/月"]  # fmt: skip
    with schema_context(shop.schema_name):
        plan_update(plan=chinese_only, name="幼猫款", name_en="Kitten", is_active=True)
        assert Plan.objects.get(code="kitten").versions.get().entitlements == entitlements
    one = ok(APIClient(HTTP_HOST=host_of(shop)).get(f"/api/v1/plans/{opaque_id(PLAN, chinese_only.pk, schema_name=shop.schema_name)}",
                                                    HTTP_ACCEPT_LANGUAGE="en"))  # fmt: skip
    assert (one["name"], one["name_en"], one["display_name"]) == ("幼猫款", "Kitten", "Kitten")


def test_a_contract_s_expanded_plan_and_a_new_version_keep_the_names(shop, shop_staff):
    staff = api(shop, shop_staff.api_token)
    contract = draft(staff)
    url = f"/api/v1/contracts/{contract['uuid']}?expand[]=plan"
    assert ok(staff.get(url, HTTP_ACCEPT_LANGUAGE="en"))["plan"]["display_name"] == "Basic"
    assert ok(staff.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans"))["plan"]["display_name"] == "基础款"
    with schema_context(shop.schema_name):
        plan_version_create(plan=Plan.objects.get(code="basic"), monthly_price_minor=42_900)
    assert _plans(shop, "en")["basic"]["display_name"] == "Basic"


def test_each_shop_answers_its_own_plan_names(shop, other_shop):
    with schema_context(other_shop.schema_name):
        plan_update(plan=Plan.objects.get(code="basic"), name="入门款", name_en="Starter", is_active=True)
    assert _plans(other_shop, "en")["basic"]["display_name"] == "Starter"
    assert (_plans(shop, "en")["basic"]["display_name"], _plans(shop, "zh-hans")["basic"]["name"]) == ("Basic", "基础款")


def test_the_scope_of_use_is_shown_in_the_language_asked_for_and_kept_as_written(shop):
    stored = "仅用于宠粮、猫砂、驱虫及基础体检 / food, litter, deworming and basic check-ups only"
    english = _plans(shop, "en")["basic"]["current_version"]
    chinese = _plans(shop, "zh-hans")["basic"]["current_version"]
    assert (english["scope_of_use"], english["scope_of_use_display"]) == (
        stored, "food, litter, deworming and basic check-ups only")  # fmt: skip
    assert (chinese["scope_of_use"], chinese["scope_of_use_display"]) == (stored, "仅用于宠粮、猫砂、驱虫及基础体检")
    with schema_context(shop.schema_name):
        plan_create(code="kitten", name="幼猫款", entitlements=BASIC_ENTITLEMENTS, **{**TERMS, "scope_of_use": "仅限猫粮"})
    assert _plans(shop, "en")["kitten"]["current_version"]["scope_of_use_display"] == "仅限猫粮"  # one language: as written
