from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('messaging', '0002_messaging_settings_customers_app'),
    ]

    operations = [
        migrations.AddField(
            model_name='message',
            name='failure_reason',
            field=models.CharField(blank=True, max_length=200),
        ),
    ]
