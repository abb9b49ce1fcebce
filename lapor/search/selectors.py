"""Searching reports: the public scope or what a staff actor may see, ranked, with snippets.

Every search starts from a scope (:func:`public_search_scope` or
:func:`lapor.reports.permissions.reports_visible_to`), so nobody finds what they may not read:
confidential, unverified and training reports are never in the public scope. A query must have
at least ``QUERY_MIN_CHARS`` letters or digits (``query_too_short``).

On PostgreSQL with the RUM index (issue 21) the matches come newest first, however many there
are, each page costing about what a narrow query's costs (:func:`_newest_first`); pages are
keyset pages on ``(submitted_at, id)``. Elsewhere (SQLite's FTS5, PostgreSQL without RUM) they
are ranked, and a query matching more than ``LAPOR_SEARCH_MAX_MATCHES`` reports of its scope
and filters is refused (``query_too_broad``): ranking needs every match scored, and this bound
is what keeps a search from turning into a scan. Pages are keyset pages on ``(score, id)``.

A query that is a tracking number as a whole ("#1234 5678-9012", separators and spaces
allowed, Verhoeff check digit valid) is not searched as text: it finds that one report if it is
in the scope, else nothing (:func:`tracking_number_in`).
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from lapor.core.errors import ValidationFailed
from lapor.core.pagination import Page, decode_cursor, encode_cursor
from lapor.orgs.actors import READER_ROLES, Actor
from lapor.orgs.models import NodeKind
from lapor.regions.models import Region
from lapor.reports.feed import (
    FEED_PAGE_SIZE,
    PUBLIC_STATUSES,
    FeedFilters,
    public_filtered,
    public_reports,
    public_scope,
)
from lapor.reports.models import Report
from lapor.reports.permissions import reports_visible_to, visible_nodes, visible_report_ids
from lapor.reports.states import Status
from lapor.reports.submission import normalise_tracking_number, tracking_number_valid
from lapor.search.backends import (
    SCORE,
    PostgresBackend,
    backend,
    estimated_rows,
    ordered_walk,
    rum_ready,
    scope_index_ready,
    scope_scan,
)
from lapor.search.backends import word_share as pg_word_share
from lapor.search.text import Snippet, snippet, stems, words

QUERY_MIN_CHARS = 3
QUERY_MAX_CHARS = 200
QUERY_MAX_WORDS = 12
PAGE_SIZE = 20
RESULT_FIELDS = (
    "id", "tracking_number", "type", "title", "body", "status", "submitted_at",
    "support_count", "is_confidential", "is_anonymous", "channel",
    "region__code", "region__name",
    "category__code", "category__name_id", "category__name_en",
    "agency__code", "agency__name", "current_node__code", "current_node__name",
)


@dataclass(frozen=True)
class SearchQuery:
    text: str
    stems: list[str]


@dataclass(frozen=True)
class SearchFilters:
    category: str = ""
    region: str = ""
    status: str = ""
    agency: str = ""


@dataclass(frozen=True)
class SearchPage(Page["Hit"]):
    """A page of hits, with an estimate of how many reports of the scope and filters match,
    at most (``None`` where there is none: SQLite, the GIN fallback, a tracking number): the
    scope's size from PostgreSQL's plan times the share of reports holding the query's rarest
    word (ANALYZE's statistics). No match is read or counted for it."""

    estimated_total: int | None = None


@dataclass(frozen=True)
class Scoped:
    """A staff reader's scope as the scope index reads it: ``base`` is the reports and the
    filters without the scope; ``nodes`` the reader's nodes
    (:func:`lapor.reports.permissions.visible_nodes`)."""

    base: QuerySet[Report]
    nodes: list[int]


@dataclass
class Hit:
    report: Report
    score: float
    title: Snippet
    snippet: Snippet


def parse_query(raw: str) -> SearchQuery:
    """The cleaned query, or ``query_too_short``."""
    text = " ".join(raw.split())[:QUERY_MAX_CHARS]
    found = words(text)
    if sum(len(w) for w in found) < QUERY_MIN_CHARS:
        raise ValidationFailed("query_too_short", field="q",
                               detail={"min_chars": QUERY_MIN_CHARS})
    unique = list(dict.fromkeys(stems(" ".join(found[:QUERY_MAX_WORDS]))))
    return SearchQuery(text=text, stems=unique)


# A whole query made of digits and the separators people type in a tracking number.
_NUMBER_LIKE = re.compile(r"#?[\d\s.\-\u2010-\u2015]+")


def _number_typed(raw: str) -> str | None:
    text = raw.strip()
    if not text or not _NUMBER_LIKE.fullmatch(text):
        return None
    number = normalise_tracking_number(text).replace(".", "")
    # Tracking numbers never start with 0 (lapor.reports.submission.new_tracking_number): a
    # 12-digit telephone number such as 081254320987 is searched as text.
    return number if len(number) == 12 and number[0] != "0" else None


def tracking_number_in(raw: str) -> str | None:
    """The tracking number a query consists of (separators removed), if its check digit is
    valid; ``None`` for any other query."""
    number = _number_typed(raw)
    return number if number is not None and tracking_number_valid(number) else None


def tracking_number_typo(raw: str) -> bool:
    """The query looks like a tracking number (12 digits) but its check digit is wrong."""
    number = _number_typed(raw)
    return number is not None and not tracking_number_valid(number)


def public_search_scope() -> QuerySet[Report]:
    """What the public may find: the public feed's scope, never a training report."""
    return public_scope().filter(is_training=False)


def apply_filters(qs: QuerySet[Report], filters: SearchFilters) -> QuerySet[Report]:
    if filters.status:
        if filters.status not in Status.values:
            raise ValidationFailed("validation_error", field="status")
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(Q(category__code=filters.category)
                       | Q(category__parent__code=filters.category))
    if filters.region:
        # The region and the regions below it as a list of codes: an equality list the
        # region index can intersect with the full-text index (a prefix match through a join
        # would make PostgreSQL check every text match against the region one by one).
        region = filters.region.strip(". ")
        qs = qs.filter(region_id__in=[region, *Region.objects.filter(
            code__startswith=f"{region}.").values_list("code", flat=True)])
    if filters.agency:
        qs = qs.filter(agency__code=filters.agency)
    return qs


def _encode(score: float, pk: int) -> str:
    raw = json.dumps([score, pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str) -> tuple[float, int]:
    try:
        score, pk = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(score, int | float) or not isinstance(pk, int):
            raise ValueError("bad cursor")
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationFailed("invalid_cursor", field="cursor") from exc
    return float(score), pk


# Staff search starts from the reader's report ids when there are at most this many.
SCOPE_FIRST_MAX = 10_000


def max_matches() -> int:
    return int(getattr(settings, "LAPOR_SEARCH_MAX_MATCHES", 1_000))


def search(qs: QuerySet[Report], raw_query: str, *, cursor: str | None = None,
           limit: int = PAGE_SIZE, few: bool = False, walk: bool = False,
           filtered: bool = False, scope_size: int | None = None,
           scoped: Scoped | None = None) -> Page[Hit]:
    """Reports of ``qs`` matching ``raw_query``, ``limit`` after ``cursor``.

    PostgreSQL with the RUM index (:func:`lapor.search.backends.rum_ready`): newest first,
    see :func:`_newest_first`; ``walk``: ``qs`` is a scope with an index in time order and no
    filter (the public scope, a national reader), which a broad query may walk; ``filtered``:
    ``qs`` has a region, category or agency filter; ``scope_size``: how many reports ``qs``
    holds, when known (the reader's ids); ``scoped``: ``qs`` is a staff reader's scope that
    the scope index answers (:func:`_scoped_matches`).

    Elsewhere (SQLite, PostgreSQL without RUM), best first: one query reads ``(id, score)``
    of at most ``max_matches() + 1`` matches (more: too
    broad); they are ordered here, and only the page's rows are then loaded. Every match is
    read once, and only its index entry and row, never the whole table.
    """
    number = tracking_number_in(raw_query)
    if number is not None:
        return _by_number(qs, number, first_page=cursor is None)
    query = parse_query(raw_query)
    if rum_ready():
        return _newest_first(qs, query, cursor=cursor, limit=limit, few=few, walk=walk,
                             filtered=filtered, scope_size=scope_size, scoped=scoped)
    position = _decode(cursor) if cursor else None
    cap = max_matches()
    pairs: list[tuple[int, float]] = list(
        backend().match(qs, query.text, query.stems, few=few).values_list("pk", SCORE)[: cap + 1])
    if len(pairs) > cap:
        raise ValidationFailed("query_too_broad", field="q", detail={"max_matches": cap})
    pairs.sort(key=lambda pair: (-pair[1], -pair[0]))
    if position is not None:
        score, pk = position
        pairs = [(i, s) for i, s in pairs if s < score or (s == score and i < pk)]
    more = len(pairs) > limit
    pairs = pairs[:limit]
    rows = Report.objects.select_related("region", "category", "agency", "current_node").only(
        *RESULT_FIELDS).in_bulk([pk for pk, _ in pairs])
    wanted = set(query.stems)
    hits = [Hit(report=rows[pk], score=score, title=snippet(rows[pk].title, wanted, size=40),
                snippet=snippet(rows[pk].body, wanted)) for pk, score in pairs]
    next_cursor = _encode(hits[-1].score, hits[-1].report.pk) if more and hits else None
    return Page(items=hits, next_cursor=next_cursor)


# Newest first (PostgreSQL with RUM): a query whose rarest word is in at least one report of
# WALK_ROWS // (PAGE_SIZE + 1) walks the scope's newest rows, at most WALK_ROWS of them; the
# rest of the page comes from the RUM index below those rows.
WALK_ROWS = 2_000


def _keyset_before(qs: QuerySet[Report], moment: Any, pk: int) -> QuerySet[Report]:
    # The plain bound lets an index range-scan from the cursor (lapor.core.pagination).
    return qs.filter(submitted_at__lte=moment).filter(
        Q(submitted_at__lt=moment) | Q(pk__lt=pk))


def _newest_first(qs: QuerySet[Report], query: SearchQuery, *, cursor: str | None,
                  limit: int, few: bool, walk: bool, filtered: bool,
                  scope_size: int | None, scoped: Scoped | None = None) -> SearchPage:
    """Matches of ``qs`` newest first (``submitted_at``, then id), the first page costing
    what a page of a narrow query costs however many reports match. No cap: a broad query
    is answered, not refused.

    * ``scoped`` (a staff reader, the scope index): :func:`_scoped_matches`;
    * ``few`` (``qs`` is the reader's few thousand report ids): the text is checked on those
      rows, newest first, unless the query's rarest word is rarer in the whole table than the
      reader's reports (then the text index is intersected with the ids); ``filtered`` (a
      region, category or agency): PostgreSQL intersects the text index with the filter's
      and sorts the matches of the region;
    * ``walk`` and a query whose rarest word could fill the page within ``WALK_ROWS`` of the
      scope's newest rows (:func:`lapor.search.backends.word_share`, an upper bound from
      ANALYZE's statistics; a wrong guess costs at most the walk): the scope's newest
      ``WALK_ROWS`` rows are walked in time order (the public feed's partial index,
      ``report_recent``) and the text checked on each; a broad query fills the page in a few
      hundred rows;
    * otherwise, and for what the walk did not fill: the RUM index reads the matches
      newest first with ``submitted_at`` kept beside each word, and only the page's rows are
      read from the table (the scope and filters checked on each).
    """
    pg = PostgresBackend()
    scope = qs
    origin = None  # every row still to read is at or before this moment
    position = None
    if cursor:
        origin, pk = decode_cursor(cursor)
        position = (origin, pk)
        qs = _keyset_before(qs, origin, pk)
    want = limit + 1
    share = pg_word_share(query.text)
    found: list[Report] = []
    rest = qs
    if scoped is not None:
        found = _scoped_matches(scoped, query, want, position)
        rest = qs.none()
    elif few or filtered:
        # The reader's ids, or a region/category/agency filter: no walk, no RUM order.
        # PostgreSQL intersects the text index with the ids (or the filter's index) and sorts
        # the few matches; but for a word commoner in the whole table than the reader's
        # reports (or the filter's), the text is checked on each of those rows instead
        # (``few``: the GIN bitmap of 80,000 matches costs 100 ms, 2,258 rows 25 ms; a
        # regency at 10 M: a million matches 480 ms, its 6,887 reports 15 ms).
        held = (scope_size or 0) if few else _scope_rows(scope)
        on_rows = share * _scope_rows(Report.objects.all()) >= held
        found = list(pg.match(qs, query.text, query.stems, few=on_rows)
                     .only("pk", "submitted_at").order_by("-submitted_at", "-pk")[:want])
        rest = qs.none()
    elif walk and share * WALK_ROWS >= want:
        window = qs.order_by("-submitted_at", "-pk").values_list("submitted_at", "pk")
        edges = list(window[WALK_ROWS - 1:WALK_ROWS])
        walked = qs if not edges else qs.filter(submitted_at__gte=edges[0][0]).filter(
            Q(submitted_at__gt=edges[0][0]) | Q(pk__gte=edges[0][1]))
        with ordered_walk():
            found = list(pg.match(walked, query.text, query.stems, few=True)
                         .only("pk", "submitted_at").order_by("-submitted_at", "-pk")[:want])
        rest = qs.none() if not edges else _keyset_before(qs, *edges[0])
        origin = edges[0][0] if edges else origin
    if len(found) < want:
        # A few more than needed: rows of the same moment come from RUM in no fixed order.
        more = list(pg.newest(rest, query.text, before=origin).only("pk", "submitted_at")
                    [: want - len(found) + 8])
        more.sort(key=lambda r: (r.submitted_at, r.pk), reverse=True)
        found += more[: want - len(found)]
    has_more = len(found) > limit
    found = found[:limit]
    rows = Report.objects.select_related("region", "category", "agency", "current_node").only(
        *RESULT_FIELDS).in_bulk([r.pk for r in found])
    wanted = set(query.stems)
    hits = [Hit(report=rows[r.pk], score=getattr(r, SCORE),
                title=snippet(rows[r.pk].title, wanted, size=40),
                snippet=snippet(rows[r.pk].body, wanted)) for r in found]
    last = found[-1] if found else None
    next_cursor = encode_cursor(last.submitted_at, last.pk) if has_more and last else None
    size = scope_size if scope_size is not None else _scope_rows(scope)
    return SearchPage(items=hits, next_cursor=next_cursor,
                      estimated_total=round(share * size))


def _scoped_matches(scoped: Scoped, query: SearchQuery, want: int,
                    position: tuple[Any, int] | None) -> list[Report]:
    """The ``want`` newest matches of a staff reader's scope (before ``position``): one scan
    of the GIN index ``report_search_scope_hops`` ("the words AND any of the nodes'
    lexemes": a report's tier, agency, current node and disposition hops each have one),
    ordered and cut by PostgreSQL (``ORDER BY submitted_at DESC, id DESC LIMIT want``). Only
    the matches inside the scope are read, however many the country has; the rule is exactly
    :func:`lapor.reports.permissions.reports_visible_to`'s, the reports a unit sees only
    through a hop (a misroute it handed back) included."""
    base = scoped.base if position is None else _keyset_before(scoped.base, *position)
    with scope_scan():
        return list(PostgresBackend().within(base, query.text, scoped.nodes)
                    .only("pk", "submitted_at").order_by("-submitted_at", "-pk")[:want])


_scope_estimates: dict[str, tuple[float, int]] = {}
SCOPE_ESTIMATE_SECONDS = 300


def scope_estimates_clear() -> None:
    """Forget the kept estimates (tests: a test database changes size within five minutes,
    which a real database does not)."""
    _scope_estimates.clear()


def _estimate(key: tuple[Any, ...], make: Callable[[], QuerySet[Any]]) -> int:
    """:func:`_scope_rows` of ``make()`` kept under ``key``: the queryset is built and
    compiled only when the estimate is missing or stale (compiling the staff scope's SQL to
    key the cache cost more CPU than the search's own queries)."""
    now = time.monotonic()
    cached = _scope_estimates.get(repr(key))
    if cached is None or now - cached[0] > SCOPE_ESTIMATE_SECONDS:
        if len(_scope_estimates) > 1_000:
            _scope_estimates.clear()
        cached = (now, max(estimated_rows(make()), 1))
        _scope_estimates[repr(key)] = cached
    return cached[1]


def _scope_rows(qs: QuerySet[Any]) -> int:
    """PostgreSQL's estimate of the rows of a scope and its filters (its plan), kept five
    minutes per process: scopes change slowly, and planning a query costs a round trip."""
    sql, params = qs.order_by().values("pk").query.sql_with_params()
    key = repr((sql, params))
    now = time.monotonic()
    cached = _scope_estimates.get(key)
    if cached is None or now - cached[0] > SCOPE_ESTIMATE_SECONDS:
        if len(_scope_estimates) > 1_000:  # one per filter combination seen: keep it small
            _scope_estimates.clear()
        cached = (now, max(estimated_rows(qs), 1))
        _scope_estimates[key] = cached
    return cached[1]


def _by_number(qs: QuerySet[Report], number: str, *, first_page: bool) -> Page[Hit]:
    """The one report of ``qs`` with this tracking number, as a page of one hit (or none)."""
    row = (qs.filter(tracking_number=number)
           .select_related("region", "category", "agency", "current_node")
           .only(*RESULT_FIELDS).first()) if first_page else None
    if row is None:
        return Page(items=[], next_cursor=None)
    return Page(items=[Hit(report=row, score=1.0, title=snippet(row.title, set(), size=40),
                           snippet=snippet(row.body, set()))], next_cursor=None)


def public_report_number(number: str) -> bool:
    """Whether the report with this tracking number has a public page (the public scope)."""
    return public_search_scope().filter(tracking_number=number).exists()


def search_public(raw_query: str, filters: SearchFilters, *, cursor: str | None = None,
                  limit: int = PAGE_SIZE) -> Page[Hit]:
    if filters.status and filters.status not in PUBLIC_STATUSES:
        raise ValidationFailed("validation_error", field="status")
    return search(apply_filters(public_search_scope(), filters), raw_query, cursor=cursor,
                  limit=limit, walk=_walkable(filters), filtered=not _walkable(filters))


def _walkable(filters: SearchFilters | FeedFilters) -> bool:
    """A scope narrowed only by status keeps an index in time order (the public feed's,
    ``report_status_feed``, ``report_recent``): a broad query may walk it. A region,
    category or agency filter has none."""
    return not (filters.region or filters.category or filters.agency)


def public_feed(raw_query: str, filters: FeedFilters, *, cursor: str | None = None,
                limit: int = FEED_PAGE_SIZE) -> Page[Report]:
    """The public feed (lapor.reports.feed) with the words of its search box: without words,
    the newest reports (:func:`lapor.reports.feed.public_reports`); with words, the filtered
    reports ranked by :func:`search`, each carrying its ``search_snippet``."""
    q = raw_query.strip()[:QUERY_MAX_CHARS]
    if not q:
        return public_reports(filters, cursor=cursor, limit=limit)
    hits = search(public_filtered(filters).filter(is_training=False), q, cursor=cursor,
                  limit=limit, walk=_walkable(filters), filtered=not _walkable(filters))
    for hit in hits.items:
        hit.report.search_snippet = hit.snippet  # type: ignore[attr-defined]
    return Page(items=[hit.report for hit in hits.items], next_cursor=hits.next_cursor)


def _reports_with_ids(ids: set[int]) -> QuerySet[Report]:
    """``pk__in`` for thousands of ids: on PostgreSQL one array parameter (``= ANY(%s)``) sent
    as its text; an IN list of 2,258 placeholders cost 55 ms of Python in Django and psycopg
    per search, a list adapted by psycopg 13 ms."""
    if connection.vendor != "postgresql":
        return Report.objects.filter(pk__in=ids)
    literal = "{" + ",".join(map(str, sorted(ids))) + "}"  # ints only: an array literal
    return Report.objects.filter(RawSQL('"reports_report"."id" = ANY(%s::bigint[])',
                                        [literal], output_field=BooleanField()))


def search_staff(actor: Actor, raw_query: str, filters: SearchFilters, *,
                 cursor: str | None = None, limit: int = PAGE_SIZE) -> Page[Hit]:
    """Only what ``actor`` may read as staff (nothing for anyone else).

    PostgreSQL with RUM and the scope index (migration search.0005), every reader below the
    root: the reader's nodes are matched inside the text index (:func:`_scoped_matches`), so
    the first page is one index scan of the matches in scope, whatever the scope's size, and
    nothing of the reader's reports is read first. Otherwise:

    A reader of a few thousand reports (a regency's hub, a unit) is searched from those ids:
    PostgreSQL cannot estimate how many reports match template-like text ("sampah menumpuk":
    80,000 in the country, estimated 10,000) and would otherwise check the reader's scope on
    every text match, one heap page each. Readers of more than ``SCOPE_FIRST_MAX`` reports
    (the national desk, a large province) keep the text-first plan, where few matches fall
    outside their scope. A national reader (a role on the root: every real report) may walk
    the newest reports (index ``report_recent``) for a broad query."""
    nodes = visible_nodes(actor)
    if nodes and rum_ready() and scope_index_ready():
        scope = apply_filters(reports_visible_to(actor), filters)
        size = _estimate(("staff", *sorted(nodes), filters), lambda: scope)
        return search(scope, raw_query, cursor=cursor, limit=limit, scope_size=size,
                      scoped=Scoped(base=apply_filters(Report.objects.all(), filters),
                                    nodes=nodes))
    ids = visible_report_ids(actor, cap=SCOPE_FIRST_MAX)
    scope = reports_visible_to(actor) if ids is None else _reports_with_ids(ids)
    national = ids is None and any(a.node_kind == NodeKind.ROOT and a.role in READER_ROLES
                                   for a in actor.assignments)
    return search(apply_filters(scope, filters), raw_query, cursor=cursor, limit=limit,
                  few=ids is not None, walk=national and _walkable(filters),
                  filtered=not _walkable(filters), scope_size=None if ids is None else len(ids))


def estimated_total(page: Page[Hit]) -> int | None:
    """The page's estimate of the matches (:class:`SearchPage`), if it has one."""
    return page.estimated_total if isinstance(page, SearchPage) else None


def hit_out(hit: Hit, lang: str, *, staff: bool = False) -> dict[str, Any]:
    """The API shape of a hit (plain text plus the character ranges to highlight)."""
    r = hit.report
    return {
        "id": r.pk if staff else None,
        "tracking_number": r.tracking_number, "title": r.title, "status": r.status,
        "submitted_at": r.submitted_at, "score": hit.score,
        "category": (r.category.name_en if lang == "en" else r.category.name_id)
        if r.category else None,
        "region": r.region.name,
        "title_highlights": hit.title.highlights,
        "snippet": hit.snippet.text, "snippet_highlights": hit.snippet.highlights,
    }
