from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("billing", "0021_metadata")]

    operations = [
        migrations.AddField(
            model_name="contract",
            name="activation_queued_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="contract",
            name="deposit_noticed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
