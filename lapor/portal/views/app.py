"""The citizen app's files at the site root: manifest, service worker, icons, offline page.

Served from the root (not /static/) because a worker's scope is its own directory and browsers
look for /favicon.ico and /apple-touch-icon.png there. What they contain: lapor.portal.pwa.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.http import ConditionalGetMiddleware
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.decorators import decorator_from_middleware
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from lapor.core.language import chosen
from lapor.portal import pwa

ICONS = Path(__file__).resolve().parents[1] / "static" / "portal" / "icons"
ICON_MAX_AGE = 24 * 3600
# An ETag on the manifest and the worker: the browser asks again at every start (no-cache) and
# gets a 304 of a few hundred bytes while nothing changed.
conditional = decorator_from_middleware(ConditionalGetMiddleware)


@require_GET
@gzip_page
@conditional
def manifest(request: HttpRequest) -> JsonResponse:
    language = chosen(request.GET.get("lang"))
    response = JsonResponse(pwa.manifest(language), json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
@gzip_page
@conditional
def service_worker(request: HttpRequest) -> HttpResponse:
    config = pwa.worker_config()
    text = render_to_string("portal/sw.js", {
        "version": config["version"],
        "config_json": json.dumps(config, sort_keys=True),
    })
    response = HttpResponse(text, content_type="text/javascript; charset=utf-8")
    # Browsers check a worker for updates at most every 24 h anyway; no-cache makes every
    # check reach the server (a changed worker text is a new version).
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response


@cache
def _icon(name: str) -> bytes:
    return (ICONS / name).read_bytes()


def _icon_response(name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(_icon(name), content_type=content_type)
    response["Cache-Control"] = f"public, max-age={ICON_MAX_AGE}"
    return response


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    return _icon_response("favicon.ico", "image/vnd.microsoft.icon")


@require_GET
def apple_touch_icon(request: HttpRequest) -> HttpResponse:
    return _icon_response("apple-touch-icon.png", "image/png")


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the worker shows for a page that could not be loaded without a connection."""
    return render(request, "portal/offline.html")
