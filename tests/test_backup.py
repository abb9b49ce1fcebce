"""`lapor backup` / `lapor restore` (lapor.config.backup): round trips on SQLite and PostgreSQL
into a scratch database (with the attachments, an approved SOP PDF and a Renaksi evidence file),
an old backup without ``sop/`` and ``renaksi/`` still restoring, and every refusal (tampered
file, newer migrations, other keys, a database that is not empty) leaving everything as it was.

The scratch database is an extra connection alias (``lapor_bk``): a file on SQLite, a database
created and dropped here on PostgreSQL, so the test database other tests use is never restored
over (except by the SQLite in-place test, which restores its own data with --force).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from lapor.attachments.models import Attachment
from lapor.attachments.services import attachment_add
from lapor.attachments.tests import files
from lapor.config import backup
from lapor.core.errors import NotFound
from lapor.orgs.actors import reporter_actor
from lapor.privacy import vault
from lapor.renaksi.evidence import evidence_add, evidence_open, evidence_storage
from lapor.renaksi.models import Evidence
from lapor.renaksi.tests.sample import jpeg_with_exif, sample
from lapor.reports.models import Report, ReporterContact
from lapor.sopdoc.models import SopVersion
from lapor.sopdoc.selectors import sop_current, sop_latest
from lapor.sopdoc.services import sop_draft_refresh, sop_storage, sop_version_approve
from tests.factories import Tree, submit

pytestmark = pytest.mark.django_db(transaction=True)

SCRATCH = "lapor_bk"
NIK = "6408041234567890"


@dataclass
class Data:
    report: Report
    attachment: Attachment
    attachment_bytes: bytes
    reports: int


def _populate(tree: Tree) -> Data:
    first = submit(tree, reporter_name="Budi Santoso", reporter_nik=NIK).report
    submit(tree, title="Lampu jalan mati di Jalan Yos Sudarso")
    submit(tree, is_anonymous=True, reporter_name="", reporter_email="", reporter_phone="")
    attachment = attachment_add(actor=reporter_actor(report_id=first.pk), report_id=first.pk,
                                data=files.png(), filename="foto.png")
    with storages["attachments"].open(attachment.stored_name, "rb") as handle:
        stored = handle.read()
    return Data(report=first, attachment=attachment, attachment_bytes=stored,
                reports=Report.objects.count())


@dataclass
class Files:
    """An approved SOP PDF and a Renaksi evidence file, with their stored bytes."""

    sop: SopVersion
    sop_bytes: bytes
    evidence: Evidence
    evidence_bytes: bytes


def _populate_files(tree: Tree) -> Files:
    draft = sop_draft_refresh(node=tree.kutim) or sop_latest(tree.kutim)
    assert draft is not None
    approved = sop_version_approve(actor=tree.actor("hub"), version=draft,
                                   approver_name="Drs. H. Ardiansyah Sulaiman, M.Si",
                                   approver_position="Bupati Kutai Timur",
                                   effective_date=date(2026, 12, 1))
    with sop_storage().open(approved.pdf, "rb") as handle:
        sop_bytes = handle.read()
    row = evidence_add(actor=tree.actor("hub"), activity=sample(tree).pupr,
                       data=jpeg_with_exif(), filename="Bimtek.jpg", kind="photo")
    with evidence_storage().open(row.stored_name, "rb") as handle:
        evidence_bytes = handle.read()
    return Files(sop=approved, sop_bytes=sop_bytes, evidence=row, evidence_bytes=evidence_bytes)


def _scratch_storage(root: Path) -> override_settings:
    """Empty attachment, SOP and Renaksi evidence directories under ``root``."""
    return override_settings(
        STORAGES={**settings.STORAGES, "attachments": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": root}}},
        SOP_STORAGE_ROOT=root.parent / f"{root.name}-sop",
        RENAKSI_EVIDENCE_ROOT=root.parent / f"{root.name}-renaksi")


class _ToScratch:
    """Every query to the scratch database: the services read the restored data."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        return SCRATCH

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return SCRATCH

    def allow_relation(self, *args: Any, **hints: Any) -> bool:
        return True


def _reading_scratch() -> override_settings:
    return override_settings(DATABASE_ROUTERS=[_ToScratch()])


def _add_alias(name: str) -> None:
    """A connection made here and not listed in settings (Django's test case allows such
    "dynamically created" connections)."""
    default = connections["default"]
    wrapper = type(default)({**default.settings_dict, "NAME": name}, SCRATCH)
    connections[SCRATCH] = wrapper


def _drop_alias() -> None:
    connections[SCRATCH].close()
    del connections[SCRATCH]


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[str]:
    """An empty database under the alias ``lapor_bk`` (same vendor as the test database)."""
    if connection.vendor == "sqlite":
        _add_alias(str(tmp_path / "scratch.sqlite3"))
        try:
            yield SCRATCH
        finally:
            _drop_alias()
        return
    db = connection.settings_dict
    name = f"lapor_bk_{uuid.uuid4().hex[:10]}"
    admin = psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432,
                            user=db["USER"] or "postgres", password=db["PASSWORD"] or None,
                            dbname="postgres", autocommit=True)
    try:
        admin.execute(f'CREATE DATABASE "{name}"')
        _add_alias(name)
        try:
            yield SCRATCH
        finally:
            _drop_alias()
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


def _round_trip(tree: Tree, tmp_path: Path, scratch: str) -> None:
    data = _populate(tree)
    stored = _populate_files(tree)
    target = tmp_path / "backup"
    call_command("backup", str(target))

    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["format_version"] == backup.FORMAT_VERSION
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["migrations"]["reports"].startswith("00")
    paths = {entry["path"] for entry in manifest["files"]}
    assert f"attachments/{data.attachment.stored_name}" in paths
    assert f"sop/{stored.sop.pdf}" in paths
    assert f"renaksi/{stored.evidence.stored_name}" in paths
    by_path = {entry["path"]: entry for entry in manifest["files"]}
    assert by_path[f"sop/{stored.sop.pdf}"]["sha256"] == stored.sop.pdf_sha256
    assert (by_path[f"renaksi/{stored.evidence.stored_name}"]["sha256"]
            == hashlib.sha256(stored.evidence_bytes).hexdigest())
    # Keys are fingerprinted, never stored.
    text = (target / "manifest.json").read_text()
    for key in (*settings.LAPOR_ENCRYPTION_KEYS, settings.LAPOR_BLIND_INDEX_KEY,
                settings.SECRET_KEY):
        assert key not in text

    restored_root = tmp_path / "restored-attachments"
    with _scratch_storage(restored_root):
        assert not Path(settings.SOP_STORAGE_ROOT).exists()
        assert not Path(settings.RENAKSI_EVIDENCE_ROOT).exists()
        call_command("restore", str(target), "--database", scratch)
        with storages["attachments"].open(data.attachment.stored_name, "rb") as handle:
            assert handle.read() == data.attachment_bytes
        # The SOP page's PDF and the evidence download, read through the services from the
        # restored database and the restored directories.
        with _reading_scratch(), CaptureQueriesContext(connections[scratch]) as queries:
            current = sop_current(tree.kutim)
            assert current is not None
            assert (current.pk, current.pdf) == (stored.sop.pk, stored.sop.pdf)
            with sop_storage().open(current.pdf, "rb") as handle:
                pdf = handle.read()
            assert pdf == stored.sop_bytes
            assert hashlib.sha256(pdf).hexdigest() == current.pdf_sha256
            download, content_type, name = evidence_open(tree.actor("hub"), stored.evidence.pk)
            with download:
                assert download.read() == stored.evidence_bytes
            assert (content_type, name) == ("image/jpeg", "Bimtek.jpg")
        assert queries.captured_queries  # the rows came from the restored database

    assert Report.objects.using(scratch).count() == data.reports
    assert Attachment.objects.using(scratch).count() == 1
    restored = Report.objects.using(scratch).get(tracking_number=data.report.tracking_number)
    contact = ReporterContact.objects.using(scratch).get(report_id=restored.pk)
    assert vault.decrypt(contact.name) == "Budi Santoso"
    assert vault.decrypt(contact.nik) == NIK
    assert contact.email_index == vault.email_index("siti@example.org")


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
                    reason="SQLite round trip")
def test_round_trip_on_sqlite(tree: Tree, tmp_path: Path, scratch: str) -> None:
    _round_trip(tree, tmp_path, scratch)


@pytest.mark.postgres
@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
                    reason="needs PostgreSQL (DATABASE_URL)")
def test_round_trip_on_postgresql(tree: Tree, tmp_path: Path, scratch: str) -> None:
    _round_trip(tree, tmp_path, scratch)


def test_a_tampered_file_is_refused_and_nothing_changes(tree: Tree, tmp_path: Path,
                                                         scratch: str) -> None:
    data = _populate(tree)
    target = tmp_path / "backup"
    backup.create_backup(target)
    damaged = target / "attachments" / data.attachment.stored_name
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"\x00")

    restored_root = tmp_path / "restored-attachments"
    with _scratch_storage(restored_root), pytest.raises(CommandError,
                                                        match="checksum mismatch"):
        call_command("restore", str(target), "--database", scratch)
    assert not restored_root.exists() or not any(restored_root.iterdir())
    assert "reports_report" not in connections[scratch].introspection.table_names()
    # Nor into the live database, even with --force.
    before = Report.objects.count()
    with pytest.raises(CommandError, match="checksum mismatch"):
        call_command("restore", str(target), "--force")
    assert Report.objects.count() == before


def test_refusals_before_anything_is_touched(tree: Tree, tmp_path: Path, scratch: str) -> None:
    _populate(tree)
    target = tmp_path / "backup"
    backup.create_backup(target)
    with pytest.raises(backup.BackupError, match="not empty"):
        backup.create_backup(target)

    # A database that is not empty needs --force.
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(target))

    # Other keys: refused, unless --ignore-keys (then restored with a loud warning).
    restored_root = tmp_path / "restored-attachments"
    with (_scratch_storage(restored_root),
          override_settings(LAPOR_BLIND_INDEX_KEY="another-blind-index-key-0123456789abcdef")):
        with pytest.raises(CommandError, match="LAPOR_BLIND_INDEX_KEY differs"):
            call_command("restore", str(target), "--database", scratch)
        assert "reports_report" not in connections[scratch].introspection.table_names()
        assert not restored_root.exists()

    # A backup from a newer release (a migration this code does not know).
    manifest_path = target / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["migrations"]["reports"] = "9999_from_the_future"
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="newer Lapor"):
        call_command("restore", str(target), "--database", scratch)

    # Not a backup at all / a manifest path escaping the directory.
    with pytest.raises(CommandError, match="not a Lapor backup"):
        call_command("restore", str(tmp_path))
    manifest["migrations"]["reports"] = "0001_initial"
    manifest["files"].append({"path": "../etc/passwd", "size": 1, "sha256": "0"})
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(CommandError, match="unsafe file name"):
        call_command("restore", str(target), "--database", scratch)
    assert "reports_report" not in connections[scratch].introspection.table_names()


def test_keys_rotated_after_the_backup_still_restore(tree: Tree, tmp_path: Path,
                                                      scratch: str) -> None:
    """A new Fernet key in front (a rotation) keeps the backup's key: accepted."""
    _populate(tree)
    target = tmp_path / "backup"
    backup.create_backup(target)
    rotated = ["Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE=",
               *settings.LAPOR_ENCRYPTION_KEYS]
    with (override_settings(LAPOR_ENCRYPTION_KEYS=rotated),
          _scratch_storage(tmp_path / "restored")):
        result = backup.restore_backup(target, using=scratch)
    assert result.key_problems == []
    assert Report.objects.using(scratch).count() == Report.objects.count()


@pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
                    reason="restores over the test database itself (SQLite only)")
def test_restore_with_force_replaces_the_live_sqlite_database(tree: Tree,
                                                              tmp_path: Path) -> None:
    data = _populate(tree)
    target = tmp_path / "backup"
    call_command("backup", str(target))
    later = submit(tree, title="Dilaporkan setelah cadangan dibuat").report
    assert Report.objects.count() == data.reports + 1
    call_command("restore", str(target), "--force")
    assert Report.objects.count() == data.reports
    assert not Report.objects.filter(pk=later.pk).exists()
    contact = ReporterContact.objects.get(report=data.report)
    assert vault.decrypt(contact.nik) == NIK


def test_an_old_backup_without_sop_and_renaksi_directories_still_restores(
        tree: Tree, tmp_path: Path, scratch: str) -> None:
    """A backup made before the SOP PDFs and the evidence travelled: its rows restore, the
    files it never held are simply absent (as before)."""
    data = _populate(tree)
    stored = _populate_files(tree)
    target = tmp_path / "backup"
    backup.create_backup(target)
    manifest_path = target / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"] = [entry for entry in manifest["files"]
                         if entry["path"].split("/")[0] not in {"sop", "renaksi"}]
    manifest_path.write_text(json.dumps(manifest))
    shutil.rmtree(target / "sop")
    shutil.rmtree(target / "renaksi")

    restored_root = tmp_path / "restored-attachments"
    with _scratch_storage(restored_root):
        result = backup.restore_backup(target, using=scratch)
        assert result.counts == {"attachments": 1, "sop": 0, "renaksi": 0}
        with storages["attachments"].open(data.attachment.stored_name, "rb") as handle:
            assert handle.read() == data.attachment_bytes
        assert not Path(settings.SOP_STORAGE_ROOT).exists()
        with _reading_scratch(), pytest.raises(NotFound):
            evidence_open(tree.actor("hub"), stored.evidence.pk)
    assert Report.objects.using(scratch).count() == data.reports
    assert SopVersion.objects.using(scratch).get(pk=stored.sop.pk).pdf == stored.sop.pdf
    assert Evidence.objects.using(scratch).filter(pk=stored.evidence.pk).exists()


def test_a_damaged_evidence_file_or_a_path_out_of_sop_is_refused(
        tree: Tree, tmp_path: Path, scratch: str) -> None:
    _populate(tree)
    stored = _populate_files(tree)
    target = tmp_path / "backup"
    backup.create_backup(target)
    restored_root = tmp_path / "restored-attachments"

    damaged = target / "renaksi" / stored.evidence.stored_name
    original = damaged.read_bytes()
    damaged.write_bytes(original[:-1] + b"\x00")
    with _scratch_storage(restored_root), pytest.raises(CommandError,
                                                        match="checksum mismatch: renaksi/"):
        call_command("restore", str(target), "--database", scratch)
    damaged.write_bytes(original)

    manifest_path = target / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["files"].append({"path": "sop/../../outside.pdf", "size": 1, "sha256": "0"})
    manifest_path.write_text(json.dumps(manifest))
    with _scratch_storage(restored_root), pytest.raises(CommandError, match="unsafe file name"):
        call_command("restore", str(target), "--database", scratch)
    assert not restored_root.exists()
    assert not (tmp_path / "restored-attachments-sop").exists()
    assert not (tmp_path / "restored-attachments-renaksi").exists()
    assert "reports_report" not in connections[scratch].introspection.table_names()
