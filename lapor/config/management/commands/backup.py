"""``lapor backup DEST_DIR``: the database, the stored files (attachments, SOP PDFs, Renaksi
evidence) and a manifest (lapor.config.backup).

Keys are not included: keep LAPOR_SECRET_KEY, LAPOR_ENCRYPTION_KEYS and LAPOR_BLIND_INDEX_KEY
separately (docs/operations.md "Backup and restore").
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lapor.config.backup import BackupError, create_backup, summary


class Command(BaseCommand):
    help = ("Back up the database, the attachments, the approved SOP PDFs and the Renaksi "
            "evidence into a new directory, with a manifest of checksums. Encryption keys are "
            "NOT included: keep them separately.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("dest", type=Path, help="A new (or empty) directory")
        parser.add_argument("--database", default="default", help="Database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = create_backup(options["dest"], using=options["database"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Backed up the {result.vendor} database and {summary(result.counts)} "
            f"({result.bytes} bytes) to {result.path}")
        self.stderr.write(
            "The encryption keys are not in the backup. Without LAPOR_ENCRYPTION_KEYS, "
            "LAPOR_BLIND_INDEX_KEY and LAPOR_SECRET_KEY it cannot be used: keep them "
            "separately.")
