"""Attachments through the API: reporters, staff, the public, limits, storage and clamd."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from PIL import Image

from lapor.attachments import services
from lapor.attachments.content import check_and_clean
from lapor.attachments.models import Attachment
from lapor.attachments.tests import fakes, files
from lapor.attachments.tests.files import stored_files
from lapor.audit.models import AuditEntry
from lapor.orgs.actors import actor_for_user
from lapor.orgs.models import Role
from lapor.reports import services as report_services
from lapor.reports.models import ReportEvent
from tests.api_client import login
from tests.factories import PASSWORD, Tree, drive, make_user, submit

API = "/api/v1"
pytestmark = pytest.mark.django_db


def _upload(path: str, data: bytes, *, name: str = "foto.jpg", content_type: str = "image/jpeg",
            headers: dict[str, str] | None = None) -> Any:
    upload = SimpleUploadedFile(name, data, content_type=content_type)
    return Client().post(API + path, {"file": upload}, headers=headers or {})


def _reporter_headers(code: str) -> dict[str, str]:
    return {"X-Access-Code": code, "Accept-Language": "en"}


def _staff_headers(username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {login(username, PASSWORD).token}"}


def _get(path: str, headers: dict[str, str]) -> Any:
    return Client().get(API + path, headers=headers)


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def _reporter_upload(tree: Tree, data: bytes, **kwargs: Any) -> tuple[Any, Any]:
    submitted = kwargs.pop("submitted", None) or submit(tree, **kwargs.pop("report", {}))
    response = _upload(f"/track/{submitted.report.tracking_number}/attachments", data,
                       headers=_reporter_headers(submitted.access_code), **kwargs)
    return submitted, response


def _assert_nothing_stored(root: Path) -> None:
    assert Attachment.objects.count() == 0
    assert stored_files(root) == []


# ---------------------------------------------------------------- reporter


def test_reporter_uploads_a_gps_tagged_photo_and_gets_it_back_clean(
    tree: Tree, attachment_root: Path
) -> None:
    submitted, response = _reporter_upload(tree, files.jpeg_with_gps(), name="IMG_0001.jpg",
                                           content_type="application/octet-stream")
    assert response.status_code == 201, response.content
    out = response.json()
    assert out["content_type"] == "image/jpeg"
    assert out["name"] == "IMG_0001.jpg"
    assert out["uploaded_by"] == "reporter"
    assert out["is_public"] is False
    assert out["scan_status"] == "not_scanned"
    assert out["metadata_stripped"] is True
    row = Attachment.objects.get()
    assert row.uploader is None
    assert row.stored_name.endswith(".jpg")
    assert "IMG" not in row.stored_name
    [path] = stored_files(attachment_root)
    stored = path.read_bytes()
    assert len(stored) == row.size == out["size"]
    image = Image.open(io.BytesIO(stored))
    assert dict(image.getexif()) == {}
    assert image.size == (20, 40)

    tracking = submitted.report.tracking_number
    listing = _get(f"/track/{tracking}/attachments", _reporter_headers(submitted.access_code))
    assert [a["id"] for a in listing.json()["items"]] == [row.pk]
    download = _get(f"/track/{tracking}/attachments/{row.pk}",
                    _reporter_headers(submitted.access_code))
    assert download.status_code == 200
    assert _body(download) == stored
    assert download["Content-Type"] == "image/jpeg"
    assert download["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''IMG_0001.jpg" in download["Content-Disposition"]
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Cache-Control"] == "private, no-store"
    event = ReportEvent.objects.get(kind="attachment_added")
    assert event.visibility == "reporter"
    assert "IMG_0001" not in str(event.payload)


def test_wrong_access_code_gets_nothing(tree: Tree, attachment_root: Path) -> None:
    submitted = submit(tree)
    tracking = submitted.report.tracking_number
    response = _upload(f"/track/{tracking}/attachments", files.png(),
                       headers=_reporter_headers("AAAA-BBBB-CCCC-DDDD"))
    assert response.status_code == 401
    _assert_nothing_stored(attachment_root)
    assert _get(f"/track/{tracking}/attachments", _reporter_headers("nope")).status_code == 401


@pytest.mark.parametrize(("data", "name", "content_type"), [
    (files.EXECUTABLE, "photo.jpg", "image/jpeg"),
    (files.SVG, "peta.svg", "image/svg+xml"),
    (files.HTML, "bukti.html", "text/html"),
    (files.ZIP, "bukti.zip", "application/zip"),
    (files.ELF, "foto.png", "image/png"),
], ids=["renamed-exe", "svg-script", "html", "zip", "elf"])
def test_hostile_types_are_refused_with_415_and_nothing_stored(
    tree: Tree, attachment_root: Path, data: bytes, name: str, content_type: str
) -> None:
    _, response = _reporter_upload(tree, data, name=name, content_type=content_type)
    assert response.status_code == 415
    assert response.json()["code"] == "attachment_type_not_allowed"
    _assert_nothing_stored(attachment_root)


@pytest.mark.parametrize("data", [
    files.jpeg_with_gps()[:300], b"\xff\xd8\xff\xe0" + b"garbage" * 200,
], ids=["truncated", "jpeg-header-then-garbage"])
def test_unreadable_images_are_refused(tree: Tree, attachment_root: Path, data: bytes) -> None:
    _, response = _reporter_upload(tree, data)
    assert response.status_code == 422
    assert response.json()["code"] == "attachment_unreadable"
    _assert_nothing_stored(attachment_root)


def test_polyglot_pdf_is_stored_without_its_appended_archive(
    tree: Tree, attachment_root: Path
) -> None:
    _, response = _reporter_upload(tree, files.pdf_with_metadata() + files.ZIP * 50,
                                   name="surat.pdf", content_type="application/pdf")
    assert response.status_code == 201, response.content
    [path] = stored_files(attachment_root)
    stored = path.read_bytes()
    assert files.ZIP_LOCAL_HEADER not in stored
    assert b"Budi" not in stored


def test_oversized_file_is_refused(tree: Tree, attachment_root: Path) -> None:
    with override_settings(LAPOR_ATTACHMENT_MAX_BYTES=1000):
        _, response = _reporter_upload(tree, files.jpeg_with_gps() + b"\0" * 2000)
    assert response.status_code == 413
    assert response.json()["code"] == "attachment_too_large"
    _assert_nothing_stored(attachment_root)


def test_a_retried_upload_gives_the_same_attachment_back(tree: Tree,
                                                          attachment_root: Path) -> None:
    """The citizen app's queue resends a photo whose answer was lost: one attachment, even
    when the report is at its file limit (the retry is not a new file)."""
    submitted = submit(tree)
    with override_settings(LAPOR_ATTACHMENTS_PER_REPORT=1):
        first = _reporter_upload(tree, files.jpeg_with_gps(), submitted=submitted)[1]
        again = _reporter_upload(tree, files.jpeg_with_gps(), submitted=submitted)[1]
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert Attachment.objects.count() == 1
    assert len(stored_files(attachment_root)) == 1


def test_only_the_same_uploader_gets_the_same_file_back(tree: Tree,
                                                         attachment_root: Path) -> None:
    """Another officer sending the same content gets their own attachment (their event, their
    credit); the same officer's retry gets theirs back."""
    colleague = make_user("hub_colleague", (tree.kutim, Role.HUB_VERIFIER))
    submitted = submit(tree)
    report_id = submitted.report.pk
    first = services.attachment_add(actor=tree.actor("hub"), report_id=report_id,
                                    data=files.png(), filename="a.png")
    theirs = services.attachment_add(actor=actor_for_user(colleague), report_id=report_id,
                                     data=files.png(), filename="a.png")
    again = services.attachment_add(actor=tree.actor("hub"), report_id=report_id,
                                    data=files.png(), filename="a.png")
    assert theirs.pk != first.pk
    assert again.pk == first.pk
    assert (first.uploader, theirs.uploader) == (tree.users["hub"], colleague)
    events = ReportEvent.objects.filter(report_id=report_id, kind="attachment_added")
    assert sorted(e.actor_id for e in events) == sorted([tree.users["hub"].pk, colleague.pk])
    assert len(stored_files(attachment_root)) == 2


def test_a_retry_never_gets_an_unservable_or_unscanned_row_back(
    tree: Tree, attachment_root: Path
) -> None:
    submitted = submit(tree)
    first = _reporter_upload(tree, files.png(), submitted=submitted)[1].json()
    assert first["scan_status"] == "not_scanned"  # no scanner configured yet
    with fakes.fake_clamd() as (address, received), override_settings(
        LAPOR_CLAMAV_SOCKET=address
    ):
        # A scanner now: the same content is scanned and stored anew, not waved through.
        scanned = _reporter_upload(tree, files.png(), submitted=submitted)[1].json()
        assert (scanned["scan_status"], len(received)) == ("clean", 1)
        assert scanned["id"] != first["id"]
        # A row found infected later (a rescan) is never handed back either.
        Attachment.objects.filter(pk=scanned["id"]).update(scan_status="infected")
        fresh = _reporter_upload(tree, files.png(), submitted=submitted)[1].json()
        assert fresh["id"] not in (first["id"], scanned["id"])
        assert fresh["scan_status"] == "clean"
        retry = _reporter_upload(tree, files.png(), submitted=submitted)[1].json()
        assert retry["id"] == fresh["id"]


def test_per_report_count_and_size_limits(tree: Tree, attachment_root: Path) -> None:
    submitted = submit(tree)
    with override_settings(LAPOR_ATTACHMENTS_PER_REPORT=2):
        # Different files: the same file sent again is the same attachment (test below).
        for n in range(2):
            assert _reporter_upload(tree, files.png(width=8 + n),
                                    submitted=submitted)[1].status_code == 201
        _, third = _reporter_upload(tree, files.png(width=12), submitted=submitted)
        assert third.status_code == 409
        assert third.json()["code"] == "attachment_limit_reached"
        assert third.json()["detail"] == {"max_files": 2}
        # Staff have their own room on the same report.
        hub = _staff_headers("hub")
        staff = _upload(f"/reports/{submitted.report.pk}/attachments", files.png(),
                        headers=hub)
        assert staff.status_code == 201, staff.content
    assert Attachment.objects.count() == 3
    assert len(stored_files(attachment_root)) == 3

    other = submit(tree)
    # The limit counts stored (cleaned) bytes: room for one PDF and a half.
    size = len(check_and_clean(files.pdf_with_metadata()).data) * 3 // 2
    with override_settings(LAPOR_ATTACHMENT_REPORT_MAX_BYTES=size):
        first = _reporter_upload(tree, files.pdf_with_metadata(), submitted=other)[1]
        assert first.status_code == 201
        second = _reporter_upload(tree, files.pdf_with_metadata(side=210),
                                  submitted=other)[1]
        assert second.status_code == 409
        assert second.json()["detail"]["max_bytes"] == size


def test_no_uploads_once_the_report_is_archived(tree: Tree, attachment_root: Path) -> None:
    submitted = submit(tree)
    report_services.report_archive(actor=tree.actor("hub"), report_id=submitted.report.pk,
                                   reason="spam")
    _, response = _reporter_upload(tree, files.png(), submitted=submitted)
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    _assert_nothing_stored(attachment_root)


# ---------------------------------------------------------------- staff


def test_staff_read_access_follows_the_report(tree: Tree) -> None:
    submitted, response = _reporter_upload(tree, files.png())
    attachment_id = response.json()["id"]
    report_id = submitted.report.pk
    path = f"/reports/{report_id}/attachments/{attachment_id}"
    ok = _get(path, _staff_headers("hub"))
    assert ok.status_code == 200
    assert ok["Cache-Control"] == "private, no-store"
    assert _get(path, _staff_headers("national")).status_code == 200
    for outsider in ("hub_samarinda", "liaison_samarinda", "sysadmin"):
        assert _get(path, _staff_headers(outsider)).status_code == 404, outsider
        listing = _get(f"/reports/{report_id}/attachments", _staff_headers(outsider))
        assert listing.status_code == 404, outsider
    assert _get(path, {}).status_code == 401
    # An attachment id of another report is not found through this report.
    other = submit(tree)
    assert _get(f"/reports/{other.report.pk}/attachments/{attachment_id}",
                _staff_headers("hub")).status_code == 404


def test_supervisors_read_but_do_not_upload(tree: Tree, attachment_root: Path) -> None:
    report = drive(tree, "disposed")
    response = _upload(f"/reports/{report.pk}/attachments", files.png(),
                       headers=_staff_headers("supervisor_kutim"))
    assert response.status_code == 403
    _assert_nothing_stored(attachment_root)
    handler = _upload(f"/reports/{report.pk}/attachments", files.pdf_with_metadata(),
                      name="berita acara.pdf", headers=_staff_headers("liaison_pupr"))
    assert handler.status_code == 201, handler.content
    assert handler.json()["uploaded_by"] == "staff"
    assert Attachment.objects.get().uploader == tree.users["liaison_pupr"]
    listing = _get(f"/reports/{report.pk}/attachments", _staff_headers("supervisor_kutim"))
    assert [a["name"] for a in listing.json()["items"]] == ["berita acara.pdf"]


def test_staff_files_stay_internal_until_published(tree: Tree) -> None:
    submitted = submit(tree)
    staff = _upload(f"/reports/{submitted.report.pk}/attachments", files.png(),
                    headers=_staff_headers("hub"))
    assert staff.status_code == 201
    tracking = submitted.report.tracking_number
    listing = _get(f"/track/{tracking}/attachments", _reporter_headers(submitted.access_code))
    assert listing.json()["items"] == []
    assert _get(f"/track/{tracking}/attachments/{staff.json()['id']}",
                _reporter_headers(submitted.access_code)).status_code == 404


def test_anonymous_reporters_file_name_is_hidden_from_staff(tree: Tree) -> None:
    submitted, response = _reporter_upload(tree, files.png(), name="KTP_Budi_Santoso.png",
                                           report={"is_anonymous": True})
    attachment_id = response.json()["id"]
    listing = _get(f"/reports/{submitted.report.pk}/attachments", _staff_headers("hub"))
    assert listing.json()["items"][0]["name"] == f"lampiran-{attachment_id}.png"
    download = _get(f"/reports/{submitted.report.pk}/attachments/{attachment_id}",
                    _staff_headers("hub"))
    assert "Budi" not in download["Content-Disposition"]


# ---------------------------------------------------------------- public and publishing


def _publish(report_id: int, attachment_id: int, username: str = "hub") -> Any:
    return Client().post(f"{API}/reports/{report_id}/attachments/{attachment_id}/publish",
                         headers=_staff_headers(username))


def test_public_downloads_only_published_attachments(tree: Tree) -> None:
    submitted, response = _reporter_upload(tree, files.jpeg_with_gps())
    attachment_id = response.json()["id"]
    tracking = submitted.report.tracking_number
    public_path = f"/public/attachments/{attachment_id}"
    assert _get(public_path, {}).status_code == 404
    assert _get(f"/public/track/{tracking}/attachments", {}).json()["items"] == []

    assert _publish(submitted.report.pk, attachment_id, "supervisor_kutim").status_code == 403
    published = _publish(submitted.report.pk, attachment_id)
    assert published.status_code == 200, published.content
    assert published.json()["is_public"] is True
    download = _get(public_path, {})
    assert download.status_code == 200
    assert download["Cache-Control"].startswith("public")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert f"lampiran-{attachment_id}.jpg" in download["Content-Disposition"]
    assert Image.open(io.BytesIO(_body(download))).getexif().get_ifd(0x8825) == {}
    items = _get(f"/public/track/{tracking}/attachments", {}).json()["items"]
    assert [i["id"] for i in items] == [attachment_id]
    # The reporter now sees it too; publishing again is a no-op.
    assert _publish(submitted.report.pk, attachment_id).status_code == 200
    assert AuditEntry.objects.filter(action="attachment.publish").count() == 1


def test_anonymous_report_attachments_are_public_only_when_published(tree: Tree) -> None:
    submitted = submit(tree, is_anonymous=True)
    photo = _reporter_upload(tree, files.jpeg_with_gps(), submitted=submitted)[1].json()["id"]
    video = _reporter_upload(tree, files.mp4(), name="rekaman.mp4",
                             submitted=submitted)[1].json()["id"]
    for attachment_id in (photo, video):
        assert _get(f"/public/attachments/{attachment_id}", {}).status_code == 404
    refused = _publish(submitted.report.pk, video)
    assert refused.status_code == 409
    assert refused.json()["code"] == "attachment_not_publishable"
    assert refused.json()["detail"] == {"reason": "anonymous_video"}
    assert _get(f"/public/attachments/{video}", {}).status_code == 404

    assert _publish(submitted.report.pk, photo).status_code == 200
    assert _get(f"/public/attachments/{photo}", {}).status_code == 200
    entry = AuditEntry.objects.get(action="attachment.publish")
    assert entry.target_id == str(photo)
    assert entry.payload["anonymous"] is True


def test_confidential_report_attachments_are_never_public(tree: Tree) -> None:
    submitted, response = _reporter_upload(tree, files.png(),
                                           report={"is_confidential": True})
    attachment_id = response.json()["id"]
    refused = _publish(submitted.report.pk, attachment_id)
    assert refused.status_code == 409
    assert refused.json()["detail"] == {"reason": "confidential"}
    assert _get(f"/public/attachments/{attachment_id}", {}).status_code == 404
    tracking = submitted.report.tracking_number
    assert _get(f"/public/track/{tracking}/attachments", {}).json()["items"] == []


def test_a_report_made_confidential_after_publishing_hides_its_files(tree: Tree) -> None:
    submitted, response = _reporter_upload(tree, files.png())
    attachment_id = response.json()["id"]
    assert _publish(submitted.report.pk, attachment_id).status_code == 200
    report_services.report_set_privacy(actor=tree.actor("hub"), report_id=submitted.report.pk,
                                       anonymous=None, confidential=True)
    assert _get(f"/public/attachments/{attachment_id}", {}).status_code == 404


def test_other_agency_cannot_publish(tree: Tree) -> None:
    submitted, response = _reporter_upload(tree, files.png())
    assert _publish(submitted.report.pk, response.json()["id"],
                    "hub_samarinda").status_code == 404


# ---------------------------------------------------------------- failures outside


def test_storage_failure_leaves_no_row_and_no_file(tree: Tree, attachment_root: Path) -> None:
    storages = {**settings.STORAGES, "attachments": {
        "BACKEND": "lapor.attachments.tests.fakes.DiskFullStorage",
        "OPTIONS": {"location": attachment_root},
    }}
    with override_settings(STORAGES=storages):
        _, response = _reporter_upload(tree, files.jpeg_with_gps())
    assert response.status_code == 503
    assert response.json()["code"] == "storage_failed"
    _assert_nothing_stored(attachment_root)
    assert not ReportEvent.objects.filter(kind="attachment_added").exists()


def test_failure_after_storing_removes_the_file(
    tree: Tree, attachment_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: Any) -> None:
        raise RuntimeError("event store down")

    monkeypatch.setattr(services, "event_append", broken)
    submitted = submit(tree)
    with pytest.raises(RuntimeError):
        services.attachment_add(actor=tree.actor("hub"), report_id=submitted.report.pk,
                                data=files.png(), filename="a.png")
    _assert_nothing_stored(attachment_root)


def test_clamd_clean_and_infected(tree: Tree, attachment_root: Path) -> None:
    submitted = submit(tree)
    with fakes.fake_clamd() as (address, received), override_settings(
        LAPOR_CLAMAV_SOCKET=address
    ):
        clean = _reporter_upload(tree, files.png(), submitted=submitted)[1]
        assert clean.status_code == 201, clean.content
        assert clean.json()["scan_status"] == "clean"
        infected_pdf = files.pdf_with_metadata().replace(
            b"%%EOF", b"%" + fakes.EICAR_MARKER + b"\n%%EOF")
        infected = _reporter_upload(tree, infected_pdf, submitted=submitted,
                                    name="x.pdf", content_type="application/pdf")[1]
        assert infected.status_code == 422
        assert infected.json()["code"] == "attachment_infected"
        assert len(received) == 2
        assert received[0] == files.png()
    assert Attachment.objects.count() == 1
    assert len(stored_files(attachment_root)) == 1


def test_clamd_unreachable_stores_nothing(
    tree: Tree, attachment_root: Path, tmp_path: Path
) -> None:
    with override_settings(LAPOR_CLAMAV_SOCKET=str(tmp_path / "no-clamd.sock")):
        _, response = _reporter_upload(tree, files.png())
    assert response.status_code == 503
    assert response.json()["code"] == "attachment_scan_unavailable"
    _assert_nothing_stored(attachment_root)
