"""Autovacuum thresholds of the report tables (issue 21, docs/deploy.md "Autovacuum").

PostgreSQL's defaults vacuum a table once its dead rows pass 20 % of it, or its rows inserted
since the last vacuum pass 20 %: at a national table of 10,000,000 reports that is two million
rows, years of LAPOR!'s intake, and until then the newest pages are never marked all-visible
(the unit inboxes' page 1 read them: at 1 M a vacuum took it from 62 to 98 requests a second).
These tables get a twentieth to a fortieth of the default share (1 % of the table for dead
rows, 0.5 % for inserts and for re-analysing) with a larger fixed part, so a table of a few
thousand rows is handled as before and a national one a hundred thousand rows apart, not two
million. A vacuum after inserts reads only the pages not yet all-visible, so it stays cheap
however large the table. PostgreSQL only; SQLite has no vacuum thresholds.
"""

from django.db import migrations

TABLES = ("reports_report", "reports_reportevent", "reports_disposition")
# PostgreSQL storage parameters (ALTER TABLE ... SET): autovacuum starts once the rows counted
# pass threshold + scale_factor x the table's rows (defaults 50 + 20 %, 1,000 + 20 %, 50 + 10 %).
SETTINGS = {
    "autovacuum_vacuum_threshold": 1000,
    "autovacuum_vacuum_scale_factor": 0.01,
    "autovacuum_vacuum_insert_threshold": 1000,
    "autovacuum_vacuum_insert_scale_factor": 0.005,
    "autovacuum_analyze_threshold": 500,
    "autovacuum_analyze_scale_factor": 0.005,
}


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    options = ", ".join(f"{name} = {value}" for name, value in SETTINGS.items())
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} SET ({options})")


def reverse(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"ALTER TABLE {table} RESET ({', '.join(SETTINGS)})")


class Migration(migrations.Migration):
    dependencies = [("reports", "0011_disposition_nodes")]
    operations = [migrations.RunPython(forward, reverse)]
