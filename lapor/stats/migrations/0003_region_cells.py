"""Province and regency counters (``dim`` ``region1``, ``region2``; issue #21), derived for
the data in place from the district cells by one statement: what the refresh and the rebuild
keep from now on (lapor.stats.models.REGION_DIMS). Runs under the stats state lock, so no
refresh moves the district cells meanwhile.

The SQL is written out here, not imported: a migration keeps doing what it did when it was
written. A deployment whose worker still runs the previous release after this migration
(the refresh would then move the district cells only) runs ``lapor stats rebuild`` once."""

from django.db import migrations

MEASURES = (
    "reports",
    "verify_on_time", "verify_late", "verify_overdue",
    "followup_eligible", "followup_on_time", "followup_late", "followup_overdue",
    "resolution_on_time", "resolution_late", "resolution_overdue",
    "responded", "reopened", "rated", "rating_sum", "overdue",
)
REGION_DIMS = (("region1", 2), ("region2", 5))


def derive(apps, schema_editor):  # noqa: ANN001, ANN201  (migration signature)
    connection = schema_editor.connection
    measures = ", ".join(MEASURES)
    sums = ", ".join(f"SUM({name})" for name in MEASURES)
    selects = [
        f"SELECT node_id, '{dim}', period, SUBSTR(value, 1, {width}), {sums} "  # noqa: S608
        "FROM stats_statcell WHERE dim = 'region' "
        f"GROUP BY node_id, period, SUBSTR(value, 1, {width})"
        for dim, width in REGION_DIMS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT id FROM stats_statsstate FOR UPDATE")
            cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("DELETE FROM stats_statcell WHERE dim IN ('region1', 'region2')")
        cursor.execute(f"INSERT INTO stats_statcell (node_id, dim, period, value, {measures}) "  # noqa: S608
                       + " UNION ALL ".join(selects))


def remove(apps, schema_editor):  # noqa: ANN001, ANN201  (migration signature)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("DELETE FROM stats_statcell WHERE dim IN ('region1', 'region2')")


class Migration(migrations.Migration):

    dependencies = [
        ('stats', '0002_statcell_node_by_key'),
    ]

    operations = [
        migrations.RunPython(derive, remove),
    ]
