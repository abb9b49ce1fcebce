"""Rate limits for unauthenticated lookups (tracking numbers, access codes), in one place.

Fixed windows counted in a shared store, so every web process and machine counts together:
the database by default (``core.RateCounter``: one unique ``(key, window_start)`` row per
window, incremented atomically with ``F()``). Keys are HMACs of scope and identifier, so client
addresses and tracking numbers are never stored in clear. A refusal is
:class:`~lapor.core.errors.TooManyRequests` (HTTP 429, code ``rate_limited``, ``Retry-After``).

Limits (settings, see README "Configuration"):

* ``LAPOR_RATE_LOOKUPS_PER_MINUTE`` lookups per client address per minute, for every endpoint
  under ``/track/{number}``;
* ``LAPOR_RATE_CODE_FAILURES_PER_HOUR`` wrong access codes per tracking number per hour: after
  that even the right code is refused until the window ends, so guessing cannot continue;
* ``LAPOR_RATE_CODE_FAILURES_PER_IP_HOUR`` wrong access codes per client address per hour,
  against spraying guesses over many tracking numbers.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest

from lapor.core import clock
from lapor.core.errors import TooManyRequests
from lapor.core.models import RateCounter

logger = logging.getLogger(__name__)

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# Expired rows are pruned by the worker once a minute; a small share of writes prune too, so a
# deployment without a worker does not grow the table forever.
_PRUNE_ON_WRITE_RATE = 0.01


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` events per ``seconds``-long fixed window, per identifier."""

    scope: str
    limit: int
    seconds: int


def lookup_limit() -> Limit:
    return Limit("lookup-ip", settings.LAPOR_RATE_LOOKUPS_PER_MINUTE, 60)


def code_failures_per_number() -> Limit:
    return Limit("code-fail-number", settings.LAPOR_RATE_CODE_FAILURES_PER_HOUR, 3600)


def code_failures_per_ip() -> Limit:
    return Limit("code-fail-ip", settings.LAPOR_RATE_CODE_FAILURES_PER_IP_HOUR, 3600)


def client_ip(request: HttpRequest) -> str:
    """The client address: ``REMOTE_ADDR``, or behind ``LAPOR_PROXY_COUNT`` trusted reverse
    proxies the address the outermost of them saw (counted from the right of
    ``X-Forwarded-For``, so a client cannot choose it by sending the header itself).

    Also django-axes' ``AXES_CLIENT_IP_CALLABLE``, so lockouts and rate limits agree.
    """
    remote = str(request.META.get("REMOTE_ADDR") or "")
    proxies = settings.LAPOR_PROXY_COUNT
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    hops = [h for h in hops if h]
    return hops[-proxies] if len(hops) >= proxies else remote


class Backend(Protocol):
    def increment(self, key: str, window_start: datetime, expires_at: datetime) -> int:
        """Add one to the window's counter and return the new count."""
        ...

    def count(self, key: str, window_start: datetime) -> int:
        """The window's count without changing it."""
        ...

    def prune(self, now: datetime) -> int:
        """Forget expired windows; returns how many were removed (if known)."""
        ...


class DatabaseBackend:
    """Counters in ``core.RateCounter``; works on SQLite and PostgreSQL alike."""

    def increment(self, key: str, window_start: datetime, expires_at: datetime) -> int:
        rows = RateCounter.objects.filter(key=key, window_start=window_start)
        with transaction.atomic():
            if not rows.update(count=F("count") + 1):
                try:
                    with transaction.atomic():
                        RateCounter.objects.create(key=key, window_start=window_start, count=1,
                                                   expires_at=expires_at)
                except IntegrityError:
                    # Another process created the window's row first: count on it.
                    rows.update(count=F("count") + 1)
                else:
                    if random.random() < _PRUNE_ON_WRITE_RATE:  # noqa: S311  (not security)
                        self.prune(clock.now())
                    return 1
            return rows.values_list("count", flat=True).get()

    def count(self, key: str, window_start: datetime) -> int:
        found = RateCounter.objects.filter(key=key, window_start=window_start).values_list(
            "count", flat=True).first()
        return found or 0

    def prune(self, now: datetime) -> int:
        deleted, _ = RateCounter.objects.filter(expires_at__lte=now).delete()
        return deleted


def backend() -> Backend:
    return DatabaseBackend()


def _key(scope: str, identifier: str) -> str:
    secret = hashlib.sha256(f"lapor.ratelimit:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(secret, f"{scope}\x00{identifier}".encode(), hashlib.sha256).hexdigest()


def _window(limit: Limit, now: datetime) -> tuple[datetime, datetime]:
    elapsed = int((now - _EPOCH).total_seconds())
    start = _EPOCH + timedelta(seconds=elapsed - elapsed % limit.seconds)
    return start, start + timedelta(seconds=limit.seconds)


def _refuse(end: datetime, now: datetime) -> TooManyRequests:
    return TooManyRequests("rate_limited", retry_after=int((end - now).total_seconds()) + 1)


def hit(limit: Limit, identifier: str) -> None:
    """Count one event; refuse it when the window already holds ``limit.limit`` events."""
    now = clock.now()
    start, end = _window(limit, now)
    if backend().increment(_key(limit.scope, identifier), start, end) > limit.limit:
        raise _refuse(end, now)


def check(limit: Limit, identifier: str) -> None:
    """Refuse when ``limit.limit`` events were recorded in this window (counts nothing)."""
    now = clock.now()
    start, end = _window(limit, now)
    if backend().count(_key(limit.scope, identifier), start) >= limit.limit:
        raise _refuse(end, now)


def record(limit: Limit, identifier: str) -> None:
    """Count one event (for example a failure) without refusing anything."""
    now = clock.now()
    start, end = _window(limit, now)
    backend().increment(_key(limit.scope, identifier), start, end)


def prune() -> int:
    """Remove expired windows (the worker calls this once a minute)."""
    return backend().prune(clock.now())


# ---------------------------------------------------------------- reporter lookups


def _number(tracking_number: str) -> str:
    """Digits only: ``#1234-5678 9`` and ``123456789`` share one counter."""
    return "".join(ch for ch in tracking_number if ch.isdigit())


def throttle_lookup(request: HttpRequest) -> None:
    """Every request under ``/track/{number}``: at most N per client address per minute."""
    hit(lookup_limit(), client_ip(request))


def access_code_guard(request: HttpRequest, tracking_number: str) -> None:
    """Before checking an access code: refuse while too many wrong codes were tried for this
    tracking number or from this address in the current hour (even the right code, so that
    guessing cannot go on)."""
    check(code_failures_per_number(), _number(tracking_number))
    check(code_failures_per_ip(), client_ip(request))


def access_code_failed(request: HttpRequest, tracking_number: str) -> None:
    record(code_failures_per_number(), _number(tracking_number))
    record(code_failures_per_ip(), client_ip(request))
    logger.info("wrong access code (tracking-number and client counters incremented)")
