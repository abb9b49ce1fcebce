"""Evidence files (lapor/renaksi/evidence.py): the attachments' checks and cleaning, dedupe,
who reads, audited writes."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pikepdf
import pytest
from django.test import override_settings
from PIL import Image

from lapor.attachments import content
from lapor.audit.models import AuditEntry
from lapor.core import clock
from lapor.core.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    UnsupportedMediaType,
    ValidationFailed,
)
from lapor.renaksi import evidence as evidence_module
from lapor.renaksi.evidence import evidence_add, evidence_delete, evidence_open, evidence_storage
from lapor.renaksi.models import Evidence
from lapor.renaksi.tests.sample import jpeg_with_exif, sample
from tests.factories import Tree

pytestmark = pytest.mark.django_db


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_jpeg_is_stored_without_its_exif(tree: Tree, tmp_path: Path) -> None:
    s = sample(tree)
    data = jpeg_with_exif()
    assert b"Kamera Dinas" in data
    row = evidence_add(actor=tree.actor("hub"), activity=s.pupr, data=data,
                       filename="../../Foto\u202egpj.exe Bimtek.jpg", kind="photo")
    assert (row.content_type, row.kind, row.uploaded_by) == ("image/jpeg", "photo",
                                                             tree.users["hub"])
    # The client's name is display text only: no path, no bidi override.
    assert row.display_name == "Fotogpj.exe Bimtek.jpg"
    assert row.stored_name.startswith(f"{s.plan.pk}/")
    assert row.stored_name.endswith(".jpg")
    [stored] = _files(tmp_path / "renaksi")
    cleaned = stored.read_bytes()
    assert b"Kamera Dinas" not in cleaned
    with Image.open(io.BytesIO(cleaned)) as image:
        assert dict(image.getexif()) == {}
        assert image.size == (32, 24)
    assert row.size == len(cleaned)
    [entry] = AuditEntry.objects.filter(action="renaksi.evidence_add")
    assert (entry.target_type, entry.target_id) == ("renaksi_evidence", str(row.pk))
    assert entry.payload == {"activity": s.pupr.pk, "kind": "photo",
                             "content_type": "image/jpeg", "size": row.size,
                             "sha256": row.sha256}


def test_the_same_file_twice_returns_the_first(tree: Tree, tmp_path: Path) -> None:
    s = sample(tree)
    hub = tree.actor("hub")
    first = evidence_add(actor=hub, activity=s.pupr, data=jpeg_with_exif(), filename="a.jpg",
                         kind="photo")
    again = evidence_add(actor=hub, activity=s.pupr, data=jpeg_with_exif(), filename="b.jpg",
                         kind="attendance")
    assert again.pk == first.pk
    assert Evidence.objects.count() == 1
    assert len(_files(tmp_path / "renaksi")) == 1
    assert AuditEntry.objects.filter(action="renaksi.evidence_add").count() == 1
    # Another activity may hold the same file.
    other = evidence_add(actor=hub, activity=s.dinkes, data=jpeg_with_exif(), filename="a.jpg",
                         kind="photo")
    assert other.pk != first.pk


@pytest.mark.parametrize(("data", "error", "code"), [
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
     UnsupportedMediaType, "attachment_type_not_allowed"),
    (b"MZ\x90\x00 executable", UnsupportedMediaType, "attachment_type_not_allowed"),
    (b"\xff\xd8\xff\xe0 not really a jpeg", ValidationFailed, "attachment_unreadable"),
    (b"%PDF-1.7 truncated", ValidationFailed, "attachment_unreadable"),
    (b"", ValidationFailed, "attachment_unreadable"),
    # A well-formed MP4 header: video is not evidence (its metadata cannot be stripped).
    (b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2\x00\x00\x00\x08moov",
     UnsupportedMediaType, "attachment_type_not_allowed"),
])
def test_a_bad_file_is_refused_with_the_attachments_code(
        tree: Tree, tmp_path: Path, data: bytes, error: type[ApplicationError],
        code: str) -> None:
    s = sample(tree)
    with pytest.raises(error) as caught:
        evidence_add(actor=tree.actor("hub"), activity=s.pupr, data=data, filename="x.jpg",
                     kind="document")
    assert (caught.value.code, caught.value.field) == (code, "file")
    assert not Evidence.objects.exists()
    assert _files(tmp_path / "renaksi") == []
    assert not AuditEntry.objects.filter(action="renaksi.evidence_add").exists()


def test_too_large_and_too_many(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    s = sample(tree)
    hub = tree.actor("hub")
    with override_settings(LAPOR_ATTACHMENT_MAX_BYTES=100), pytest.raises(PayloadTooLarge) as c:
        evidence_add(actor=hub, activity=s.pupr, data=jpeg_with_exif(), filename="a.jpg",
                     kind="photo")
    assert c.value.code == "attachment_too_large"
    monkeypatch.setattr(evidence_module, "EVIDENCE_PER_ACTIVITY", 1)
    evidence_add(actor=hub, activity=s.pupr, data=jpeg_with_exif("red"), filename="a.jpg",
                 kind="photo")
    with pytest.raises(Conflict) as caught:
        evidence_add(actor=hub, activity=s.pupr, data=jpeg_with_exif("blue"),
                     filename="b.jpg", kind="photo")
    assert caught.value.code == "attachment_limit_reached"


def test_unknown_kind_refused(tree: Tree) -> None:
    s = sample(tree)
    with pytest.raises(ValidationFailed) as caught:
        evidence_add(actor=tree.actor("hub"), activity=s.pupr, data=jpeg_with_exif(),
                     filename="a.jpg", kind="video")
    assert (caught.value.code, caught.value.field) == ("validation_error", "kind")


def test_readers_open_it_others_get_404(tree: Tree) -> None:
    s = sample(tree)
    row = evidence_add(actor=tree.actor("hub"), activity=s.pupr, data=jpeg_with_exif(),
                       filename="Daftar hadir.jpg", kind="attendance")
    for who in ("hub", "supervisor_kutim", "auditor", "liaison_pupr", "liaison_binamarga"):
        handle, content_type, name = evidence_open(tree.actor(who), row.pk)
        with handle:
            assert handle.read()[:3] == b"\xff\xd8\xff"
        assert (content_type, name) == ("image/jpeg", "Daftar hadir.jpg")
    for who in ("liaison_dinkes", "hub_samarinda", "citizen"):
        with pytest.raises(NotFound):
            evidence_open(tree.actor(who), row.pk)
    with pytest.raises(NotFound):
        evidence_open(tree.actor("hub"), row.pk + 1000)


def test_another_agencys_hub_cannot_add(tree: Tree) -> None:
    s = sample(tree)
    with pytest.raises(NotFound):
        evidence_add(actor=tree.actor("hub_samarinda"), activity=s.pupr,
                     data=jpeg_with_exif(), filename="a.jpg", kind="photo")


def test_delete_is_audited_and_removes_the_file_after_commit(
        tree: Tree, django_capture_on_commit_callbacks: object) -> None:
    s = sample(tree)
    row = evidence_add(actor=tree.actor("hub"), activity=s.pupr, data=jpeg_with_exif(),
                       filename="a.jpg", kind="photo")
    for who in ("supervisor_kutim", "liaison_pupr"):
        with pytest.raises(PermissionDenied):
            evidence_delete(actor=tree.actor(who), evidence_id=row.pk)
    with pytest.raises(NotFound):
        evidence_delete(actor=tree.actor("hub_samarinda"), evidence_id=row.pk)
    assert evidence_storage().exists(row.stored_name)
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        evidence_delete(actor=tree.actor("hub"), evidence_id=row.pk)
    assert not Evidence.objects.exists()
    assert not evidence_storage().exists(row.stored_name)
    [entry] = AuditEntry.objects.filter(action="renaksi.evidence_delete")
    assert entry.payload == {"activity": s.pupr.pk, "kind": "photo", "sha256": row.sha256}


def test_a_pdf_loses_its_metadata(tree: Tree) -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.docinfo["/Author"] = "Nama Peserta"
    out = io.BytesIO()
    pdf.save(out)
    s = sample(tree)
    row = evidence_add(actor=tree.actor("hub"), activity=s.pupr, data=out.getvalue(),
                       filename="laporan.pdf", kind="document")
    handle, content_type, _ = evidence_open(tree.actor("hub"), row.pk)
    with handle:
        stored = handle.read()
    assert content_type == "application/pdf"
    assert b"Nama Peserta" not in stored


def test_a_race_lost_to_the_same_file_returns_the_winner(
        tree: Tree, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The unique constraint decides when two uploads of one file pass the check at once."""
    s = sample(tree)
    data = jpeg_with_exif()
    digest = hashlib.sha256(content.check_and_clean(data).data).hexdigest()
    store = evidence_module.upload_store
    winner: list[Evidence] = []

    def store_after_the_other(storage: object, name: str, cleaned: bytes) -> str:
        winner.append(Evidence.objects.create(
            activity=s.pupr, kind="photo", stored_name="other.jpg", display_name="a.jpg",
            content_type="image/jpeg", size=1, sha256=digest, created_at=clock.now()))
        return store(storage, name, cleaned)  # type: ignore[arg-type]

    monkeypatch.setattr(evidence_module, "upload_store", store_after_the_other)
    row = evidence_add(actor=tree.actor("hub"), activity=s.pupr, data=data, filename="b.jpg",
                       kind="photo")
    assert row.pk == winner[0].pk
    assert Evidence.objects.count() == 1
    assert _files(tmp_path / "renaksi") == []
