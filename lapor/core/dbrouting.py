"""Reads of public pages and dashboards on a PostgreSQL replica (docs/deploy.md).

With ``DATABASE_REPLICA_URL`` set, settings add a ``replica`` database alias and this router.
Nothing reads from the replica unless a request asked for it: :class:`ReplicaReadsMiddleware`
marks GET and HEAD requests whose URL name is in ``LAPOR_REPLICA_ROUTES`` (the public feed and
report pages, Open311 reads, the statistics pages), and only those requests' reads go there.
Everything else (every write, every staff action, tracking with an access code, the task
worker) stays on the primary, so a state change is never checked against stale rows.

Replicas lag. A visitor who has just written something (any POST, PUT, PATCH or DELETE) gets a
short-lived cookie that pins their next reads to the primary, so the page they are sent to
after a support ("dukung") or a submission shows their own change. Inside a transaction on the
primary, reads stay on the primary as well.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fnmatch import fnmatchcase
from typing import Any

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PIN_COOKIE = "lapor_primary"
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("lapor_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Send the reads of this block to the replica (when one is configured)."""
    token = _use_replica.set(True)
    try:
        yield
    finally:
        _use_replica.reset(token)


class ReplicaRouter:
    """Writes and migrations on the primary; reads on the replica only inside
    :func:`replica_reads` and outside any transaction on the primary."""

    def db_for_read(self, model: type[Any], **hints: Any) -> str | None:
        if not _use_replica.get() or not replica_configured():
            return None
        if connections["default"].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model: type[Any], **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # Both aliases hold the same rows: objects read from either may be related.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db == "default"


def route_matches(view_name: str, patterns: list[str]) -> bool:
    """``portal:feed`` against patterns such as ``portal:feed`` or ``open311:*``."""
    return any(fnmatchcase(view_name, pattern) for pattern in patterns)


class ReplicaReadsMiddleware:
    """Mark the requests whose reads may go to the replica; pin recent writers to the primary."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        finally:
            # The mark covers the view and the rendering of its response, nothing after.
            token = getattr(request, "_lapor_replica_token", None)
            if token is not None:
                _use_replica.reset(token)
        if request.method not in _SAFE and replica_configured():
            response.set_cookie(PIN_COOKIE, "1", max_age=settings.LAPOR_REPLICA_PIN_SECONDS,
                                httponly=True, samesite="Lax", secure=request.is_secure())
        return response

    def process_view(self, request: HttpRequest, view: Callable[..., HttpResponse],
                     args: Any, kwargs: Any) -> None:
        match = request.resolver_match
        if (
            replica_configured()
            and request.method in _SAFE
            and PIN_COOKIE not in request.COOKIES
            and match is not None
            and route_matches(match.view_name, settings.LAPOR_REPLICA_ROUTES)
        ):
            request._lapor_replica_token = _use_replica.set(True)  # type: ignore[attr-defined]
