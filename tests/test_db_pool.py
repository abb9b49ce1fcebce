"""The PostgreSQL connection pool (issue #21): built from the environment, on for PostgreSQL,
off for SQLite, behind PgBouncer or when turned off; sized per web thread by `lapor serve`;
and a pooled connection killed under it is replaced (a request fails, the next one works)
without restarting anything. Without the pool, the persistent connection's health check
sends no query unless the server has said something (lapor.core.postgresql)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection
from django.db.backends.postgresql.base import DatabaseWrapper

from lapor.config import settings as lapor_settings
from lapor.config.management.commands.serve import web_environment
from lapor.core.dbpool import check_idle_connection
from lapor.core.postgresql.base import DatabaseWrapper as PersistentWrapper

PG_URL = "postgres://lapor@db.example:5432/lapor"
POOL_VARIABLES = ("LAPOR_DB_POOL", "LAPOR_DB_POOL_SIZE", "LAPOR_DB_POOL_MIN_SIZE",
                  "LAPOR_DB_POOL_TIMEOUT", "LAPOR_DB_PGBOUNCER", "LAPOR_DB_CONN_MAX_AGE")


def _database(monkeypatch: pytest.MonkeyPatch, url: str | None, **env: str) -> dict[str, Any]:
    for name in POOL_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    if url is None:
        monkeypatch.delenv("DATABASE_URL", raising=False)
    else:
        monkeypatch.setenv("DATABASE_URL", url)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return lapor_settings._database()


def test_no_pool_unless_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Off by default: psycopg_pool's reconnect backoff (1, 2, 4 s…) after a PostgreSQL restart
    failed the ten-restart fault test; the persistent, checked connection recovers at once."""
    config = _database(monkeypatch, PG_URL)
    assert "pool" not in config["OPTIONS"]
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True


def test_postgresql_gets_a_pool_without_persistent_connections_or_health_checks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    config = _database(monkeypatch, PG_URL, LAPOR_DB_POOL="1")
    assert config["OPTIONS"]["pool"] == {"min_size": 1, "max_size": 4, "timeout": 3,
                                         "check": check_idle_connection,
                                         "name": "lapor"}
    # Django refuses a pool with CONN_MAX_AGE != 0; the health check's SELECT 1 is the round
    # trip the pool saves.
    assert config["CONN_MAX_AGE"] == 0
    assert config["CONN_HEALTH_CHECKS"] is False
    assert config["OPTIONS"]["options"] == "-c jit=off"


def test_pool_sizes_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    config = _database(monkeypatch, PG_URL, LAPOR_DB_POOL="1", LAPOR_DB_POOL_SIZE="8",
                       LAPOR_DB_POOL_MIN_SIZE="8", LAPOR_DB_POOL_TIMEOUT="5",
                       LAPOR_DB_CONN_MAX_AGE="60")
    pool = config["OPTIONS"]["pool"]
    assert (pool["min_size"], pool["max_size"], pool["timeout"]) == (8, 8, 5)
    assert config["CONN_MAX_AGE"] == 0  # LAPOR_DB_CONN_MAX_AGE does not apply to a pool


@pytest.mark.parametrize("env", [{"LAPOR_DB_POOL_SIZE": "0"},
                                 {"LAPOR_DB_POOL_SIZE": "2", "LAPOR_DB_POOL_MIN_SIZE": "3"},
                                 {"LAPOR_DB_POOL_TIMEOUT": "0"},
                                 {"LAPOR_DB_POOL_SIZE": "many"}])
def test_nonsense_pool_sizes_are_refused(monkeypatch: pytest.MonkeyPatch,
                                          env: dict[str, str]) -> None:
    with pytest.raises(ImproperlyConfigured):
        _database(monkeypatch, PG_URL, LAPOR_DB_POOL="1", **env)


def test_no_pool_behind_pgbouncer(monkeypatch: pytest.MonkeyPatch) -> None:
    """PgBouncer in transaction mode is the pool: Django keeps its persistent connection to
    the bouncer, checked before reuse, as before."""
    config = _database(monkeypatch, PG_URL, LAPOR_DB_PGBOUNCER="1")
    assert "pool" not in config.get("OPTIONS", {})
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True


def test_no_pool_when_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    config = _database(monkeypatch, PG_URL, LAPOR_DB_POOL="0")
    assert "pool" not in config.get("OPTIONS", {})
    assert (config["CONN_MAX_AGE"], config["CONN_HEALTH_CHECKS"]) == (60, True)


def test_no_pool_on_sqlite(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    config = _database(monkeypatch, f"sqlite:///{tmp_path / 'db.sqlite3'}",
                       LAPOR_DB_POOL="1", LAPOR_DB_POOL_SIZE="8")
    assert "pool" not in config["OPTIONS"]
    assert config["CONN_MAX_AGE"] == 0


def test_serve_sizes_the_web_workers_pool_by_their_threads() -> None:
    env = web_environment({"PORT": "8000"}, threads=8)
    assert (env["LAPOR_DB_POOL_SIZE"], env["LAPOR_DB_POOL_MIN_SIZE"]) == ("8", "8")
    assert env["PORT"] == "8000"
    # The configuration wins; the minimum follows the size it set.
    env = web_environment({"LAPOR_DB_POOL_SIZE": "12"}, threads=8)
    assert (env["LAPOR_DB_POOL_SIZE"], env["LAPOR_DB_POOL_MIN_SIZE"]) == ("12", "12")
    env = web_environment({"LAPOR_DB_POOL_MIN_SIZE": "2"}, threads=4)
    assert (env["LAPOR_DB_POOL_SIZE"], env["LAPOR_DB_POOL_MIN_SIZE"]) == ("4", "2")


def _pooled(check: Any) -> DatabaseWrapper:
    """A second wrapper on the test database with a one-connection pool."""
    settings_dict = {**connection.settings_dict, "CONN_MAX_AGE": 0,
                     "CONN_HEALTH_CHECKS": False,
                     "OPTIONS": {**connection.settings_dict["OPTIONS"],
                                 "pool": {"min_size": 1, "max_size": 1, "timeout": 10,
                                          "check": check, "name": "lapor-test"}}}
    return DatabaseWrapper(settings_dict, alias="pool_test")


def _backend_pid(pooled: DatabaseWrapper) -> int:
    with pooled.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    pooled.close()  # the end of a request: back to the pool, still open
    return int(pid)


def _terminate(pid: int) -> None:
    """What a PostgreSQL restart does to a pooled connection, without restarting the shared
    server: its backend ended (this test database's own), waiting until it is gone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s, 10000)", [pid])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_pooled_connection_killed_under_it_is_replaced_before_the_next_request() -> None:
    """The settings' check: the server closed the idle connection, so it is dropped when
    handed out and the request gets a new one; no request fails."""
    if connection.vendor != "postgresql":
        pytest.skip("the pool is PostgreSQL's")
    pooled = _pooled(check_idle_connection)
    try:
        pid = _backend_pid(pooled)
        assert _backend_pid(pooled) == pid  # reused, not reopened
        _terminate(pid)
        new_pid = _backend_pid(pooled)
        assert new_pid != pid
        assert pooled.pool.get_stats().get("connections_lost") == 1
    finally:
        pooled.close_pool()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_check_of_a_healthy_connection_sends_nothing() -> None:
    """No round trip for a live idle connection: the server sees no statement from it."""
    if connection.vendor != "postgresql":
        pytest.skip("the pool is PostgreSQL's")
    pooled = _pooled(check_idle_connection)
    try:
        pid = _backend_pid(pooled)
        raw = pooled.pool.getconn()
        try:
            assert raw.info.backend_pid == pid
            before = raw.pgconn.transaction_status
            check_idle_connection(raw)  # would block or fail if it waited for an answer
            assert raw.pgconn.transaction_status == before
        finally:
            pooled.pool.putconn(raw)
        with connection.cursor() as cursor:
            cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
            (last,) = cursor.fetchone()
        assert last == "SELECT pg_backend_pid()"
    finally:
        pooled.close_pool()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_without_a_check_a_killed_connection_fails_one_request_then_is_replaced() -> None:
    """Even with no check at all, a dead pooled connection costs one failed request (an
    OperationalError: the API's clean 503): Django gives it back broken, the pool drops it
    and the next request works."""
    if connection.vendor != "postgresql":
        pytest.skip("the pool is PostgreSQL's")
    pooled = _pooled(None)
    try:
        pid = _backend_pid(pooled)
        _terminate(pid)
        with pytest.raises(OperationalError), pooled.cursor() as cursor:
            cursor.execute("SELECT 1")
        assert not pooled.is_usable()
        pooled.close()  # what Django does at the end of the failed request
        assert _backend_pid(pooled) != pid
        assert pooled.pool.get_stats().get("returns_bad") == 1
    finally:
        pooled.close_pool()


# Without the pool (the default): Django's persistent connection and its per-request health
# check, which lapor.core.postgresql makes look at the socket before it sends SELECT 1.

def test_postgresql_uses_the_backend_whose_health_check_sends_nothing(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert _database(monkeypatch, PG_URL)["ENGINE"] == "lapor.core.postgresql"
    assert _database(monkeypatch, PG_URL, LAPOR_DB_POOL="1")["ENGINE"] == "lapor.core.postgresql"


def _persistent() -> PersistentWrapper:
    """A second wrapper on the test database as the settings make it without a pool."""
    settings_dict = {**connection.settings_dict, "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}
    return PersistentWrapper(settings_dict, alias="persistent_test")


def _request(wrapper: PersistentWrapper) -> int:
    """One request's work: Django's start-of-request bookkeeping, then a query (the health
    check runs before it); the backend's pid."""
    wrapper.close_if_unusable_or_obsolete()
    with wrapper.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return int(pid)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_health_check_of_an_idle_persistent_connection_sends_nothing() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's backend")
    wrapper = _persistent()
    try:
        pid = _request(wrapper)
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT 'the last statement'")
        wrapper.close_if_unusable_or_obsolete()  # the next request begins
        wrapper.close_if_health_check_failed()  # what its first cursor() runs
        assert wrapper.health_check_done
        assert wrapper.connection is not None
        with connection.cursor() as cursor:
            cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
            (last,) = cursor.fetchone()
        assert last == "SELECT 'the last statement'"  # Django's own check sends SELECT 1
        assert _request(wrapper) == pid  # the same connection
    finally:
        wrapper.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_persistent_connection_the_server_ended_is_replaced_before_the_query() -> None:
    """What a PostgreSQL restart does to a persistent connection: the server's last message
    is on the socket, so the check sends its query, finds it dead, and the request gets a
    new connection; no request fails."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's backend")
    wrapper = _persistent()
    try:
        pid = _request(wrapper)
        _terminate(pid)
        assert not wrapper.is_usable()
        assert _request(wrapper) != pid
    finally:
        wrapper.close()
