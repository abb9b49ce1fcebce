"""Web Push opt-in from the confirmation and tracking pages, and the one-tap unsubscribe.

The opt-in endpoints answer portal/app-push.js (JSON, same origin, CSRF token from the page)
for a report this browser proved (the session rule of the tracking page: the access code was
typed here, the report was just sent from here, or the signed-in account owns it), so the
access code never travels again and never sits in a URL. ``/lacak/berhenti/<token>/`` needs no
code: the signed token names one subscription (lapor.notifications.push).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from lapor.core.errors import ApplicationError, NotFound, ValidationFailed
from lapor.notifications import push
from lapor.portal import support
from lapor.portal.views.track import _proven


def _error(exc: ApplicationError) -> JsonResponse:
    return JsonResponse({"code": exc.code, "message": support.error_text(exc)},
                        status=exc.status)


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed("invalid_json") from exc
    if not isinstance(data, dict):
        raise ValidationFailed("invalid_json")
    return data


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


@require_POST
def push_optin(request: HttpRequest, tracking_number: str) -> JsonResponse:
    """Store the browser's PushSubscription JSON for this proven report."""
    try:
        report, actor = _proven(request, tracking_number)
        if actor is None:
            raise NotFound("not_found")
        data = _body(request)
        keys = data.get("keys")
        if not isinstance(keys, dict):
            keys = {}
        push.push_subscribe(actor=actor, report=report, endpoint=_text(data.get("endpoint")),
                            p256dh=_text(keys.get("p256dh")), auth=_text(keys.get("auth")))
    except ApplicationError as exc:
        return _error(exc)
    return JsonResponse({"subscribed": True}, status=201)


@require_POST
def push_optout(request: HttpRequest, tracking_number: str) -> JsonResponse:
    """Stop this browser's pushes for this proven report (body: {endpoint})."""
    try:
        report, actor = _proven(request, tracking_number)
        if actor is None:
            raise NotFound("not_found")
        push.push_unsubscribe(actor=actor, report=report,
                              endpoint=_text(_body(request).get("endpoint")))
    except ApplicationError as exc:
        return _error(exc)
    return JsonResponse({"subscribed": False})


# The token is the credential (like RFC 8058's one-click List-Unsubscribe-Post): the service
# worker's "Berhenti" action POSTs here without a CSRF token, and a cross-site POST can only
# stop a notification whose token the sender already holds.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def push_stop(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with one button; POST: the subscription is gone (idempotent)."""
    if not push.push_token_valid(token):
        return render(request, "portal/push_stop.html", {"invalid": True}, status=404)
    if request.method == "POST":
        push.push_unsubscribe_by_token(token=token)
        return render(request, "portal/push_stop.html", {"stopped": True})
    return render(request, "portal/push_stop.html", {"token": token})
