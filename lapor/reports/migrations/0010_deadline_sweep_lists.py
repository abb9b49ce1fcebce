"""The deadline sweep's work lists (issue 21, docs/performance.md "The deadline sweep at
rest").

Three columns on the report record what the sweep has done for its current deadlines
(``noticed_staff_due_at``, ``escalation_check_at``, ``noticed_resolution_due_at``), and three
partial indexes hold only the reports the sweep still has something to do for. Before, each
minute's sweep read every late report to find the few without a notice (a ``NOT EXISTS`` on
the notices, ordered by the deadline): at a million reports ~650,000 rows and seconds of
PostgreSQL a minute with nothing to send.

The columns are filled from the notices already issued, in batches of report ids, each its own
transaction (this migration is not atomic); then the indexes are built, ``CONCURRENTLY`` on
PostgreSQL so the application keeps writing reports meanwhile. A failed build leaves an
invalid index: ``DROP INDEX CONCURRENTLY <name>`` and migrate again.
"""

from django.db import migrations, models
from django.db.models import Exists, F, OuterRef, Subquery

BATCH = 50_000
OPEN = ("submitted", "disposed", "in_progress")
HANDLED = ("disposed", "in_progress")

INDEXES = [
    models.Index(condition=models.Q(('status__in', ('submitted', 'disposed', 'in_progress')), models.Q(('noticed_staff_due_at__isnull', True), ('noticed_staff_due_at__lt', models.F('staff_due_at')), ('noticed_staff_due_at__gt', models.F('staff_due_at')), _connector='OR')), fields=['staff_due_at', 'id'], name='report_late_unnoticed'),
    models.Index(condition=models.Q(('escalation_check_at__isnull', False), ('noticed_staff_due_at', models.F('staff_due_at')), ('status__in', ('submitted', 'disposed', 'in_progress'))), fields=['escalation_check_at', 'id'], name='report_escalation_check'),
    models.Index(condition=models.Q(('first_followup_at__isnull', True), ('status__in', ('disposed', 'in_progress')), models.Q(('noticed_resolution_due_at__isnull', True), ('noticed_resolution_due_at__lt', models.F('resolution_due_at')), ('noticed_resolution_due_at__gt', models.F('resolution_due_at')), _connector='OR')), fields=['resolution_due_at', 'id'], name='report_resolution_unnoticed'),
]


def backfill(apps, schema_editor):  # type: ignore[no-untyped-def]
    """What the notices already issued say, written on their reports."""
    report_model = apps.get_model("reports", "Report")
    notice = apps.get_model("notifications", "DeadlineNotice")
    db = schema_editor.connection.alias
    reports = report_model.objects.using(db)
    staff = notice.objects.using(db).filter(report=OuterRef("pk"), level="overdue",
                                             due_at=OuterRef("staff_due_at"))
    resolution = notice.objects.using(db).filter(report=OuterRef("pk"), level="overdue",
                                                  due_at=OuterRef("resolution_due_at"))
    last = reports.order_by("-id").values_list("id", flat=True).first() or 0
    for start in range(0, last + 1, BATCH):
        ids = {"id__gte": start, "id__lt": start + BATCH}
        reports.filter(Exists(staff), status__in=OPEN, **ids).update(
            noticed_staff_due_at=F("staff_due_at"),
            escalation_check_at=Subquery(staff.values("next_check_at")[:1]))
        reports.filter(Exists(resolution), status__in=HANDLED, first_followup_at__isnull=True,
                       **ids).update(noticed_resolution_due_at=F("resolution_due_at"))


def add_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    model = apps.get_model("reports", "Report")
    for index in INDEXES:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(index.create_sql(model, schema_editor, concurrently=True))
        else:
            schema_editor.add_index(model, index)


def drop_indexes(apps, schema_editor):  # type: ignore[no-untyped-def]
    model = apps.get_model("reports", "Report")
    for index in INDEXES:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(index.remove_sql(model, schema_editor, concurrently=True))
        else:
            schema_editor.remove_index(model, index)


class Migration(migrations.Migration):
    # CREATE INDEX CONCURRENTLY cannot run inside a transaction; the backfill commits by batch.
    atomic = False

    dependencies = [
        ("notifications", "0004_outbox_federation"),
        ("reports", "0009_number_lanes"),
    ]

    operations = [
        migrations.AddField(
            model_name='report',
            name='escalation_check_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='report',
            name='noticed_resolution_due_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='report',
            name='noticed_staff_due_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.AddIndex(model_name="report", index=index)
                              for index in INDEXES],
            database_operations=[migrations.RunPython(add_indexes, drop_indexes)],
        ),
    ]
