import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('billing', '0003_open_contract_index_round_trips'),
        ('customers', '0001_initial'),
    ]

    # The tables existed under billing: the models move, the rows stay (renamed in place).
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL("ALTER TABLE billing_winbackoffer RENAME TO loyalty_winbackoffer", "ALTER TABLE loyalty_winbackoffer RENAME TO billing_winbackoffer"),
                migrations.RunSQL("ALTER TABLE billing_surveyresponse RENAME TO loyalty_surveyresponse", "ALTER TABLE loyalty_surveyresponse RENAME TO billing_surveyresponse"),
            ],
            state_operations=[
                migrations.CreateModel(
                    name='SurveyResponse',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token', models.CharField(max_length=48, unique=True)),
                        ('sent_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('answered_at', models.DateTimeField(blank=True, null=True)),
                        ('score', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('answers', models.JSONField(default=dict)),
                        ('contract', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='exit_survey', to='billing.contract')),
                    ],
                ),
                migrations.CreateModel(
                    name='WinBackOffer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=24, unique=True)),
                        ('discount_rate', models.DecimalField(decimal_places=3, max_digits=4)),
                        ('sent_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('expires_at', models.DateTimeField()),
                        ('redeemed_at', models.DateTimeField(blank=True, null=True)),
                        ('contract', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='winback_offer', to='billing.contract')),
                        ('customer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='winback_offers', to='customers.customer')),
                        ('redeemed_contract', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='redeemed_winback', to='billing.contract')),
                    ],
                ),
            ],
        ),
    ]
