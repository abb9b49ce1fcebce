"""One full-text interface, two engines (docs/search.md).

``backend().match(qs, query)`` narrows a report queryset to the reports matching every word
of ``query`` and annotates each with ``search_score`` (higher is better). ``any_of`` does the
same for reports matching at least one of the given stems (duplicate candidates).

* PostgreSQL: the generated ``search_vector`` column (``indonesian`` configuration, GIN
  index, migration ``search.0001``); ``websearch_to_tsquery`` parses the user's words (quotes
  and ``-word`` work); the score is ``ts_rank`` normalised by document length.
  Where the RUM extension is installed (migration ``search.0003``), ``newest(qs, text)`` also
  orders the matches newest first from the RUM index (``submitted_at`` is kept in the index
  beside each word), so the first page of a query matching 100,000 reports reads about as
  much as one matching 20.
* SQLite: the FTS5 table ``search_report_fts`` holding PySastrawi stems; every stemmed word
  must match; the score is ``-bm25`` with the title weighing twice the body.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from typing import Any, Protocol

from django.db import connection, connections, transaction
from django.db.models import BooleanField, FloatField, QuerySet
from django.db.models.expressions import RawSQL

log = logging.getLogger(__name__)

SCORE = "search_score"
_PG_QUERY = "websearch_to_tsquery('indonesian'::regconfig, %s)"
_PG_ANY = "to_tsquery('indonesian'::regconfig, %s)"
_COLUMN = '"reports_report"."search_vector"'
# The RUM index of migration search.0003 (created only where the extension is available).
RUM_INDEX = "report_search_rum"
ORDER = "search_order"
# Newest first from the RUM index: ``submitted_at <=| t`` is the distance below ``t`` (the
# index's ordering operator); page 1 measures from a moment after every report.
_PG_BEFORE = '"reports_report"."submitted_at" <=| %s::timestamptz'
FAR_FUTURE = datetime.fromisoformat("2200-01-01T00:00:00+00:00")
# The expression of the GIN index ``report_search_scope_hops`` (migration search.0006),
# written exactly as there: the search vector plus one ``~<id>`` lexeme per node the report
# names (tier, agency, current node, every disposition hop's node).
SCOPE_INDEX = "report_search_scope_hops"
SCOPED_VECTOR = (
    '("reports_report"."search_vector" || lapor_scope_lexemes("reports_report"."tier_id", '
    '"reports_report"."agency_id", "reports_report"."current_node_id", '
    '"reports_report"."disposition_nodes"))'
)
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


    def newest(self, qs: QuerySet[Any], text: str, *,
               before: datetime | None = None) -> QuerySet[Any]:
        """Matches of ``text`` in ``qs`` newest first, at or before ``before``, each with
        ``search_score``, ordered by the RUM index (``submitted_at <=| t``: the distance below
        ``t``, answered from the index, where every word's entries carry ``submitted_at``): a
        ``LIMIT`` then reads the page's rows from the table and no other match's. Only where
        :func:`rum_ready`. Rows of exactly the same ``submitted_at`` come in no fixed order
        (the caller orders the page by id)."""
        matches = RawSQL(f"{_COLUMN} @@ {_PG_QUERY}", [text],  # noqa: S611
                         output_field=BooleanField())
        score = RawSQL(f"ts_rank({_COLUMN}, {_PG_QUERY}, 1)::float8", [text],  # noqa: S611
                       output_field=FloatField())
        order = RawSQL(_PG_BEFORE, [before or FAR_FUTURE],  # noqa: S611
                       output_field=FloatField())
        qs = qs.filter(matches)
        if before is not None:
            qs = qs.filter(submitted_at__lte=before)
        return qs.annotate(**{SCORE: score, ORDER: order}).order_by(ORDER)

    def within(self, qs: QuerySet[Any], text: str, nodes: list[int]) -> QuerySet[Any]:
        """Reports of ``qs`` matching ``text`` whose tier, agency, current node or one of whose
        disposition hops is one of ``nodes`` (:func:`lapor.reports.permissions.
        reports_visible_to`'s rule), in one scan of the index ``report_search_scope_hops``
        ("these words AND any of these nodes' lexemes"), each with ``search_score``. Only where
        :func:`scope_index_ready`. An empty ``nodes`` matches nothing."""
        if not nodes:
            return qs.none()
        # Ints only: the lexemes are built here, and travel as a bound parameter.
        scope = " | ".join(f"'~{int(n)}'" for n in sorted(set(nodes)))
        matches = RawSQL(f"{SCOPED_VECTOR} @@ ({_PG_QUERY} && %s::tsquery)",  # noqa: S611
                         [text, scope], output_field=BooleanField())
        score = RawSQL(f"ts_rank({_COLUMN}, {_PG_QUERY}, 1)::float8", [text],  # noqa: S611
                       output_field=FloatField())
        return qs.filter(matches).annotate(**{SCORE: score})


@contextmanager
def _planner_without(method: str) -> Iterator[None]:
    """Inside: PostgreSQL's planner does not use ``method`` (``SET LOCAL enable_<method> =
    off`` in a transaction, a savepoint in an outer one; set back to the default after, so
    the rest of an outer transaction plans as usual)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL enable_{method} = off")
        yield
        cursor.execute(f"SET LOCAL enable_{method} TO DEFAULT")


def ordered_walk() -> AbstractContextManager[None]:
    """Inside: PostgreSQL reads a bounded window of rows in index order, stopping at the
    ``LIMIT``, instead of collecting the whole window through a bitmap and sorting it (which
    it prefers when it under-estimates the matches)."""
    return _planner_without("bitmapscan")


def scope_scan() -> AbstractContextManager[None]:
    """Inside: PostgreSQL answers a staff reader's search from the scope index's bitmap
    (:meth:`PostgresBackend.within`), never by walking a time-ordered index and checking the
    words and nodes on each row, which it prefers when it over-estimates how common the
    reader's matches are: at 10,000,000 reports a hub's "obat kosong" with a status filter
    walked ``report_status_feed`` through 176,000 rows of other agencies for 21 matches
    (566 ms; from the scope index about 70 ms)."""
    return _planner_without("indexscan")


_word_stats: dict[str, tuple[float, dict[str, float], float]] = {}
WORD_STATS_SECONDS = 300


def _lexeme_shares() -> tuple[dict[str, float], float]:
    """The share of reports holding each common lexeme (ANALYZE's ``most_common_elems`` of
    the search vector) and the share assumed for any other (half the rarest listed, as the
    planner assumes), read once per five minutes per process and database."""
    key = str(connection.settings_dict["NAME"])
    now = time.monotonic()
    cached = _word_stats.get(key)
    if cached is None or now - cached[0] > WORD_STATS_SECONDS:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                "WHERE tablename = 'reports_report' AND attname = 'search_vector' "
                "AND schemaname = current_schema()")
            row = cursor.fetchone()
        elems, freqs = (row[0] or [], row[1] or []) if row else ([], [])
        shares = dict(zip(elems, freqs, strict=False))
        floor = freqs[len(elems)] / 2 if len(freqs) > len(elems) else 0.0
        cached = (now, shares, floor)
        _word_stats[key] = cached
    return cached[1], cached[2]


def word_stats_clear() -> None:
    """Forget the statistics read by :func:`_lexeme_shares` (tests: a test database is
    re-filled and re-analysed within five minutes, which a real database is not)."""
    _word_stats.clear()


def word_share(text: str) -> float:
    """At most about what share of reports match every word of ``text``: the share of its
    rarest word (ANALYZE's statistics; nothing is read from the index or the table). Words of
    a template occur together, so the planner's product of the shares under-estimates them by
    10× and more (docs/search.md); the rarest word's share is an upper bound instead."""
    shares, floor = _lexeme_shares()
    return min((shares.get(w, floor) for w in _text_lexemes(text)), default=0.0)


_lexemes: dict[str, list[str]] = {}
LEXEMES_KEPT = 2_000


def _text_lexemes(text: str) -> list[str]:
    """PostgreSQL's lexemes of ``text`` (the ``indonesian`` configuration, which a migration
    sets and nothing changes at run time), kept per process: people search the same few
    thousand phrases, and each is otherwise a round trip per search."""
    found = _lexemes.get(text)
    if found is None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT tsvector_to_array(to_tsvector('indonesian'::regconfig, %s))",
                           [text])
            row = cursor.fetchone()
        found = list(row[0]) if row and row[0] else []
        if len(_lexemes) >= LEXEMES_KEPT:
            _lexemes.clear()
        _lexemes[text] = found
    return found


def estimated_rows(qs: QuerySet[Any]) -> int:
    """PostgreSQL's estimate of how many rows ``qs`` has (its plan, not its rows: about a
    millisecond however many there are). For word queries it assumes the words independent,
    so template-like text is under-estimated (docs/search.md)."""
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (doc,) = cursor.fetchone()
    plan = (doc if isinstance(doc, list) else json.loads(doc))[0]["Plan"]
    return int(plan["Plan Rows"])


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


_rum_ready: dict[tuple[str, str, str], bool] = {}


def _index_valid(using: str, name: str) -> bool | None:
    """Whether the index ``name`` is valid on this PostgreSQL database (a ``CREATE INDEX
    CONCURRENTLY`` still building, or one that failed, is not), asked once per process and
    database; ``None`` when asked for the first time and missing, to log once."""
    conn = connections[using]
    if conn.vendor != "postgresql":
        return False
    key = (using, str(conn.settings_dict["NAME"]), name)
    if key in _rum_ready:
        return _rum_ready[key]
    with conn.cursor() as cursor:
        cursor.execute("SELECT i.indisvalid FROM pg_index i JOIN pg_class c "
                       "ON c.oid = i.indexrelid WHERE c.relname = %s", [name])
        row = cursor.fetchone()
    _rum_ready[key] = bool(row and row[0])
    return _rum_ready[key] or None


def rum_ready(using: str = "default") -> bool:
    """Whether this PostgreSQL database has the RUM search index (valid: a ``CREATE INDEX
    CONCURRENTLY`` still building, or one that failed, does not count). Asked once per
    process and database; :func:`forget_rum` after creating or dropping it."""
    valid = _index_valid(using, RUM_INDEX)
    if valid is None and connections[using].vendor == "postgresql":
        log.warning("search: no valid RUM index %s on this database; full-text search "
                    "ranks every match through the GIN index and refuses broad queries "
                    "(docs/search.md, 'RUM')", RUM_INDEX)
    return bool(valid)


def scope_index_ready(using: str = "default") -> bool:
    """Whether this PostgreSQL database has the valid index ``report_search_scope_hops``
    (migration search.0006): staff search then reads a reader's matches from it. Cached like
    :func:`rum_ready` (:func:`forget_rum` clears both)."""
    valid = _index_valid(using, SCOPE_INDEX)
    if valid is None and connections[using].vendor == "postgresql":
        log.warning("search: no valid index %s on this database; staff search checks the "
                    "reader's scope on each text match (docs/search.md)", SCOPE_INDEX)
    return bool(valid)


def forget_rum() -> None:
    _rum_ready.clear()


def backend() -> SearchBackend:
    if connection.vendor == "postgresql":
        return PostgresBackend()
    return SqliteBackend()
