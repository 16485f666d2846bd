import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0009_contract_livemode_paymentmethod_livemode'),
    ]

    operations = [
        migrations.CreateModel(
            name='ProviderNotification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('provider', models.CharField(choices=[('sandbox', 'Sandbox'), ('stripe', 'Card (Stripe)'), ('alipay', 'Alipay agreement debit'), ('wechat', 'WeChat entrusted debit')], max_length=16)),
                ('notification_id', models.CharField(max_length=80)),
                ('kind', models.CharField(max_length=40)),
                ('livemode', models.BooleanField()),
                ('payload', models.JSONField()),
                ('status', models.CharField(max_length=16)),
                ('note', models.CharField(blank=True, max_length=255)),
                ('received_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'ordering': ['-id'],
                'constraints': [models.UniqueConstraint(fields=('provider', 'notification_id'), name='provider_notification_once')],
            },
        ),
    ]
