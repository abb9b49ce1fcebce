"""Search, duplicate and suggestion endpoints. Thin: parse, ask who, call one selector or
service (docs/search.md)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from lapor.api.auth import BearerAuth, request_staff
from lapor.api.search.schemas import (
    DuplicateCheckIn,
    MergeIn,
    MergeOut,
    SearchIn,
    SearchOut,
    SimilarListOut,
    SuggestionsOut,
)
from lapor.categories.models import Category
from lapor.core import ratelimit
from lapor.core.api import errors
from lapor.core.errors import ValidationFailed
from lapor.core.language import request_language
from lapor.reports.merge import report_merge
from lapor.reports.selectors import report_for_staff
from lapor.search import duplicates, selectors
from lapor.search.routing import suggestions
from lapor.search.spam import spam_score

public_router = Router(tags=["search"])
staff_router = Router(tags=["search"], auth=BearerAuth())


def _filters(query: SearchIn) -> selectors.SearchFilters:
    return selectors.SearchFilters(category=query.category, region=query.region,
                                   status=query.status, agency=query.agency)


@public_router.get(
    "/search/reports", response={200: SearchOut, **errors(429)},
    summary="Search public reports (with highlighted snippets)",
    description=(
        "Full-text search over the public reports only: never a confidential, unverified or "
        "training report. Indonesian words match across inflections. Too short a query is "
        "`422 query_too_short`. On PostgreSQL with the RUM index (the national setup) the "
        "matches come newest first, however many there are, with `estimated_total`; "
        "elsewhere (SQLite, PostgreSQL without RUM) best match first, and a query matching "
        "more reports than the server ranks (`LAPOR_SEARCH_MAX_MATCHES`) is "
        "`422 query_too_broad`: add words or filters. "
        "Rate-limited per client address like the tracking lookups."
    ),
)
def search_public(request: HttpRequest, query: Query[SearchIn]) -> dict[str, Any]:
    ratelimit.throttle_requests(request)
    page = selectors.search_public(query.q, _filters(query), cursor=query.cursor,
                                   limit=query.limit)
    lang = request_language(request)
    return {"items": [selectors.hit_out(h, lang) for h in page.items],
            "next_cursor": page.next_cursor, "estimated_total": selectors.estimated_total(page)}


def _similar_out(item: duplicates.Similar, *, staff: bool) -> dict[str, Any]:
    r = item.report
    return {"id": r.pk if staff else None, "tracking_number": r.tracking_number,
            "title": r.title, "status": r.status, "submitted_at": r.submitted_at,
            "support_count": r.support_count, "score": item.score}


@public_router.post(
    "/duplicates/check", response={200: SimilarListOut, **errors(429)},
    summary="Similar public reports, before submitting one",
    description=(
        "The reporter's draft (title, body, region, category) against the open public reports "
        "of the same category and district of the last weeks; each with a similarity score "
        "(0–1). The reporter may support one of them instead of submitting. Nothing is stored."
    ),
)
def duplicates_check(request: HttpRequest, payload: DuplicateCheckIn) -> dict[str, Any]:
    ratelimit.throttle_requests(request)
    category_id = None
    if payload.category_code:
        category = Category.objects.filter(code=payload.category_code, is_active=True).first()
        if category is None:
            raise ValidationFailed("unknown_category", field="category_code")
        category_id = category.pk
    found = duplicates.similar_public(title=payload.title, body=payload.body,
                                      region_code=payload.region_code, category_id=category_id)
    return {"items": [_similar_out(s, staff=False) for s in found]}


@staff_router.get(
    "/staff/search", response={200: SearchOut, **errors(401, 403)},
    summary="Search the reports the caller may read as staff",
    description=(
        "Like `/search/reports`, over every report the caller's roles may read "
        "(confidential ones included where the role may see them), any status."
    ),
)
def search_staff(request: HttpRequest, query: Query[SearchIn]) -> dict[str, Any]:
    actor = request_staff(request)
    page = selectors.search_staff(actor, query.q, _filters(query), cursor=query.cursor,
                                  limit=query.limit)
    lang = request_language(request)
    return {"items": [selectors.hit_out(h, lang, staff=True) for h in page.items],
            "next_cursor": page.next_cursor, "estimated_total": selectors.estimated_total(page)}


@staff_router.get(
    "/reports/{report_id}/duplicates", response={200: SimilarListOut, **errors(401, 404)},
    summary="Possible duplicates of a report, with a similarity score (0–1)",
)
def report_duplicates(request: HttpRequest, report_id: int) -> dict[str, Any]:
    actor = request_staff(request)
    report = report_for_staff(actor, report_id)
    return {"items": [_similar_out(s, staff=True)
                      for s in duplicates.similar_for_staff(actor, report)]}


@staff_router.post(
    "/reports/{report_id}/merge", response={200: MergeOut, **errors(401, 403, 404, 409)},
    summary="Merge this (unverified) report into another as its duplicate",
    description=(
        "A verifier of the report's tier. The report is archived as a duplicate (its reporter "
        "is told), its reporter follows the surviving report, supports are combined; every "
        "event and message of both reports is kept."
    ),
)
def merge(request: HttpRequest, report_id: int, payload: MergeIn) -> dict[str, Any]:
    actor = request_staff(request)
    survivor = report_merge(actor=actor, report_id=report_id, into=payload.into,
                            note=payload.note, expected_version=payload.expected_version)
    return {"tracking_number": survivor.tracking_number,
            "support_count": survivor.support_count}


@staff_router.get(
    "/reports/{report_id}/suggestions", response={200: SuggestionsOut, **errors(401, 404)},
    summary="Routing suggestions (top three units) and the spam score of a report",
    description=(
        "SOP routing rules first, then the agency's classifier with its probability, and the "
        "held-out accuracy of that classifier. The spam score lists its signals. Suggestions "
        "only: a verifier disposes or archives."
    ),
)
def report_suggestions(request: HttpRequest, report_id: int) -> dict[str, Any]:
    actor = request_staff(request)
    report = report_for_staff(actor, report_id)
    routing, model = suggestions(report)
    classified = [s.confidence for s in routing if s.confidence is not None]
    spam = spam_score(report, best_confidence=max(classified) if classified else None)
    return {
        "routing": [{"code": s.node.code, "name": s.node.name, "source": s.source,
                     "confidence": s.confidence} for s in routing],
        "model": None if model is None else {
            "trained_at": model.trained_at, "examples": model.examples,
            "held_out": model.held_out, "accuracy": model.accuracy,
            "top3_accuracy": model.top3_accuracy},
        "spam": {"score": spam.score, "level": spam.level, "signals": spam.signals},
    }


__all__ = ["public_router", "staff_router"]
