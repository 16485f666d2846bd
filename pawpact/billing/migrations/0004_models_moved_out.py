import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0003_open_contract_index_round_trips'),
        ('customers', '0001_initial'),
        ('messaging', '0002_messaging_settings_customers_app'),
        ('outbox', '0001_initial'),
        ('loyalty', '0001_initial'),
    ]

    # Customers and pets, the outbox, and the exit survey and win-back offer moved to their
    # own apps, whose first migrations renamed the tables: here billing only forgets them.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='customer',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='pet',
                    name='owner',
                ),
                migrations.AlterField(
                    model_name='contract',
                    name='customer',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contracts', to='customers.customer'),
                ),
                migrations.AlterField(
                    model_name='paymentmethod',
                    name='customer',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='payment_methods', to='customers.customer'),
                ),
                migrations.AlterField(
                    model_name='calltask',
                    name='customer',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='call_tasks', to='customers.customer'),
                ),
                migrations.RemoveField(
                    model_name='winbackoffer',
                    name='customer',
                ),
                migrations.DeleteModel(
                    name='OutboxEvent',
                ),
                migrations.AlterField(
                    model_name='contract',
                    name='pet',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='contracts', to='customers.pet'),
                ),
                migrations.RemoveField(
                    model_name='surveyresponse',
                    name='contract',
                ),
                migrations.RemoveField(
                    model_name='winbackoffer',
                    name='contract',
                ),
                migrations.RemoveField(
                    model_name='winbackoffer',
                    name='redeemed_contract',
                ),
                migrations.DeleteModel(
                    name='Customer',
                ),
                migrations.DeleteModel(
                    name='Pet',
                ),
                migrations.DeleteModel(
                    name='SurveyResponse',
                ),
                migrations.DeleteModel(
                    name='WinBackOffer',
                ),
            ],
        ),
        migrations.RemoveField(
            model_name='billingsettings',
            name='marketing_messages_per_day',
        ),
    ]
