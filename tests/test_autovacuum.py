"""The report tables' autovacuum thresholds (migration reports.0012, docs/deploy.md
"Autovacuum"): set on the tables that grow with the reports, and taken back on reverse."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

migration = importlib.import_module("lapor.reports.migrations.0012_autovacuum")


def table_options(table: str) -> dict[str, float]:
    """The table's autovacuum storage parameters, as PostgreSQL keeps them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT option_name, option_value FROM pg_class c, "
                       "pg_options_to_table(c.reloptions) WHERE c.relname = %s", [table])
        return {name: float(value) for name, value in cursor.fetchall()
                if name.startswith("autovacuum_")}


def test_report_tables_vacuum_by_rows_not_by_a_fifth() -> None:
    expected = {name: float(value) for name, value in migration.SETTINGS.items()}
    assert set(migration.TABLES) == {"reports_report", "reports_reportevent",
                                     "reports_disposition"}
    for table in migration.TABLES:
        assert table_options(table) == expected
    # At ten million rows a vacuum comes after ~100,000 dead rows, not PostgreSQL's 2,000,050.
    assert (expected["autovacuum_vacuum_threshold"]
            + expected["autovacuum_vacuum_scale_factor"] * 10_000_000) == 101_000


def test_reverse_resets_and_forward_sets_again() -> None:
    with connection.schema_editor() as editor:
        migration.reverse(None, editor)
    for table in migration.TABLES:
        assert table_options(table) == {}
    with connection.schema_editor() as editor:
        migration.forward(None, editor)
    for table in migration.TABLES:
        assert set(table_options(table)) == set(migration.SETTINGS)
