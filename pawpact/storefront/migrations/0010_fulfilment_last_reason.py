from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("storefront", "0009_merge_0008_box_item_validity_0008_metadata")]

    operations = [
        migrations.AddField(model_name="fulfilment", name="last_reason", field=models.CharField(blank=True, max_length=32)),
        migrations.AddField(model_name="fulfilment", name="last_reason_params", field=models.JSONField(blank=True, default=dict)),
    ]
