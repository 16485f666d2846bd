from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('platform', '0003_seed_saas_plans'),
    ]

    operations = [
        migrations.AddField(
            model_name='platformevent',
            name='livemode',
            field=models.BooleanField(default=False),
        ),
    ]
