"""The Pawpact plans a shop chooses at signup (Starter, Growth), as data.

Written out here, frozen: a later change of the offer is a new migration (or an edit
by a platform admin), never an edit of this one.
"""
from django.db import migrations

SEED_SAAS_PLANS = (
    {
        "code": "starter",
        "name": "Starter",
        "monthly_price_minor": 19_900,  # ¥199/month
        "currency": "CNY",
        "trial_days": 14,
        "max_contracts": 200,  # active contracts
    },
    {
        "code": "growth",
        "name": "Growth",
        "monthly_price_minor": 49_900,  # ¥499/month
        "currency": "CNY",
        "trial_days": 14,
        "max_contracts": None,  # unlimited
    },
)


def seed_saas_plans(apps, schema_editor):
    SaasPlan = apps.get_model("platform", "SaasPlan")
    for spec in SEED_SAAS_PLANS:
        defaults = {name: value for name, value in spec.items() if name != "code"}
        SaasPlan.objects.get_or_create(code=spec["code"], defaults=defaults)


class Migration(migrations.Migration):
    dependencies = [("platform", "0002_saasplan_advance_kpibenchmark_payout_clawback_and_more")]

    operations = [migrations.RunPython(seed_saas_plans, migrations.RunPython.noop)]
