"""Tracking: public status, the access code (right, wrong, rate-limited), the reporter's thread."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.test import Client, override_settings

from lapor.attachments.models import Attachment
from lapor.attachments.tests import files
from lapor.portal.tests.helpers import submit
from lapor.reports import services
from lapor.reports.models import Report, ReportEvent
from tests.factories import Tree, drive

pytestmark = pytest.mark.django_db


def test_track_form_redirects_to_the_report(client: Client, tree: Tree) -> None:
    number, _ = submit(client, tree)
    spaced = f"{number[:4]} {number[4:8]}-{number[8:]}"
    response = client.get("/lacak/", {"tracking_number": spaced})
    assert response.status_code == 302
    assert response["Location"] == f"/lacak/{number}/"
    html = client.get("/lacak/", {"tracking_number": "123456789012"}).content.decode()
    assert "Nomor pelacakan tidak valid" in html


def test_public_view_shows_status_not_content(tree: Tree) -> None:
    report = drive(tree, "disposed")
    html = Client().get(f"/lacak/{report.tracking_number}/").content.decode()
    assert "Belum Ditindaklanjuti" in html
    assert "Didisposisikan ke instansi yang berwenang" in html
    assert report.body not in html
    assert 'name="access_code"' in html


def test_unknown_number_is_a_friendly_404(client: Client, tree: Tree) -> None:
    response = client.get("/lacak/123456789012/")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.content.decode()


def test_right_code_opens_the_thread_and_is_remembered(tree: Tree) -> None:
    submitter = Client()
    number, code = submit(submitter, tree)
    other = Client()
    response = other.post(f"/lacak/{number}/kode/", {"access_code": code.lower()})
    assert response.status_code == 302
    html = other.get(f"/lacak/{number}/").content.decode()
    assert "Sudah dua minggu lampu jalan mati" in html
    assert "Kirim pesan kepada petugas" in html
    report = Report.objects.get(tracking_number=number)
    assert other.session["portal_proven"] == [report.pk]
    assert code not in str(dict(other.session.items()))
    # Forgetting the report on this device hides the thread again.
    other.post(f"/lacak/{number}/lupakan/")
    html = other.get(f"/lacak/{number}/").content.decode()
    assert "Sudah dua minggu lampu jalan mati" not in html
    assert 'name="access_code"' in html


def test_wrong_code_is_refused_and_counted(tree: Tree) -> None:
    number, _ = submit(Client(), tree)
    other = Client()
    response = other.post(f"/lacak/{number}/kode/", {"access_code": "AAAA-BBBB-CCCC-DDDD"})
    html = response.content.decode()
    assert "Kode akses salah." in html
    assert 'id="id_access_code_error"' in html
    assert "Sudah dua minggu lampu jalan mati" not in html
    assert "portal_proven" not in other.session


@pytest.mark.usefixtures("rate_window")
@override_settings(LAPOR_RATE_CODE_FAILURES_PER_HOUR=2)
def test_wrong_codes_wait_only_the_address_that_typed_them(tree: Tree) -> None:
    """Issue 18: a stranger typing wrong codes for a public tracking number waits; the
    reporter, from another address, is let in at once. The stranger's page says until when
    and does not accuse whoever reads it."""
    number, code = submit(Client(), tree)
    stranger = Client(REMOTE_ADDR="198.51.100.66")
    for _ in range(2):
        stranger.post(f"/lacak/{number}/kode/", {"access_code": "AAAA-BBBB-CCCC-DDDD"})
    response = stranger.post(f"/lacak/{number}/kode/", {"access_code": code})
    assert response.status_code == 429
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 3600
    html = response.content.decode()
    assert "Mohon tunggu sebentar" in html
    assert f"sekitar {(retry_after + 59) // 60} menit lagi" in html
    assert "Mulai " in html
    assert "WITA" in html  # the retry time, in the report's zone (Kutai Timur)
    assert "Jika bukan Anda" in html
    assert "Kode akses Anda tidak berubah" in html
    assert "portal_proven" not in stranger.session
    reporter = Client(REMOTE_ADDR="203.0.113.20")
    accepted = reporter.post(f"/lacak/{number}/kode/", {"access_code": code})
    assert accepted.status_code == 302
    assert "Sudah dua minggu lampu jalan mati" in reporter.get(f"/lacak/{number}/").content.decode()


@pytest.mark.usefixtures("rate_window")
@override_settings(LAPOR_RATE_LOOKUPS_PER_MINUTE=2)
def test_page_views_are_not_counted_as_lookups(client: Client, tree: Tree) -> None:
    """Issue 18: reading is not scanning. Reloading a tracking page, the feed and public report
    pages never use up the address's look-ups; only distinct tracking numbers do."""
    report = drive(tree, "disposed")
    others = [drive(tree, "disposed") for _ in range(2)]
    for _ in range(10):
        assert client.get(f"/lacak/{report.tracking_number}/").status_code == 200
        assert client.get("/laporan/").status_code == 200
        for other in others:
            assert client.get(f"/laporan/{other.tracking_number}/").status_code == 200
    assert client.get(f"/lacak/{others[0].tracking_number}/").status_code == 200
    limited = client.get(f"/lacak/{others[1].tracking_number}/")
    assert limited.status_code == 429
    assert "Banyak laporan berbeda dicari dari alamat jaringan Anda" in limited.content.decode()
    assert int(limited["Retry-After"]) <= 61
    assert client.get(f"/lacak/{report.tracking_number}/").status_code == 200


def test_message_and_answer_on_hold(client: Client, tree: Tree) -> None:
    number, _ = submit(client, tree)
    report = Report.objects.get(tracking_number=number)
    client.post(f"/lacak/{number}/pesan/", {"body": "Lampunya di depan masjid."})
    assert ReportEvent.objects.filter(report=report, kind="reporter_message").exists()
    services.report_hold(actor=tree.actor("hub"), report_id=report.pk,
                         question="Di RT berapa tepatnya?")
    html = client.get(f"/lacak/{number}/").content.decode()
    assert "Jawab pertanyaan verifikator" in html
    assert "Di RT berapa tepatnya?" in html
    response = client.post(f"/lacak/{number}/pesan/", {"body": "RT 12."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted"
    # An empty message is refused next to the field, nothing written.
    html = client.post(f"/lacak/{number}/pesan/", {"body": ""}).content.decode()
    assert "Teks terlalu pendek." in html


def test_actions_need_the_code(client: Client, tree: Tree) -> None:
    report = drive(tree, "disposed")
    response = client.post(f"/lacak/{report.tracking_number}/pesan/", {"body": "Halo"})
    assert response.status_code == 302
    assert not ReportEvent.objects.filter(report=report, kind="reporter_message").exists()


def _prove(client: Client, report: Report) -> None:
    session = client.session
    session["portal_proven"] = [report.pk]
    session.save()


def test_accept_with_rating(client: Client, tree: Tree) -> None:
    report = drive(tree, "responded")
    _prove(client, report)
    html = client.get(f"/lacak/{report.tracking_number}/").content.decode()
    assert "Tanggapan Anda atas tindak lanjut" in html
    assert 'name="rating"' in html
    assert "Lubang sudah ditambal" in html
    # Accepting without a rating is refused with the service's message.
    html = client.post(f"/lacak/{report.tracking_number}/tanggapan/",
                       {"decision": "accept"}).content.decode()
    assert "Nilai kepuasan 1-5 wajib diisi" in html
    client.post(f"/lacak/{report.tracking_number}/tanggapan/",
                {"decision": "accept", "rating": "4"})
    report.refresh_from_db()
    assert report.status == "closed"
    assert report.rating == 4


def test_not_resolved_reopens(client: Client, tree: Tree) -> None:
    report = drive(tree, "responded")
    _prove(client, report)
    html = client.post(f"/lacak/{report.tracking_number}/tanggapan/",
                       {"decision": "reopen"}).content.decode()
    assert "Teks terlalu pendek." in html
    client.post(f"/lacak/{report.tracking_number}/tanggapan/",
                {"decision": "reopen", "body": "Lubangnya masih ada."})
    report.refresh_from_db()
    assert report.status == "in_progress"
    html = client.get(f"/lacak/{report.tracking_number}/").content.decode()
    assert "Lubangnya masih ada." in html


def test_attach_and_download(client: Client, tree: Tree) -> None:
    number, _ = submit(client, tree)
    upload = io.BytesIO(files.png())
    upload.name = "bukti.png"
    response = client.post(f"/lacak/{number}/lampiran/", {"file": upload})
    assert response.status_code == 302
    attachment = Attachment.objects.get(report__tracking_number=number)
    html = client.get(f"/lacak/{number}/").content.decode()
    assert "bukti.png" in html
    download = client.get(f"/lacak/{number}/lampiran/{attachment.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    # Someone else cannot download it.
    assert Client().get(f"/lacak/{number}/lampiran/{attachment.pk}/").status_code == 404
    bad = io.BytesIO(b"not a picture at all")
    bad.name = "x.png"
    html = client.post(f"/lacak/{number}/lampiran/", {"file": bad}).content.decode()
    assert "Jenis berkas tidak diizinkan" in html


def test_account_owner_sees_thread_without_code(client: Client, tree: Tree) -> None:
    client.force_login(tree.users["citizen"])
    number, _ = submit(client, tree)
    client.session.pop("portal_proven", None)
    session = client.session
    session["portal_proven"] = []
    session.save()
    html = client.get(f"/lacak/{number}/").content.decode()
    assert "masuk dengan akun yang mengirimnya" in html


def test_the_message_form_follows_report_reporter_write(client: Client, tree: Tree) -> None:
    """The page offers the form where the one rule accepts the text and posts through it."""
    report = drive(tree, "on_hold")
    _prove(client, report)
    with mock.patch.object(services, "report_reporter_write",
                           wraps=services.report_reporter_write) as write:
        client.post(f"/lacak/{report.tracking_number}/pesan/", {"body": "Depan masjid."})
    assert write.call_count == 1
    report.refresh_from_db()
    assert report.status == "submitted"
    assert ReportEvent.objects.filter(report=report, kind="provide_info").exists()
    closed = drive(tree, "closed")
    _prove(client, closed)
    html = client.get(f"/lacak/{closed.tracking_number}/").content.decode()
    assert 'id="message-title"' not in html
    client.post(f"/lacak/{closed.tracking_number}/pesan/", {"body": "Halo."})
    assert not ReportEvent.objects.filter(report=closed, kind="reporter_message").exists()
