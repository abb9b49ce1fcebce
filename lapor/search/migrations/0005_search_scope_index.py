"""The reader's scope inside the text index (issue 21, docs/search.md "Staff search of a
mid-sized scope").

PostgreSQL only (SQLite keeps FTS5). A staff reader of node N sees the reports whose current
node, verification tier or agency is in N's subtree, plus those with a disposition hop in it
(``lapor.reports.permissions.reports_visible_to``). The first three test three columns against
the same set of nodes, so each report gets one scope lexeme per node it names: ``~<id>`` of its
tier, agency and current node (the text parser never makes a lexeme with ``~``). A GIN index on
the search vector with those lexemes added answers "these words AND any of the subtree's
nodes" in one index scan: ``report_search_scope``.

``lapor_scope_lexemes`` is the IMMUTABLE function of the index expression (the query must
write the same expression, :data:`lapor.search.backends.SCOPED_VECTOR`).

The index is built with ``CREATE INDEX CONCURRENTLY`` (this migration is not atomic), so the
application keeps writing reports while it builds (1,000,000 reports: about half a minute
here). A build that fails leaves an invalid index, which search ignores
(:func:`lapor.search.backends.scope_index_ready`): ``DROP INDEX CONCURRENTLY
report_search_scope`` and migrate again (or run :data:`INDEX` by hand).
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION lapor_scope_lexemes(tier bigint, agency bigint, node bigint)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_to_tsvector(array_remove(
        ARRAY['~' || tier::text, '~' || agency::text, '~' || node::text], NULL))
$$
"""
INDEX = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS report_search_scope ON reports_report "
    "USING gin ((search_vector || lapor_scope_lexemes(tier_id, agency_id, current_node_id)))"
)


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(INDEX)


def reverse(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS report_search_scope")
    schema_editor.execute("DROP FUNCTION IF EXISTS lapor_scope_lexemes(bigint, bigint, bigint)")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False
    dependencies = [("search", "0004_routing_incremental")]
    operations = [migrations.RunPython(forward, reverse)]
