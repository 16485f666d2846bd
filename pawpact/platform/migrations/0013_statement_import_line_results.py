from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("platform", "0012_payout_verdict_code"),
    ]

    operations = [
        migrations.AddField(
            model_name="statementimport",
            name="line_results",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
