# Box item sets end instead of being deleted (a paid period ships what it was paid for).

import django.db.models.manager
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0020_membership_revenue_account'),
        ('storefront', '0007_order_refund_history'),
        ('warehouses', '0001_initial'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='planboxitem',
            options={'base_manager_name': 'history', 'ordering': ['id']},
        ),
        migrations.AlterModelManagers(
            name='planboxitem',
            managers=[
                ('objects', django.db.models.manager.Manager()),
                ('history', django.db.models.manager.Manager()),
            ],
        ),
        migrations.RemoveConstraint(
            model_name='planboxitem',
            name='box_item_once',
        ),
        migrations.AddField(
            model_name='planboxitem',
            name='valid_from',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='planboxitem',
            name='valid_until',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddConstraint(
            model_name='planboxitem',
            constraint=models.UniqueConstraint(condition=models.Q(('valid_until__isnull', True)), fields=('plan_version', 'warehouse_sku'), name='box_item_once'),
        ),
    ]
