"""套餐: the editor in yuan, entitlement rows, versions, bad input, roles, isolation, queries."""
from decimal import Decimal

import pytest
from django_tenants.utils import schema_context

from pawpact.billing.models import Contract, Plan, PlanVersion
from pawpact.workspace.enums import Role
from tests.workspace.conftest import client_for, staff_user
from tests.workspace.test_pages import active_contract

pytestmark = pytest.mark.django_db


def plan_form(**overrides) -> dict:
    """What the editor posts: terms in yuan and percent, two entitlement rows, one reward."""
    data = {
        "name": "猫咪尝鲜款", "monthly_price_minor": "199.50", "periods": "12", "debit_day": "5",
        "deposit_minor": "500", "penalty_rate": "8", "cooling_off_days": "7", "health_guarantee_days": "30",
        "scope_of_use": "仅限猫粮、猫砂和驱虫",
        "entitlements-TOTAL_FORMS": "3", "entitlements-INITIAL_FORMS": "0",
        "entitlements-0-kind": "food", "entitlements-0-item": "猫粮", "entitlements-0-quantity": "2", "entitlements-0-unit": "kg",
        "entitlements-1-kind": "grooming", "entitlements-1-item": "洗护", "entitlements-1-quantity": "1", "entitlements-1-unit": "次",
        "entitlements-2-kind": "food", "entitlements-2-item": "", "entitlements-2-quantity": "", "entitlements-2-unit": "",
        "rewards-TOTAL_FORMS": "1", "rewards-INITIAL_FORMS": "0",
        "rewards-0-consecutive_paid": "6", "rewards-0-kind": "deworming", "rewards-0-quantity": "1",
    }  # fmt: skip
    data.update(overrides)
    return data


def counts(shop) -> tuple[int, int]:
    with schema_context(shop.schema_name):
        return Plan.objects.count(), PlanVersion.objects.count()


def test_owner_creates_a_plan_in_yuan_with_entitlement_rows(shop, owner_client):
    response = owner_client.post("/manage/plans/new/", plan_form())
    assert response.status_code == 302
    with schema_context(shop.schema_name):
        plan = Plan.objects.get(name="猫咪尝鲜款")
        version = plan.versions.get()
    assert response["Location"] == f"/manage/plans/{plan.pk}/"
    assert plan.code == "plan" and plan.is_active
    assert (version.version, version.monthly_price_minor, version.deposit_minor) == (1, 19950, 50000)
    assert (version.periods, version.debit_day, version.penalty_rate) == (12, 5, Decimal("0.080"))
    assert version.total_minor == 19950 * 12
    assert version.entitlements == [
        {"kind": "food", "item": "猫粮", "quantity": 2, "unit": "kg"},
        {"kind": "grooming", "item": "洗护", "quantity": 1, "unit": "次"},
    ]
    assert version.fulfilment_rewards == [{"consecutive_paid": 6, "kind": "deworming", "quantity": 1}]
    page = owner_client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "¥199.50" in page and "¥2,394.00" in page and "猫粮 2 kg / month" in page
    assert "6 paid periods in a row → 1 × Deworming" in page


BAD_INPUT = [
    ({"monthly_price_minor": "199.999"}, "monthly_price_minor", "Use at most 2 decimals (fen)."),
    ({"monthly_price_minor": "0"}, "monthly_price_minor", "Enter an amount above zero."),
    ({"monthly_price_minor": "-5"}, "monthly_price_minor", "The amount cannot be negative."),
    ({"monthly_price_minor": "abc"}, "monthly_price_minor", "Enter an amount in yuan, such as 399 or 399.50."),
    ({"deposit_minor": "-1"}, "deposit_minor", "The amount cannot be negative."),
    ({"periods": "11"}, "periods", "A plan runs for 12 to 24 periods."),
    ({"periods": "25"}, "periods", "A plan runs for 12 to 24 periods."),
    ({"penalty_rate": "10.5"}, "penalty_rate", "The penalty is at most 10% of the remaining amount."),
    ({"entitlements-1-unit": ""}, "entitlements-1-unit", "Give the unit (kg, bag, visit…)."),
    ({"entitlements-0-quantity": "0"}, "entitlements-0-quantity", None),
    ({"rewards-0-quantity": ""}, "rewards-0-quantity", "Enter how many."),
]


@pytest.mark.parametrize("change, field, message", BAD_INPUT)
def test_bad_input_is_shown_next_to_the_field_and_writes_nothing(shop, owner_client, change, field, message):
    before = counts(shop)
    response = owner_client.post("/manage/plans/new/", plan_form(**change), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    page = response.content.decode()
    # The message sits in the field's own box, right after its input.
    box = page.split(f'name="{field}"', 1)[1].split("</td>" if "-" in field else "</div>", 1)[0]
    assert 'class="error"' in box
    if message:
        assert message in box
    assert counts(shop) == before


def test_a_plan_needs_at_least_one_entitlement(shop, owner_client):
    before = counts(shop)
    data = plan_form(**{"entitlements-0-item": "", "entitlements-0-quantity": "", "entitlements-0-unit": "",
                        "entitlements-1-item": "", "entitlements-1-quantity": "", "entitlements-1-unit": ""})  # fmt: skip
    response = owner_client.post("/manage/plans/new/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "List at least one monthly entitlement" in response.content.decode()
    assert counts(shop) == before


def test_new_terms_are_a_new_version_and_a_signed_contract_keeps_its_own(shop, owner_client, adopter):
    customer, pet = adopter
    contract = active_contract(shop, customer, pet)
    with schema_context(shop.schema_name):
        plan = contract.plan_version.plan
        old = contract.plan_version
    form = owner_client.get(f"/manage/plans/{plan.pk}/edit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'value="399.00"' in form  # the current price, in yuan
    data = plan_form(monthly_price_minor="429", **{"entitlements-INITIAL_FORMS": "0"})
    data.pop("name")
    response = owner_client.post(f"/manage/plans/{plan.pk}/edit/", data)
    assert response.status_code == 302
    with schema_context(shop.schema_name):
        versions = list(plan.versions.order_by("version").values_list("version", "monthly_price_minor"))
        assert versions == [(1, old.monthly_price_minor), (2, 42900)]
        assert Contract.objects.get(pk=contract.pk).plan_version_id == old.pk
    page = owner_client.get(f"/manage/plans/{plan.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="v1"' in page and 'id="v2"' in page and "¥429.00" in page
    contract_page = owner_client.get(f"/manage/contracts/{contract.uuid}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"v{old.version}" in contract_page and "¥399.00" in contract_page


def test_taking_a_plan_off_sale_removes_it_from_new_signings(shop, owner_client, adopter):
    customer, pet = adopter
    with schema_context(shop.schema_name):
        plan = Plan.objects.order_by("id").first()
    response = owner_client.post(f"/manage/plans/{plan.pk}/", {"name": plan.name})  # is_active unticked
    assert response.status_code == 302
    wizard = owner_client.get(f"/manage/signings/new/{customer.uuid}/{pet.uuid}/").content.decode()
    with schema_context(shop.schema_name):
        assert Plan.objects.get(pk=plan.pk).is_active is False
        version = plan.versions.order_by("-version").first()
    assert f'value="{version.pk}"' not in wizard


def test_a_clerk_sees_plans_but_cannot_change_them(shop, clerk_client):
    with schema_context(shop.schema_name):
        plan = Plan.objects.order_by("id").first()
    assert clerk_client.get("/manage/plans/").status_code == 200
    assert b"/manage/plans/new/" not in clerk_client.get("/manage/plans/").content
    before = counts(shop)
    assert clerk_client.post("/manage/plans/new/", plan_form()).status_code == 403
    assert clerk_client.post(f"/manage/plans/{plan.pk}/edit/", plan_form()).status_code == 403
    assert clerk_client.post(f"/manage/plans/{plan.pk}/", {"name": "Renamed"}).status_code == 403
    assert counts(shop) == before
    with schema_context(shop.schema_name):
        assert Plan.objects.get(pk=plan.pk).name == plan.name


def test_a_manager_may_edit_plans(shop, manager_client):
    assert manager_client.post("/manage/plans/new/", plan_form(name="Manager's plan")).status_code == 302


def test_another_shop_never_sees_or_edits_this_shops_plan(shop, other_shop, owner_client):
    owner_client.post("/manage/plans/new/", plan_form(name="Alpha only plan"))
    with schema_context(shop.schema_name):
        plan = Plan.objects.get(name="Alpha only plan")
    beta = client_for(other_shop, staff_user(other_shop, Role.OWNER))
    assert "Alpha only plan" not in beta.get("/manage/plans/").content.decode()
    # The seeded plans are the only ones in beta's schema: alpha's new plan's id is unknown there.
    assert beta.get(f"/manage/plans/{plan.pk}/").status_code == 404
    assert beta.post(f"/manage/plans/{plan.pk}/edit/", plan_form()).status_code == 404
    before = counts(shop)
    beta.post("/manage/plans/new/", plan_form(name="Beta plan"))
    assert counts(shop) == before


def test_plan_pages_in_chinese(owner_client):
    owner_client.cookies["django_language"] = "zh-hans"
    text = owner_client.get("/manage/plans/new/").content.decode()
    for label in ("月付价格", "期数", "押金", "违约金", "每月权益", "履约奖励"):
        assert label in text, label


@pytest.mark.parametrize("path", ["/manage/plans/", "/manage/plans/{pk}/", "/manage/plans/{pk}/edit/", "/manage/plans/new/"])
def test_plan_pages_stay_within_twenty_queries(shop, owner_client, adopter, page_queries, path):
    customer, pet = adopter
    active_contract(shop, customer, pet)
    with schema_context(shop.schema_name):
        url = path.format(pk=Plan.objects.order_by("id").first().pk)
    owner_client.get(url)
    with page_queries() as queries:
        assert owner_client.get(url).status_code == 200
    assert queries.count <= 20, queries.count
