"""Attachment storage full or failing (issue #11): a clear error, no row, no orphan file.

The attachment storage is swapped (``STORAGES["attachments"]``) for a file-system storage that
fails the way a full disk does: it writes part of the file, then raises ``OSError(ENOSPC)``; or
it stores the file and then the database insert fails. Every way in that stores a file is tried:
the reporter's API upload, the staff upload and the portal's report form with files.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import Client, override_settings

from lapor.attachments import services
from lapor.attachments.models import Attachment
from lapor.attachments.tests import files
from lapor.reports.models import Report, ReportEvent
from tests.api_client import login
from tests.factories import PASSWORD, Tree, drive, reporter_of, submit


class FullDiskStorage(FileSystemStorage):
    """Writes the first bytes of a file, then fails as a full disk does (ENOSPC)."""

    def _save(self, name: str, content: Any) -> str:
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as partial:
            partial.write(content.read(64))
        raise OSError(errno.ENOSPC, "No space left on device")


class ReadOnlyStorage(FileSystemStorage):
    """Refuses every write (a volume remounted read-only, a broken network mount)."""

    def _save(self, name: str, content: Any) -> str:
        raise OSError(errno.EROFS, "Read-only file system")


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture(params=[FullDiskStorage, ReadOnlyStorage], ids=["ENOSPC", "EROFS"])
def failing_storage(request: pytest.FixtureRequest, attachment_root: Path) -> Iterator[Path]:
    backend = f"{__name__}.{request.param.__name__}"
    storages = {**settings.STORAGES, "attachments": {
        "BACKEND": backend, "OPTIONS": {"location": attachment_root}}}
    with override_settings(STORAGES=storages):
        yield attachment_root


def _counts() -> tuple[int, int]:
    return Attachment.objects.count(), ReportEvent.objects.count()


@pytest.mark.django_db
def test_reporter_upload_gets_503_and_leaves_nothing(tree: Tree, failing_storage: Path) -> None:
    result = submit(tree)
    before = _counts()
    response = Client().post(
        f"/api/v1/track/{result.report.tracking_number}/attachments",
        {"file": SimpleUploadedFile("foto.png", files.png(), content_type="image/png")},
        headers={"X-Access-Code": result.access_code},
    )
    assert response.status_code == 503, response.content
    assert response.json()["code"] == "storage_failed"
    assert _counts() == before
    assert _files(failing_storage) == []


@pytest.mark.django_db
def test_staff_upload_gets_503_and_leaves_nothing(tree: Tree, failing_storage: Path) -> None:
    report = drive(tree, "in_progress")
    before = _counts()
    staff = login("liaison_pupr", PASSWORD)
    response = staff.client.post(
        f"/api/v1/reports/{report.pk}/attachments",
        {"file": SimpleUploadedFile("bukti.pdf", files.pdf_with_metadata(),
                                    content_type="application/pdf")},
        headers={"Authorization": f"Bearer {staff.token}"},
    )
    assert response.status_code == 503, response.content
    assert response.json()["code"] == "storage_failed"
    assert _counts() == before
    assert _files(failing_storage) == []


@pytest.mark.django_db
def test_report_form_keeps_the_report_and_names_the_refused_file(
    tree: Tree, failing_storage: Path,
) -> None:
    """The portal: the report is acknowledged (it does not depend on the disk), the file is
    listed as refused with the storage message, and no file or row is left behind."""
    response = Client().post("/lapor/", {
        "type": "complaint", "title": "Lampu jalan mati di Jalan Poros",
        "body": "Sudah dua minggu lampu jalan di Jalan Poros Sangatta mati.",
        "region_code": "64.08.04", "target_agency": "kutim",
        "attachments": [SimpleUploadedFile("foto.png", files.png(), content_type="image/png")],
    }, follow=True)
    assert response.status_code == 200
    assert Report.objects.count() == 1
    assert Attachment.objects.count() == 0
    assert _files(failing_storage) == []
    assert "foto.png" in response.content.decode()


@pytest.mark.django_db
def test_database_failure_after_the_file_was_written_removes_the_file(
    tree: Tree, attachment_root: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The other order: the file is stored, then the row can't be written. The file goes."""
    result = submit(tree)
    before = _counts()

    def broken_create(**kwargs: Any) -> None:
        raise IntegrityError("simulated failure after the file was stored")

    monkeypatch.setattr(Attachment.objects, "create", broken_create)
    with pytest.raises(IntegrityError):
        services.attachment_add(actor=reporter_of(result.report), report_id=result.report.pk,
                                data=files.png(), filename="foto.png")
    assert _counts() == before
    assert _files(attachment_root) == []

