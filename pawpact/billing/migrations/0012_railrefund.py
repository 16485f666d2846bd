import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0011_debitperiod_pre_debit_noticed_at'),
    ]

    operations = [
        migrations.CreateModel(
            name='RailRefund',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('idempotency_key', models.CharField(max_length=120, unique=True)),
                ('rail', models.CharField(choices=[('sandbox', 'Sandbox'), ('stripe', 'Card (Stripe)'), ('alipay', 'Alipay agreement debit'), ('wechat', 'WeChat entrusted debit')], max_length=16)),
                ('livemode', models.BooleanField()),
                ('purpose', models.CharField(max_length=24)),
                ('amount_minor', models.BigIntegerField()),
                ('currency', models.CharField(default='CNY', max_length=3)),
                ('charge_reference', models.CharField(max_length=255)),
                ('reference', models.CharField(max_length=255)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('contract', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rail_refunds', to='billing.contract')),
            ],
            options={
                'ordering': ['id'],
                'constraints': [models.CheckConstraint(condition=models.Q(('amount_minor__gt', 0)), name='rail_refund_positive')],
            },
        ),
    ]
