import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('billing', '0003_open_contract_index_round_trips'),
    ]

    # The tables existed under billing: the models move, the rows stay (renamed in place).
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL("ALTER TABLE billing_customer RENAME TO customers_customer", "ALTER TABLE customers_customer RENAME TO billing_customer"),
                migrations.RunSQL("ALTER TABLE billing_pet RENAME TO customers_pet", "ALTER TABLE customers_pet RENAME TO billing_pet"),
            ],
            state_operations=[
                migrations.CreateModel(
                    name='Customer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('uuid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('name', models.CharField(max_length=80, verbose_name='name')),
                        ('phone', models.CharField(max_length=32, unique=True, verbose_name='phone')),
                        ('birth_date', models.DateField(verbose_name='birth date')),
                        ('id_verification', models.CharField(choices=[('unverified', 'Not verified'), ('verified', 'Verified'), ('rejected', 'Rejected')], default='unverified', max_length=16, verbose_name='ID verification')),
                        ('standing', models.CharField(choices=[('current', 'Current'), ('grace', 'Grace'), ('overdue', 'Overdue'), ('default', 'Default')], default='current', max_length=16, verbose_name='standing')),
                        ('standing_since', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('user', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='customer', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'ordering': ['-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Pet',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('uuid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ('name', models.CharField(max_length=80, verbose_name='name')),
                        ('species', models.CharField(choices=[('cat', 'Cat'), ('dog', 'Dog'), ('other', 'Other')], max_length=16, verbose_name='species')),
                        ('breed', models.CharField(blank=True, max_length=80, verbose_name='breed')),
                        ('birthday', models.DateField(blank=True, null=True, verbose_name='birthday')),
                        ('adoption_date', models.DateField(blank=True, null=True, verbose_name='adoption date')),
                        ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
                        ('owner', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='pets', to='customers.customer')),
                    ],
                    options={
                        'ordering': ['-id'],
                    },
                ),
            ],
        ),
    ]
