"""The full-text index of reports, one per database engine (docs/search.md).

PostgreSQL: a stored generated ``tsvector`` column on ``reports_report`` with the ``indonesian``
text-search configuration (title weighted A, body B) and a GIN index on it. The database keeps
it current on every insert and update, COPY included.

SQLite: an FTS5 table ``search_report_fts`` whose rowid is the report id, holding the title and
body already stemmed with PySastrawi (FTS5 has no Indonesian stemmer). Python writes it
(:mod:`lapor.search.indexing`); a trigger removes a report's row when the report row goes.
"""

from django.db import migrations

PG_FORWARD = [
    """
    ALTER TABLE reports_report ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('indonesian'::regconfig, coalesce(title, '')), 'A')
        || setweight(to_tsvector('indonesian'::regconfig, coalesce(body, '')), 'B')
    ) STORED
    """,
    "CREATE INDEX report_search_vector ON reports_report USING gin (search_vector)",
]
PG_REVERSE = [
    "DROP INDEX IF EXISTS report_search_vector",
    "ALTER TABLE reports_report DROP COLUMN IF EXISTS search_vector",
]
SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_report_fts USING fts5("
    "title, body, tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_report_fts_delete AFTER DELETE ON reports_report BEGIN "
    "DELETE FROM search_report_fts WHERE rowid = old.id; END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS search_report_fts_delete",
    "DROP TABLE IF EXISTS search_report_fts",
]


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)
    if vendor == "sqlite":
        # Here, not at the top: indexing imports the live Report model, which a migration
        # module (loaded by every migrate) must not; it runs only on SQLite.
        from lapor.search.indexing import sqlite_reindex  # noqa: PLC0415

        Report = apps.get_model("reports", "Report")
        sqlite_reindex(Report.objects.all(), using=schema_editor.connection.alias)


def reverse(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": PG_REVERSE, "sqlite": SQLITE_REVERSE}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_follow_and_dup_window")]
    operations = [migrations.RunPython(forward, reverse)]
