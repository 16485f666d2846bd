from decimal import Decimal

import pytest
from django.db import connection
from django_tenants.utils import schema_context

from pawpact.accounts.models import User
from pawpact.billing.enums import ContractStatus
from pawpact.billing.errors import UnknownPlanVersion
from pawpact.billing.models import Plan, PlanVersion
from pawpact.billing.services.plans import plan_create, plan_version_create
from pawpact.billing.services.signing import application_create
from pawpact.core.errors import Conflict, ValidationFailed
from pawpact.customers.services import customer_create, pet_create
from pawpact.tenants.services import shop_provision
from tests.billing.signing.conftest import ADULT_BIRTH_DATE, phone_ending
from tests.conftest import SHOP_PASSWORD

SEEDS = [
    # code, name, English name, monthly, periods, total, deposit, penalty rate
    ("basic", "基础款", "Basic", 39900, 12, 478800, 50000, Decimal("0.100")),
    ("advanced", "进阶款", "Advanced", 59900, 24, 1437600, 80000, Decimal("0.080")),
    ("premium", "高端款", "Premium", 89900, 24, 2157600, 100000, Decimal("0.050")),
]
REWARDS = [{"consecutive_paid": 6, "kind": "deworming", "quantity": 1}]


def _seed_rows():
    return [
        (v.plan.code, v.plan.name, v.plan.name_en, v.monthly_price_minor, v.periods, v.total_minor, v.deposit_minor, v.penalty_rate)
        for v in PlanVersion.objects.select_related("plan").order_by("plan_id", "version")
    ]


def test_seed_plans_are_exact(in_shop):
    assert _seed_rows() == SEEDS
    for version in PlanVersion.objects.all():
        assert (version.version, version.currency, version.debit_day) == (1, "CNY", 10)
        assert (version.cooling_off_days, version.health_guarantee_days) == (7, 30)
        assert version.fulfilment_rewards == REWARDS
        assert version.plan.is_active
    entitlements = {v.plan.code: [(e["kind"], e["quantity"], e["unit"]) for e in v.entitlements]
                    for v in PlanVersion.objects.select_related("plan")}  # fmt: skip
    assert entitlements == {
        "basic": [("food", 1500, "g"), ("litter", 1, "bag"), ("checkup", 1, "visit")],
        "advanced": [("food", 2000, "g"), ("litter", 1, "bag"), ("snacks", 1, "pack"), ("grooming", 1, "session")],
        "premium": [("food", 2000, "g"), ("litter", 1, "bag"), ("snacks", 1, "pack"), ("vaccine", 1, "dose"),
                    ("consultation", 1, "consultation")],
    }  # fmt: skip
    scope = PlanVersion.objects.get(plan__code="basic").scope_of_use
    assert scope == "仅用于宠粮、猫砂、驱虫及基础体检 / food, litter, deworming and basic check-ups only"


def test_the_seed_plans_come_with_the_schema_template_once(in_shop):
    assert Plan.objects.count() == 3
    assert _seed_rows() == SEEDS


def test_a_new_shop_gets_the_three_seed_plans(db):
    with schema_context("public"):
        owner = User.objects.create_user("owner@fresh.test", SHOP_PASSWORD)
        shop = shop_provision(name="Fresh Paws", slug="fresh-paws", owner=owner)
    with schema_context(shop.schema_name):
        assert sorted(Plan.objects.values_list("code", flat=True)) == ["advanced", "basic", "premium"]
        assert _seed_rows() == SEEDS
    assert connection.schema_name == "public"


def test_editing_a_plan_makes_a_new_version_and_a_contract_keeps_its_own(in_shop):
    plan = Plan.objects.get(code="basic")
    customer = customer_create(name="Li Lei", phone=phone_ending("999"), birth_date=ADULT_BIRTH_DATE)
    signed_on_v1 = application_create(
        customer=customer, pet=pet_create(owner=customer, name="Mimi", species="cat"), plan_version_id=plan.versions.get().pk
    )

    v2 = plan_version_create(plan=plan, monthly_price_minor=45900, penalty_rate=Decimal("0.05"))

    assert (v2.version, v2.monthly_price_minor, v2.total_minor, v2.penalty_rate) == (2, 45900, 550800, Decimal("0.05"))
    v1 = plan.versions.get(version=1)
    # Every term not given is carried over from the current version.
    for field in ("periods", "debit_day", "entitlements", "scope_of_use", "deposit_minor", "cooling_off_days",
                  "health_guarantee_days", "fulfilment_rewards", "currency"):  # fmt: skip
        assert getattr(v2, field) == getattr(v1, field), field
    assert (v1.monthly_price_minor, v1.penalty_rate) == (39900, Decimal("0.100"))
    signed_on_v1.refresh_from_db()
    assert (signed_on_v1.plan_version_id, signed_on_v1.monthly_amount_minor, signed_on_v1.total_minor) == (
        v1.pk, 39900, 478800,
    )  # fmt: skip
    # New applications take the current version only.
    other_pet = pet_create(owner=customer, name="Dudu", species="dog")
    with pytest.raises(UnknownPlanVersion):
        application_create(customer=customer, pet=other_pet, plan_version_id=v1.pk)
    on_v2 = application_create(customer=customer, pet=other_pet, plan_version_id=v2.pk)
    assert (on_v2.status, on_v2.monthly_amount_minor, on_v2.total_minor) == (ContractStatus.DRAFT, 45900, 550800)


def test_a_penalty_rate_above_ten_percent_is_refused_and_nothing_is_written(in_shop):
    plan = Plan.objects.get(code="basic")
    before = PlanVersion.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        plan_version_create(plan=plan, penalty_rate=Decimal("0.11"))

    assert refused.value.fields == {
        "penalty_rate": [
            "The early termination penalty rate must be between 0 and 0.10 (at most 10% of the remaining amount)."
        ]
    }
    assert PlanVersion.objects.count() == before
    assert plan.versions.get().penalty_rate == Decimal("0.100")


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"monthly_price_minor": 0}, "monthly_price_minor"),
        ({"monthly_price_minor": -100}, "monthly_price_minor"),
        ({"monthly_price_minor": 399.0}, "monthly_price_minor"),
        ({"periods": 11}, "periods"),
        ({"periods": 25}, "periods"),
        ({"debit_day": 0}, "debit_day"),
        ({"debit_day": 29}, "debit_day"),
        ({"deposit_minor": -1}, "deposit_minor"),
        ({"cooling_off_days": -1}, "cooling_off_days"),
        ({"penalty_rate": Decimal("-0.01")}, "penalty_rate"),
        ({"penalty_rate": 0.05}, "penalty_rate"),
        ({"scope_of_use": "  "}, "scope_of_use"),
        ({"entitlements": []}, "entitlements"),
        ({"entitlements": [{"kind": "caviar", "item": "Caviar", "quantity": 1, "unit": "tin"}]}, "entitlements"),
        ({"entitlements": [{"kind": "food", "item": "Food", "quantity": 0, "unit": "g"}]}, "entitlements"),
        ({"entitlements": [{"kind": "food", "item": "Food", "quantity": 1}]}, "entitlements"),
        ({"fulfilment_rewards": [{"consecutive_paid": 0, "kind": "deworming", "quantity": 1}]}, "fulfilment_rewards"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_every_bad_term_is_refused_next_to_its_field(in_shop, terms, field):
    plan = Plan.objects.get(code="advanced")
    before = PlanVersion.objects.count()

    with pytest.raises(ValidationFailed) as refused:
        plan_version_create(plan=plan, **terms)

    assert list(refused.value.fields) == [field]
    assert PlanVersion.objects.count() == before


def test_several_bad_terms_are_all_reported(in_shop):
    with pytest.raises(ValidationFailed) as refused:
        plan_version_create(plan=Plan.objects.get(code="premium"), periods=36, debit_day=31, deposit_minor=-5)
    assert sorted(refused.value.fields) == ["debit_day", "deposit_minor", "periods"]
    assert refused.value.fields["periods"] == ["A plan runs for 12 to 24 periods."]


def test_plan_create_needs_every_term_and_a_free_code(in_shop):
    with pytest.raises(ValidationFailed) as refused:
        plan_create(code="trial", name="Trial", monthly_price_minor=19900)
    assert sorted(refused.value.fields) == [
        "cooling_off_days", "debit_day", "deposit_minor", "entitlements", "penalty_rate", "periods", "scope_of_use",
    ]  # fmt: skip
    terms = {
        "monthly_price_minor": 19900, "periods": 12, "debit_day": 1, "deposit_minor": 0,
        "penalty_rate": Decimal("0"), "cooling_off_days": 7, "scope_of_use": "仅用于宠粮 / food only",
        "entitlements": [{"kind": "food", "item": "Food", "quantity": 1000, "unit": "g"}],
    }  # fmt: skip
    plan = plan_create(code="trial", name="Trial", **terms)
    assert (plan.versions.get().version, plan.versions.get().total_minor) == (1, 238800)
    with pytest.raises(Conflict):
        plan_create(code="trial", name="Trial again", **terms)
    assert Plan.objects.filter(code="trial").count() == 1
