"""UU PDP right of access: the reporter's own-data export, others' data redacted."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from lapor.audit.models import AuditEntry
from lapor.core import clock
from lapor.privacy.identity import identity_read
from lapor.privacy.models import IdentityAccess, Purpose
from lapor.reports import services
from lapor.reports.submission import SubmittedReport
from tests.api_client import ApiClient, login
from tests.factories import PASSWORD, Tree, reporter_of, submit

NAME, NIK = "Wiryawan Kusumadewangga", "6408041203850001"
EMAIL = "wiryawan.kd@example.org"
OTHER_NAME, OTHER_EMAIL = "Bernadetta Sulistyowati", "bernadetta.s@example.org"
NOTE = "Catatan internal: pelapor ini sering mengeluh."
MESSAGE = "Lubangnya makin besar setelah hujan."
AT = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _handled(tree: Tree, **overrides: Any) -> SubmittedReport:
    """A report with a staff identity read, an internal note, a reporter message and a reply."""
    fields: dict[str, Any] = {"reporter_name": NAME, "reporter_nik": NIK,
                              "reporter_email": EMAIL}
    fields.update(overrides)
    submitted = submit(tree, at=AT, **fields)
    report = submitted.report
    liaison = tree.actor("liaison_pupr")
    with clock.frozen(AT):
        services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                                node_code=tree.pupr.code)
        services.report_acknowledge(actor=liaison, report_id=report.pk)
        services.report_note(actor=liaison, report_id=report.pk, body=NOTE)
        services.report_reporter_message(actor=reporter_of(report), report_id=report.pk,
                                         body=MESSAGE)
        report.refresh_from_db()
        identity_read(actor=liaison, report=report, purpose=Purpose.STAFF_VIEW)
    return submitted


def _export(submitted: SubmittedReport, code: str | None = None) -> Any:
    return ApiClient().get(f"/track/{submitted.report.tracking_number}/my-data",
                           headers={"X-Access-Code": code or submitted.access_code})


@pytest.mark.django_db
def test_export_holds_own_data_and_nothing_of_others(tree: Tree) -> None:
    mine = _handled(tree)
    other = _handled(tree, reporter_name=OTHER_NAME, reporter_email=OTHER_EMAIL,
                     reporter_nik="6408041203850002", title="Lampu jalan mati di Sangatta")
    response = _export(mine)
    assert response.status_code == 200, response.content
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"].startswith("application/json")
    data = response.json()
    text = json.dumps(data)
    (report,) = data["reports"]
    assert report["tracking_number"] == mine.report.tracking_number
    assert report["identity"] == {"name": NAME, "email": EMAIL, "phone": "+6281234567890",
                                  "nik": NIK}
    kinds = [e["kind"] for e in report["timeline"]]
    assert "reporter_message" in kinds
    assert "note" not in kinds
    assert MESSAGE in text
    assert NOTE not in text
    # Staff appear as role + unit, never by username or display name.
    for secret in ("liaison_pupr", "Liaison Pupr", "national", "Hub", OTHER_NAME, OTHER_EMAIL,
                   other.report.tracking_number, "Lampu jalan", mine.access_code):
        assert secret not in text, secret
    staff_reads = [r for r in report["processing_records"] if r["actor_kind"] == "staff"]
    assert staff_reads == [{"created_at": staff_reads[0]["created_at"], "actor_kind": "staff",
                            "actor_role": "liaison",
                            "actor_unit": {"code": "kutim-pupr", "name": "Dinas PUPR"},
                            "purpose": "staff_view"}]
    assert data["account"] is None


@pytest.mark.django_db
def test_export_writes_processing_record_and_audit(tree: Tree) -> None:
    mine = _handled(tree, is_anonymous=True)
    assert _export(mine).status_code == 200
    row = IdentityAccess.objects.get(report=mine.report, purpose="data_subject_access")
    assert (row.actor_kind, row.actor_role, row.user_id) == ("reporter", "", None)
    entry = AuditEntry.objects.get(action="pdp.export")
    assert entry.payload == {"reports": 1}
    assert NAME not in json.dumps(entry.payload)
    assert EMAIL not in entry.target_id
    # The anonymous reporter still gets their own identity.
    assert _export(mine).json()["reports"][0]["identity"]["name"] == NAME


@pytest.mark.django_db
def test_wrong_code_or_no_proof_is_401(tree: Tree) -> None:
    mine = _handled(tree)
    assert _export(mine, code="AAAA-AAAA-AAAA-AAAA-AAAA").status_code == 401
    response = ApiClient().get(f"/track/{mine.report.tracking_number}/my-data")
    assert response.status_code == 401
    assert ApiClient().get("/me/data").status_code == 401
    assert not IdentityAccess.objects.filter(purpose="data_subject_access").exists()
    # Another reporter's code does not open this report.
    other = submit(tree, at=AT, reporter_name=OTHER_NAME)
    assert _export(mine, code=other.access_code).status_code == 401


@pytest.mark.django_db
def test_account_export_covers_all_own_reports_and_supports(tree: Tree) -> None:
    citizen = tree.actor("citizen")
    first = submit(tree, at=AT, actor=citizen, reporter_name=NAME, reporter_email=EMAIL)
    second = submit(tree, at=AT, actor=citizen, reporter_name=NAME, reporter_email=EMAIL,
                    title="Drainase tersumbat di Jalan Yos Sudarso")
    stranger = submit(tree, at=AT, reporter_name=OTHER_NAME, reporter_email=OTHER_EMAIL)
    client = login("citizen", PASSWORD)
    with clock.frozen(AT):
        services.report_dispose(actor=tree.actor("hub"), report_id=stranger.report.pk,
                                node_code=tree.pupr.code)
    supported = client.post(f"/track/{stranger.report.tracking_number}/support")
    assert supported.status_code == 200, supported.content
    response = client.get("/me/data")
    assert response.status_code == 200, response.content
    assert response["Content-Disposition"].startswith("attachment;")
    data = response.json()
    numbers = {r["tracking_number"] for r in data["reports"]}
    assert numbers == {first.report.tracking_number, second.report.tracking_number}
    assert data["account"]["username"] == "citizen"
    text = json.dumps(data)
    assert OTHER_NAME not in text
    assert OTHER_EMAIL not in text
    # Their support of someone else's public report: its number and when, nothing more.
    assert [s["tracking_number"] for s in data["supports"]] == [
        stranger.report.tracking_number]
    assert IdentityAccess.objects.filter(purpose="data_subject_access").count() == 2
    # The account's bearer token also opens the one-report export, without a code.
    one = client.get(f"/track/{first.report.tracking_number}/my-data")
    assert one.status_code == 200
    assert [r["tracking_number"] for r in one.json()["reports"]] == [
        first.report.tracking_number]
    assert client.get(f"/track/{stranger.report.tracking_number}/my-data").status_code == 401
