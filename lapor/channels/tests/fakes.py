"""Local fake providers speaking each provider's documented HTTP API, plus request signers.

One threaded :class:`http.server` answers, by path:

* Twilio: ``POST /2010-04-01/Accounts/{sid}/Messages.json`` (form, Basic auth) → 201 JSON
  with ``sid``;
* Kannel: ``GET /cgi-bin/sendsms?username&password&from&to&text&charset&coding`` → 202
  ``0: Accepted for delivery``;
* Telegram: ``POST /bot{token}/sendMessage`` (JSON) → ``{"ok": true, "result": {...}}``,
  ``POST|GET /bot{token}/getFile?file_id`` → ``file_path``, ``GET /file/bot{token}/{path}``;
* WhatsApp Cloud API: ``POST /{version}/{phone_number_id}/messages`` (Bearer) →
  ``{"messages": [{"id": "wamid…"}]}``, ``GET /{version}/{media_id}`` → ``{"url": …}``,
  ``GET /media/{media_id}`` → the bytes;
* X: ``POST /2/tweets`` → ``{"data": {"id": …}}``, ``POST
  /2/dm_conversations/with/{id}/messages`` → ``{"data": {"dm_event_id": …}}``.

Every request is recorded (method, path, headers, parsed body) for the tests to assert on;
``fail_next`` answers the next N requests with a status (a provider outage). The bench uses
the same module.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import itertools
import json
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from PIL import Image
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]  # no stubs


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "JPEG")
    return buffer.getvalue()


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeProviders:
    url: str = ""
    requests: list[Recorded] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def sent(self, fragment: str) -> list[Recorded]:
        """Requests whose path contains ``fragment`` (e.g. "Messages.json", "sendMessage")."""
        return [r for r in self.requests if fragment in r.path]

    def texts(self, fragment: str) -> list[str]:
        out = []
        for r in self.sent(fragment):
            body = r.body if isinstance(r.body, dict) else {}
            text = (body.get("Body") or body.get("text") or r.query.get("text")
                    or (body.get("text", {}) if isinstance(body.get("text"), dict) else ""))
            if isinstance(text, dict):
                text = text.get("body", "")
            if not text and isinstance(body.get("interactive"), dict):
                text = body["interactive"].get("body", {}).get("text", "")
            out.append(str(text))
        return out


def _handler(fake: FakeProviders) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _record(self) -> Recorded:
            parsed = urllib.parse.urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            content_type = self.headers.get("Content-Type", "")
            body: Any = raw
            if "json" in content_type and raw:
                body = json.loads(raw)
            elif "x-www-form-urlencoded" in content_type:
                body = dict(urllib.parse.parse_qsl(raw.decode()))
            record = Recorded(self.command, parsed.path, dict(urllib.parse.parse_qsl(
                parsed.query)), dict(self.headers), body)
            with fake.lock:
                fake.requests.append(record)
            return record

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, payload: dict[str, Any]) -> None:
            self._answer(status, json.dumps(payload).encode(), "application/json")

        def _route(self) -> None:
            record = self._record()
            with fake.lock:
                failing = fake.fail_next.pop(0) if fake.fail_next else 0
                n = next(fake.counter)
            if failing:
                self._json(failing, {"error": "fake outage"})
                return
            path = record.path
            if path.endswith("/Messages.json"):
                self._json(201, {"sid": f"SM{n:032d}", "status": "queued"})
            elif path.endswith("/cgi-bin/sendsms"):
                self._answer(202, b"0: Accepted for delivery", "text/plain")
            elif "/sendMessage" in path:
                self._json(200, {"ok": True, "result": {"message_id": n}})
            elif "/getFile" in path:
                file_id = record.query.get("file_id") or (
                    record.body.get("file_id") if isinstance(record.body, dict) else "")
                self._json(200, {"ok": True, "result": {"file_id": file_id,
                                                        "file_path": f"photos/{file_id}.jpg"}})
            elif path.startswith("/file/bot"):
                key = path.rsplit("/", 1)[-1].removesuffix(".jpg")
                self._answer(200, fake.media.get(key, jpeg_bytes()), "image/jpeg")
            elif path.endswith("/messages") and "/dm_conversations/" not in path:
                self._json(200, {"messaging_product": "whatsapp",
                                 "messages": [{"id": f"wamid.out{n}"}]})
            elif path.startswith("/media/"):
                key = path.rsplit("/", 1)[-1]
                self._answer(200, fake.media.get(key, jpeg_bytes()), "image/jpeg")
            elif path == "/2/tweets":
                self._json(201, {"data": {"id": str(10**18 + n), "text": "ok"}})
            elif "/dm_conversations/with/" in path:
                self._json(201, {"data": {"dm_conversation_id": "1-2",
                                          "dm_event_id": str(2 * 10**18 + n)}})
            elif record.method == "GET" and path.count("/") == 2:  # WhatsApp media URL
                media_id = path.rsplit("/", 1)[-1]
                self._json(200, {"url": f"{fake.url}/media/{media_id}",
                                 "mime_type": "image/jpeg", "id": media_id})
            else:
                self._json(404, {"error": "unknown path"})

        do_GET = _route
        do_POST = _route

        def log_message(self, *args: Any) -> None:
            return

    return Handler


@contextmanager
def fake_providers() -> Iterator[FakeProviders]:
    fake = FakeProviders()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- signing like the providers


def twilio_signature(token: str, url: str, params: dict[str, str]) -> str:
    return str(RequestValidator(token).compute_signature(url, params))


def hub_signature(secret: str, body: bytes) -> str:
    """WhatsApp (Meta) ``X-Hub-Signature-256``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def x_signature(secret: str, body: bytes) -> str:
    """X ``x-twitter-webhooks-signature``: base64 HMAC-SHA256 of the body."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode()
