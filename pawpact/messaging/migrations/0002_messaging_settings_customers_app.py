import django.db.models.deletion
from django.db import migrations, models


def marketing_cap_copy(apps, schema_editor):
    """The cap was a billing setting; a shop that changed it keeps its value."""
    billing_settings = apps.get_model("billing", "BillingSettings").objects.order_by("id").first()
    if billing_settings is not None:
        apps.get_model("messaging", "MessagingSettings").objects.update_or_create(
            pk=1, defaults={"marketing_messages_per_day": billing_settings.marketing_messages_per_day}
        )


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0001_initial'),
        ('messaging', '0001_initial'),
        ('billing', '0003_open_contract_index_round_trips'),
    ]

    operations = [
        migrations.CreateModel(
            name='MessagingSettings',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('marketing_messages_per_day', models.PositiveSmallIntegerField(default=1, verbose_name='marketing messages per day')),
            ],
        ),
        # The customers table was renamed in place: the constraint already points at it.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='message',
                    name='customer',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='messages', to='customers.customer'),
                ),
            ],
        ),
        migrations.RunPython(marketing_cap_copy, migrations.RunPython.noop),
    ]
