"""The reader's whole scope inside the text index: the disposition hops too (issue 21,
docs/search.md "Staff search of a mid-sized scope").

Migration search.0005 put one ``~<id>`` lexeme per node a report names (tier, agency, current
node) beside its words; the reports a reader sees only through a disposition hop (a unit that
handed a report back, which another agency holds now) took a second query that checked the
text of each of the reader's hops, the larger part of a hub's search at a million reports.
Now every node of the report's dispositions (``Report.disposition_nodes``, migration
reports.0011) gets its lexeme too, so one scan of ``report_search_scope_hops`` answers "these
words AND any of the reader's nodes" for exactly
:func:`lapor.reports.permissions.reports_visible_to`'s rule.

The new index is built ``CONCURRENTLY`` before the old one is dropped (this migration is not
atomic), so the application keeps writing reports meanwhile; until the new index is valid,
staff search takes its path without a scope index
(:func:`lapor.search.backends.scope_index_ready`). A failed build leaves an invalid index:
``DROP INDEX CONCURRENTLY report_search_scope_hops`` and migrate again.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION lapor_scope_lexemes(tier bigint, agency bigint, node bigint,
                                               hops text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_to_tsvector(array_remove(
        ARRAY['~' || tier::text, '~' || agency::text, '~' || node::text], NULL)
        || array(SELECT '~' || hop FROM unnest(string_to_array(hops, ' ')) AS hop
                 WHERE hop <> ''))
$$
"""
INDEX = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS report_search_scope_hops ON reports_report "
    "USING gin ((search_vector || lapor_scope_lexemes(tier_id, agency_id, current_node_id, "
    "disposition_nodes)))"
)
OLD_INDEX = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS report_search_scope ON reports_report "
    "USING gin ((search_vector || lapor_scope_lexemes(tier_id, agency_id, current_node_id)))"
)


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    schema_editor.execute(INDEX)
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS report_search_scope")


def reverse(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(OLD_INDEX)
    schema_editor.execute("DROP INDEX CONCURRENTLY IF EXISTS report_search_scope_hops")
    schema_editor.execute(
        "DROP FUNCTION IF EXISTS lapor_scope_lexemes(bigint, bigint, bigint, text)")


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction.
    atomic = False
    dependencies = [("search", "0005_search_scope_index"), ("reports", "0011_disposition_nodes")]
    operations = [migrations.RunPython(forward, reverse)]
