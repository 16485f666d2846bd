"""Spare schemas: signup renames a ready schema into place instead of building one."""
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from pawpact.accounts.models import User
from pawpact.billing.models import Plan
from pawpact.tenants.models import SpareSchema
from pawpact.tenants.services import shop_provision
from pawpact.tenants.template import migration_state, spare_schemas_discard_stale, spare_schemas_fill


def _tables(schema: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", [schema])
        return cursor.fetchone()[0]


def test_provisioning_takes_a_spare_schema_when_one_is_ready(db):
    spare_schemas_fill(count=2)
    spare = SpareSchema.objects.order_by("id").first()
    ready = SpareSchema.objects.count()
    template_tables = _tables("pawpact_template")

    shop = shop_provision(name="Quick", slug="quick-shop", owner=User.objects.create_user("q@q.test", "pw"))

    assert SpareSchema.objects.count() == ready - 1
    assert not schema_exists(spare.schema_name)
    assert _tables(shop.schema_name) == template_tables
    with schema_context(shop.schema_name):
        assert sorted(Plan.objects.values_list("code", flat=True)) == ["advanced", "basic", "premium"]


def test_without_spares_the_template_is_replayed(db):
    SpareSchema.objects.all().delete()  # rolled back with the test; their schemas stay unused

    shop = shop_provision(name="Cold", slug="cold-shop", owner=User.objects.create_user("c@c.test", "pw"))

    assert _tables(shop.schema_name) == _tables("pawpact_template")
    assert SpareSchema.objects.count() == 0


def test_spares_of_older_migrations_are_never_used_and_are_dropped(db):
    SpareSchema.objects.all().delete()
    spare_schemas_fill(count=1)
    stale = SpareSchema.objects.get()
    SpareSchema.objects.filter(pk=stale.pk).update(migration_state="0" * 64)

    shop = shop_provision(name="Fresh", slug="fresh-shop", owner=User.objects.create_user("f@f.test", "pw"))
    assert schema_exists(stale.schema_name) and shop.schema_name == "shop_fresh_shop"

    assert spare_schemas_discard_stale() == 1
    assert not schema_exists(stale.schema_name)
    assert not SpareSchema.objects.exclude(migration_state=migration_state()).exists()


def test_fill_tops_up_to_the_count_and_no_further(db):
    SpareSchema.objects.all().delete()
    assert spare_schemas_fill(count=2) == 2
    assert spare_schemas_fill(count=2) == 0
    assert SpareSchema.objects.filter(migration_state=migration_state()).count() == 2
