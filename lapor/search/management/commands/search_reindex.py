"""``lapor search_reindex``: rebuild the SQLite full-text table (after rows were written
around the ORM, e.g. a bulk import). PostgreSQL's search column is generated: nothing to do."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from lapor.reports.models import Report
from lapor.search.indexing import sqlite_reindex


class Command(BaseCommand):
    help = "Rebuild the SQLite full-text index of reports (no-op on PostgreSQL)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = sqlite_reindex(Report.objects.all())
        self.stdout.write(f"indexed {count} reports")
