"""Credentials and signed requests between Lapor instances (docs/federation.md, "Trust").

* A link's **token** (``lfed_`` + 43 url-safe characters, 256 random bits) is printed once by
  ``lapor federation peer add`` on the national instance, which keeps only its SHA-256
  (:func:`token_hash`); the regional instance keeps it vault-encrypted.
* Both sides derive the **signing key** ``K = HMAC-SHA256(token, "lapor-federation-signing-v1")``
  (:func:`signing_key`) and keep it vault-encrypted (``Link.signing_key_encrypted``).
* Every request carries ``X-Lapor-Link`` (the federated agency's code), ``X-Lapor-Timestamp``
  (unix seconds) and ``X-Lapor-Signature`` = hex HMAC-SHA256 under K of
  ``"{timestamp}\\n{METHOD}\\n{path}\\n" + body``; requests from a region also carry
  ``Authorization: Bearer <token>``.
* The receiver (:func:`request_verify`) refuses, with 401: an unknown link or wrong token
  ``unknown_peer``, a wrong signature ``bad_signature``, a timestamp further than
  ``LAPOR_FEDERATION_SKEW_SECONDS`` from its clock ``stale_request``, and a signature it has
  already accepted ``replayed_request`` (:class:`SeenSignature`, kept twice the skew). A
  sender's retry is signed again with a fresh timestamp: not a replay, and harmless (the
  journal's sequence numbers make it idempotent).

Every comparison of secrets is constant-time. Nothing here logs a token, key or body.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from lapor.core import clock
from lapor.core.errors import NotAuthenticated
from lapor.federation.models import Link, LinkRole, SeenSignature
from lapor.privacy import vault

TOKEN_PREFIX = "lfed_"  # noqa: S105  (a public prefix, not a secret)
_SIGNING_CONTEXT = b"lapor-federation-signing-v1"

HEADER_LINK = "X-Lapor-Link"
HEADER_TIMESTAMP = "X-Lapor-Timestamp"
HEADER_SIGNATURE = "X-Lapor-Signature"


def token_new() -> str:
    """A new link token: ``lfed_`` and 43 url-safe characters."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """SHA-256 (hex) of ``token``: what the national instance stores (256 random bits need
    no slow hash)."""
    return hashlib.sha256(token.encode()).hexdigest()


def signing_key(token: str) -> bytes:
    """The HMAC key both sides derive from the link's token."""
    return hmac.new(token.encode(), _SIGNING_CONTEXT, hashlib.sha256).digest()


def signing_key_encrypt(key: bytes) -> str:
    return vault.encrypt(key.hex())


def link_signing_key(link: Link) -> bytes:
    """``link``'s signing key, decrypted with the vault key."""
    return bytes.fromhex(vault.decrypt(link.signing_key_encrypted))


def link_token(link: Link) -> str:
    """The token an upstream link presents to the national instance ("" for a peer row)."""
    return vault.decrypt(link.token_encrypted) if link.token_encrypted else ""


def signature(*, key: bytes, timestamp: int | str, method: str, path: str,
              body: bytes) -> str:
    """Hex HMAC-SHA256 of ``"{timestamp}\\n{METHOD}\\n{path}\\n" + body`` under ``key``."""
    message = f"{timestamp}\n{method.upper()}\n{path}\n".encode() + body
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def signed_headers(*, agency_code: str, key: bytes, method: str, path: str, body: bytes,
                   token: str = "", timestamp: int | None = None) -> dict[str, str]:
    """The headers of a signed request (``token``: the bearer a region presents)."""
    when = int(clock.now().timestamp()) if timestamp is None else timestamp
    headers = {
        HEADER_LINK: agency_code,
        HEADER_TIMESTAMP: str(when),
        HEADER_SIGNATURE: signature(key=key, timestamp=when, method=method, path=path,
                                    body=body),
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def link_headers(link: Link, *, method: str, path: str, body: bytes) -> dict[str, str]:
    """Signed headers for a request over ``link`` (with the bearer token when ``link`` is
    this region's upstream)."""
    return signed_headers(agency_code=link.agency.code, key=link_signing_key(link),
                          method=method, path=path, body=body, token=link_token(link))


@dataclass(frozen=True)
class SignedRequest:
    """What :func:`request_verify` needs of an incoming request (no HTTP types here)."""

    method: str
    path: str
    body: bytes
    agency_code: str
    timestamp: str
    signature: str
    authorization: str = ""


def _bearer(authorization: str) -> str:
    scheme, _, value = authorization.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


_HEX = frozenset("0123456789abcdef")


def _plain(value: str) -> bool:
    """A header value a database may be asked about: printable ASCII only (no NUL, which
    PostgreSQL refuses in a query with an error, not an empty answer)."""
    return value.isascii() and value.isprintable()


def _link_for(request: SignedRequest) -> Link:
    """The active link the request names, its bearer token checked on a peer row."""
    code = request.agency_code[:80]
    link = (Link.objects.filter(agency__code=code, is_active=True)
            .select_related("agency").first()) if code and _plain(code) else None
    # Compare against a dummy when there is no link, so timing says nothing about codes.
    expected = link.token_hash if link is not None and link.role == LinkRole.PEER else "0" * 64
    presented = token_hash(_bearer(request.authorization))
    token_ok = hmac.compare_digest(expected, presented)
    if link is None or (link.role == LinkRole.PEER and not token_ok):
        raise NotAuthenticated("unknown_peer")
    return link


def request_verify(request: SignedRequest) -> Link:
    """The link an incoming request comes over, once its token, signature, timestamp and
    novelty are checked (401 ``unknown_peer`` / ``bad_signature`` / ``stale_request`` /
    ``replayed_request``). Records the signature as seen (its own transaction: it stays
    seen even if handling the request fails afterwards)."""
    link = _link_for(request)
    expected = signature(key=link_signing_key(link), timestamp=request.timestamp,
                         method=request.method, path=request.path, body=request.body)
    presented = request.signature.strip().lower()
    # Hex only: compare_digest refuses (TypeError) a str with non-ASCII characters.
    if (len(presented) != 64 or not _HEX.issuperset(presented)
            or not hmac.compare_digest(expected, presented)):
        raise NotAuthenticated("bad_signature")
    skew = settings.LAPOR_FEDERATION_SKEW_SECONDS
    now = clock.now()
    # Unix seconds: ASCII digits, a sane length (a 400-digit "timestamp" overflows a float).
    stamp = request.timestamp
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) <= 12):
        raise NotAuthenticated("stale_request")
    when = int(stamp)
    if abs(now.timestamp() - when) > skew:
        raise NotAuthenticated("stale_request")
    seen_signatures_purge()
    try:
        with transaction.atomic():
            SeenSignature.objects.create(link=link, digest=presented, seen_at=now)
    except IntegrityError:
        raise NotAuthenticated("replayed_request") from None
    return link


def seen_signatures_purge() -> int:
    """Forget accepted signatures older than twice the skew window (a request that old is
    refused as stale anyway)."""
    cutoff = clock.now() - timedelta(seconds=2 * settings.LAPOR_FEDERATION_SKEW_SECONDS)
    deleted, _ = SeenSignature.objects.filter(seen_at__lt=cutoff).delete()
    return deleted
