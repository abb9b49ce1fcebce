"""The state change and its outbox rows commit together or not at all.

* PostgreSQL: the database connection is terminated (``pg_terminate_backend`` from another
  connection) after the report, disposition and event were written and before the outbox rows
  are: nothing of the disposition is left, and no message exists.
* Any database: a database error injected at the same point rolls everything back too.
* Without a failure, the change and its rows are both there after commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
import pytest
from django.db import DatabaseError, OperationalError, connection
from django.test import override_settings

from lapor.notifications import report_events
from lapor.notifications.models import OutboxMessage
from lapor.reports import services
from lapor.reports.models import Disposition, Report, ReportEvent
from tests.factories import Tree, submit

DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
# Transactional (the service's own transaction must really commit or roll back); the shipped
# regions are reloaded by the ``regions`` fixture instead of a serialized rollback, which
# SQLite could not restore after other transactional tests.
atomic_db = pytest.mark.django_db(transaction=True)
pytestmark = pytest.mark.usefixtures("regions")


def _state(report_id: int) -> tuple[str, int, int, int]:
    report = Report.objects.get(pk=report_id)
    return (report.status, report.version,
            ReportEvent.objects.filter(report_id=report_id, kind="dispose").count(),
            Disposition.objects.filter(report_id=report_id).count())


def _dispose(tree: Tree, report_id: int) -> None:
    services.report_dispose(actor=tree.actor("hub"), report_id=report_id,
                            node_code=tree.pupr.code)


@pytest.mark.postgres
@atomic_db
@override_settings(TASKS=DUMMY_TASKS)
def test_connection_killed_between_change_and_outbox(tree: Tree, monkeypatch: Any) -> None:
    report = submit(tree).report
    rows_before = OutboxMessage.objects.count()
    original = report_events.outbox_add
    settings = connection.settings_dict

    def kill_then_write(rows: Sequence[OutboxMessage], **kwargs: Any) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with psycopg.connect(host=settings["HOST"], port=settings["PORT"],
                             user=settings["USER"], dbname=settings["NAME"],
                             autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        return original(rows, **kwargs)

    monkeypatch.setattr(report_events, "outbox_add", kill_then_write)
    with pytest.raises((OperationalError, DatabaseError)):
        _dispose(tree, report.pk)
    connection.close()  # the dead connection; the next query opens a new one
    assert _state(report.pk) == ("submitted", 1, 0, 0)
    assert OutboxMessage.objects.count() == rows_before
    assert not OutboxMessage.objects.filter(event="staff.assigned").exists()

    monkeypatch.setattr(report_events, "outbox_add", original)
    _dispose(tree, report.pk)
    assert _state(report.pk) == ("disposed", 2, 1, 1)
    assert OutboxMessage.objects.filter(event="staff.assigned").exists()


@atomic_db
@override_settings(TASKS=DUMMY_TASKS)
def test_database_error_before_the_outbox_write_rolls_back(tree: Tree,
                                                           monkeypatch: Any) -> None:
    report = submit(tree).report
    rows_before = OutboxMessage.objects.count()

    def fail(rows: Sequence[OutboxMessage], **kwargs: Any) -> int:
        raise DatabaseError("injected: database unreachable")

    monkeypatch.setattr(report_events, "outbox_add", fail)
    with pytest.raises(DatabaseError):
        _dispose(tree, report.pk)
    assert _state(report.pk) == ("submitted", 1, 0, 0)
    assert OutboxMessage.objects.count() == rows_before


@atomic_db
@override_settings(TASKS=DUMMY_TASKS)
def test_failed_outbox_insert_undoes_the_submission(tree: Tree, monkeypatch: Any) -> None:
    def fail(rows: Sequence[OutboxMessage], **kwargs: Any) -> int:
        raise DatabaseError("injected")

    monkeypatch.setattr(report_events, "outbox_add", fail)
    with pytest.raises(DatabaseError):
        submit(tree)
    assert Report.objects.count() == 0
    assert OutboxMessage.objects.count() == 0


@atomic_db
@override_settings(TASKS=DUMMY_TASKS)
def test_committed_change_has_its_rows(tree: Tree) -> None:
    report = submit(tree).report
    _dispose(tree, report.pk)
    assert _state(report.pk) == ("disposed", 2, 1, 1)
    events = set(OutboxMessage.objects.filter(report=report).values_list("event", flat=True))
    assert events == {"reporter.submitted", "reporter.disposed", "staff.assigned"}
