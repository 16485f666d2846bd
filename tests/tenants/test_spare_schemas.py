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


def _behind(schema: str) -> None:
    """The spare as an older release built it: one migration short of the template."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM \"{schema}\".django_migrations WHERE app = 'messaging' AND name >= '0005'")


def test_a_spare_behind_the_template_is_never_handed_to_a_signup(db):
    SpareSchema.objects.all().delete()
    spare_schemas_fill(count=1)
    stale = SpareSchema.objects.get()
    _behind(stale.schema_name)  # labelled with the current state, yet behind

    shop = shop_provision(name="Checked", slug="checked-shop", owner=User.objects.create_user("k@k.test", "pw"))

    assert shop.schema_name == "shop_checked_shop" and _tables(shop.schema_name) == _tables("pawpact_template")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM \"{shop.schema_name}\".django_migrations WHERE app = 'messaging' AND name >= '0005'")
        assert cursor.fetchone()[0] >= 1
    assert not schema_exists(stale.schema_name) and SpareSchema.objects.count() == 0


def test_the_beat_task_drops_an_old_releases_spares_and_keeps_the_count(db, settings):
    from pawpact.tenants.tasks import spare_schemas_fill_task

    settings.PAWPACT_SPARE_SCHEMAS = 2
    SpareSchema.objects.all().delete()
    spare_schemas_fill(count=2)
    kept = set(SpareSchema.objects.values_list("schema_name", flat=True))
    old = SpareSchema.objects.create(schema_name="spare_oldrelease01", migration_state="1" * 64)
    with connection.cursor() as cursor:
        cursor.execute('CREATE SCHEMA "spare_oldrelease01"')
        cursor.execute('CREATE TABLE "spare_oldrelease01".django_migrations (id serial, app text, name text, applied timestamptz)')
    # A spare of another release at the template's migrations (the newer one's) is left alone.
    newer = SpareSchema.objects.order_by("id").first()
    SpareSchema.objects.filter(pk=newer.pk).update(migration_state="2" * 64)

    assert spare_schemas_fill_task() == 1

    assert not schema_exists(old.schema_name) and not SpareSchema.objects.filter(pk=old.pk).exists()
    assert SpareSchema.objects.filter(migration_state=migration_state()).count() == 2
    assert set(SpareSchema.objects.values_list("schema_name", flat=True)) >= kept
