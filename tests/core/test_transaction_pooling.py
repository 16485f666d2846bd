"""Behind pgbouncer in transaction mode (one server connection shared by every client),
each shop's queries run on its own search path and nothing of it is left on the server
connection for the pooler's next client."""
import threading

import psycopg
import pytest
from django.db import InterfaceError, OperationalError, connections, transaction

from pawpact.billing.models import Plan
from tests.core.pgbouncer import PgBouncer, pgbouncer_or_skip


@pytest.fixture(scope="module")
def bouncer(django_db_setup, django_db_blocker):
    pgbouncer_or_skip()
    with django_db_blocker.unblock():
        database = dict(connections["default"].settings_dict)
    server = PgBouncer(database)
    server.start()
    connections.settings["pooled"] = server.settings_for(database, transaction_pooling=True)
    connections.settings["stock"] = server.settings_for(database, transaction_pooling=False)
    yield server
    for alias in ("pooled", "stock"):
        connections[alias].close()
        del connections.settings[alias]
    server.remove()


@pytest.fixture
def unblocked(django_db_blocker):
    with django_db_blocker.unblock():
        yield


def _raw_search_path(server: PgBouncer) -> str:
    """What a client that sets nothing (another app, psql) finds on the shared server connection."""
    with psycopg.connect(host="127.0.0.1", port=server.port, dbname="pooled", user=connections["default"].settings_dict["USER"],
                         autocommit=True) as other:  # fmt: skip
        return other.execute("SHOW search_path").fetchone()[0]


def _current_schema(alias: str) -> str:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return cursor.fetchone()[0]


def test_a_shop_query_leaves_no_search_path_on_the_server_connection(bouncer, unblocked):
    pooled = connections["pooled"]
    pooled.set_schema("shop_alpha")

    assert Plan.objects.using("pooled").count() == 3
    assert _current_schema("pooled") == "shop_alpha"
    with transaction.atomic(using="pooled"):
        assert _current_schema("pooled") == "shop_alpha"
        pooled.set_schema("shop_beta")  # a switch inside a transaction is followed too
        assert _current_schema("pooled") == "shop_beta"

    assert _raw_search_path(bouncer) == '"$user", public'


def test_stock_django_tenants_leaks_its_search_path_through_the_pooler(bouncer, unblocked):
    """Why the pooled backend exists: the stock session-level SET stays on the server connection."""
    stock = connections["stock"]
    stock.set_schema("shop_alpha")
    assert _current_schema("stock") == "shop_alpha"

    assert _raw_search_path(bouncer) == "shop_alpha, public"
    stock.close()
    with psycopg.connect(host="127.0.0.1", port=bouncer.port, dbname="pooled",
                         user=connections["default"].settings_dict["USER"], autocommit=True) as other:  # fmt: skip
        other.execute("RESET search_path")  # clean up after the stock client


def test_two_shops_interleaved_on_one_server_connection_each_see_their_own(bouncer, django_db_blocker):
    wrong: list[tuple[str, str]] = []
    errors: list[BaseException] = []

    def shop_loop(schema: str):
        try:
            with django_db_blocker.unblock():
                pooled = connections["pooled"]
                pooled.set_schema(schema)
                for i in range(60):
                    seen = _current_schema("pooled")
                    if seen != schema:
                        wrong.append((schema, seen))
                    if i % 3 == 0:
                        with transaction.atomic(using="pooled"):
                            if Plan.objects.using("pooled").count() != 3 or _current_schema("pooled") != schema:
                                wrong.append((schema, _current_schema("pooled")))
                pooled.close()
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=shop_loop, args=(s,)) for s in ("shop_alpha", "shop_beta") * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == [] and wrong == []
    with django_db_blocker.unblock():
        assert _raw_search_path(bouncer) == '"$user", public'


def test_pgbouncer_restarted_mid_request_fails_cleanly_and_the_next_request_is_right(bouncer, unblocked):
    pooled = connections["pooled"]
    pooled.set_schema("shop_beta")
    with pytest.raises((OperationalError, InterfaceError)), transaction.atomic(using="pooled"):
        assert _current_schema("pooled") == "shop_beta"
        bouncer.stop()
        bouncer.start()
        Plan.objects.using("pooled").count()
    # Django's end-of-request handling drops the broken connection; the next request reconnects.
    pooled.close_if_unusable_or_obsolete()
    pooled.close()
    pooled.set_schema("shop_alpha")
    assert _current_schema("pooled") == "shop_alpha"
    assert Plan.objects.using("pooled").count() == 3
    assert _raw_search_path(bouncer) == '"$user", public'
