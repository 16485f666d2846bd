from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    """Its index built without blocking writes: a migration of its own, outside a transaction."""

    atomic = False
    dependencies = [("bench_migrate", "0002_note_tag")]
    operations = [AddIndexConcurrently("note", models.Index(fields=["tag"], name="bench_note_tag_idx"))]
