"""Talking to the other instance: the signed handshake and pushing a link's journal
(docs/federation.md, "Transport").

:func:`push` sends the link's backlog from ``sent_through + 1`` in batches of
``LAPOR_FEDERATION_BATCH`` entries (the body: :func:`lapor.federation.mirror.snapshot_entries`)
to ``POST {url}/api/v1/federation/journal``, sets ``sent_through`` to the answer's
``received_through`` and marks the outbox rows it covered sent. The outbox sender of channel
``federation`` (:class:`FederationSender`) calls it: a network error, a 5xx, 401, 408 or 429
is a transient failure (the outbox retries with backoff, then dead letters); nothing is lost
when a row dies, since the journal keeps the entries and the scheduler's per-minute push
(lapor.federation.tasks) sends any backlog.
"""

from __future__ import annotations

import contextlib
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction

from lapor.core import clock
from lapor.core.errors import MESSAGES, ApplicationError
from lapor.federation.models import JournalEntry, Link
from lapor.federation.signing import link_headers, signed_headers, signing_key
from lapor.notifications.models import Channel, OutboxMessage, OutboxStatus
from lapor.notifications.senders import DeliveryError, register_sender

logger = logging.getLogger(__name__)

JOURNAL_PATH = "/api/v1/federation/journal"
HELLO_PATH = "/api/v1/federation/hello"
NUMBERS_PATH = "/api/v1/federation/numbers"
# At most this many tracking numbers in one ``numbers`` request (about 75 kB of JSON).
NUMBERS_BATCH = 5000
_ANSWER_MAX = 64 * 1024 * 1024
_USER_AGENT = "Lapor-Federation/1"
# A request body stays under this (the receiver's DATA_UPLOAD_MAX_MEMORY_SIZE is 2.5 MB).
BODY_MAX = 2_000_000


class PeerFailed(ApplicationError):
    """The other instance could not be reached (``peer_unreachable``), refused the request
    (its own error code, e.g. ``unknown_peer``) or answered something unusable
    (``peer_error``). ``transient``: worth retrying later."""

    status = 502

    def __init__(self, code: str, *, transient: bool = True, http_status: int | None = None
                 ) -> None:
        super().__init__(code if code in MESSAGES else "peer_error",
                         detail={"peer_code": code, "http_status": http_status})
        self.transient = transient
        self.http_status = http_status

    @property
    def reason(self) -> str:
        """Short, secret-free: what ``last_error`` and the outbox row keep."""
        return (f"http_{self.http_status} {self.code}" if self.http_status else self.code)[:300]


def _endpoint(base_url: str, path: str) -> tuple[str, str]:
    """The full URL and the path to sign (the base URL's own path prefix included)."""
    base = base_url.rstrip("/")
    full = base + path
    return full, urllib.parse.urlsplit(full).path


def _call(url: str, *, method: str, body: bytes | None, headers: Mapping[str, str]
          ) -> dict[str, Any]:
    if not url.startswith(("http://", "https://")):
        raise PeerFailed("peer_unreachable", transient=False)
    request = urllib.request.Request(  # noqa: S310  (scheme checked above)
        url, data=body, method=method,
        headers={"Accept": "application/json", "User-Agent": _USER_AGENT, **headers})
    try:
        with urllib.request.urlopen(  # noqa: S310
                request, timeout=settings.LAPOR_FEDERATION_TIMEOUT_SECONDS) as response:
            raw = response.read(_ANSWER_MAX)
    except urllib.error.HTTPError as exc:
        code = ""
        with contextlib.suppress(ValueError, AttributeError, OSError):
            code = str(json.loads(exc.read(64 * 1024)).get("code", ""))
        retry = exc.code in (401, 408, 429) or exc.code >= 500
        raise PeerFailed(code or "peer_error", transient=retry, http_status=exc.code) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise PeerFailed("peer_unreachable") from exc
    try:
        answer = json.loads(raw)
    except ValueError:
        raise PeerFailed("peer_error") from None
    if not isinstance(answer, dict):
        raise PeerFailed("peer_error")
    return answer


# ---------------------------------------------------------------- the handshake


@dataclass(frozen=True)
class Hello:
    """The national instance's answer to a region's handshake."""

    agency: str
    lane: int
    reserved_numbers: list[str]
    access_code_key: str  # base64


def hello(*, url: str, agency_code: str, token: str) -> Hello:
    """``GET {url}/api/v1/federation/hello``, signed with the key derived from ``token``:
    proves the credentials work and fetches the lane, the reserved numbers and the shared
    access-code key. Raises :class:`PeerFailed`."""
    full, path = _endpoint(url, HELLO_PATH)
    headers = signed_headers(agency_code=agency_code, key=signing_key(token), method="GET",
                             path=path, body=b"", token=token)
    answer = _call(full, method="GET", body=None, headers=headers)
    lane, reserved = answer.get("lane"), answer.get("reserved_numbers")
    key = answer.get("access_code_key")
    if (not isinstance(lane, int) or isinstance(lane, bool) or not isinstance(reserved, list)
            or not all(isinstance(n, str) and len(n) == 12 and n.isdigit() for n in reserved)
            or not isinstance(key, str) or answer.get("agency") != agency_code):
        raise PeerFailed("peer_error", transient=False)
    return Hello(agency=agency_code, lane=lane, reserved_numbers=reserved, access_code_key=key)


@dataclass(frozen=True)
class NumbersAnswer:
    """The national instance's answer to a batch of a region's existing numbers."""

    reserved: int  # now never drawn there
    already_issued: int  # held there by a report of its own: a collision nothing can undo
    already_issued_numbers: list[str]  # the first of those (at most 100)


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 \
        else None


def numbers_send(*, url: str, agency_code: str, token: str, numbers: list[str]
                 ) -> NumbersAnswer:
    """``POST {url}/api/v1/federation/numbers`` with ``{"numbers": [...]}`` (at most
    :data:`NUMBERS_BATCH`), signed like the handshake: the national instance reserves this
    region's existing tracking numbers. Raises :class:`PeerFailed`."""
    full, path = _endpoint(url, NUMBERS_PATH)
    body = json.dumps({"numbers": numbers}, separators=(",", ":")).encode()
    headers = signed_headers(agency_code=agency_code, key=signing_key(token), method="POST",
                             path=path, body=body, token=token)
    headers["Content-Type"] = "application/json"
    answer = _call(full, method="POST", body=body, headers=headers)
    reserved, issued = _count(answer.get("reserved")), _count(answer.get("already_issued"))
    sample = answer.get("already_issued_numbers", [])
    if (reserved is None or issued is None or not isinstance(sample, list)
            or not all(isinstance(n, str) for n in sample)):
        raise PeerFailed("peer_error", transient=False)
    return NumbersAnswer(reserved=reserved, already_issued=issued,
                         already_issued_numbers=[n[:12] for n in sample[:100]])


# ---------------------------------------------------------------- pushing the journal


@dataclass(frozen=True)
class PushResult:
    sent: int  # entries the other side newly acknowledged
    received_through: int
    backlog: int  # entries still unacknowledged afterwards


def backlog(link: Link) -> int:
    return max(0, link.next_seq - 1 - link.sent_through)


def _record_error(link: Link, reason: str) -> None:
    now = clock.now()
    Link.objects.filter(pk=link.pk).update(last_error=reason[:300], last_error_at=now)
    link.last_error, link.last_error_at = reason[:300], now


def _mark_sent(link: Link, through: int) -> None:
    """The outbox rows of entries up to ``through``: delivered (by this push)."""
    OutboxMessage.objects.filter(
        channel=Channel.FEDERATION, status=OutboxStatus.PENDING, payload__link=link.pk,
        payload__seq__lte=through,
    ).update(status=OutboxStatus.SENT, sent_at=clock.now(), claimed_until=None,
             last_error="")


def _entry_bodies(link: Link, entries: list[JournalEntry]) -> list[dict[str, Any]]:
    from lapor.federation import mirror  # noqa: PLC0415  (the mirror work: snapshot/apply)

    bodies = mirror.snapshot_entries(link, entries)
    for entry, body in zip(entries, bodies, strict=True):
        body.setdefault("seq", entry.seq)
        body.setdefault("kind", entry.kind)
    return bodies


def _encode(bodies: list[dict[str, Any]]) -> bytes:
    return json.dumps({"entries": bodies}, separators=(",", ":"), default=str).encode()


def _acknowledged(link: Link, entries: list[JournalEntry]) -> None:
    """Tell the mirror which entries the other side now holds (``entries_acknowledged``,
    if the mirror module has it: e.g. to advance ``MirroredReport.last_event_sent`` only
    once the events really arrived). In the transaction that moves ``sent_through``."""
    from lapor.federation import mirror  # noqa: PLC0415

    hook = getattr(mirror, "entries_acknowledged", None)
    if hook is not None and entries:
        hook(link, entries)


def push(link: Link, *, max_batches: int | None = None) -> PushResult:
    """Send ``link``'s unacknowledged entries (all of them, batch after batch, or at most
    ``max_batches``). Raises :class:`PeerFailed` when the other side cannot be reached or
    refuses (recorded on the link); an entry the other side could not apply stops the push
    (its code recorded on the link, ``sent`` counts what was acknowledged before it)."""
    size = max(1, settings.LAPOR_FEDERATION_BATCH)
    full, path = _endpoint(link.url, JOURNAL_PATH)
    sent = 0
    batches = 0
    while max_batches is None or batches < max_batches:
        link.refresh_from_db()
        entries = list(JournalEntry.objects.filter(link=link, seq__gt=link.sent_through)
                       .order_by("seq")[:size])
        if not entries:
            break
        batches += 1
        bodies = _entry_bodies(link, entries)
        body = _encode(bodies)
        # Under the receiver's request size limit (DATA_UPLOAD_MAX_MEMORY_SIZE): fewer
        # entries per request when the snapshots are large (one at least).
        # The bodies are built again for the shorter batch: which entry of a report carries
        # its state (and its contact, once) depends on the batch (mirror.snapshot_entries).
        while len(body) > BODY_MAX and len(entries) > 1:
            entries = entries[: len(entries) // 2]
            bodies = _entry_bodies(link, entries)
            body = _encode(bodies)
        headers = link_headers(link, method="POST", path=path, body=body)
        headers["Content-Type"] = "application/json"
        headers["Idempotency-Key"] = f"{link.agency.code}:{entries[0].seq}-{entries[-1].seq}"
        try:
            answer = _call(full, method="POST", body=body, headers=headers)
        except PeerFailed as exc:
            _record_error(link, exc.reason)
            raise
        through = answer.get("received_through")
        if not isinstance(through, int) or isinstance(through, bool) or through < 0:
            _record_error(link, "peer_error")
            raise PeerFailed("peer_error")
        last_written = link.next_seq - 1
        if through > last_written:
            # The other side has more of this journal than this side ever wrote (a restore
            # from an older backup here): new entries would be taken for repeats. An
            # operator must look; nothing is marked sent.
            _record_error(link, f"peer_ahead {through}>{last_written}")
            raise PeerFailed("peer_error", transient=False)
        # The answer is the truth, even backwards (a restore there): send again from it.
        before = link.sent_through
        now = clock.now()
        with transaction.atomic():
            Link.objects.filter(pk=link.pk).update(sent_through=through, last_success_at=now)
            link.sent_through, link.last_success_at = through, now
            _mark_sent(link, through)
            _acknowledged(link, [e for e in entries if before < e.seq <= through])
        sent += max(0, through - before)
        refused = answer.get("error")
        if through < entries[-1].seq:
            # The other side stopped inside the batch: an entry it could not apply (its code
            # recorded here too), or a gap it waits to fill. Try again later.
            _record_error(link, f"peer refused entry {through + 1}: {refused or 'gap'}")
            break
        if link.last_error:
            Link.objects.filter(pk=link.pk).update(last_error="")
            link.last_error = ""
    return PushResult(sent=sent, received_through=link.sent_through, backlog=backlog(link))


class FederationSender:
    """The outbox's sender for channel ``federation``: a row is entry ``seq`` of a link;
    delivering it pushes the link's whole backlog up to there (and beyond)."""

    def send(self, message: OutboxMessage) -> None:
        payload = message.payload or {}
        link_id, seq = payload.get("link"), payload.get("seq")
        link = (Link.objects.select_related("agency").filter(pk=link_id).first()
                if isinstance(link_id, int) else None)
        if link is None or not isinstance(seq, int):
            raise DeliveryError("federation_no_link", permanent=True)
        if not link.is_active:
            raise DeliveryError("federation_link_inactive", permanent=True)
        if link.sent_through >= seq:
            return  # a push already delivered it
        try:
            push(link)
        except PeerFailed as exc:
            raise DeliveryError(exc.reason, permanent=not exc.transient) from exc
        if link.sent_through < seq:
            raise DeliveryError(f"federation_behind {link.last_error}"[:300])


def sender_register() -> None:
    """Plug the federation sender into the outbox (lapor.federation's AppConfig.ready)."""
    register_sender(Channel.FEDERATION, FederationSender)
