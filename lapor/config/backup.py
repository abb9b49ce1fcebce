"""``lapor backup`` / ``lapor restore``: the database, the stored files and a manifest.

A backup is a directory::

    manifest.json         format version, time, Lapor version, database vendor, the latest
                          applied migration per app, key fingerprints, every file with its
                          size and SHA-256
    database.sqlite3      SQLite: a consistent copy made with the sqlite3 backup API while the
                          server runs (WAL readers never block writers)
    database.pgdump       PostgreSQL: ``pg_dump --format=custom`` (one snapshot)
    attachments/…         every file of the ``attachments`` storage, copied through the storage
                          API (so an S3 bucket is backed up the same way as a directory)
    sop/…                 every approved SOP PDF (:func:`lapor.sopdoc.services.sop_storage`)
    renaksi/…             every Renaksi evidence file (:func:`lapor.renaksi.evidence.
                          evidence_storage`)

The three storages are one table (:data:`FILE_SETS`: backup directory, storage) walked by the
same code on backup and restore. A backup made before ``sop/`` and ``renaksi/`` existed simply
lists no such files and restores as before.

The database is copied first, then the files: a file saved meanwhile is at worst an extra file
without a row (attachments, SOP PDFs and evidence are written before their row commits), never
a row without its file.

Keys are NOT in a backup (LAPOR_SECRET_KEY, LAPOR_ENCRYPTION_KEYS, LAPOR_BLIND_INDEX_KEY): the
reporters' identities in it are encrypted and useless without them, by design. The manifest
holds only truncated SHA-256 fingerprints, so a restore can tell that the running keys are not
the backup's and refuse (``--ignore-keys`` to restore anyway).

A restore checks everything before it changes anything: the manifest, every file's size and
checksum, the migration state (never newer than the code), the keys, an empty target database
(unless ``force``). Then it writes the files, then the database (PostgreSQL:
``pg_restore --clean --if-exists --no-owner --single-transaction``; SQLite: the backup API into
the open database), so a failure leaves the database as it was.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from lapor.accounts.models import User
from lapor.core import clock
from lapor.orgs.models import OrgNode
from lapor.renaksi.evidence import evidence_storage
from lapor.reports.models import Report
from lapor.sopdoc.services import sop_storage

logger = logging.getLogger(__name__)

FORMAT = "lapor-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
ATTACHMENTS_DIR = "attachments"
STORAGE_ALIAS = "attachments"
_DB_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why (never a secret)."""


def _attachment_storage() -> Storage:
    return storages[STORAGE_ALIAS]


@dataclass(frozen=True)
class FileSet:
    """One storage whose every file travels in a backup, under ``directory/``."""

    directory: str
    storage: Callable[[], Storage]  # called at each backup/restore (settings may change)
    label: str  # for the commands' summary line


FILE_SETS = (
    FileSet(ATTACHMENTS_DIR, _attachment_storage, "attachments"),
    FileSet("sop", sop_storage, "SOP PDFs"),
    FileSet("renaksi", evidence_storage, "Renaksi evidence files"),
)


def _file_set(relative: str) -> tuple[FileSet, str] | None:
    """The file set a manifest path belongs to and the name inside its storage (None: the
    database file)."""
    directory, _, name = relative.partition("/")
    for file_set in FILE_SETS:
        if file_set.directory == directory and name:
            return file_set, name
    return None


def summary(counts: dict[str, int]) -> str:
    """``3 attachments, 1 SOP PDFs, 0 Renaksi evidence files`` (the commands' output)."""
    return ", ".join(f"{counts.get(fs.directory, 0)} {fs.label}" for fs in FILE_SETS)


# ---------------------------------------------------------------- helpers


def fingerprint(secret: str) -> str:
    """A short, non-reversible fingerprint of a key (SHA-256 with a domain prefix, 16 hex)."""
    digest = hashlib.sha256(b"lapor-backup-key-fingerprint:" + secret.encode()).hexdigest()
    return digest[:16]


def key_fingerprints() -> dict[str, Any]:
    return {
        "secret_key": fingerprint(settings.SECRET_KEY),
        "blind_index_key": fingerprint(settings.LAPOR_BLIND_INDEX_KEY),
        "encryption_keys": [fingerprint(key) for key in settings.LAPOR_ENCRYPTION_KEYS],
    }


def key_mismatches(recorded: dict[str, Any]) -> list[str]:
    """What differs between the backup's keys and the running ones (names only).

    Every encryption key of the backup must still be configured (the running list may have
    new keys in front after a rotation); the blind-index and secret keys must be equal."""
    running = key_fingerprints()
    problems = []
    if recorded.get("blind_index_key") != running["blind_index_key"]:
        problems.append("LAPOR_BLIND_INDEX_KEY differs")
    if recorded.get("secret_key") != running["secret_key"]:
        problems.append("LAPOR_SECRET_KEY differs")
    missing = [fp for fp in recorded.get("encryption_keys", [])
               if fp not in running["encryption_keys"]]
    if missing:
        problems.append(f"LAPOR_ENCRYPTION_KEYS lacks {len(missing)} key(s) of the backup")
    return problems


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _entry(root: Path, relative: str) -> dict[str, Any]:
    path = root / relative
    return {"path": relative, "size": path.stat().st_size, "sha256": _sha256_file(path)}


def _safe_relative(name: str) -> str:
    """A manifest or storage name as a relative POSIX path without ``..`` (else refused)."""
    pure = PurePosixPath(name)
    if not name or pure.is_absolute() or ".." in pure.parts or "\\" in name or "\x00" in name:
        raise BackupError(f"unsafe file name in backup: {name!r}")
    return pure.as_posix()


def lapor_version() -> str:
    try:
        return importlib.metadata.version("lapor")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def applied_migrations(using: str) -> dict[str, str]:
    """The latest applied migration of each app (by name order: Django's are numbered)."""
    latest: dict[str, str] = {}
    for app, name in MigrationRecorder(connections[using]).applied_migrations():
        if app not in latest or name > latest[app]:
            latest[app] = name
    return dict(sorted(latest.items()))


def _vendor(using: str) -> str:
    vendor = connections[using].vendor
    if vendor not in _DB_FILES:
        raise BackupError(f"database vendor {vendor!r} is not supported (sqlite, postgresql)")
    return vendor


def _pg_env(using: str) -> dict[str, str]:
    """libpq environment for pg_dump/pg_restore (the password never on the command line)."""
    db = connections[using].settings_dict
    env = dict(os.environ)
    for key, value in (("PGHOST", db.get("HOST")), ("PGPORT", db.get("PORT")),
                       ("PGUSER", db.get("USER")), ("PGPASSWORD", db.get("PASSWORD")),
                       ("PGDATABASE", db.get("NAME")),
                       ("PGSSLMODE", (db.get("OPTIONS") or {}).get("sslmode"))):
        if value:
            env[key] = str(value)
    return env


def _run(argv: list[str], env: dict[str, str]) -> None:
    try:
        result = subprocess.run(argv, env=env, capture_output=True, text=True,  # noqa: S603
                                check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{argv[0]} not found on PATH (install the PostgreSQL client)") from exc
    if result.returncode != 0:
        raise BackupError(f"{argv[0]} failed ({result.returncode}): "
                          f"{result.stderr.strip()[-2000:]}")


def _walk(storage: Storage, directory: str = "") -> Iterator[str]:
    try:
        dirs, files = storage.listdir(directory)
    except FileNotFoundError:
        # A file-system storage whose directory was never created: no files yet.
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for sub in sorted(dirs):
        yield from _walk(storage, f"{directory}/{sub}" if directory else sub)


# ---------------------------------------------------------------- backup


@dataclass
class BackupResult:
    path: Path
    vendor: str
    files: int
    counts: dict[str, int]  # files per backup directory (FILE_SETS)
    bytes: int


def _dump_database(using: str, vendor: str, target: Path) -> None:
    connection = connections[using]
    if vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        copy = sqlite3.connect(target)
        try:
            # One step (pages=-1): a consistent snapshot under a read lock (WAL: writers go on).
            raw.backup(copy)
            # A self-contained file: no -wal/-shm beside it when it is opened again.
            copy.execute("PRAGMA journal_mode=DELETE")
        finally:
            copy.close()
        return
    _run(["pg_dump", "--format=custom", "--no-password", f"--file={target}"], _pg_env(using))


def create_backup(dest: Path, *, using: str = "default") -> BackupResult:
    """Write a backup into ``dest`` (created; must be empty if it exists)."""
    vendor = _vendor(using)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty: back up into a new directory")
    dest.mkdir(parents=True, exist_ok=True)
    try:
        return _write_backup(dest, using, vendor)
    except BaseException:
        # No half-written backup left behind (it would have no manifest anyway).
        shutil.rmtree(dest, ignore_errors=True)
        raise


def _write_backup(dest: Path, using: str, vendor: str) -> BackupResult:
    created_at = clock.now()
    migrations = applied_migrations(using)
    db_file = _DB_FILES[vendor]
    _dump_database(using, vendor, dest / db_file)
    entries = [_entry(dest, db_file)]

    counts: dict[str, int] = {}
    for file_set in FILE_SETS:
        counts[file_set.directory] = _copy_files(file_set, dest, entries)

    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": created_at.isoformat(),
        "lapor_version": lapor_version(),
        "database": {"vendor": vendor, "file": db_file},
        "migrations": migrations,
        "keys": key_fingerprints(),
        "files": entries,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return BackupResult(path=dest, vendor=vendor, files=len(entries), counts=counts,
                        bytes=sum(entry["size"] for entry in entries))


def _copy_files(file_set: FileSet, dest: Path, entries: list[dict[str, Any]]) -> int:
    """Copy every file of one storage into ``dest/<directory>/``, appending to ``entries``."""
    storage = file_set.storage()
    copied = 0
    for name in _walk(storage):
        relative = f"{file_set.directory}/{_safe_relative(name)}"
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with storage.open(name, "rb") as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, _CHUNK)
        except FileNotFoundError:
            # Deleted (retention purge, evidence removed) between listing and copying: its
            # row is gone too.
            target.unlink(missing_ok=True)
            continue
        entries.append(_entry(dest, relative))
        copied += 1
    return copied


# ---------------------------------------------------------------- restore


@dataclass
class RestorePlan:
    source: Path
    manifest: dict[str, Any]
    key_problems: list[str] = field(default_factory=list)
    older_migrations: list[str] = field(default_factory=list)


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise BackupError(f"{source} has no {MANIFEST}: not a Lapor backup") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"{MANIFEST} is not valid JSON") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{MANIFEST} is not a Lapor backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"backup format version {manifest.get('format_version')!r} is not "
                          f"supported (this code reads version {FORMAT_VERSION})")
    return manifest


def verify_files(source: Path, manifest: dict[str, Any]) -> None:
    """Every listed file exists with its size and SHA-256 (else BackupError naming it)."""
    files = manifest.get("files")
    if not isinstance(files, list) or not files:
        raise BackupError(f"{MANIFEST} lists no files")
    for entry in files:
        relative = _safe_relative(str(entry.get("path", "")))
        path = source / relative
        if not path.is_file():
            raise BackupError(f"missing file {relative}")
        if path.stat().st_size != entry.get("size") or _sha256_file(path) != entry.get("sha256"):
            raise BackupError(f"checksum mismatch: {relative} (the backup is damaged or was "
                              "changed)")
    db_file = manifest.get("database", {}).get("file")
    if db_file not in {str(entry["path"]) for entry in files}:
        raise BackupError(f"{MANIFEST} does not list the database file")


def check_migrations(manifest: dict[str, Any], using: str) -> list[str]:
    """Refuse a backup whose migration state this code does not know (made by a newer
    release); return the apps where the code is ahead (run ``lapor migrate`` after)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    graph = loader.graph
    newer = [f"{app}.{name}" for app, name in manifest.get("migrations", {}).items()
             if (app, name) not in graph.nodes]
    if newer:
        raise BackupError("the backup was made by a newer Lapor (unknown migrations: "
                          + ", ".join(sorted(newer)) + "); upgrade the code first")
    leaves = dict(graph.leaf_nodes())
    recorded = manifest.get("migrations", {})
    return sorted(app for app, name in leaves.items()
                  if app in recorded and recorded[app] != name)


def database_is_empty(using: str) -> bool:
    """No reports, users or organisation nodes (a freshly migrated database is empty; the
    region codes loaded by migrations don't count)."""
    tables = set(connections[using].introspection.table_names())
    for model in (Report, User, OrgNode):
        if model._meta.db_table in tables and model.objects.using(using).exists():
            return False
    return True


def plan_restore(source: Path, *, using: str = "default", force: bool = False,
                 ignore_keys: bool = False) -> RestorePlan:
    """Every check, nothing changed: raises BackupError on the first refusal."""
    manifest = read_manifest(source)
    verify_files(source, manifest)
    vendor = _vendor(using)
    if manifest["database"].get("vendor") != vendor:
        raise BackupError(f"the backup holds a {manifest['database'].get('vendor')} database; "
                          f"this installation uses {vendor}")
    older = check_migrations(manifest, using)
    problems = key_mismatches(manifest.get("keys", {}))
    if problems and not ignore_keys:
        raise BackupError("the running keys are not the backup's ("
                          + "; ".join(problems) + "): without them the reporters' identities "
                          "cannot be decrypted. Configure the backup's keys, or pass "
                          "--ignore-keys to restore anyway")
    if not force and not database_is_empty(using):
        raise BackupError("the database is not empty: pass --force to replace its contents")
    return RestorePlan(source=source, manifest=manifest, key_problems=problems,
                       older_migrations=older)


def _restore_files(plan: RestorePlan) -> dict[str, int]:
    """Write every file of the backup into its storage (FILE_SETS); files per directory. An
    old backup without ``sop/`` or ``renaksi/`` restores none there."""
    opened = {file_set.directory: file_set.storage() for file_set in FILE_SETS}
    counts = dict.fromkeys(opened, 0)
    for entry in plan.manifest["files"]:
        relative = _safe_relative(str(entry["path"]))
        found = _file_set(relative)
        if found is None:
            continue
        file_set, name = found
        storage = opened[file_set.directory]
        if storage.exists(name):
            storage.delete(name)
        with (plan.source / relative).open("rb") as handle:
            saved = storage.save(name, File(handle, name=name))
        if saved != name:
            raise BackupError(f"the {file_set.directory} storage saved {name!r} as {saved!r}")
        counts[file_set.directory] += 1
    return counts


def _restore_database(plan: RestorePlan, using: str) -> None:
    connection = connections[using]
    source = plan.source / plan.manifest["database"]["file"]
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        backup = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
        try:
            backup.backup(connection.connection)
        finally:
            backup.close()
        return
    connection.close()
    _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
          "--exit-on-error", "--no-password", f"--dbname={connection.settings_dict['NAME']}",
          str(source)], _pg_env(using))


@dataclass
class RestoreResult:
    counts: dict[str, int]  # files per backup directory (FILE_SETS)
    key_problems: list[str]
    older_migrations: list[str]


def restore_backup(source: Path, *, using: str = "default", force: bool = False,
                   ignore_keys: bool = False) -> RestoreResult:
    """Check everything (:func:`plan_restore`), then write the files (attachments, SOP PDFs,
    Renaksi evidence), then the database. Stop the web server and the workers first."""
    plan = plan_restore(source, using=using, force=force, ignore_keys=ignore_keys)
    counts = _restore_files(plan)
    _restore_database(plan, using)
    logger.warning("restored backup %s (%s)", plan.manifest.get("created_at"), summary(counts))
    return RestoreResult(counts=counts, key_problems=plan.key_problems,
                         older_migrations=plan.older_migrations)
