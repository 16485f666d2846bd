from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Note",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False)),
                ("text", models.CharField(max_length=200)),
            ],
        ),
        migrations.RunSQL(
            "INSERT INTO bench_migrate_note (text) SELECT 'note ' || i FROM generate_series(1, 200) i",
            migrations.RunSQL.noop,
        ),
    ]
