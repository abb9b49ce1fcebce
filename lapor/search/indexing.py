"""Keeping the SQLite full-text table current (PostgreSQL needs nothing: its search vector is
a generated column).

A report's title and body are written once at submission; a ``post_save`` handler (a search
index is the decoupled concern ARCHITECTURE habit 8 keeps signals for) stems them with
PySastrawi and writes the FTS5 row in the same transaction. Deleting a report removes its row
by trigger. Rows written around the ORM (bulk loads) are indexed by ``lapor search_reindex``.
"""

from __future__ import annotations

from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.signals import post_save

from lapor.reports.models import Report
from lapor.search.text import stemmed_text

FTS_TABLE = "search_report_fts"
INDEXED_FIELDS = frozenset({"title", "body"})
BATCH = 500


def _write(rows: list[tuple[int, str, str]], *, using: str) -> None:
    with connections[using].cursor() as cursor:
        cursor.executemany("DELETE FROM search_report_fts WHERE rowid = %s",
                           [(r[0],) for r in rows])
        cursor.executemany(
            "INSERT INTO search_report_fts (rowid, title, body) VALUES (%s, %s, %s)",
            [(pk, stemmed_text(title), stemmed_text(body)) for pk, title, body in rows],
        )


def _on_report_saved(sender: type, instance: Any, created: bool, using: str,
                     update_fields: frozenset[str] | None, **kwargs: Any) -> None:
    if connections[using].vendor != "sqlite":
        return
    if not created and update_fields is not None and not INDEXED_FIELDS & set(update_fields):
        return
    _write([(instance.pk, instance.title, instance.body)], using=using)


def sqlite_reindex(reports: QuerySet[Any], *, using: str = "default") -> int:
    """(Re)write the FTS rows of ``reports`` on SQLite; returns how many. No-op elsewhere."""
    if connections[using].vendor != "sqlite":
        return 0
    done = 0
    batch: list[tuple[int, str, str]] = []
    for row in reports.using(using).order_by("pk").values_list("pk", "title", "body").iterator():
        batch.append(row)
        if len(batch) >= BATCH:
            _write(batch, using=using)
            done, batch = done + len(batch), []
    if batch:
        _write(batch, using=using)
        done += len(batch)
    return done


def connect() -> None:
    post_save.connect(_on_report_saved, sender=Report, dispatch_uid="lapor.search.index")
