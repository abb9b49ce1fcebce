"""Each report's disposition nodes on the report (issue 21, docs/search.md "Staff search of a
mid-sized scope"): the column staff search's scope index reads (migration search.0006).

The column is filled from the dispositions already made, in batches of report ids, each its
own transaction (this migration is not atomic), so the application keeps writing meanwhile.
"""

from collections import defaultdict

from django.db import migrations, models

BATCH = 50_000

POSTGRES_FILL = """
UPDATE reports_report AS r SET disposition_nodes = d.nodes
FROM (SELECT report_id, string_agg(node_id::text, ' ' ORDER BY first_hop) AS nodes
      FROM (SELECT report_id, node_id, min(id) AS first_hop FROM reports_disposition
            WHERE report_id >= %s AND report_id < %s GROUP BY report_id, node_id) AS hops
      GROUP BY report_id) AS d
WHERE r.id = d.report_id
"""


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    """The nodes of every report's dispositions, each once, in the order first reached."""
    report_model = apps.get_model("reports", "Report")
    disposition = apps.get_model("reports", "Disposition")
    db = schema_editor.connection.alias
    last = disposition.objects.using(db).order_by("-report_id").values_list(
        "report_id", flat=True).first() or 0
    for start in range(0, last + 1, BATCH):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(POSTGRES_FILL, [start, start + BATCH])
            continue
        nodes: dict[int, list[str]] = defaultdict(list)
        for report_id, node_id in (disposition.objects.using(db)
                                   .filter(report_id__gte=start, report_id__lt=start + BATCH)
                                   .order_by("id").values_list("report_id", "node_id")):
            if str(node_id) not in nodes[report_id]:
                nodes[report_id].append(str(node_id))
        for report_id, ids in nodes.items():
            report_model.objects.using(db).filter(pk=report_id).update(
                disposition_nodes=" ".join(ids))


class Migration(migrations.Migration):
    atomic = False
    dependencies = [
        ('reports', '0010_deadline_sweep_lists'),
    ]

    operations = [
        migrations.AddField(
            model_name='report',
            name='disposition_nodes',
            field=models.TextField(blank=True, default='', db_default='', editable=False),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
