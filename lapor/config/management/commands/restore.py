"""``lapor restore SRC_DIR``: check a backup completely, then restore the stored files
(attachments, SOP PDFs, Renaksi evidence) and the database (lapor.config.backup). Stop the web
server and the workers first."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lapor.config.backup import BackupError, restore_backup, summary


class Command(BaseCommand):
    help = ("Restore a backup made by `lapor backup`. Every checksum, the migration state and "
            "the keys are checked before anything is changed.")

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("source", type=Path, help="A directory written by `lapor backup`")
        parser.add_argument("--force", action="store_true",
                            help="Replace the contents of a database that is not empty")
        parser.add_argument("--ignore-keys", action="store_true",
                            help="Restore although the running keys are not the backup's "
                                 "(identities will not decrypt)")
        parser.add_argument("--database", default="default", help="Database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = restore_backup(options["source"], using=options["database"],
                                    force=options["force"], ignore_keys=options["ignore_keys"])
        except BackupError as exc:
            raise CommandError(f"Restore refused, nothing was changed: {exc}") from exc
        if result.key_problems:
            self.stderr.write(self.style.ERROR(
                "WARNING: the running keys are not the backup's ("
                + "; ".join(result.key_problems) + "). Reporters' identities and access "
                "codes in this data will NOT work until the backup's keys are configured."))
        self.stdout.write(f"Restored the database and {summary(result.counts)} from "
                          f"{options['source']}")
        if result.older_migrations:
            self.stdout.write("The backup predates this code's migrations ("
                              + ", ".join(result.older_migrations) + "): run `lapor migrate`.")
