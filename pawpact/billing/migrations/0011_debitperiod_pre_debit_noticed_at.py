from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0010_providernotification'),
    ]

    operations = [
        migrations.AddField(
            model_name='debitperiod',
            name='pre_debit_noticed_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
