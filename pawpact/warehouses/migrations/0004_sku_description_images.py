from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("warehouses", "0003_shipment_label")]

    operations = [
        migrations.AddField("warehousesku", "description", models.TextField(blank=True, default=""), preserve_default=False),
        migrations.AddField("warehousesku", "description_en", models.TextField(blank=True, default=""), preserve_default=False),
        migrations.AddField("warehousesku", "image_urls", models.JSONField(blank=True, default=list)),
    ]
