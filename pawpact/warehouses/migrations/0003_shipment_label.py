from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("warehouses", "0002_reason_codes")]

    operations = [
        migrations.AddField(model_name="shipment", name="label",
                            field=models.CharField(blank=True, db_index=True, max_length=24)),
    ]
