"""What every portal view shares: error pages, form errors, session memory.

The session remembers two things, never a secret beyond one page view:

* ``portal_submitted``: the tracking number and access code of the report just sent, read once
  by the confirmation page and removed at once (a reload shows no code);
* ``portal_proven``: ids of the reports this browser proved with an access code (the code
  itself is never stored), so the reporter's pages work without typing it again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from lapor.accounts.models import User
from lapor.core import clock
from lapor.core.errors import ApplicationError, NotFound, TooManyRequests, message_for
from lapor.core.language import active_language
from lapor.orgs.actors import PUBLIC, Actor, ActorKind, actor_for_user
from lapor.reports import zones
from lapor.reports.models import Report

SUBMITTED_KEY = "portal_submitted"
PROVEN_KEY = "portal_proven"
PROVEN_MAX = 50


def error_text(exc: ApplicationError) -> str:
    return message_for(exc.code, active_language())


def add_error(
    form: forms.Form, exc: ApplicationError, fields: dict[str, str] | None = None
) -> None:
    """Show a service refusal next to the field it names (else on top of the form); every
    one of them when the service checked all fields (``exc.errors``). A field that already
    shows a refusal (e.g. a date the form could not read) keeps only that one."""
    for one in exc.errors or [exc]:
        name = (fields or {}).get(one.field or "", one.field)
        name = name if name in form.fields else None
        if name is not None and name in form.errors:
            continue
        details = one.detail if isinstance(one.detail, list) else None
        message: Any = details or one.message(active_language())
        form.add_error(name, message)


def citizen(request: HttpRequest) -> Actor:
    """The signed-in citizen, or the public. A staff session counts as the public here: staff
    powers never act through the portal."""
    user = request.user
    if isinstance(user, User) and user.is_authenticated:
        actor = actor_for_user(user)
        if actor.kind == ActorKind.REPORTER:
            return actor
    return PUBLIC


def too_many(
    request: HttpRequest, exc: TooManyRequests, *, zone: str | None = None
) -> HttpResponse:
    """The "please wait" page: what was limited (by its code, never blaming the reader for
    attempts that someone sharing their address may have made), how long, and from when
    (in ``zone``, the report's, when the refusal is about a report)."""
    minutes = max(1, (exc.retry_after + 59) // 60)
    response = render(request, "portal/429.html",
                      {"retry_after": exc.retry_after, "minutes": minutes, "code": exc.code,
                       "retry_at": clock.now() + timedelta(seconds=exc.retry_after),
                       "zone": zone, "message": error_text(exc)}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/404.html", {}, status=404)


def friendly_errors[**P, R: HttpResponseBase](
    view: Callable[P, R],
) -> Callable[P, R | HttpResponse]:
    """404 and 429 refusals from services and selectors become the portal's own pages."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | HttpResponse:
        request = args[0]
        assert isinstance(request, HttpRequest)  # noqa: S101  (narrowing)
        try:
            return view(*args, **kwargs)
        except NotFound:
            return not_found(request)
        except TooManyRequests as exc:
            return too_many(request, exc)

    return wrapper


def proven_ids(request: HttpRequest) -> list[int]:
    return [int(i) for i in request.session.get(PROVEN_KEY, []) if isinstance(i, int)]


def remember_proven(request: HttpRequest, report_id: int) -> None:
    ids = [i for i in proven_ids(request) if i != report_id]
    request.session[PROVEN_KEY] = [*ids[-(PROVEN_MAX - 1):], report_id]


def forget_proven(request: HttpRequest, report_id: int) -> None:
    request.session[PROVEN_KEY] = [i for i in proven_ids(request) if i != report_id]


def with_zones(reports: list[Report]) -> list[Report]:
    """Mark each listed report with its zone (``time_zone``) for its dates (one query)."""
    zones_of = zones.report_zones(reports)
    for report in reports:
        report.time_zone = zones_of[report.pk]  # type: ignore[attr-defined]
    return reports


def report_zone(report: Report) -> str:
    """WIB/WITA/WIT every time on ``report``'s pages is shown in (lapor.reports.zones)."""
    return zones.report_zone(report)
