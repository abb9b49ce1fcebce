from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from lapor.core.health import health_problems


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database is migrated and a worker sent a heartbeat recently, else 503."""
    problems = health_problems()
    status = 503 if problems else 200
    return JsonResponse({"status": "ok" if not problems else "unavailable",
                         "problems": problems}, status=status)
