"""A local Web Push service (RFC 8030) for tests: it checks the VAPID header (RFC 8292) the way
a real push service does and decrypts the aes128gcm body (RFC 8291) with the subscription's
private key, so a test reads exactly what the phone's service worker would get.

Only the outside provider is faked; the sender under test is the real pywebpush path.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """One browser's push subscription: its key pair and auth secret, made by the test."""

    endpoint: str
    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint))

    def subscription(self) -> dict[str, Any]:
        """What ``PushSubscription.toJSON()`` gives in a browser."""
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}}


@dataclass
class Received:
    path: str
    headers: dict[str, str]  # names lower-cased (HTTP header names are case-insensitive)
    claims: dict[str, Any]
    vapid_key: str
    payload: dict[str, Any]


class VapidRefused(Exception):
    pass


def check_vapid(header: str, origin: str) -> tuple[dict[str, Any], str]:
    """The claims and public key of a valid ``vapid t=<JWT>, k=<key>`` header; VapidRefused
    otherwise (bad signature, wrong audience, expired, no subject)."""
    scheme, _, params = header.partition(" ")
    if scheme.lower() != "vapid":
        raise VapidRefused("scheme")
    values = dict(part.strip().split("=", 1) for part in params.split(","))
    token, key = values["t"], values["k"]
    head_b64, claims_b64, signature_b64 = token.split(".")
    head = json.loads(unb64url(head_b64))
    if head.get("alg") != "ES256":
        raise VapidRefused("alg")
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    raw = unb64url(signature_b64)
    signature = encode_dss_signature(int.from_bytes(raw[:32], "big"),
                                     int.from_bytes(raw[32:], "big"))
    try:
        public.verify(signature, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise VapidRefused("signature") from exc
    claims = json.loads(unb64url(claims_b64))
    if claims.get("aud") != origin:
        raise VapidRefused("aud")
    if not isinstance(claims.get("exp"), int) or claims["exp"] <= time.time():
        raise VapidRefused("exp")
    if claims["exp"] > time.time() + 24 * 3600:  # RFC 8292 §2: at most 24 hours ahead
        raise VapidRefused("exp_far")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise VapidRefused("sub")
    return claims, key


class PushService:
    """The fake: ``browser()`` makes a subscription on it; ``answer[path]`` sets the status
    it gives (default 201); ``received`` lists what it accepted, decrypted."""

    def __init__(self) -> None:
        self.browsers: dict[str, Browser] = {}
        self.answer: dict[str, int] = {}
        self.redirect: dict[str, str] = {}  # path -> where a 307 sends the POST on
        self.received: list[Received] = []
        self.refused: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"

    def browser(self, name: str = "phone") -> Browser:
        browser = Browser(endpoint=f"{self.origin}/push/{name}-{os.urandom(4).hex()}")
        self.browsers[browser.endpoint.removeprefix(self.origin)] = browser
        return browser

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.path in service.redirect:
                    self.send_response(307)
                    self.send_header("Location", service.redirect[self.path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status = service.handle(self.path, {k.lower(): v for k, v in self.headers.items()},
                                        body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        return Handler

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> int:
        browser = self.browsers.get(path)
        if browser is None:
            return 404
        status = self.answer.get(path, 201)
        if status != 201:
            return status
        try:
            claims, key = check_vapid(headers.get("authorization", ""), self.origin)
        except (VapidRefused, KeyError, ValueError) as exc:
            self.refused.append(str(exc))
            return 403
        if headers.get("content-encoding") != "aes128gcm" or "ttl" not in headers:
            self.refused.append("headers")
            return 400
        plain = http_ece.decrypt(body, private_key=browser.private_key,
                                 auth_secret=browser.auth, version="aes128gcm")
        self.received.append(Received(path=path, headers=headers, claims=claims,
                                      vapid_key=key, payload=json.loads(plain)))
        return 201


@contextmanager
def push_service() -> Iterator[PushService]:
    service = PushService()
    thread = threading.Thread(target=service.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        service.server.shutdown()
        service.server.server_close()
