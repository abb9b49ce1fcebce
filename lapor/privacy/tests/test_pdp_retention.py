"""UU PDP retention: anonymise or purge reports closed longer ago than their type's period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from lapor.attachments import services as attachment_services
from lapor.attachments.models import Attachment
from lapor.attachments.tests import files
from lapor.attachments.tests.files import stored_files
from lapor.audit.models import AuditEntry
from lapor.core import clock
from lapor.core.errors import NotAuthenticated
from lapor.privacy.models import RetentionAction, RetentionRecord
from lapor.privacy.pdp import retention_sweep
from lapor.reports import services
from lapor.reports.models import Report, ReporterContact, ReportEvent
from lapor.reports.submission import SubmittedReport, reporter_authenticate
from tests.api_client import ApiClient
from tests.factories import Tree, reporter_of, submit

NAME, EMAIL = "Wiryawan Kusumadewangga", "wiryawan.kd@example.org"
AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
MESSAGE = "Saya tinggal di rumah nomor 12 di samping pasar."




def _closed(tree: Tree, *, report_type: str = "complaint", citizen: bool = False
            ) -> SubmittedReport:
    """Submitted with a reporter upload and message, then closed by the reporter's acceptance."""
    actor = tree.actor("citizen") if citizen else None
    submitted = submit(tree, at=AT, type=report_type, reporter_name=NAME, reporter_email=EMAIL,
                       actor=actor)
    report = submitted.report
    reporter = reporter_of(report)
    liaison = tree.actor("liaison_pupr")
    with clock.frozen(AT):
        attachment_services.attachment_add(actor=reporter, report_id=report.pk,
                                           data=files.png(), filename="rumah-saya.png")
        attachment_services.attachment_add(actor=tree.actor("hub"), report_id=report.pk,
                                           data=files.png(), filename="foto-petugas.png")
        services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                                node_code=tree.pupr.code)
        services.report_acknowledge(actor=liaison, report_id=report.pk)
        services.report_reporter_message(actor=reporter, report_id=report.pk, body=MESSAGE)
        services.report_follow_up(actor=liaison, report_id=report.pk, final=True,
                                  body="Lubang sudah ditambal.")
        services.report_reporter_reply(actor=reporter, report_id=report.pk, accept=True,
                                       rating=5, body="Terima kasih, Pak.")
    report.refresh_from_db()
    assert report.status == "closed"
    return submitted


def _raw_contact(report_id: int) -> list[tuple[str, ...]]:
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(ReporterContact._meta.db_table)
        cursor.execute(
            "SELECT name, email, phone, nik, phone_index, email_index "  # noqa: S608 (model table)
            f"FROM {table} WHERE report_id = %s", [report_id])
        return [tuple(row) for row in cursor.fetchall()]


def _days(n: int) -> datetime:
    return AT + timedelta(days=n)


@pytest.mark.django_db
def test_anonymise_erases_identity_keeps_statistics_and_is_idempotent(
    tree: Tree, attachment_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    submitted = _closed(tree, citizen=True)
    report = submitted.report
    before = Report.objects.get(pk=report.pk)
    assert len(stored_files(attachment_root)) == 2
    # Not yet: the complaint period is 1826 days after closing.
    assert retention_sweep(now=_days(1826)).anonymised == 0
    with django_capture_on_commit_callbacks(execute=True):  # files go after commit
        counts = retention_sweep(now=_days(1827))
    assert (counts.due, counts.anonymised, counts.purged) == (1, 1, 0)
    after = Report.objects.get(pk=report.pk)
    assert _raw_contact(report.pk) == []
    assert after.reporter_user_id is None
    assert after.body == ""
    assert after.address == ""
    assert after.latitude is None
    for field in ("status", "type", "submitted_at", "closed_at", "category_id", "region_id",
                  "agency_id", "target_agency_id", "rating", "channel", "tier_id"):
        assert getattr(after, field) == getattr(before, field), field
    bodies = ReportEvent.objects.filter(report=report, actor_role="reporter").values_list(
        "body", flat=True)
    assert set(bodies) == {""}
    # The reporter's upload is gone (rows and file); the officer's stays.
    assert list(Attachment.objects.filter(report=report).values_list("uploaded_by", flat=True)
                ) == ["staff"]
    assert len(stored_files(attachment_root)) == 1
    # Nobody opens it with the old access code any more.
    with pytest.raises(NotAuthenticated):
        reporter_authenticate(tracking_number=report.tracking_number,
                              access_code=submitted.access_code)
    response = ApiClient().get(f"/track/{report.tracking_number}/full",
                               headers={"X-Access-Code": submitted.access_code})
    assert response.status_code == 401
    record = RetentionRecord.objects.get(report=report)
    assert record.action == RetentionAction.ANONYMISED
    entry = AuditEntry.objects.get(action="pdp.retention")
    assert entry.payload["anonymised"] == 1
    assert NAME not in str(entry.payload)
    # A second run changes nothing.
    snapshot = Report.objects.filter(pk=report.pk).values().get()
    again = retention_sweep(now=_days(4000))
    assert (again.due, again.anonymised) == (0, 0)
    assert Report.objects.filter(pk=report.pk).values().get() == snapshot
    assert AuditEntry.objects.filter(action="pdp.retention").count() == 1


@pytest.mark.django_db
def test_purge_deletes_report_events_and_files_keeps_tombstone(
    tree: Tree, attachment_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    submitted = _closed(tree)
    report_id = submitted.report.pk
    assert len(stored_files(attachment_root)) == 2
    with (override_settings(LAPOR_RETENTION_MODE="purge"),
          django_capture_on_commit_callbacks(execute=True)):
        counts = retention_sweep(now=_days(1900))
    assert (counts.purged, counts.files_deleted) == (1, 2)
    assert not Report.objects.filter(pk=report_id).exists()
    assert not ReportEvent.objects.filter(report_id=report_id).exists()
    assert not Attachment.objects.filter(report_id=report_id).exists()
    assert _raw_contact(report_id) == []
    assert stored_files(attachment_root) == []
    tombstone = RetentionRecord.objects.get(action=RetentionAction.PURGED)
    assert (tombstone.report_id, tombstone.report_type) == (None, "complaint")
    with override_settings(LAPOR_RETENTION_MODE="purge"):
        assert retention_sweep(now=_days(4000)).due == 0


@pytest.mark.django_db
def test_open_reports_are_never_touched(tree: Tree) -> None:
    submitted = submit(tree, at=AT, reporter_name=NAME)
    for mode in ("anonymise", "purge"):
        with override_settings(LAPOR_RETENTION_MODE=mode):
            assert retention_sweep(now=_days(10_000)).due == 0
    assert len(_raw_contact(submitted.report.pk)) == 1
    assert not AuditEntry.objects.filter(action="pdp.retention").exists()


@pytest.mark.django_db
def test_periods_per_type(tree: Tree) -> None:
    complaint = _closed(tree, report_type="complaint").report
    aspiration = _closed(tree, report_type="aspiration").report
    with override_settings(LAPOR_RETENTION_DAYS_ASPIRATION=30,
                           LAPOR_RETENTION_DAYS_COMPLAINT=60):
        assert retention_sweep(now=_days(31)).anonymised == 1
        assert RetentionRecord.objects.get().report_id == aspiration.pk
        assert retention_sweep(now=_days(45)).due == 0
        assert retention_sweep(now=_days(61)).anonymised == 1
    assert RetentionRecord.objects.filter(report=complaint).exists()


@pytest.mark.django_db
def test_command_dry_run_counts_without_changing(tree: Tree) -> None:
    report = _closed(tree).report
    out = StringIO()
    with clock.frozen(_days(2000)):
        call_command("privacy", "retention", "--dry-run", stdout=out)
    assert "1 due" in out.getvalue()
    assert len(_raw_contact(report.pk)) == 1
    with clock.frozen(_days(2000)):
        call_command("privacy", "retention", stdout=out)
    assert _raw_contact(report.pk) == []
