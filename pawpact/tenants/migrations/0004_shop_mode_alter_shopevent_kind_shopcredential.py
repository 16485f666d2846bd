import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

import pawpact.tenants.models


class Migration(migrations.Migration):

    dependencies = [
        ('tenants', '0003_spare_schemas'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Shops that exist already have only ever moved sandbox money: they start in test mode.
        migrations.AddField(
            model_name='shop',
            name='mode',
            field=models.CharField(choices=[('test', 'Test mode'), ('live', 'Live mode')], default='test', max_length=8, verbose_name='mode'),
        ),
        migrations.AlterField(
            model_name='shop',
            name='mode',
            field=models.CharField(choices=[('test', 'Test mode'), ('live', 'Live mode')], default=pawpact.tenants.models.shop_mode_default, max_length=8, verbose_name='mode'),
        ),
        migrations.AlterField(
            model_name='shopevent',
            name='kind',
            field=models.CharField(choices=[('created', 'Created'), ('activated', 'Activated'), ('deactivated', 'Deactivated'), ('reactivated', 'Reactivated'), ('went_live', 'Switched to live mode'), ('back_to_test', 'Switched back to test mode')], max_length=16),
        ),
        migrations.CreateModel(
            name='ShopCredential',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('provider', models.CharField(choices=[('alipay', 'Alipay'), ('wechat', 'WeChat Pay'), ('aliyun_sms', 'Aliyun SMS'), ('zhima', 'Zhima credit (Alipay)')], max_length=16, verbose_name='provider')),
                ('livemode', models.BooleanField(verbose_name='live')),
                ('config', models.JSONField(default=dict)),
                ('secret_ciphertext', models.TextField()),
                ('secret_fingerprint', models.CharField(max_length=16)),
                ('verified_at', models.DateTimeField(blank=True, null=True, verbose_name='verified')),
                ('verification_error', models.TextField(blank=True)),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('shop', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='credentials', to='tenants.shop')),
                ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['shop_id', 'provider', '-livemode'],
                'constraints': [models.UniqueConstraint(fields=('shop', 'provider', 'livemode'), name='credential_one_per_mode')],
            },
        ),
    ]
