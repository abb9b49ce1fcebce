"""The region picker: search by name, then narrow down province → regency → district → village.

Without JavaScript the picker's buttons submit the whole report form, which comes back with the
choices and everything typed kept; with htmx the same buttons fetch only the options.
Villages are accepted when loaded (``lapor regions load``); only provinces, regencies and
districts ship with the code, so any level may be chosen.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lapor.regions.models import Region
from lapor.regions.selectors import region_ancestors, region_children, region_get, region_search

RESULTS_MAX = 15


def path_of(region: Region) -> str:
    """"Sangatta Utara, Kutai Timur, Kalimantan Timur": the region and what holds it."""
    return ", ".join(r.name for r in [region, *reversed(region_ancestors(region))])


def picker_context(*, query: str, code: str, action: str) -> dict[str, Any]:
    """What the picker shows: the chosen region with its path, then either the search results
    (each with its path) or the chosen region's children to narrow it down.

    ``action`` is ``region_search`` (the search button, or htmx's live search, which sends
    none), ``region_children`` (narrow down), or anything else (the form shown again after a
    refusal: the choice only, with its children)."""
    chosen = region_get(code) if code else None
    query = query.strip()[:100]
    searching = action in ("region_search", "") and bool(query)
    found: list[Region] = region_search(query, limit=RESULTS_MAX) if searching else []
    children: list[Region] = []
    if chosen is not None and not searching:
        children = list(region_children(chosen.code)[:200])
    return {
        "region_query": query,
        "region_chosen": chosen,
        "region_chosen_path": path_of(chosen) if chosen else "",
        "region_results": [(r, path_of(r)) for r in found
                           if chosen is None or r.code != chosen.code],
        "region_children": children,
        "region_not_found": searching and not found,
    }


def region_options(request: HttpRequest) -> HttpResponse:
    """The picker's options for htmx (GET, no side effects)."""
    context = picker_context(query=request.GET.get("region_q", ""),
                             code=request.GET.get("region_code", ""),
                             action=request.GET.get("action", ""))
    return render(request, "portal/_region_options.html", context)
