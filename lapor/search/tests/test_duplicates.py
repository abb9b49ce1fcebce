"""Duplicate detection (at submission and at verification) and the merge service: the
duplicate archived as such, its reporter told and following the survivor, supports combined,
every event and outbox row of both reports kept."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

from lapor.attachments.models import Attachment
from lapor.attachments.presenters import original_name
from lapor.attachments.tests import files
from lapor.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from lapor.notifications.models import OutboxMessage
from lapor.reports import services
from lapor.reports.merge import report_merge
from lapor.reports.models import Report, ReportEvent, ReportFollow, Support
from lapor.reports.states import ArchiveReason, Status
from lapor.search import duplicates
from lapor.workspace.tests.helpers import report_url, signed_in
from tests.api_client import ApiClient, login
from tests.factories import PASSWORD, Tree, drive, reporter_of, submit

pytestmark = pytest.mark.django_db

TITLE = "Lampu penerangan jalan mati di Jalan Yos Sudarso"
BODY = ("Lampu penerangan jalan umum di Jalan Yos Sudarso dekat Pasar Induk sudah mati "
        "sepuluh hari. Jalan menjadi gelap dan rawan kecelakaan.")
SAME = ("PJU mati di Jalan Yos Sudarso",
        "Lampu jalan di Yos Sudarso dekat pasar induk padam, jalanan gelap dan rawan.")


def test_staff_sees_similar_open_reports_with_a_score(tree: Tree) -> None:
    survivor = drive(tree, "disposed", title=TITLE, body=BODY)
    other_topic = drive(tree, "disposed", title="Antrean panjang di puskesmas",
                        body="Pasien menunggu lama di puskesmas karena petugas sedikit.")
    elsewhere = drive(tree, "disposed", title=TITLE, body=BODY, region_code="64.08.01")
    other_category = drive(tree, "disposed", title=TITLE, body=BODY,
                           category_code=tree.urgent.code)
    closed = drive(tree, "closed", title=TITLE, body=BODY)
    new = submit(tree, title=SAME[0], body=SAME[1]).report
    found = duplicates.similar_for_staff(tree.actor("hub"), new)
    assert [s.report.pk for s in found] == [survivor.pk]
    assert 0.25 <= found[0].score <= 1
    for not_similar in (other_topic, elsewhere, other_category, closed):
        assert not_similar.pk not in {s.report.pk for s in found}
    # Identical text scores 1.
    twin = submit(tree, title=TITLE, body=BODY).report
    scores = {s.report.pk: s.score for s in duplicates.similar_for_staff(tree.actor("hub"), twin)}
    assert scores[survivor.pk] == 1.0
    assert twin.pk not in scores


def test_citizens_only_get_public_open_non_training_reports(tree: Tree) -> None:
    public = drive(tree, "in_progress", title=TITLE, body=BODY)
    secret = drive(tree, "in_progress", title=TITLE, body=BODY, is_confidential=True)
    unverified = submit(tree, title=TITLE, body=BODY).report
    practice = drive(tree, "disposed", title=TITLE, body=BODY)
    Report.objects.filter(pk=practice.pk).update(is_training=True)
    found = duplicates.similar_public_draft(title=SAME[0], body=SAME[1], region_code="64.08.04",
                                            category_code=tree.category.code)
    assert [s.report.pk for s in found] == [public.pk]
    answer = Client().post("/api/v1/duplicates/check", {
        "title": SAME[0], "body": SAME[1], "region_code": "64.08.04",
        "category_code": tree.category.code}, content_type="application/json").json()
    assert [i["tracking_number"] for i in answer["items"]] == [public.tracking_number]
    assert answer["items"][0]["id"] is None
    for hidden in (secret, unverified, practice):
        assert hidden.tracking_number not in str(answer)
    unknown = Client().post("/api/v1/duplicates/check", {
        "title": SAME[0], "body": SAME[1], "region_code": "64.08.04",
        "category_code": "nope"}, content_type="application/json")
    assert unknown.status_code == 422
    assert unknown.json()["code"] == "unknown_category"


def test_portal_form_offers_support_before_sending(tree: Tree) -> None:
    public = drive(tree, "in_progress", title=TITLE, body=BODY)
    client = Client()
    form = {"type": "complaint", "title": SAME[0], "body": SAME[1], "region_code": "64.08.04",
            "category": tree.category.code, "action": "submit"}
    first = client.post("/lapor/", form)
    html = first.content.decode()
    assert first.status_code == 200
    assert "Laporan serupa sudah ada" in html
    assert f"/laporan/{public.tracking_number}/dukung/" in html
    assert 'value="submit_anyway"' in html
    assert Report.objects.count() == 1  # nothing stored yet
    sent = client.post("/lapor/", {**form, "action": "submit_anyway"})
    assert sent.status_code == 302
    assert Report.objects.count() == 2


def _outbox_ids() -> set[int]:
    return set(OutboxMessage.objects.values_list("pk", flat=True))


def test_merge_archives_notifies_follows_and_keeps_everything(tree: Tree) -> None:
    survivor = drive(tree, "disposed", title=TITLE, body=BODY)
    Support.objects.create(report=survivor, supporter_key="someone",
                           created_at=survivor.submitted_at)
    Report.objects.filter(pk=survivor.pk).update(support_count=1)
    duplicate = submit(tree, title=SAME[0], body=SAME[1],
                       reporter_email="budi@example.org").report
    events_before = {r: set(ReportEvent.objects.filter(report=r).values_list("pk", flat=True))
                     for r in (survivor.pk, duplicate.pk)}
    outbox_before = _outbox_ids()
    result = report_merge(actor=tree.actor("hub"), report_id=duplicate.pk,
                          into=survivor.tracking_number, note="Sama dengan laporan lain")
    assert result.pk == survivor.pk
    duplicate.refresh_from_db()
    survivor.refresh_from_db()
    assert duplicate.status == Status.ARCHIVED
    assert duplicate.archive_reason == ArchiveReason.DUPLICATE
    assert duplicate.duplicate_of_id == survivor.pk
    # Every earlier event and message is still there; one new event on each report.
    for pk, before in events_before.items():
        now = set(ReportEvent.objects.filter(report_id=pk).values_list("pk", flat=True))
        assert before < now
        assert len(now - before) == 1
    assert ReportEvent.objects.get(report=survivor, kind="merge").payload["merged"] == (
        duplicate.tracking_number)
    assert outbox_before < _outbox_ids()
    told = OutboxMessage.objects.filter(report=duplicate, event="reporter.archived")
    assert told.count() == 1
    # Supports combined: the earlier supporter plus the duplicate's reporter.
    assert survivor.support_count == 2
    assert Support.objects.filter(report=survivor).count() == 2
    assert ReportFollow.objects.filter(report=survivor, follower=duplicate).exists()
    # A public event of the survivor reaches the follower through the duplicate's channel...
    services.report_acknowledge(actor=tree.actor("liaison_pupr"), report_id=survivor.pk)
    event = ReportEvent.objects.filter(report=survivor, kind="acknowledge").get()
    rows = OutboxMessage.objects.filter(key__startswith=f"e{event.pk}:follower{duplicate.pk}:")
    assert rows.count() == 1
    assert rows.get().report_id == duplicate.pk
    assert survivor.tracking_number in rows.get().body
    # ...an internal one does not.
    services.report_note(actor=tree.actor("liaison_pupr"), report_id=survivor.pk, body="Cek")
    note = ReportEvent.objects.filter(report=survivor, kind="note").get()
    assert not OutboxMessage.objects.filter(key__startswith=f"e{note.pk}:follower").exists()


def test_merge_into_a_confidential_report_adds_no_follower(tree: Tree) -> None:
    survivor = drive(tree, "disposed", title=TITLE, body=BODY, is_confidential=True)
    duplicate = submit(tree, title=SAME[0], body=SAME[1]).report
    report_merge(actor=tree.actor("hub"), report_id=duplicate.pk, into=survivor.tracking_number)
    assert not ReportFollow.objects.exists()
    assert Report.objects.get(pk=duplicate.pk).archive_reason == ArchiveReason.DUPLICATE


def test_merge_refusals(tree: Tree) -> None:
    survivor = drive(tree, "disposed", title=TITLE, body=BODY)
    archived = drive(tree, "archived", title=TITLE, body=BODY)
    duplicate = submit(tree, title=SAME[0], body=SAME[1]).report
    hub = tree.actor("hub")
    for into in (duplicate.tracking_number, archived.tracking_number, "000000000"):
        with pytest.raises(ValidationFailed) as refused:
            report_merge(actor=hub, report_id=duplicate.pk, into=into)
        assert refused.value.code == "merge_invalid"
    # Another agency's verifier does not see the report at all; a unit cannot verify.
    with pytest.raises(NotFound):
        report_merge(actor=tree.actor("hub_samarinda"), report_id=duplicate.pk,
                     into=survivor.tracking_number)
    with pytest.raises((NotFound, PermissionDenied)):
        report_merge(actor=tree.actor("liaison_pupr"), report_id=duplicate.pk,
                     into=survivor.tracking_number)
    # A disposed report is not merged away (only unverified ones are archived).
    with pytest.raises(Conflict) as late:
        report_merge(actor=hub, report_id=survivor.pk, into=duplicate.tracking_number)
    assert late.value.code == "invalid_transition"
    duplicate.refresh_from_db()
    assert duplicate.status == Status.SUBMITTED
    assert not ReportFollow.objects.exists()


def test_staff_report_page_shows_scores_and_merges(tree: Tree) -> None:
    survivor = drive(tree, "disposed", title=TITLE, body=BODY)
    duplicate = submit(tree, title=SAME[0], body=SAME[1]).report
    client = signed_in("hub")
    html = client.get(report_url(duplicate.pk)).content.decode()
    assert 'data-testid="similar-reports"' in html
    assert survivor.tracking_number in html
    assert "% mirip" in html
    response = client.post(f"/petugas/laporan/{duplicate.pk}/gabung/",
                           {"into": survivor.tracking_number,
                            "expected_version": duplicate.version})
    assert response.status_code == 302
    assert response["Location"] == report_url(survivor.pk)
    assert Report.objects.get(pk=duplicate.pk).duplicate_of_id == survivor.pk
    # A unit officer's page of the survivor has no merge forms.
    html = signed_in("liaison_pupr").get(report_url(survivor.pk)).content.decode()
    assert 'data-testid="similar-reports"' not in html


def test_api_duplicates_and_merge(tree: Tree) -> None:
    survivor = drive(tree, "disposed", title=TITLE, body=BODY)
    duplicate = submit(tree, title=SAME[0], body=SAME[1]).report
    api = login("hub", PASSWORD)
    found = api.get(f"/reports/{duplicate.pk}/duplicates").json()
    assert [i["id"] for i in found["items"]] == [survivor.pk]
    bad = api.post(f"/reports/{duplicate.pk}/merge", {"into": duplicate.tracking_number})
    assert bad.status_code == 422
    assert bad.json()["code"] == "merge_invalid"
    done = api.post(f"/reports/{duplicate.pk}/merge", {"into": survivor.tracking_number})
    assert done.status_code == 200
    assert done.json() == {"tracking_number": survivor.tracking_number, "support_count": 1}
    assert ApiClient().get(f"/reports/{duplicate.pk}/duplicates").status_code == 401
    reporter = reporter_of(duplicate)
    assert reporter.report_id == duplicate.pk


def test_similar_step_keeps_the_chosen_photo_and_sends_anyway(
    tree: Tree, settings: Any, tmp_path: Path
) -> None:
    """Issue 18: the photo was lost on the similar-reports round trip. It is staged (cleaned)
    server-side, the form carries its token, and "send anyway" attaches it."""
    settings.STORAGES = {**settings.STORAGES, "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)}}}
    drive(tree, "in_progress", title=TITLE, body=BODY)
    client = Client()
    photo = io.BytesIO(files.jpeg_with_gps())
    photo.name = "lampu-mati.jpg"
    form = {"type": "complaint", "title": SAME[0], "body": SAME[1], "region_code": "64.08.04",
            "category": tree.category.code, "action": "submit"}
    first = client.post("/lapor/", {**form, "attachments": [photo]})
    html = first.content.decode()
    assert "Laporan serupa sudah ada" in html
    # "Send anyway" is on top, in the similar-reports box, as the primary button.
    box = html[html.index('data-testid="similar-reports"'):]
    assert box.index('data-testid="send-anyway"') < box.index("Dukung laporan ini saja")
    assert 'form="report-form"' in box[:box.index("</section>")]
    tokens = re.findall(r'name="staged" value="([\w-]+)" checked', html)
    assert len(tokens) == 1
    assert "lampu-mati.jpg" in html
    staged = list((tmp_path / "staged").iterdir())
    assert len(staged) == 1
    assert b"GPS" not in staged[0].read_bytes()  # cleaned before it was kept
    # Another browser cannot use the token.
    other = Client().post("/lapor/", {**form, "action": "submit_anyway", "staged": tokens})
    assert other.status_code == 302
    assert not Attachment.objects.filter(report__title=SAME[0]).exists()
    sent = client.post("/lapor/", {**form, "action": "submit_anyway", "staged": tokens})
    assert sent.status_code == 302
    report = Report.objects.filter(title=SAME[0]).order_by("-pk").first()
    assert report is not None
    attachment = Attachment.objects.get(report=report)
    assert attachment.content_type == "image/jpeg"
    assert not list((tmp_path / "staged").iterdir())  # taken out of staging


def test_another_street_of_the_same_kind_is_not_offered(tree: Tree) -> None:
    """The demo's "Jalan berlubang di {jalan}" for two streets of one kecamatan."""
    drive(tree, "in_progress", title="Jalan berlubang di Jalan Yos Sudarso",
          body="Jalan di Jalan Yos Sudarso, Kelurahan Teluk Lingga, dekat masjid, berlubang "
               "besar dan tergenang air setiap hujan. Sudah dua minggu tidak ada perbaikan.")
    found = duplicates.similar_public_draft(
        title="Jalan berlubang di Jalan Jenderal Sudirman",
        body="Jalan di Jalan Jenderal Sudirman, Desa Swarga Bara, depan warung makan, "
             "berlubang besar dan tergenang air setiap hujan. Sudah sebulan tidak ada perbaikan.",
        region_code="64.08.04", category_code=tree.category.code)
    assert found == []


def test_a_survivor_made_confidential_reaches_no_follower(tree: Tree) -> None:
    """Reviewer defect: followers of a merged report kept receiving its disposition and
    follow-up texts after it was made confidential (report_set_privacy, while submitted)."""
    survivor = submit(tree, title=TITLE, body=BODY).report
    duplicate = submit(tree, title=SAME[0], body=SAME[1],
                       reporter_email="budi@example.org").report
    hub = tree.actor("hub")
    report_merge(actor=hub, report_id=duplicate.pk, into=survivor.tracking_number)
    assert ReportFollow.objects.filter(report=survivor, follower=duplicate).exists()
    services.report_set_privacy(actor=hub, report_id=survivor.pk, confidential=True)
    assert not ReportFollow.objects.filter(report=survivor).exists()
    # A follow that outlived the flag (written before this fix) reaches nobody either.
    ReportFollow.objects.create(report=survivor, follower=duplicate,
                                created_at=survivor.submitted_at)
    services.report_dispose(actor=hub, report_id=survivor.pk, node_code=tree.pupr.code)
    liaison = tree.actor("liaison_pupr")
    services.report_acknowledge(actor=liaison, report_id=survivor.pk)
    services.report_follow_up(actor=liaison, report_id=survivor.pk,
                              body="Lampu sudah diganti oleh petugas PJU")
    assert OutboxMessage.objects.filter(report=survivor, event="reporter.follow_up").exists()
    assert not OutboxMessage.objects.filter(key__contains=":follower").exists()
    assert not OutboxMessage.objects.filter(report=duplicate,
                                            body__contains="Lampu sudah diganti").exists()


def test_the_merge_note_never_reaches_the_duplicates_reporter(tree: Tree) -> None:
    """Reviewer defect: the staff-only merge note became the duplicate's archive note, which
    its reporter reads on the tracking page and the full tracking API."""
    survivor = drive(tree, "disposed", title=TITLE, body=BODY)
    written = submit(tree, title=SAME[0], body=SAME[1], reporter_email="budi@example.org")
    duplicate, code = written.report, written.access_code
    note = "Pelapor ini sering mengirim laporan ganda"
    report_merge(actor=tree.actor("hub"), report_id=duplicate.pk,
                 into=survivor.tracking_number, note=note)
    number = duplicate.tracking_number
    browser = Client()
    assert browser.post(f"/lacak/{number}/kode/", {"access_code": code}).status_code == 302
    page = browser.get(f"/lacak/{number}/").content.decode()
    assert "Riwayat dan pesan" in page
    assert note not in page
    full = ApiClient().get(f"/track/{number}/full", headers={"X-Access-Code": code})
    assert full.status_code == 200
    assert note not in full.content.decode()
    assert note not in "".join(OutboxMessage.objects.filter(report=duplicate)
                               .values_list("body", flat=True))
    # The note stays for staff, on the survivor's internal merge event.
    assert ReportEvent.objects.get(report=survivor, kind="merge").body == note


def _similar_form(tree: Tree) -> dict[str, Any]:
    drive(tree, "in_progress", title=TITLE, body=BODY)
    return {"type": "complaint", "title": SAME[0], "body": SAME[1], "region_code": "64.08.04",
            "category": tree.category.code, "action": "submit"}


def _photo(name: str) -> io.BytesIO:
    photo = io.BytesIO(files.png())
    photo.name = name
    return photo


def _staged_tokens(html: str) -> list[str]:
    return re.findall(r'name="staged" value="([\w-]+)" checked', html)


@pytest.fixture
def staging_disk(settings: Any, tmp_path: Path) -> Path:
    settings.STORAGES = {**settings.STORAGES, "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path)}}}
    return tmp_path / "staged"


def test_staged_file_names_are_encrypted_in_the_session(
    tree: Tree, staging_disk: Path
) -> None:
    """Reviewer defect: the session (signed, not encrypted) kept the original file name,
    which can identify the reporter, in plain text."""
    client = Client()
    name = "ktp-budi-santoso.png"
    first = client.post("/lapor/", {**_similar_form(tree), "attachments": [_photo(name)]})
    assert name in first.content.decode()  # the reporter still sees the name
    session = Session.objects.get(session_key=client.session.session_key)
    assert name not in session.session_data
    assert name not in json.dumps(session.get_decoded())
    tokens = _staged_tokens(first.content.decode())
    sent = client.post("/lapor/", {**_similar_form(tree), "action": "submit_anyway",
                                   "staged": tokens})
    assert sent.status_code == 302
    report = Report.objects.filter(title=SAME[0]).order_by("-pk").first()
    assert original_name(Attachment.objects.get(report=report)) == name


def test_an_unticked_staged_file_is_deleted_at_once(tree: Tree, staging_disk: Path) -> None:
    client = Client()
    form = _similar_form(tree)
    first = client.post("/lapor/", {**form, "attachments": [_photo("a.png"), _photo("b.png")]})
    kept, dropped = _staged_tokens(first.content.decode())
    again = client.post("/lapor/", {**form, "staged": [kept]})
    assert _staged_tokens(again.content.decode()) == [kept]
    assert sorted(p.name for p in staging_disk.iterdir()) == [kept]
    assert dropped not in str(dict(client.session.items()))


def test_staging_stops_at_the_files_per_report_limit(
    tree: Tree, staging_disk: Path, settings: Any
) -> None:
    limit = settings.LAPOR_ATTACHMENTS_PER_REPORT
    client = Client()
    form = _similar_form(tree)
    first = client.post("/lapor/", {**form, "attachments": [
        _photo(f"foto-{i}.png") for i in range(limit)]})
    tokens = _staged_tokens(first.content.decode())
    assert len(tokens) == limit
    more = client.post("/lapor/", {**form, "staged": tokens,
                                   "attachments": [_photo("satu-lagi.png")]})
    html = more.content.decode()
    assert f"Paling banyak {limit} berkas per laporan." in html
    assert _staged_tokens(html) == tokens
    assert len(list(staging_disk.iterdir())) == limit


@pytest.mark.usefixtures("rate_window")
def test_staging_is_rate_limited(tree: Tree, staging_disk: Path, settings: Any) -> None:
    settings.LAPOR_RATE_LOOKUPS_PER_MINUTE = 1
    client = Client()
    form = _similar_form(tree)
    first = client.post("/lapor/", {**form, "attachments": [_photo("a.png")]})
    tokens = _staged_tokens(first.content.decode())
    assert len(tokens) == 1
    refused = client.post("/lapor/", {**form, "staged": tokens,
                                      "attachments": [_photo("b.png")]})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert _staged_tokens(refused.content.decode()) == tokens  # typed and kept: still there
    assert len(list(staging_disk.iterdir())) == 1
