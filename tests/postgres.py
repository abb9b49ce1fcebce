"""PostgreSQL helpers for tests that write many rows."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection


def vacuum(tables: Iterable[str]) -> None:
    """``VACUUM ANALYZE`` the tables, from a connection of its own (VACUUM cannot run in a
    transaction block, and Django's connection may be blocked outside a test).

    On PostgreSQL a rollback leaves the rows it undid in the table's file and its indexes (the
    text indexes' pending lists included), and the in-place ``reltuples`` of an ANALYZE stays:
    60,000 such rows (tests/test_query_plans.py) made every later search on that worker about
    eight times slower (lapor.search's scope tests: 6 s alone, 51 s after it)."""
    import psycopg  # noqa: PLC0415  (PostgreSQL runs only)

    params = connection.get_connection_params()
    with psycopg.connect(**params, autocommit=True) as conn:
        for table in tables:
            conn.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")
