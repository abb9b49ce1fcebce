"""One full-text interface, two engines (docs/search.md).

``backend().match(qs, query)`` narrows a report queryset to the reports matching every word
of ``query`` and annotates each with ``search_score`` (higher is better). ``any_of`` does the
same for reports matching at least one of the given stems (duplicate candidates).

* PostgreSQL: the generated ``search_vector`` column (``indonesian`` configuration, GIN
  index, migration ``search.0001``); ``websearch_to_tsquery`` parses the user's words (quotes
  and ``-word`` work); the score is ``ts_rank`` normalised by document length.
* SQLite: the FTS5 table ``search_report_fts`` holding PySastrawi stems; every stemmed word
  must match; the score is ``-bm25`` with the title weighing twice the body.
"""

from __future__ import annotations

from typing import Any, Protocol

from django.db import connection
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

SCORE = "search_score"
_PG_QUERY = "websearch_to_tsquery('indonesian'::regconfig, %s)"
_PG_ANY = "to_tsquery('indonesian'::regconfig, %s)"
_COLUMN = '"reports_report"."search_vector"'
_FTS_IDS = "SELECT rowid FROM search_report_fts WHERE search_report_fts MATCH %s"
_FTS_SCORE = (
    "SELECT -bm25(search_report_fts, 2.0, 1.0) FROM search_report_fts "
    "WHERE search_report_fts MATCH %s AND rowid = reports_report.id"
)


class SearchBackend(Protocol):
    def match(self, qs: QuerySet[Any], text: str, stems: list[str], *,
              few: bool = False) -> QuerySet[Any]:
        """``few``: ``qs`` holds few rows (an id list): check the text on each of them rather
        than reading the text index's matches across every report."""
        ...

    def any_of(self, qs: QuerySet[Any], stems: list[str]) -> QuerySet[Any]: ...


class PostgresBackend:
    def _apply(self, qs: QuerySet[Any], tsquery: str, param: str,
               few: bool = False) -> QuerySet[Any]:
        # Constant SQL text; the user's words travel only as the bound parameter. With
        # ``few``, the column is wrapped (``|| ''``, the same vector) so the GIN index can't
        # be chosen: PostgreSQL misjudges template-like text and would read every match.
        column = f"({_COLUMN} || ''::tsvector)" if few else _COLUMN
        matches = RawSQL(f"{column} @@ {tsquery}", [param],  # noqa: S611
                         output_field=BooleanField())
        # float8: the exact value travels to Python and back in a cursor (ts_rank is float4).
        score = RawSQL(f"ts_rank({_COLUMN}, {tsquery}, 1)::float8", [param],  # noqa: S611
                       output_field=FloatField())
        return qs.filter(matches).annotate(**{SCORE: score})

    def match(self, qs: QuerySet[Any], text: str, stems: list[str], *,
              few: bool = False) -> QuerySet[Any]:
        return self._apply(qs, _PG_QUERY, text, few)

    def any_of(self, qs: QuerySet[Any], stems: list[str]) -> QuerySet[Any]:
        # The stems are \w+ words: safe as tsquery lexemes once quoted.
        return self._apply(qs, _PG_ANY, " | ".join(f"'{s}'" for s in stems))


class SqliteBackend:
    def _apply(self, qs: QuerySet[Any], expression: str) -> QuerySet[Any]:
        # Constant SQL text; the match expression is the bound parameter.
        ids = RawSQL(_FTS_IDS, [expression])  # noqa: S611
        score = RawSQL(_FTS_SCORE, [expression], output_field=FloatField())  # noqa: S611
        return qs.filter(pk__in=ids).annotate(**{SCORE: score})

    def match(self, qs: QuerySet[Any], text: str, stems: list[str], *,
              few: bool = False) -> QuerySet[Any]:
        # Stems are \w+ words (no quotes); quoted, FTS5 reads them as plain terms. AND of all.
        return self._apply(qs, " ".join(f'"{s}"' for s in stems))

    def any_of(self, qs: QuerySet[Any], stems: list[str]) -> QuerySet[Any]:
        return self._apply(qs, " OR ".join(f'"{s}"' for s in stems))


def backend() -> SearchBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    return SqliteBackend()
