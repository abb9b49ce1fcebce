"""Newest-first search at national scale (issue 21, docs/search.md "Newest first").

PostgreSQL only (SQLite keeps FTS5):

* the statistics target of the search vector raised to 1,000 (the words' shares search plans
  with);
* ``report_recent``: every real report newest first (``submitted_at DESC, id DESC`` where not
  training), the national reader's walk, as ``report_public_feed`` is the public's;
* the RUM extension and ``report_search_rum``, a RUM index on the search vector with
  ``submitted_at`` attached to every entry (``rum_tsvector_addon_ops``), so the matches of a
  query come out of the index newest first and only the page's rows are read from the table.

RUM is a separate Debian package (``postgresql-15-rum``, Makefile ``system-deps``) and
``CREATE EXTENSION`` needs a superuser (or the extension already created by one). When it
cannot be created the migration logs a warning and stops there: search keeps the GIN index
and ranks every match, refusing broad queries (``query_too_broad``) as before. Running
``lapor migrate`` again after installing the extension does nothing (this migration is
applied): create the index by hand, as docs/search.md says (``CREATE INDEX CONCURRENTLY``, no
write lock), and restart the application servers.

On a big table this migration's ``CREATE INDEX`` blocks writes to reports while it builds
(about a minute per million reports here): docs/search.md gives the ``CONCURRENTLY`` commands
to run first, after which the ``IF NOT EXISTS`` statements here do nothing.
"""

import logging

from django.db import DatabaseError, migrations, transaction

log = logging.getLogger("lapor.search.migrations")

# ANALYZE keeps the commonest ~2,000 words of the search vector instead of ~300: a word outside
# the list is assumed half as common as the rarest listed, and search decides between its
# plans on these shares (lapor.search.backends.word_share). Catalog only; next ANALYZE.
STATISTICS = "ALTER TABLE reports_report ALTER COLUMN search_vector SET STATISTICS 1000"
RECENT = (
    "CREATE INDEX IF NOT EXISTS report_recent ON reports_report "
    "(submitted_at DESC, id DESC) WHERE NOT is_training"
)
RUM_INDEX = (
    "CREATE INDEX IF NOT EXISTS report_search_rum ON reports_report "
    "USING rum (search_vector rum_tsvector_addon_ops, submitted_at) "
    "WITH (attach = 'submitted_at', to = 'search_vector')"
)


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(STATISTICS)
    schema_editor.execute(RECENT)
    try:
        with transaction.atomic(using=schema_editor.connection.alias):  # a savepoint
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS rum")
    except DatabaseError as exc:
        log.warning("search: the RUM extension is not available (%s); search keeps the GIN "
                    "index, ranks every match and refuses broad queries. Install "
                    "postgresql-15-rum and see docs/search.md 'RUM'.", str(exc).strip())
        return
    schema_editor.execute(RUM_INDEX)


def reverse(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS report_search_rum")
    schema_editor.execute("DROP INDEX IF EXISTS report_recent")
    schema_editor.execute(
        "ALTER TABLE reports_report ALTER COLUMN search_vector SET STATISTICS -1")
    # The extension stays: other databases' objects may use it, and it costs nothing.


class Migration(migrations.Migration):
    dependencies = [("search", "0002_routing_model")]
    operations = [migrations.RunPython(forward, reverse)]
