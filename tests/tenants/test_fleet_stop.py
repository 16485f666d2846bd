"""migrate_platform tells failures from successes while it runs, and a stopped run says
what it did, ends its workers' statements on the server and is resumed by a rerun."""
import threading
import time
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from pawpact.tenants import fleet
from pawpact.tenants.models import Shop
from tests.tenants.test_fleet_migrate import TEMPLATE, _roll_back_messaging_0003, _shop, _sql


def test_the_progress_bar_counts_failed_shops_apart(db, shop):
    broken, fine = _shop("broken-bar"), _shop("fine-bar")
    for each in (broken, fine):
        _roll_back_messaging_0003(each.schema_name)
    _sql(f"DELETE FROM \"{broken.schema_name}\".django_migrations WHERE app = 'billing' AND name >= '0013'")
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match=r"1 shop\(s\) failed"):
        call_command("migrate_platform", workers=1, stdout=out, stderr=err)

    final = err.getvalue().split("\r")[-1]
    assert "2/2" in final and "1 migrated, 1 failed" in final
    assert "Shops migrated: 1 of 2." in out.getvalue()


def test_a_stopped_run_says_what_it_did_and_a_rerun_resumes(db, shop, monkeypatch):
    first, second = _shop("first-stop"), _shop("second-stop")
    for each in (first, second):
        _roll_back_messaging_0003(each.schema_name)
    stock, calls = fleet.shop_schema_migrate, []

    def migrate_then_stop(schema):
        calls.append(schema)
        if len(calls) == 2:
            raise KeyboardInterrupt  # what SIGTERM or Ctrl-C raises in the command
        return stock(schema)

    monkeypatch.setattr(fleet, "shop_schema_migrate", migrate_then_stop)
    err = StringIO()

    with pytest.raises(CommandError, match="stopped before it finished") as stopped:
        call_command("migrate_platform", workers=1, no_progress=True, stdout=StringIO(), stderr=err)

    assert stopped.value.returncode == 130
    assert "Stopped after 1 of 2 shop(s): 1 migrated, 0 failed." in err.getvalue()
    assert "run migrate_platform again to resume" in err.getvalue()
    assert fleet.shops_behind(TEMPLATE) == [calls[1]]
    assert not Shop.objects.filter(schema_name=calls[1]).exclude(migration_error="").exists()
    monkeypatch.setattr(fleet, "shop_schema_migrate", stock)
    assert fleet.fleet_migrate(template=TEMPLATE, workers=1).migrated == [calls[1]]


def test_stopping_ends_the_workers_statements_on_the_server(db):
    db_settings = connection.settings_dict
    worker = psycopg.connect(
        host=db_settings["HOST"], port=db_settings["PORT"], dbname=db_settings["NAME"], user=db_settings["USER"],
        password=db_settings["PASSWORD"] or None, application_name=fleet.worker_application_name(), autocommit=True,
    )  # fmt: skip
    outcome = {}

    def sleep():
        try:
            worker.execute("SELECT pg_sleep(60)")
        except psycopg.Error as error:
            outcome["error"] = type(error).__name__

    thread = threading.Thread(target=sleep)
    thread.start()
    running = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s AND state = 'active'"
    for _ in range(50):
        _sql("SELECT pg_stat_clear_snapshot()")
        if _sql(running, [fleet.worker_application_name()])[0][0]:
            break
        time.sleep(0.1)

    started = time.monotonic()
    assert fleet.workers_backends_stop() == 1
    thread.join(timeout=10)

    assert not thread.is_alive() and time.monotonic() - started < 5
    assert outcome["error"] in ("OperationalError", "AdminShutdown")
    left = "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s"
    for _ in range(20):  # the test's transaction keeps one statistics snapshot unless cleared
        _sql("SELECT pg_stat_clear_snapshot()")
        if _sql(left, [fleet.worker_application_name()]) == [(0,)]:
            break
        time.sleep(0.1)
    assert _sql(left, [fleet.worker_application_name()]) == [(0,)]
    worker.close()
