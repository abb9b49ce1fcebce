"""Staff forms say who reads each text, and the follow-up form takes photos with the
follow-up's visibility (issue 18, "A note meant for staff is never public" and "The staff
workspace").

The photos go through the attachment checks (type, size, metadata stripping) in the
follow-up's own transaction; with a public follow-up they are published (audited), with a
follow-up only for the reporter they are shown to the reporter and staff only.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lapor.attachments.models import Attachment
from lapor.attachments.services import attachment_storage
from lapor.attachments.tests import files
from lapor.audit.models import AuditEntry
from lapor.reports import services
from lapor.reports.models import Report, ReportEvent
from lapor.workspace.tests.helpers import report_url, signed_in
from tests.factories import Tree, drive, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _many_lookups(settings: Any) -> None:
    settings.LAPOR_RATE_LOOKUPS_PER_MINUTE = 100_000


def _tag(html: str, field_id: str) -> str:
    """The visibility tag beside the field ``field_id``, checked to describe the field."""
    tag = re.search(rf'<span class="visibility-tag" id="{field_id}_visibility" '
                    rf'data-visibility="(\w+)"[^>]*>([^<]+)</span>', html)
    assert tag is not None, f"no visibility tag beside {field_id}"
    control = re.search(rf'<(textarea|input)[^>]*id="{field_id}"[^>]*>', html)
    assert control is not None
    assert f"{field_id}_visibility" in control.group(0)
    return f"{tag.group(1)}: {tag.group(2).strip()}"


def test_every_staff_text_field_shows_who_reads_it(tree: Tree) -> None:
    submitted = drive(tree, "submitted")
    hub = signed_in("hub").get(report_url(submitted.pk)).content.decode()
    assert _tag(hub, "dispose-note") == "internal: Hanya petugas"
    assert _tag(hub, "hold-question") == "reporter: Hanya untuk pelapor"
    assert _tag(hub, "archive-note") == "reporter: Hanya untuk pelapor"
    assert _tag(hub, "note-body") == "internal: Hanya petugas"

    disposed = drive(tree, "disposed")
    liaison = signed_in("liaison_pupr")
    page = liaison.get(report_url(disposed.pk)).content.decode()
    assert _tag(page, "forward-note") == "internal: Hanya petugas"
    assert _tag(page, "return-reason") == "internal: Hanya petugas"
    assert _tag(page, "follow_up-body") == "public: Terlihat oleh publik"
    # The follow-up's readers are a choice: the radio buttons name the same two audiences.
    for value, label in (("1", "Terlihat oleh publik"), ("0", "Hanya untuk pelapor")):
        assert re.search(rf'<input type="radio" name="public" value="{value}"[^>]*> {label}',
                         page), label
    # A refused follow-up (here: empty) comes back narrowed as the officer chose it.
    refused = liaison.post(report_url(disposed.pk, "follow_up"),
                           {"body": "", "public": "0", "expected_version": disposed.version})
    assert refused.status_code == 422
    assert _tag(refused.content.decode(), "follow_up-body") == "reporter: Hanya untuk pelapor"

    closing = signed_in("hub").get(report_url(disposed.pk)).content.decode()
    assert _tag(closing, "close-reason") == "reporter: Hanya untuk pelapor"

    english = Client()
    signed_in("hub", english)
    english.post("/i18n/setlang/", {"language": "en", "next": "/petugas/"})
    page = english.get(report_url(submitted.pk)).content.decode()
    assert _tag(page, "dispose-note") == "internal: Staff only"
    assert _tag(page, "hold-question") == "reporter: Only for the reporter"


def _post_follow_up(client: Client, report: Report, *, final: bool, public: bool,
                    photos: list[tuple[str, bytes, str]]) -> Any:
    data: dict[str, Any] = {"body": "Jembatan sudah diperbaiki, foto terlampir.",
                            "public": "1" if public else "0",
                            "expected_version": report.version,
                            "photos": [SimpleUploadedFile(n, b, content_type=t)
                                       for n, b, t in photos]}
    if final:
        data["final"] = "on"
    return client.post(report_url(report.pk, "follow_up"), data)


def _reporter_page(report: Report, access_code: str) -> str:
    browser = Client()
    assert browser.post(f"/lacak/{report.tracking_number}/kode/",
                        {"access_code": access_code}).status_code == 302
    return browser.get(f"/lacak/{report.tracking_number}/").content.decode()


@pytest.mark.parametrize("final", [True, False], ids=["final", "non-final"])
def test_photos_of_a_public_follow_up_are_published(tree: Tree, final: bool) -> None:
    submitted = submit(tree)
    report = submitted.report
    services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                            node_code=tree.pupr.code)
    report.refresh_from_db()
    answer = _post_follow_up(signed_in("liaison_pupr"), report, final=final, public=True,
                             photos=[("jembatan.jpg", files.jpeg_with_gps(), "image/jpeg")])
    assert answer.status_code == 302, answer.content.decode()[:3000]
    report.refresh_from_db()
    assert report.status == ("responded" if final else "in_progress")
    photo = Attachment.objects.get(report=report)
    followup = ReportEvent.objects.get(report=report, kind="respond" if final else "follow_up")
    assert (photo.is_public, photo.for_reporter, photo.followup_id) == (True, False, followup.pk)
    assert photo.published_at is not None
    assert AuditEntry.objects.filter(action="attachment.publish", target_id=photo.pk).exists()
    # The stored copy went through the metadata stripping.
    assert b"KameraRahasia" not in photo_bytes(photo)
    # The reporter sees it on the tracking page, as a picture; the public page lists it.
    page = _reporter_page(report, submitted.access_code)
    assert f'src="/lacak/{report.tracking_number}/lampiran/{photo.pk}/"' in page
    assert Client().get(f"/laporan/lampiran/{photo.pk}/").status_code == 200


def test_photos_of_a_follow_up_for_the_reporter_stay_off_the_public(tree: Tree) -> None:
    submitted = submit(tree)
    report = submitted.report
    services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                            node_code=tree.pupr.code)
    report.refresh_from_db()
    answer = _post_follow_up(signed_in("liaison_pupr"), report, final=True, public=False,
                             photos=[("rumah.png", files.png(), "image/png")])
    assert answer.status_code == 302
    photo = Attachment.objects.get(report=report)
    assert (photo.is_public, photo.for_reporter) == (False, True)
    page = _reporter_page(report, submitted.access_code)
    assert f'src="/lacak/{report.tracking_number}/lampiran/{photo.pk}/"' in page
    assert "hanya untuk Anda" in page
    assert Client().get(f"/laporan/lampiran/{photo.pk}/").status_code == 404
    assert f"lampiran/{photo.pk}/" not in Client().get(
        f"/laporan/{report.tracking_number}/").content.decode()
    # Staff may still publish it later with the "Publish" button.
    hub = signed_in("hub")
    assert hub.post(report_url(report.pk, "publish"), {"attachment": photo.pk}
                    ).status_code == 302
    photo.refresh_from_db()
    assert photo.is_public


def test_a_refused_photo_stores_nothing_not_even_the_follow_up(tree: Tree) -> None:
    report = drive(tree, "disposed")
    answer = _post_follow_up(signed_in("liaison_pupr"), report, final=True, public=True,
                             photos=[("virus.exe", b"MZ\x90\x00 not a photo", "image/jpeg")])
    assert answer.status_code == 415
    assert "photos" in answer.content.decode()  # the error stands beside the photo field
    report.refresh_from_db()
    assert report.status == "disposed"
    assert not Attachment.objects.filter(report=report).exists()
    assert not ReportEvent.objects.filter(report=report, kind="respond").exists()


def test_a_confidential_reports_photo_goes_to_the_reporter_only(tree: Tree) -> None:
    report = drive(tree, "disposed", is_confidential=True)
    answer = _post_follow_up(signed_in("liaison_pupr"), report, final=False, public=True,
                             photos=[("foto.png", files.png(), "image/png")])
    assert answer.status_code == 302
    photo = Attachment.objects.get(report=report)
    assert (photo.is_public, photo.for_reporter) == (False, True)


def photo_bytes(photo: Attachment) -> bytes:
    with attachment_storage().open(photo.stored_name, "rb") as handle:
        data: bytes = handle.read()
    return data
