import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('platform', '0005_payoutaccount'),
        ('tenants', '0004_shop_mode_alter_shopevent_kind_shopcredential'),
    ]

    operations = [
        migrations.CreateModel(
            name='ReconciliationMismatch',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('provider', models.CharField(max_length=16)),
                ('statement_date', models.DateField()),
                ('kind', models.CharField(max_length=24)),
                ('reference', models.CharField(max_length=64)),
                ('amount_minor', models.BigIntegerField()),
                ('our_amount_minor', models.BigIntegerField()),
                ('currency', models.CharField(default='CNY', max_length=3)),
                ('first_seen_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('resolved_at', models.DateTimeField(blank=True, null=True)),
                ('shop', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reconciliation_mismatches', to='tenants.shop')),
            ],
            options={
                'ordering': ['statement_date', 'id'],
                'constraints': [models.UniqueConstraint(fields=('shop', 'provider', 'statement_date', 'kind', 'reference'), name='mismatch_once')],
            },
        ),
    ]
