from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('billing', '0008_lifecycle_fixes'),
    ]

    operations = [
        migrations.AddField(
            model_name='contract',
            name='livemode',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='paymentmethod',
            name='livemode',
            field=models.BooleanField(default=False),
        ),
    ]
