"""Site-wide request guards that know every surface's error format (the top tier: it may
import the surfaces)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from lapor.core.errors import message_for
from lapor.core.language import active_language

# Open311 clients expect GeoReport's error list: the one surface with its own error format.
from lapor.open311.render import Open311Error, error_response


class RejectNulMiddleware:
    """Refuse NUL characters in the path or the query string with a 400 before any view runs:
    PostgreSQL cannot store them and no legitimate client sends them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return nul_refusal(request)
        return self.get_response(request)


def nul_refusal(request: HttpRequest) -> HttpResponse:
    """The 400 for a NUL, in the error format of the surface that was asked."""
    if request.path.startswith("/open311/"):
        fmt = "json" if request.path.rstrip("/").endswith(".json") else "xml"
        return error_response(fmt, Open311Error(400, "NUL characters are not allowed"))
    return JsonResponse(
        {"code": "invalid_characters",
         "message": message_for("invalid_characters", active_language()),
         "field": None, "detail": None},
        status=400,
    )
