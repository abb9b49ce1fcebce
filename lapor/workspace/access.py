"""The staff-session gate of every workspace page, and turning domain refusals into pages.

A workspace view runs only for a signed-in account that holds a staff role and whose session
was verified with the second factor (django-otp). Not signed in → the sign-in page with
``next``; signed in without the second factor → signed out and back to the sign-in page;
signed in and verified but without any staff role → 403.

A report or page the reader may not see is the workspace's own 404 page (:func:`not_found`,
with the staff menu and a way back to the inbox), never the citizen portal's.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from lapor.core.errors import ApplicationError, NotFound, message_for
from lapor.core.errors import PermissionDenied as DomainPermissionDenied
from lapor.core.language import active_language
from lapor.orgs.actors import Actor, actor_for_user


class StaffRequest(HttpRequest):
    """An ``HttpRequest`` that passed :func:`staff_required` (for type checkers)."""

    actor: Actor


type StaffView = Callable[..., HttpResponseBase]


def staff_required(view: StaffView) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not getattr(user, "is_verified", lambda: False)():
            logout(request)
            return redirect_to_login(request.get_full_path())
        actor = actor_for_user(user)
        if not actor.is_staff:
            raise DjangoPermissionDenied
        staff_request: StaffRequest = request  # type: ignore[assignment]
        staff_request.actor = actor
        try:
            return view(staff_request, *args, **kwargs)
        except (NotFound, Http404):
            # Another agency's report, an unknown node: a 404 by construction (never a 403).
            return not_found(staff_request)
        except DomainPermissionDenied as exc:
            raise DjangoPermissionDenied(exc.code) from exc
        except ApplicationError as exc:
            # Views turn refusals they expect into messages next to a form; anything else is
            # still a refusal page with its status, never a 500.
            return HttpResponse(error_text(exc), status=exc.status,
                                content_type="text/plain; charset=utf-8")

    return wrapper


def not_found(request: HttpRequest) -> HttpResponse:
    """The workspace's 404 page. Outside :func:`staff_required` (an unknown address under
    /petugas/, through ``handler404``) the staff menu is shown only to a verified staff
    session, exactly as the gate would have admitted it."""
    if not hasattr(request, "actor"):
        user = request.user
        if user.is_authenticated and getattr(user, "is_verified", lambda: False)():
            actor = actor_for_user(user)
            if actor.is_staff:
                request.actor = actor  # type: ignore[attr-defined]
    return render(request, "workspace/404.html", {}, status=404)


def error_text(error: ApplicationError) -> str:
    """The bilingual message of a domain refusal, in the page's language."""
    return message_for(error.code, active_language())
