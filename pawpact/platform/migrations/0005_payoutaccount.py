import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('platform', '0004_platformevent_livemode'),
        ('tenants', '0004_shop_mode_alter_shopevent_kind_shopcredential'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PayoutAccount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('stripe_connect', 'Stripe Connect account'), ('alipay_receiver', 'Alipay profit-sharing receiver'), ('wechat_receiver', 'WeChat Pay profit-sharing receiver')], max_length=16, verbose_name='kind')),
                ('account_ref', models.CharField(max_length=64, verbose_name='account')),
                ('holder_name', models.CharField(max_length=120, verbose_name='holder')),
                ('status', models.CharField(choices=[('pending', 'Pending verification'), ('verified', 'Verified'), ('rejected', 'Rejected')], default='pending', max_length=16, verbose_name='status')),
                ('note', models.TextField(blank=True)),
                ('verified_at', models.DateTimeField(blank=True, null=True)),
                ('updated_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('shop', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='payout_account', to='tenants.shop')),
                ('verified_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
        ),
    ]
