"""The three seed plans of docs/product.md, which every new shop starts with and its owner can edit.

A data migration, so the schema template carries them and a new shop is provisioned
with them in its one transaction. The terms are written out here, frozen: later
changes to the seeds are new migrations, never edits of this one.
"""
from decimal import Decimal

from django.db import migrations

# 6 consecutive paid periods earn one free deworming.
_SEED_REWARDS = [{"consecutive_paid": 6, "kind": "deworming", "quantity": 1}]
_COMMON = {
    "debit_day": 10,
    "cooling_off_days": 7,
    "health_guarantee_days": 30,
    "currency": "CNY",
}


def _item(kind: str, item: str, quantity: int, unit: str) -> dict:
    return {"kind": kind, "item": item, "quantity": quantity, "unit": unit}


SEED_PLANS: tuple[dict, ...] = (
    {
        "code": "basic",
        "name": "Basic 基础款",
        "monthly_price_minor": 39900,
        "periods": 12,
        "entitlements": [
            _item("food", "指定宠粮 Designated food", 1500, "g"),
            _item("litter", "猫砂 Litter", 1, "bag"),
            _item("checkup", "基础体检 Basic check-up", 1, "visit"),
        ],
        "scope_of_use": "仅用于宠粮、猫砂、驱虫及基础体检 / food, litter, deworming and basic check-ups only",
        "deposit_minor": 50000,
        "penalty_rate": Decimal("0.10"),
    },
    {
        "code": "advanced",
        "name": "Advanced 进阶款",
        "monthly_price_minor": 59900,
        "periods": 24,
        "entitlements": [
            _item("food", "进口宠粮 Imported food", 2000, "g"),
            _item("litter", "猫砂 Litter", 1, "bag"),
            _item("snacks", "零食 Snacks", 1, "pack"),
            _item("grooming", "洗护 Grooming", 1, "session"),
        ],
        "scope_of_use": "仅用于宠粮、猫砂、零食、驱虫及洗护 / food, litter, snacks, deworming and grooming only",
        "deposit_minor": 80000,
        "penalty_rate": Decimal("0.08"),
    },
    {
        "code": "premium",
        "name": "Premium 高端款",
        "monthly_price_minor": 89900,
        "periods": 24,
        "entitlements": [
            _item("food", "定制宠粮 Custom food", 2000, "g"),
            _item("litter", "猫砂 Litter", 1, "bag"),
            _item("snacks", "零食 Snacks", 1, "pack"),
            _item("vaccine", "疫苗 Vaccine", 1, "dose"),
            _item("consultation", "基础医疗咨询 Basic medical consultation", 1, "consultation"),
        ],
        "scope_of_use": (
            "仅用于宠粮、猫砂、零食、驱虫、疫苗及基础医疗咨询 / "
            "food, litter, snacks, deworming, vaccines and basic medical consultations only"
        ),
        "deposit_minor": 100000,
        "penalty_rate": Decimal("0.05"),
    },
)




def seed_plans(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    PlanVersion = apps.get_model("billing", "PlanVersion")
    for seed in SEED_PLANS:
        if Plan.objects.filter(code=seed["code"]).exists():
            continue  # a shop that had its plans before this migration keeps them
        plan = Plan.objects.create(code=seed["code"], name=seed["name"], is_active=True)
        PlanVersion.objects.create(
            plan=plan,
            version=1,
            monthly_price_minor=seed["monthly_price_minor"],
            periods=seed["periods"],
            entitlements=seed["entitlements"],
            scope_of_use=seed["scope_of_use"],
            deposit_minor=seed["deposit_minor"],
            penalty_rate=seed["penalty_rate"],
            fulfilment_rewards=[dict(reward) for reward in _SEED_REWARDS],
            **_COMMON,
        )


class Migration(migrations.Migration):
    dependencies = [("billing", "0004_models_moved_out")]

    operations = [migrations.RunPython(seed_plans, migrations.RunPython.noop)]
