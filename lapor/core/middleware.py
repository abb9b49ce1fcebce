"""Request hygiene that applies to every URL."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation

from lapor.core.errors import message_for


class RejectNulMiddleware:
    """Refuse NUL characters in the path or the query string with a 400 before any view runs:
    PostgreSQL cannot store them and no legitimate client sends them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            language = "en" if (translation.get_language() or "").startswith("en") else "id"
            return JsonResponse(
                {"code": "invalid_characters", "message": message_for("invalid_characters",
                                                                      language),
                 "field": None, "detail": None},
                status=400,
            )
        return self.get_response(request)
