"""Plans get an English name beside the shop's own; the seed plans, named "Basic 基础款" and so
on for readers of both languages, get their Chinese name as `name` and the English as `name_en`.
A seed plan its owner has renamed keeps the name given."""
from django.db import migrations, models

SEED_NAMES = {
    "basic": ("Basic 基础款", "基础款", "Basic"),
    "advanced": ("Advanced 进阶款", "进阶款", "Advanced"),
    "premium": ("Premium 高端款", "高端款", "Premium"),
}


def seed_names_split(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for code, (seeded, chinese, english) in SEED_NAMES.items():
        Plan.objects.filter(code=code, name=seeded, name_en="").update(name=chinese, name_en=english)


def seed_names_joined(apps, schema_editor):
    Plan = apps.get_model("billing", "Plan")
    for code, (seeded, chinese, english) in SEED_NAMES.items():
        Plan.objects.filter(code=code, name=chinese, name_en=english).update(name=seeded, name_en="")


class Migration(migrations.Migration):
    dependencies = [("billing", "0024_rail_names_auto_debit")]

    operations = [
        migrations.AddField(
            model_name="plan",
            name="name_en",
            field=models.CharField(blank=True, max_length=80, verbose_name="English name"),
        ),
        migrations.RunPython(seed_names_split, seed_names_joined),
    ]
