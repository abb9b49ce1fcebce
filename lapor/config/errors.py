"""Site-wide error pages (``handler404``)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse

from lapor.core.errors import message_for
from lapor.core.language import request_language
from lapor.portal.support import not_found
from lapor.workspace.access import not_found as workspace_not_found


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The API's JSON error shape under /api/, the workspace's page under /petugas/, else the
    citizen portal's friendly page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found",
                             "message": message_for("not_found", request_language(request)),
                             "field": None, "detail": None}, status=404)
    if request.path.startswith("/petugas/"):
        return workspace_not_found(request)
    return not_found(request)
