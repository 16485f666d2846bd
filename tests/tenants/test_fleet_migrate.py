"""Migrations across the fleet: one query finds the shops behind; each is migrated in
one transaction; a failing shop stays on its old schema behind a maintenance page."""
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client

from pawpact.accounts.models import User
from pawpact.tenants.fleet import fleet_migrate, schema_fingerprints, shops_behind
from pawpact.tenants.models import Shop, ShopEvent
from pawpact.tenants.services import shop_provision

TEMPLATE = settings.PAWPACT_TEMPLATE_SCHEMA


def _shop(slug: str) -> Shop:
    return shop_provision(name=slug.title(), slug=slug, owner=User.objects.create_user(f"o@{slug}.test", "pw"))


def _sql(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def _column_exists(schema: str) -> bool:
    return bool(
        _sql(
            "SELECT 1 FROM information_schema.columns WHERE table_schema = %s"
            " AND table_name = 'messaging_message' AND column_name = 'failure_reason'",
            [schema],
        )
    )


def _applied(schema: str, app: str, name: str) -> bool:
    return bool(_sql(f'SELECT 1 FROM "{schema}".django_migrations WHERE app = %s AND name = %s', [app, name]))


def _roll_back_messaging_0003(schema: str) -> None:
    """The shop as it was before messaging 0003: no columns of 0003 or later, no record of them."""
    _sql(f'DROP INDEX IF EXISTS "{schema}".message_in_flight_idx')
    for column in ("failure_reason", "provider_ref", "attempts", "retry_at", "delivered_at"):
        _sql(f'ALTER TABLE "{schema}".messaging_message DROP COLUMN IF EXISTS {column}')
    _sql(f"DELETE FROM \"{schema}\".django_migrations WHERE app = 'messaging' AND name >= '0003'")


def test_every_shop_at_the_template_state_is_not_behind(db, shop, other_shop):
    fingerprints = schema_fingerprints([TEMPLATE, shop.schema_name, other_shop.schema_name, "no_such_schema"])

    assert fingerprints[shop.schema_name] == fingerprints[TEMPLATE] == fingerprints[other_shop.schema_name]
    assert "no_such_schema" not in fingerprints
    assert shops_behind(TEMPLATE) == []
    assert fleet_migrate(template=TEMPLATE, workers=1).behind == 0


def test_only_the_shop_behind_is_migrated(db, shop):
    late = _shop("late-shop")
    _roll_back_messaging_0003(late.schema_name)
    assert shops_behind(TEMPLATE) == [late.schema_name]

    report = fleet_migrate(template=TEMPLATE, workers=1)

    assert (report.behind, report.migrated, report.failed) == (1, [late.schema_name], {})
    assert _column_exists(late.schema_name)
    assert _applied(late.schema_name, "messaging", "0003_message_failure_reason")
    assert shops_behind(TEMPLATE) == []


def test_a_failing_shop_keeps_its_old_schema_and_shows_maintenance_while_others_migrate(db, shop):
    broken, fine = _shop("broken-shop"), _shop("fine-shop")
    for schema in (broken.schema_name, fine.schema_name):
        _roll_back_messaging_0003(schema)
    # billing 0013's tables exist but its record (and later ones') are gone: replaying it fails on `broken` only.
    _sql(f"DELETE FROM \"{broken.schema_name}\".django_migrations WHERE app = 'billing' AND name >= '0013'")

    report = fleet_migrate(template=TEMPLATE, workers=1)

    assert report.migrated == [fine.schema_name]
    assert list(report.failed) == [broken.schema_name] and "already exists" in report.failed[broken.schema_name]
    # Nothing of the failed run stayed: neither the column nor either record.
    assert not _column_exists(broken.schema_name)
    assert not _applied(broken.schema_name, "messaging", "0003_message_failure_reason")
    assert _column_exists(fine.schema_name)
    broken.refresh_from_db()
    assert "already exists" in broken.migration_error and broken.migration_failed_at is not None
    host = broken.get_primary_domain().domain
    page = Client(HTTP_HOST=host).get("/")
    assert page.status_code == 503 and "being updated" in page.content.decode()
    api = Client(HTTP_HOST=host).get("/api/v1/plans/")
    assert api.status_code == 503 and api.json()["code"] == "shop_maintenance"
    assert Client(HTTP_HOST=fine.get_primary_domain().domain).get("/").status_code != 503
    assert shops_behind(TEMPLATE) == [broken.schema_name]


def test_a_rerun_after_the_fix_migrates_the_failed_shop_and_lifts_maintenance(db, shop):
    broken = _shop("mended-shop")
    _roll_back_messaging_0003(broken.schema_name)
    _sql(f"DELETE FROM \"{broken.schema_name}\".django_migrations WHERE app = 'billing' AND name >= '0013'")
    fleet_migrate(template=TEMPLATE, workers=1)
    # The fix: the record put back (as an operator would fake the migration).
    _sql(
        f"INSERT INTO \"{broken.schema_name}\".django_migrations (app, name, applied)"
        " SELECT app, name, applied FROM pawpact_template.django_migrations WHERE app = 'billing' AND name >= '0013'"
    )
    added = _shop("added-later")  # a shop added between the runs is already current
    _roll_back_messaging_0003(added.schema_name)

    report = fleet_migrate(template=TEMPLATE, workers=1)

    assert sorted(report.migrated) == sorted([broken.schema_name, added.schema_name]) and report.failed == {}
    broken.refresh_from_db()
    assert (broken.migration_error, broken.migration_failed_at) == ("", None)
    assert Client(HTTP_HOST=broken.get_primary_domain().domain).get("/").status_code != 503


def test_a_removed_shop_is_ignored_by_the_next_run(db, shop):
    gone = _shop("gone-shop")
    _roll_back_messaging_0003(gone.schema_name)
    ShopEvent.objects.filter(shop=gone).delete()
    Shop.objects.filter(pk=gone.pk).delete()  # its schema stays (shops are never dropped with their data)

    assert shops_behind(TEMPLATE) == []


@pytest.mark.parametrize("verbosity", [1])
def test_migrate_platform_with_nothing_to_do_says_so(db, shop, capsys, verbosity):
    from io import StringIO

    out = StringIO()
    call_command("migrate_platform", verbosity=verbosity, stdout=out, workers=1)

    assert "Every shop is at the template's migrations." in out.getvalue()


def test_migrations_wait_returns_once_current_and_gives_up_while_pending(db):
    from io import StringIO

    from django.core.management.base import CommandError

    out = StringIO()
    call_command("migrations_wait", timeout=0, stdout=out)
    assert "Migrations are current." in out.getvalue()

    _sql(f"DELETE FROM {TEMPLATE}.django_migrations WHERE app = 'messaging' AND name >= '0003'")
    with pytest.raises(CommandError, match=r"pawpact_template': \d+"):
        call_command("migrations_wait", timeout=0, interval=0)


def _catalog_signature(schema: str) -> list:
    """Columns, indexes and constraints of a schema, with the schema's own name taken out."""
    rows = _sql(
        "SELECT 'column', c.table_name, c.column_name, c.data_type || ' ' || c.is_nullable, coalesce(c.column_default, '')"
        " FROM information_schema.columns c WHERE c.table_schema = %s"
        " UNION ALL SELECT 'index', i.tablename, i.indexname, replace(i.indexdef, %s, 'S'), ''"
        " FROM pg_indexes i WHERE i.schemaname = %s"
        " UNION ALL SELECT 'constraint', r.relname, k.conname, pg_get_constraintdef(k.oid), ''"
        " FROM pg_constraint k JOIN pg_class r ON r.oid = k.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace"
        " WHERE n.nspname = %s",
        [schema, f'"{schema}".', schema, schema],
    )
    return sorted(tuple(str(v).replace(schema, "S") for v in row) for row in rows)


def test_shops_at_one_state_replay_its_sql_and_end_as_the_stock_executor_leaves_a_shop(db, shop, monkeypatch):
    """The first shop behind renders the migrations to SQL; the others only run that SQL."""
    from django.db.migrations.migration import Migration

    from pawpact.tenants import fleet

    stock, *late = [_shop(f"late-{i}") for i in range(4)]
    for each in (stock, *late):
        _roll_back_messaging_0003(each.schema_name)
        # A platform migration with Python in it: the router skips it in a shop's schema.
        _sql(f"DELETE FROM \"{each.schema_name}\".django_migrations WHERE app = 'platform'"
             " AND name IN ('0012_payout_verdict_code', '0013_statement_import_line_results')")  # and what follows it
    with monkeypatch.context() as stock_only:
        stock_only.setattr(fleet, "_replayable", lambda plan: False)
        assert fleet.shop_schema_migrate(stock.schema_name) is None
    monkeypatch.setattr(fleet, "_scripts", {})
    stock_apply, applied_for_real = Migration.apply, []

    def apply(self, state, editor, collect_sql=False):
        if not collect_sql:
            applied_for_real.append(self.name)
        return stock_apply(self, state, editor, collect_sql=collect_sql)

    monkeypatch.setattr(Migration, "apply", apply)

    report = fleet_migrate(template=TEMPLATE, workers=1)

    assert sorted(report.migrated) == sorted(s.schema_name for s in late) and report.failed == {}
    assert applied_for_real == []  # rendered once to SQL, executed three times
    assert len(fleet._scripts) == 1
    wanted = _catalog_signature(stock.schema_name)
    assert all(_catalog_signature(each.schema_name) == wanted for each in late)
    assert all(_applied(each.schema_name, "messaging", "0005_message_attempts_receipts") for each in late)
    assert all(_applied(each.schema_name, "platform", "0012_payout_verdict_code") for each in late)
    assert shops_behind(TEMPLATE) == []
