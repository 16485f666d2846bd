# Check and import outcomes kept as a code with parameters, worded for whoever reads them.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('warehouses', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='catalogimport',
            name='error_code',
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AddField(
            model_name='catalogimport',
            name='error_params',
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name='warehouse',
            name='last_check_code',
            field=models.CharField(blank=True, max_length=32),
        ),
        migrations.AddField(
            model_name='warehouse',
            name='last_check_params',
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
