"""The citizen app as a Progressive Web App: manifest, service worker, offline page (issue 19).

One Python place declares what the worker (``/sw.js``, template ``portal/sw.js``) knows; the
worker's text is rendered from it, so it changes whenever a cached file changes (hashed static
names from the manifest storage) and browsers install the new version.

Contract for other parts of the app (the ``form`` and ``push`` work of issue 19):

* :data:`SW_PARTS` lists **static paths** of extra worker scripts (for example
  ``"portal/sw-queue.js"``, a ``sync`` handler for the tag ``lapor-outbox``, or
  ``"portal/sw-push.js"``, ``push`` / ``notificationclick`` handlers). ``/sw.js`` loads each
  with ``importScripts()`` at its top, in this order, by its hashed URL. A part must not add its
  own ``fetch`` handler (the worker's one decides what is cached) and must not cache API
  answers. It may read ``self.LAPOR_SW`` (``{version, cache, name}``) to name its own stores.
* :data:`SHELL_STATIC` lists static paths precached at install (the app shell's CSS, scripts,
  vendored libraries, icons). Add a script here when the form page needs it offline.
* :data:`SHELL_PAGES` names the pages precached at install and kept fresh (network first,
  cache as fallback): the home page, the report form and the offline page. They are fetched
  without cookies at install, so the copies hold no personal data, and a fresh copy replaces
  one only when the server marked the answer with :data:`SHELL_HEADER` (see :func:`shell_page`:
  never for a signed-in citizen).
* :data:`NEVER_CACHE` are path prefixes the worker never stores (API answers, tracking pages
  that show a report with its access code, staff pages, accounts, webhooks, Open311).

A marked shell page also carries an ETag (:func:`shell_etag`) that stays the same while what
it shows is the same, and the worker revalidates its kept copy with it (``If-None-Match``): an
unchanged page is a 304 of a few hundred bytes instead of the whole page on every start.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page

# Extra worker scripts (static paths), imported by /sw.js in this order: the outbox shared with
# the pages (``LaporQueue``), then its Background Sync handler (docs/portal.md "The offline
# queue"), then the Web Push handlers (docs/notifications.md "Web Push").
SW_PARTS: list[str] = ["portal/app-queue.js", "portal/sw-queue.js", "portal/sw-push.js"]

# Not here: Leaflet's 1x marker (the form draws the 2x one on every screen). app-push.js is
# here because the form offers push on the card of a report the outbox sent.
SHELL_STATIC: list[str] = [
    "lapor/css/lapor.css",
    "lapor/vendor/htmx-2.0.11.min.js",
    "lapor/js/lapor.js",
    "lapor/favicon.svg",
    "portal/portal.css",
    "portal/report-form.js",
    "portal/pwa.js",
    "portal/nearby.js",
    "portal/app-ui.js",
    "portal/app-queue.js",
    "portal/report-app.js",
    "portal/device-reports.js",
    "portal/app-push.js",
    "portal/vendor/leaflet/leaflet.js",
    "portal/vendor/leaflet/leaflet.css",
    "portal/vendor/leaflet/images/marker-icon-2x.png",
    "portal/vendor/leaflet/images/marker-shadow.png",
    "portal/vendor/exifr/exifr-mini.umd.js",
    "portal/icons/icon-192.png",
]
SHELL_PAGES = ("portal:home", "portal:report_form", "portal:offline")
NEVER_CACHE = ("/api/", "/lacak/", "/petugas/", "/akun/", "/admin/", "/channels/", "/open311/",
               "/i18n/", "/laporan/lampiran/")
SHELL_HEADER = "X-Lapor-Shell"
SHELL_WAIT_MS = 3500
# What differs between two renderings of the same page: Django's masked CSRF tokens (64 letters
# and digits, a new mask each time) and the CSP nonce. Left out of the ETag.
_CSRF_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")

THEME_COLOR = "#b3261e"  # --red of lapor.css: the header bar
BACKGROUND_COLOR = "#f6f7f9"  # --bg of lapor.css: the splash screen
START_URL = "/?source=pwa"
SHORT_NAME_MAX = 12  # launchers cut longer labels


def app_name() -> str:
    return str(settings.LAPOR_APP_NAME)


def manifest(language: str) -> dict[str, Any]:
    """The Web App Manifest in ``language`` ("id" or "en").

    One manifest per language at one URL (``/manifest.json``, ``?lang=en`` for English; the
    page links the one of its language): browsers fetch a manifest without cookies, so the
    language switch's cookie cannot choose it. ``id`` is the same in both, so installing in
    either language is the same app.
    """
    name = app_name()
    with translation.override(language):
        return {
            "id": "/",
            "name": f"{name} · {_('Public service complaints')}",
            "short_name": name if len(name) <= SHORT_NAME_MAX else "LAPOR!",
            "description": _("Report a public service problem with a photo and a place, even "
                             "without signal, and follow it to the answer."),
            "lang": language,
            "dir": "ltr",
            "start_url": START_URL,
            "scope": "/",
            "display": "standalone",
            "theme_color": THEME_COLOR,
            "background_color": BACKGROUND_COLOR,
            "categories": ["government", "utilities"],
            "icons": [
                {"src": static(f"portal/icons/icon-{size}.png"), "sizes": f"{size}x{size}",
                 "type": "image/png", "purpose": "any"}
                for size in (192, 512)
            ] + [
                {"src": static(f"portal/icons/maskable-{size}.png"),
                 "sizes": f"{size}x{size}", "type": "image/png", "purpose": "maskable"}
                for size in (192, 512)
            ],
            "shortcuts": [
                {"name": _("Send a report"), "url": reverse("portal:report_form"),
                 "icons": [{"src": static("portal/icons/icon-192.png"), "sizes": "192x192"}]},
                {"name": _("Track a report"), "url": reverse("portal:track_start"),
                 "icons": [{"src": static("portal/icons/icon-192.png"), "sizes": "192x192"}]},
            ],
        }


def worker_config() -> dict[str, Any]:
    """What /sw.js is told, ``version`` included: a hash of everything else, so the worker's
    text changes with any hashed file name, page or part."""
    config: dict[str, Any] = {
        "pages": [reverse(name) for name in SHELL_PAGES],
        "offline": reverse("portal:offline"),
        "static": [static(path) for path in SHELL_STATIC],
        "parts": [static(path) for path in SW_PARTS],
        "staticPrefix": settings.STATIC_URL,
        "never": list(NEVER_CACHE),
        "shellHeader": SHELL_HEADER,
        # A shell page whose network answer takes longer (a weak signal) opens from its
        # kept copy; the answer, when it comes, still refreshes the copy.
        "shellWait": SHELL_WAIT_MS,
        # The notification's title when a push carries none (sw-push.js).
        "appName": app_name(),
    }
    digest = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()[:16]
    return {"version": digest, **config}


def shell_etag(request: HttpRequest, content: bytes) -> str:
    """An ETag for a shell page: the same while the page shows the same thing to this browser.

    The page's bytes differ at every answer only by the CSRF token's random mask and the CSP
    nonce, so both are left out; the CSRF *secret* (the browser's cookie) is put in, so a kept
    copy whose token does not match the browser's cookie (the one the worker fetched without
    cookies at install) is never confirmed by a 304: its first revalidation brings a fresh
    copy with a working token.
    """
    nonce = getattr(request, "_csp_nonce", None)
    if nonce:  # a LazyNonce is true once the page used it
        content = content.replace(str(nonce).encode(), b"")
    digest = hashlib.sha256(_CSRF_TOKEN.sub(b"", content))
    digest.update(b"\0" + str(request.META.get("CSRF_COOKIE", "")).encode())
    return f'"{digest.hexdigest()[:32]}"'


def shell_page(
    view: Callable[..., HttpResponse]
) -> Callable[..., HttpResponse]:
    """Mark a page the worker may keep for offline use (header :data:`SHELL_HEADER`), give it
    an ETag for the worker's revalidation (:func:`shell_etag`: a 304 when the kept copy is
    still right), and compress it (gzip) for browsers that accept it.

    Only a plain GET answer with nothing personal is marked: not for a signed-in citizen (the
    menu names their account), not when the page showed one-time messages; an unmarked answer
    has no ETag and is never a 304. Compression: these pages are what the installed app fetches
    on every start (network first), so they are most of a repeat visit's bytes on a slow link;
    Django's gzip adds random bytes to each answer (its BREACH mitigation) and CSRF tokens are
    masked per answer, hence an ETag computed before compression, on the page's text.
    """

    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        messages = getattr(request, "_messages", None)
        if (request.method == "GET" and response.status_code == 200
                and not request.user.is_authenticated
                and not getattr(messages, "used", False)
                and not response.streaming):
            response[SHELL_HEADER] = "1"
            response["ETag"] = shell_etag(request, response.content)
            conditional = get_conditional_response(
                request, etag=response["ETag"], response=response)
            if conditional is not None and conditional is not response:
                # The worker's kept copy is still right and carries its own policy (its nonce
                # matches its text): the 304 goes without one (~300 bytes).
                conditional._csp_config = {}  # type: ignore[attr-defined]
                return conditional
        return response

    wrapped.__name__ = getattr(view, "__name__", "shell_page")
    wrapped.__doc__ = view.__doc__
    return gzip_page(wrapped)
