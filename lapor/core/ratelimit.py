"""Rate limits for unauthenticated lookups (tracking numbers, access codes), in one place.

Fixed windows counted in a shared store, so every web process and machine counts together:
the database by default (``core.RateCounter``: one unique ``(key, window_start)`` row per
window, incremented atomically with ``F()``). Keys are HMACs of scope and identifier, so client
addresses and tracking numbers are never stored in clear. A refusal is
:class:`~lapor.core.errors.TooManyRequests` (HTTP 429, code ``rate_limited``, ``Retry-After``).

Limits on reading reports by tracking number (settings, see README "Configuration" and
docs/security.md "Rate limits"):

* ``LAPOR_RATE_LOOKUPS_PER_MINUTE`` distinct tracking numbers looked up per client address per
  minute (every page and endpoint under ``/lacak/<number>/`` and ``/track/{number}``). A number
  already looked up in the window is free: reloading a tracking page, the reporter's own
  messages and their redirects never count twice, so the many citizens behind one carrier-grade
  NAT address are not refused while only reading. Public pages (feed, report pages) are not
  counted at all. What is limited is scanning: trying number after number.
* ``LAPOR_RATE_CODE_FAILURES_PER_HOUR`` wrong access codes for one tracking number from one
  client address per hour, and ``LAPOR_RATE_CODE_FAILURES_PER_IP_HOUR`` wrong access codes from
  one client address per hour over all numbers (against spraying guesses). Failures slow down
  only the address that made them: nobody can lock a reporter out by typing wrong codes for a
  public tracking number, since the right code from any other address is accepted at once
  (a guess of an 80-bit code is hopeless anyway; the limits stop scanning, not the owner).

Every refusal tells when to retry (``Retry-After`` and the seconds in the message), in words
that do not blame the person for attempts made by someone sharing their address.

Other public endpoints that cost the server work (search, the duplicate check, data exports)
count every request per client address (:func:`throttle_requests`).

New reports (:func:`throttle_submission`, called by ``report_submit`` for every public door:
web form, API, Open311, integration API, e-mail and the messaging channels):

* ``LAPOR_RATE_REPORTS_PER_SENDER_HOUR`` / ``…_PER_SENDER_DAY`` per sender: the citizen
  account, the phone number, the e-mail address, the Telegram or X account. One phone number
  counts once whether it writes by SMS, WhatsApp or the web form;
* ``LAPOR_RATE_REPORTS_PER_ADDRESS_HOUR`` per client address (larger: many people share one
  address behind a carrier's NAT or a school's network);
* ``LAPOR_RATE_REPORTS_PER_APPLICATION_MINUTE`` per integration application or Open311 key;
* ``LAPOR_RATE_REPORTS_PER_CHANNEL_MINUTE`` optional ceilings for a whole channel.

A refusal is answered (429 ``too_many_reports`` or ``channel_busy``, or a reply on the channel)
and counted in ``lapor_submissions_refused_total``: never a silent drop. Only valid reports are
counted (the limits run after validation).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import random
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, connections, router, transaction
from django.http import HttpRequest
from prometheus_client import Counter

from lapor.core import clock
from lapor.core.errors import TooManyRequests
from lapor.core.models import RateCounter

logger = logging.getLogger(__name__)

_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# Expired rows are pruned by the worker once a minute; a small share of writes prune too, so a
# deployment without a worker does not grow the table forever.
_PRUNE_ON_WRITE_RATE = 0.01

SUBMISSIONS_REFUSED = Counter("lapor_submissions_refused",
                              "New reports refused by a submission rate limit",
                              ["channel", "limit"])


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` events per ``seconds``-long fixed window, per identifier."""

    scope: str
    limit: int
    seconds: int


def lookup_limit() -> Limit:
    """Distinct tracking numbers per client address per minute."""
    return Limit("lookup-numbers", settings.LAPOR_RATE_LOOKUPS_PER_MINUTE, 60)


def request_limit() -> Limit:
    """Requests per client address per minute, for costly public endpoints (search …)."""
    return Limit("lookup-ip", settings.LAPOR_RATE_LOOKUPS_PER_MINUTE, 60)


def code_failures_per_address_and_number() -> Limit:
    """Wrong access codes for one tracking number from one client address."""
    return Limit("code-fail-address-number", settings.LAPOR_RATE_CODE_FAILURES_PER_HOUR, 3600)


def code_failures_per_ip() -> Limit:
    """Wrong access codes from one client address, over all tracking numbers."""
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

    def increment_many(self, windows: list[tuple[str, datetime, datetime]]) -> list[int]:
        """``increment`` for several ``(key, window_start, expires_at)`` at once (distinct
        keys), in one statement; the new counts in the same order."""
        ...

    def increment_and_mark(self, key: str, mark: str, window_start: datetime,
                           expires_at: datetime, limit: int) -> int:
        """``increment`` ``key``'s window and, when its new count is at most ``limit``, also
        ``mark``'s (the same window); returns ``key``'s new count."""
        ...

    def count(self, key: str, window_start: datetime) -> int:
        """The window's count without changing it."""
        ...

    def prune(self, now: datetime) -> int:
        """Forget expired windows; returns how many were removed (if known)."""
        ...


class DatabaseBackend:
    """Counters in ``core.RateCounter``; works on SQLite (3.35+) and PostgreSQL alike.

    One ``INSERT … ON CONFLICT (key, window_start) DO UPDATE SET count = count + 1 RETURNING``
    statement counts every window of a request: one round trip, atomic per row, and the rows
    are written in key order so two requests sharing keys can't deadlock.
    """

    @staticmethod
    def _upsert(values: str) -> str:
        """``INSERT … {values} ON CONFLICT … count + 1`` into the counters (``values``: a
        ``VALUES`` list or a ``SELECT`` of key, window start, 1, expiry)."""
        quote = connection.ops.quote_name
        table = quote(RateCounter._meta.db_table)
        key, start, count, expires = (quote(c) for c in ("key", "window_start", "count",
                                                          "expires_at"))
        return (f"INSERT INTO {table} ({key}, {start}, {count}, {expires}) {values} "
                f"ON CONFLICT ({key}, {start}) DO UPDATE SET {count} = {table}.{count} + 1")

    @staticmethod
    def _write(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
        """Run one counting statement; the rows it returns.

        A counter lost in a crash costs nothing: in its own transaction (never in a caller's,
        which may hold a report) PostgreSQL need not wait for the WAL flush at commit. With
        Django's client-side binding (its default) ``SET LOCAL synchronous_commit = off`` and
        the statement go as one query string, which PostgreSQL runs as one implicit
        transaction: one round trip instead of four (BEGIN, SET, the statement, COMMIT)."""
        relaxed = connection.vendor == "postgresql" and not connection.in_atomic_block
        one_string = relaxed and connection.settings_dict.get("OPTIONS", {}).get(
            "server_side_binding") is not True
        with connection.cursor() as cursor:
            if one_string:
                cursor.execute("SET LOCAL synchronous_commit = off; " + sql, params)
                cursor.nextset()  # past the SET's (empty) result
                return cursor.fetchall()
            with transaction.atomic() if relaxed else nullcontext():
                if relaxed:
                    cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute(sql, params)
                return cursor.fetchall()

    def _pruned_now_and_then(self) -> None:
        if random.random() < _PRUNE_ON_WRITE_RATE:  # noqa: S311  (not security)
            self.prune(clock.now())

    def increment(self, key: str, window_start: datetime, expires_at: datetime) -> int:
        return self.increment_many([(key, window_start, expires_at)])[0]

    def increment_many(self, windows: list[tuple[str, datetime, datetime]]) -> list[int]:
        if not windows:
            return []
        ops, quote = connection.ops, connection.ops.quote_name
        ordered = sorted(windows)
        params: list[Any] = []
        for row_key, window_start, expires_at in ordered:
            params += [row_key, ops.adapt_datetimefield_value(window_start),
                       ops.adapt_datetimefield_value(expires_at)]
        values = ", ".join(["(%s, %s, 1, %s)"] * len(ordered))
        returned = self._write(
            f"{self._upsert('VALUES ' + values)} RETURNING {quote('key')}, {quote('count')}",
            params)
        self._pruned_now_and_then()
        # RETURNING gives no order guarantee: match rows by key (distinct within one call).
        counts = {row_key: int(row_count) for row_key, row_count in returned}
        return [counts[row_key] for row_key, _start, _expires in windows]

    def increment_and_mark(self, key: str, mark: str, window_start: datetime,
                           expires_at: datetime, limit: int) -> int:
        # PostgreSQL: one statement, the mark's INSERT reading the count's RETURNING (the
        # rows in the same order every time, the count's first: no deadlock between two).
        # SQLite has no INSERT in WITH: two statements, as two increments would be.
        if connection.vendor != "postgresql":
            counted = self.increment(key, window_start, expires_at)
            if counted <= limit:
                self.increment(mark, window_start, expires_at)
            return counted
        quote = connection.ops.quote_name
        start, expires = (connection.ops.adapt_datetimefield_value(value)
                          for value in (window_start, expires_at))
        row = "%s, %s::timestamptz, 1, %s::timestamptz"
        count_row = self._upsert("VALUES (" + row + ")")
        mark_row = self._upsert(f"SELECT {row} FROM counted WHERE n <= %s")  # noqa: S608
        returned = self._write(  # (names are ours, values are parameters)
            f"WITH counted AS ({count_row} RETURNING {quote('count')} AS n), "  # noqa: S608
            f"marked AS ({mark_row}) SELECT n FROM counted",
            [key, start, expires, mark, start, expires, limit])
        self._pruned_now_and_then()
        return int(returned[0][0])

    def count(self, key: str, window_start: datetime) -> int:
        # Every tracking lookup reads a counter (throttle_lookup): the statement is written
        # out, not compiled from a queryset each time (issue #21); read where the routers
        # send RateCounter reads, as the queryset did. (key, window_start) is unique.
        db = connections[router.db_for_read(RateCounter) or "default"]
        quote = db.ops.quote_name
        sql = (f"SELECT {quote('count')} FROM {quote(RateCounter._meta.db_table)} "  # noqa: S608
               f"WHERE {quote('key')} = %s AND {quote('window_start')} = %s")  # (our names)
        with db.cursor() as cursor:
            cursor.execute(sql, [key, db.ops.adapt_datetimefield_value(window_start)])
            found = cursor.fetchone()
        return int(found[0]) if found else 0

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


def _refuse(end: datetime, now: datetime, code: str = "rate_limited") -> TooManyRequests:
    return TooManyRequests(code, retry_after=int((end - now).total_seconds()) + 1)


def hit(limit: Limit, identifier: str) -> None:
    """Count one event; refuse it when the window already holds ``limit.limit`` events."""
    now = clock.now()
    start, end = _window(limit, now)
    if backend().increment(_key(limit.scope, identifier), start, end) > limit.limit:
        raise _refuse(end, now)


def hit_many(checks: list[tuple[Limit, str]]) -> tuple[Limit, int] | None:
    """Count one event on each ``(limit, identifier)`` in one statement. The first limit (in
    the given order) whose window now holds more than ``limit.limit`` events, with the
    seconds until its window ends, or None."""
    now = clock.now()
    windows = [(_key(limit.scope, identifier), *_window(limit, now))
               for limit, identifier in checks]
    counts = backend().increment_many(windows)
    for (limit, _identifier), (_k, _start, end), count in zip(checks, windows, counts,
                                                                strict=True):
        if count > limit.limit:
            return limit, _refuse(end, now).retry_after
    return None


def check(limit: Limit, identifier: str, *, code: str = "rate_limited") -> None:
    """Refuse (with ``code``) when ``limit.limit`` events were recorded in this window (counts
    nothing)."""
    now = clock.now()
    start, end = _window(limit, now)
    if backend().count(_key(limit.scope, identifier), start) >= limit.limit:
        raise _refuse(end, now, code)


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


def throttle_requests(request: HttpRequest) -> None:
    """A costly public request (search, duplicate check, data export): at most N per client
    address per minute."""
    hit(request_limit(), client_ip(request))


def throttle_lookup(address: str, tracking_number: str) -> None:
    """One look-up of ``tracking_number`` from ``address``; refuses scanning.

    The first look-up of a number in the window counts against the address's limit of distinct
    numbers and, when admitted, marks the number as seen; a number seen before is free (one
    read). A refused number is not marked, so asking again does not get it through.
    """
    limit = lookup_limit()
    now = clock.now()
    start, end = _window(limit, now)
    seen = _key("lookup-seen", f"{address}\x00{_number(tracking_number)}")
    store = backend()
    if store.count(seen, start) > 0:
        return
    if store.increment_and_mark(_key(limit.scope, address), seen, start, end,
                                limit.limit) > limit.limit:
        raise _refuse(end, now)


def _code_failure_counters(address: str, tracking_number: str) -> list[tuple[Limit, str]]:
    return [(code_failures_per_address_and_number(),
             f"{address}\x00{_number(tracking_number)}"),
            (code_failures_per_ip(), address)]


def access_code_guard(*, address: str, tracking_number: str) -> None:
    """Before checking an access code: refuse while this address typed too many wrong codes,
    for this tracking number or over all numbers, in the current hour (even the right code
    from this address, so that guessing cannot go on). Other addresses are not affected."""
    for limit, identifier in _code_failure_counters(address, tracking_number):
        check(limit, identifier, code="access_code_attempts")


def access_code_failed(*, address: str, tracking_number: str) -> None:
    """Count a wrong access code for ``address`` (both counters, one statement)."""
    now = clock.now()
    backend().increment_many([
        (_key(limit.scope, identifier), *_window(limit, now))
        for limit, identifier in _code_failure_counters(address, tracking_number)])
    logger.info("wrong access code (counted for the client address)")


# ---------------------------------------------------------------- new reports


@dataclass(frozen=True)
class Origin:
    """Where a new report came in, for the submission limits (a public door builds one).

    ``address``: the client address of a web, app or Open311 request; ``handle``: the sender
    on a messaging channel, typed (``phone:+62812…``, ``email:…``, ``telegram:…``, ``x:…``);
    ``application``: an integration application or Open311 key acting for many citizens.
    """

    address: str = ""
    handle: str = ""
    application: str = ""


CHANNEL_SCOPE = "report-channel"


def submission_limits() -> dict[str, Limit]:
    return {
        "sender-hour": Limit("report-sender-hour", settings.LAPOR_RATE_REPORTS_PER_SENDER_HOUR,
                             3600),
        "sender-day": Limit("report-sender-day", settings.LAPOR_RATE_REPORTS_PER_SENDER_DAY,
                            86400),
        "address-hour": Limit("report-address-hour",
                              settings.LAPOR_RATE_REPORTS_PER_ADDRESS_HOUR, 3600),
        "application-minute": Limit("report-app-minute",
                                    settings.LAPOR_RATE_REPORTS_PER_APPLICATION_MINUTE, 60),
    }


def throttle_submission(*, channel: str, origin: Origin, senders: Iterable[str] = ()) -> None:
    """Count a new report against its sender(s), address, application and channel; refuse it
    (:class:`TooManyRequests` ``too_many_reports``, or ``channel_busy`` for a channel ceiling)
    when one of them is over its limit. ``senders``: typed identities the report itself gives
    (account, phone, e-mail), counted like ``origin.handle``. A limit of 0 is off."""
    limits = submission_limits()
    limits["channel-minute"] = Limit(
        CHANNEL_SCOPE, settings.LAPOR_RATE_REPORTS_PER_CHANNEL_MINUTE.get(channel, 0), 60)
    checks: list[tuple[str, str]] = []
    for sender in sorted({s for s in (origin.handle, *senders) if s}):
        checks += [("sender-hour", sender), ("sender-day", sender)]
    if origin.address:
        checks.append(("address-hour", origin.address))
    if origin.application:
        checks.append(("application-minute", origin.application))
    checks.append(("channel-minute", channel))
    over = hit_many([(limits[name], identifier) for name, identifier in checks
                     if limits[name].limit > 0])
    if over is None:
        return
    limit, retry_after = over
    name = next(name for name, known in limits.items() if known is limit)
    SUBMISSIONS_REFUSED.labels(channel=channel, limit=name).inc()
    logger.info("new report refused: %s limit of the %s channel", name, channel)
    code = "channel_busy" if name == "channel-minute" else "too_many_reports"
    raise TooManyRequests(code, retry_after=retry_after)
