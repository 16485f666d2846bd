from django.db import migrations, models


class Migration(migrations.Migration):
    """Expand: a nullable column, no rewrite of the table."""

    dependencies = [("bench_migrate", "0001_initial")]
    operations = [migrations.AddField("note", "tag", models.CharField(max_length=40, null=True))]
