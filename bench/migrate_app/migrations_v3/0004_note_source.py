from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("bench_migrate", "0003_note_tag_index")]
    operations = [migrations.AddField("note", "source", models.CharField(max_length=40, null=True))]
