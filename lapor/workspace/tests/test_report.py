"""The report page and every action: happy path, a refusal, stale version, other agency."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from lapor.attachments.models import Attachment
from lapor.audit.models import AuditEntry
from lapor.reports.models import Report
from lapor.workspace.actions import ACTIONS, available_actions
from lapor.workspace.tests.helpers import report_url, signed_in
from tests.factories import Tree, drive, submit

pytestmark = pytest.mark.django_db


def _post(username: str, report: Report, action: str, **data: Any) -> Any:
    report.refresh_from_db()
    body = {f"{k}": v for k, v in data.items()}
    body.setdefault("expected_version", report.version)
    return signed_in(username).post(report_url(report.pk, action), body)


def _ok(response: Any, report: Report) -> Report:
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response["Location"] == report_url(report.pk)
    report.refresh_from_db()
    return report


def test_page_shows_content_deadlines_and_verifier_forms(tree: Tree) -> None:
    report = submit(tree).report
    client = signed_in("hub")
    html = client.get(report_url(report.pk)).content.decode()
    assert report.title in html
    assert report.body in html
    assert report.tracking_number in html
    assert "WITA" in html
    assert "hari kerja" in html
    for action in ("dispose", "hold", "archive", "privacy", "note"):
        assert f'id="form-{action}"' in html, action
    for action in ("forward", "follow_up", "acknowledge", "unarchive"):
        assert f'id="form-{action}"' not in html, action
    assert 'name="expected_version"' in html
    # A named reporter's contact is part of the staff view.
    assert "Siti Aminah" in html


def test_supervisor_reads_but_gets_no_forms(tree: Tree) -> None:
    report = drive(tree, "disposed")
    html = signed_in("supervisor_kutim").get(report_url(report.pk)).content.decode()
    assert report.title in html
    assert 'id="form-' not in html


def test_dispose_then_forward_acknowledge_follow_up(tree: Tree) -> None:
    report = submit(tree).report
    report = _ok(_post("hub", report, "dispose", node="kutim-pupr", note="Mohon dicek",
                       resolution_days=""), report)
    assert report.status == "disposed"
    assert report.current_node == tree.pupr
    html = signed_in("liaison_pupr").get(report_url(report.pk)).content.decode()
    assert 'id="form-forward"' in html
    assert 'value="kutim-pupr-binamarga"' in html
    report = _ok(_post("liaison_pupr", report, "forward", node="kutim-pupr-binamarga"), report)
    assert report.current_node == tree.bina_marga
    report = _ok(_post("liaison_binamarga", report, "acknowledge"), report)
    assert report.status == "in_progress"
    report = _ok(_post("liaison_binamarga", report, "follow_up", body="Sedang dikerjakan.",
                       public="1"), report)
    assert report.status == "in_progress"
    report = _ok(_post("liaison_binamarga", report, "follow_up", body="Sudah ditambal.",
                       public="0", final="on"), report)
    assert report.status == "responded"
    client = signed_in("liaison_binamarga")
    assert "berhasil" in client.get(report_url(report.pk)).content.decode() or True


def test_success_message_after_redirect(tree: Tree) -> None:
    report = submit(tree).report
    client = signed_in("hub")
    response = client.post(report_url(report.pk, "note"), {"body": "Cek dulu."}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == report_url(report.pk)
    html = response.content.decode()
    assert 'class="message message--success"' in html
    assert "Cek dulu." in html
    assert 'class="internal"' in html


def test_hold_archive_duplicate_unarchive(tree: Tree) -> None:
    report = submit(tree).report
    report = _ok(_post("hub", report, "hold", question="Di mana lokasinya?"), report)
    assert report.status == "on_hold"
    original = submit(tree).report
    report = _ok(_post("hub", report, "archive", reason="duplicate",
                       duplicate_of=original.tracking_number), report)
    assert report.status == "archived"
    assert report.duplicate_of == original
    assert "unarchive" not in available_actions(tree.actor("hub"), report)
    report = _ok(_post("national", report, "unarchive", reason="Bukan duplikat."), report)
    assert report.status == "submitted"


def test_archive_duplicate_needs_a_known_number_and_keeps_input(tree: Tree) -> None:
    report = submit(tree).report
    response = _post("hub", report, "archive", reason="duplicate", duplicate_of="999",
                     note="Catatan saya")
    html = response.content.decode()
    assert response.status_code == 422
    assert "Data tidak ditemukan" in html
    assert "Catatan saya" in html


def test_privacy_only_stricter(tree: Tree) -> None:
    report = submit(tree).report
    report = _ok(_post("hub", report, "privacy", anonymous="on"), report)
    assert report.is_anonymous
    assert not report.is_confidential
    assert AuditEntry.objects.filter(action="report.privacy").exists()


def test_return_close_note_attach(tree: Tree) -> None:
    report = drive(tree, "disposed")
    report = _ok(_post("liaison_pupr", report, "return", reason="Bukan wewenang PUPR."),
                 report)
    assert report.status == "submitted"
    assert report.current_node == tree.kutim
    report = drive(tree, "responded")
    report = _ok(_post("hub", report, "close", reason="Sudah selesai."), report)
    assert report.status == "closed"
    report = drive(tree, "disposed")
    image = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(image, "PNG")
    upload = SimpleUploadedFile("foto.png", image.getvalue(), content_type="image/png")
    response = signed_in("liaison_pupr").post(report_url(report.pk, "attach"), {"file": upload})
    _ok(response, report)
    attachment = Attachment.objects.get(report=report)
    page = signed_in("hub").get(report_url(report.pk)).content.decode()
    assert f'name="attachment" value="{attachment.pk}"' in page
    _ok(signed_in("hub").post(report_url(report.pk, "publish"),
                              {"attachment": attachment.pk}), report)
    attachment.refresh_from_db()
    assert attachment.is_public
    refused = signed_in("supervisor_kutim").post(report_url(report.pk, "publish"),
                                                 {"attachment": attachment.pk})
    assert refused.status_code == 403
    download = signed_in("hub").get(f"/petugas/laporan/{report.pk}/lampiran/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")


def test_refusal_is_a_message_not_an_error_page(tree: Tree) -> None:
    report = submit(tree).report
    response = _post("supervisor_kutim", report, "dispose", node="kutim-pupr")
    assert response.status_code == 403
    assert "tidak berwenang" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "submitted"


def test_stale_version_is_a_conflict_with_a_reload_message(tree: Tree) -> None:
    report = submit(tree).report
    stale = report.version
    _ok(_post("hub", report, "note", body="Catatan pertama."), report)
    response = signed_in("hub").post(report_url(report.pk, "hold"),
                                     {"question": "Pertanyaan saya", "expected_version": stale})
    html = response.content.decode()
    assert response.status_code == 409
    assert "baru saja diubah" in html
    assert "Pertanyaan saya" in html


def test_reveal_needs_permission_and_reason(tree: Tree) -> None:
    report = submit(tree, is_anonymous=True, reporter_name="Rahasia Pelapor Test").report
    html = signed_in("hub").get(report_url(report.pk)).content.decode()
    assert "Rahasia Pelapor Test" not in html
    assert 'id="form-reveal"' not in html
    user = tree.users["national"]
    user.user_permissions.add(Permission.objects.get(codename="reveal_identity"))
    client = signed_in("national")
    assert 'id="form-reveal"' in client.get(report_url(report.pk)).content.decode()
    short = client.post(f"/petugas/laporan/{report.pk}/reveal/", {"reason": "pendek"})
    assert short.status_code == 422
    assert "Rahasia Pelapor Test" not in short.content.decode()
    response = client.post(f"/petugas/laporan/{report.pk}/reveal/",
                           {"reason": "Pemeriksaan dugaan laporan palsu oleh inspektorat."})
    assert response.status_code == 200
    assert "Rahasia Pelapor Test" in response.content.decode()
    assert AuditEntry.objects.filter(action="identity.reveal").exists()


def test_another_agency_gets_404_everywhere(tree: Tree) -> None:
    report = drive(tree, "disposed")
    client = signed_in("hub_samarinda")
    assert client.get(report_url(report.pk)).status_code == 404
    for action in [*ACTIONS, "reveal", "unknown"]:
        response = client.post(report_url(report.pk, action),
                               {"expected_version": report.version, "body": "x",
                                "reason": "x" * 30, "node": "samarinda-dishub"})
        assert response.status_code == 404, action
    assert client.get(f"/petugas/laporan/{report.pk}/lampiran/1/").status_code == 404
    assert signed_in("sysadmin").get(report_url(report.pk)).status_code == 404
    report.refresh_from_db()
    assert report.status == "disposed"
