"""Searching reports: the public scope or what a staff actor may see, ranked, with snippets.

Every search starts from a scope (:func:`public_search_scope` or
:func:`lapor.reports.permissions.reports_visible_to`), so nobody finds what they may not read:
confidential, unverified and training reports are never in the public scope. A query must have
at least ``QUERY_MIN_CHARS`` letters or digits (``query_too_short``) and, within its scope and
filters, match at most ``LAPOR_SEARCH_MAX_MATCHES`` reports (``query_too_broad``): ranking
needs every match scored, and this bound is what keeps a search from turning into a scan.
Pages are keyset pages on ``(score, id)``.

A query that is a tracking number as a whole ("#1234 5678-9012", separators and spaces
allowed, Verhoeff check digit valid) is not searched as text: it finds that one report if it is
in the scope, else nothing (:func:`tracking_number_in`).
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from lapor.core.errors import ValidationFailed
from lapor.core.pagination import Page
from lapor.orgs.actors import Actor
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
from lapor.reports.permissions import reports_visible_to, visible_report_ids
from lapor.reports.states import Status
from lapor.reports.submission import normalise_tracking_number, tracking_number_valid
from lapor.search.backends import SCORE, backend
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
           limit: int = PAGE_SIZE, few: bool = False) -> Page[Hit]:
    """Reports of ``qs`` matching ``raw_query``, best first, ``limit`` after ``cursor``.

    One query reads ``(id, score)`` of at most ``max_matches() + 1`` matches (more: too
    broad); they are ordered here, and only the page's rows are then loaded. Every match is
    read once, and only its index entry and row, never the whole table.
    """
    number = tracking_number_in(raw_query)
    if number is not None:
        return _by_number(qs, number, first_page=cursor is None)
    query = parse_query(raw_query)
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
                  limit=limit)


def public_feed(raw_query: str, filters: FeedFilters, *, cursor: str | None = None,
                limit: int = FEED_PAGE_SIZE) -> Page[Report]:
    """The public feed (lapor.reports.feed) with the words of its search box: without words,
    the newest reports (:func:`lapor.reports.feed.public_reports`); with words, the filtered
    reports ranked by :func:`search`, each carrying its ``search_snippet``."""
    q = raw_query.strip()[:QUERY_MAX_CHARS]
    if not q:
        return public_reports(filters, cursor=cursor, limit=limit)
    hits = search(public_filtered(filters).filter(is_training=False), q, cursor=cursor,
                  limit=limit)
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

    A reader of a few thousand reports (a regency's hub, a unit) is searched from those ids:
    PostgreSQL cannot estimate how many reports match template-like text ("sampah menumpuk":
    80,000 in the country, estimated 10,000) and would otherwise check the reader's scope on
    every text match, one heap page each. Readers of more than ``SCOPE_FIRST_MAX`` reports
    (the national desk, a large province) keep the text-first plan, where few matches fall
    outside their scope."""
    ids = visible_report_ids(actor, cap=SCOPE_FIRST_MAX)
    scope = reports_visible_to(actor) if ids is None else _reports_with_ids(ids)
    return search(apply_filters(scope, filters), raw_query, cursor=cursor, limit=limit,
                  few=ids is not None)


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
