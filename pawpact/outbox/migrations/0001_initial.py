import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('billing', '0003_open_contract_index_round_trips'),
    ]

    # The table existed under billing: the model moves, the rows stay (renamed in place).
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL("ALTER TABLE billing_outboxevent RENAME TO outbox_outboxevent", "ALTER TABLE outbox_outboxevent RENAME TO billing_outboxevent"),
            ],
            state_operations=[
                migrations.CreateModel(
                    name='OutboxEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(max_length=40)),
                        ('aggregate_uuid', models.UUIDField(db_index=True)),
                        ('payload', models.JSONField()),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('published_at', models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        'ordering': ['id'],
                        'indexes': [models.Index(condition=models.Q(('published_at__isnull', True)), fields=['id'], name='outbox_unpublished_idx')],
                    },
                ),
            ],
        ),
    ]
