"""`lapor backup` / `lapor restore` (lapor.config.backup): round trips on SQLite and PostgreSQL
into a scratch database, and every refusal (tampered file, newer migrations, other keys, a
database that is not empty) leaving everything as it was.

The scratch database is an extra connection alias (``lapor_bk``): a file on SQLite, a database
created and dropped here on PostgreSQL, so the test database other tests use is never restored
over (except by the SQLite in-place test, which restores its own data with --force).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connection, connections
from django.test import override_settings

from lapor.attachments.models import Attachment
from lapor.attachments.services import attachment_add
from lapor.attachments.tests import files
from lapor.config import backup
from lapor.orgs.actors import reporter_actor
from lapor.privacy import vault
from lapor.reports.models import Report, ReporterContact
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


def _scratch_storage(root: Path) -> override_settings:
    return override_settings(STORAGES={**settings.STORAGES, "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": root}}})


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
    target = tmp_path / "backup"
    call_command("backup", str(target))

    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["format_version"] == backup.FORMAT_VERSION
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["migrations"]["reports"].startswith("00")
    paths = {entry["path"] for entry in manifest["files"]}
    assert f"attachments/{data.attachment.stored_name}" in paths
    # Keys are fingerprinted, never stored.
    text = (target / "manifest.json").read_text()
    for key in (*settings.LAPOR_ENCRYPTION_KEYS, settings.LAPOR_BLIND_INDEX_KEY,
                settings.SECRET_KEY):
        assert key not in text

    restored_root = tmp_path / "restored-attachments"
    with _scratch_storage(restored_root):
        call_command("restore", str(target), "--database", scratch)
        with storages["attachments"].open(data.attachment.stored_name, "rb") as handle:
            assert handle.read() == data.attachment_bytes

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
