"""Prometheus metrics (``prometheus_client``): requests and latencies by route, and a few
database gauges computed when ``/metrics`` is scraped.

* ``lapor_http_requests_total`` and ``lapor_http_request_duration_seconds`` by ``method``,
  ``route`` (the resolved URL pattern's name, e.g. ``api-v1:track``; never the raw path, so a
  tracking number never becomes a label value) and ``status`` class (``2xx`` …).
* ``lapor_outbox_messages{status}``, ``lapor_outbox_due_messages``,
  ``lapor_reports_overdue`` (open reports past ``staff_due_at``),
  ``lapor_worker_heartbeat_age_seconds`` and ``lapor_database_up``: read at scrape time with
  a few indexed COUNT queries, remembered for ``LAPOR_METRICS_CACHE_SECONDS`` (30 s) per
  process so a busy scraper costs the database little.
* the routing retraining (lapor.search.routing): the last finished run's wall and CPU seconds,
  agencies retrained and skipped, its age; per agency the model's held-out accuracy (top-1 and
  top-3), examples and training seconds.

Several web processes (granian ``--workers``): with ``PROMETHEUS_MULTIPROC_DIR`` set (an empty
directory, wiped before each start), request metrics are written there by every process and a
scrape adds them up (prometheus_client's multiprocess mode); without it each scrape shows only
the process that answered (docs/operations.md "Metrics").
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Max
from django.http import Http404, HttpRequest, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from lapor.core import clock
from lapor.core.models import WorkerHeartbeat
from lapor.core.ratelimit import client_ip
from lapor.notifications import dispatcher
from lapor.reports.models import Report
from lapor.reports.states import OPEN_STATUSES
from lapor.search.routing import RoutingStatus, routing_status

logger = logging.getLogger(__name__)
access_logger = logging.getLogger("lapor.request")

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"

REQUESTS = Counter("lapor_http_requests", "HTTP requests answered",
                   ["method", "route", "status"])
LATENCY = Histogram("lapor_http_request_duration_seconds",
                    "Time to answer an HTTP request (seconds)", ["method", "route", "status"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def route_of(request: HttpRequest) -> str:
    """The resolved URL pattern's name (``namespace:name``), its pattern when it has no name,
    or ``unmatched`` (404 before any view)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNMATCHED
    return str(match.view_name or match.route or UNMATCHED)


class MetricsMiddleware:
    """Count and time every request (outermost but the request id, so refusals by later
    middleware are counted too) and write one access-log line without the path."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        method = request.method if request.method in _METHODS else "other"
        route = route_of(request)
        status = f"{response.status_code // 100}xx"
        REQUESTS.labels(method, route, status).inc()
        LATENCY.labels(method, route, status).observe(elapsed)
        access_logger.info("%s %s %d %.1fms", method, route, response.status_code,
                           elapsed * 1000, extra={
                               "method": method, "route": route,
                               "status": response.status_code,
                               "duration_ms": round(elapsed * 1000, 1)})
        return response


# ---------------------------------------------------------------- scrape-time database gauges


@dataclass
class Snapshot:
    database_up: bool = True
    outbox: dict[str, int] = field(default_factory=dict)
    overdue: int = 0
    heartbeat_age: float | None = None
    routing: RoutingStatus | None = None
    taken_at: float = 0.0


_snapshot_lock = threading.Lock()
_snapshot: Snapshot | None = None


def reset_cache() -> None:
    """Forget the remembered snapshot (tests; the next scrape reads the database)."""
    global _snapshot  # noqa: PLW0603  (a per-process memo)
    with _snapshot_lock:
        _snapshot = None


def overdue_count() -> int:
    """Open reports whose staff deadline has passed: one COUNT on the ``staff_due_at`` index."""
    return Report.objects.filter(staff_due_at__lt=clock.now(),
                                 status__in=OPEN_STATUSES).count()


def heartbeat_age() -> float | None:
    """Seconds since the newest worker heartbeat (None: no worker ever reported)."""
    newest = WorkerHeartbeat.objects.aggregate(newest=Max("last_seen"))["newest"]
    if newest is None:
        return None
    return max(0.0, (clock.now() - newest) / timedelta(seconds=1))


def _read_snapshot() -> Snapshot:
    try:
        return Snapshot(outbox=dispatcher.outbox_counts(), overdue=overdue_count(),
                        heartbeat_age=heartbeat_age(), routing=routing_status(),
                        taken_at=time.monotonic())
    except DatabaseError:
        logger.warning("metrics: database unavailable")
        return Snapshot(database_up=False, taken_at=time.monotonic())


def snapshot() -> Snapshot:
    global _snapshot  # noqa: PLW0603
    with _snapshot_lock:
        current = _snapshot
        if (current is None or not current.database_up
                or time.monotonic() - current.taken_at >= settings.LAPOR_METRICS_CACHE_SECONDS):
            current = _snapshot = _read_snapshot()
    return current


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        snap = snapshot()
        yield GaugeMetricFamily("lapor_database_up", "1 when the database answered the last "
                                "metrics query", value=1 if snap.database_up else 0)
        if not snap.database_up:
            return
        outbox = GaugeMetricFamily("lapor_outbox_messages", "Outbox rows by status",
                                   labels=["status"])
        for status, count in sorted(snap.outbox.items()):
            if status != "due":
                outbox.add_metric([status], count)
        yield outbox
        yield GaugeMetricFamily("lapor_outbox_due_messages", "Pending outbox rows due now "
                                "that no worker holds (the queue depth)",
                                value=snap.outbox.get("due", 0))
        yield GaugeMetricFamily("lapor_reports_overdue", "Open reports past their staff "
                                "deadline (staff_due_at < now)", value=snap.overdue)
        if snap.heartbeat_age is not None:
            yield GaugeMetricFamily("lapor_worker_heartbeat_age_seconds", "Seconds since "
                                    "the newest task-worker heartbeat",
                                    value=snap.heartbeat_age)
        if snap.routing is not None:
            yield from _routing_metrics(snap.routing)


def _routing_metrics(status: RoutingStatus) -> Iterator[GaugeMetricFamily]:
    run = status.last_run
    if run is not None and run.finished_at is not None:
        yield GaugeMetricFamily("lapor_routing_train_duration_seconds", "Wall-clock seconds "
                                "of the last finished routing retraining", value=run.seconds)
        yield GaugeMetricFamily("lapor_routing_train_cpu_seconds", "CPU seconds of the last "
                                "finished routing retraining", value=run.cpu_seconds)
        agencies = GaugeMetricFamily("lapor_routing_train_agencies", "Agencies the last "
                                     "routing retraining retrained or skipped",
                                     labels=["result"])
        agencies.add_metric(["trained"], run.trained)
        agencies.add_metric(["skipped"], run.skipped)
        yield agencies
        yield GaugeMetricFamily("lapor_routing_train_age_seconds", "Seconds since the last "
                                "routing retraining finished (a day and a bit: no routing "
                                "worker is running)",
                                value=max(0.0, (clock.now() - run.finished_at).total_seconds()))
    accuracy = GaugeMetricFamily("lapor_routing_model_accuracy", "Held-out accuracy of the "
                                 "agency's routing model (top-1, or the right unit among top 3)",
                                 labels=["agency", "top"])
    examples = GaugeMetricFamily("lapor_routing_model_examples", "Examples the agency's "
                                 "routing model learned from", labels=["agency"])
    seconds = GaugeMetricFamily("lapor_routing_model_train_seconds", "Seconds the agency's "
                                "last routing training took", labels=["agency"])
    for code, count, top1, top3, took in status.models:
        accuracy.add_metric([code, "1"], top1)
        accuracy.add_metric([code, "3"], top3)
        examples.add_metric([code], count)
        seconds.add_metric([code], took)
    yield accuracy
    yield examples
    yield seconds


# ---------------------------------------------------------------- the endpoint


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network,
                                                 ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def metrics_allowed(request: HttpRequest) -> bool:
    """A bearer token equal to ``LAPOR_METRICS_TOKEN``, or a client address inside
    ``LAPOR_METRICS_ALLOW`` (addresses or CIDR networks; the address as
    :func:`lapor.core.ratelimit.client_ip` sees it, so set ``LAPOR_PROXY_COUNT`` behind a
    reverse proxy)."""
    token = settings.LAPOR_METRICS_TOKEN
    if token:
        scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(offered.strip().encode(),
                                                             token.encode()):
            return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network
               for network in _networks(tuple(settings.LAPOR_METRICS_ALLOW)))


def render() -> bytes:
    """The exposition text: request metrics (every process's in multiprocess mode), then the
    database gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
        requests = generate_latest(registry)
    else:
        requests = generate_latest(REGISTRY)
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector())
    return requests + generate_latest(database)


def metrics_view(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD") or not metrics_allowed(request):
        # Not even a hint that the endpoint exists.
        raise Http404
    response = HttpResponse(render(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
