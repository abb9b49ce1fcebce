from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from lapor.config.health import health, readiness
from lapor.config.metrics import metrics_view

__all__ = ["healthz", "metrics_view", "readyz"]


def _probe_answer(response: JsonResponse) -> JsonResponse:
    """A probe's 503 reports a state (no worker yet, a deep queue), not a server fault: Django
    would log every one at ERROR (``django.request``), and a load balancer polling a starting
    server filled the log with them. ``lapor.request`` still logs each request with its status."""
    response["Cache-Control"] = "no-store"
    response._has_been_logged = True  # type: ignore[attr-defined]  # django.utils.log.log_response
    return response


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: 200 when the database is migrated and a worker sent a heartbeat recently,
    else 503 with the problem codes (unchanged since the first release: ``make run`` and CI
    wait on them) and, in ``detail``, what is wrong in words."""
    state = health()
    response = JsonResponse({"status": "unavailable" if state.problems else "ok",
                             "problems": state.problems, "detail": state.detail,
                             "worker_heartbeat_age_seconds": state.heartbeat_age_seconds},
                            status=503 if state.problems else 200)
    return _probe_answer(response)


@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the liveness checks plus the outbox queue depth below
    ``LAPOR_READY_MAX_QUEUE``; 200 ``ready`` or 503 ``unavailable`` with the problems and the
    queue counts."""
    state = readiness()
    response = JsonResponse({
        "status": "unavailable" if state.problems else "ready",
        "problems": state.problems,
        "outbox": state.outbox,
        "max_queue": settings.LAPOR_READY_MAX_QUEUE,
        "worker_heartbeat_age_seconds": state.heartbeat_age_seconds,
    }, status=503 if state.problems else 200)
    return _probe_answer(response)
