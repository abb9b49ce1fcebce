"""Helpers for the intake tests: an application, a signature-checking callback receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from django.test import Client

API = "/api/v1/integration/reports"


def report_body(reference_id: str = "KTM-2026-0001", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reference_id": reference_id,
        "type": "complaint",
        "title": "Lampu jalan mati di Jalan Yos Sudarso",
        "body": "Sudah dua minggu lampu jalan di depan SD 001 Sangatta Utara mati total.",
        "region_code": "64.08.04",
        "reporter_name": "Budi Santoso",
        "reporter_email": "budi@example.org",
    }
    body.update(overrides)
    return body


def post_report(token: str, body: Any, key: str | None, client: Client | None = None,
                raw: bytes | None = None) -> Any:
    headers = {"Authorization": f"Bearer {token}"}
    if key is not None:
        headers["Idempotency-Key"] = key
    data = raw if raw is not None else json.dumps(body)
    return (client or Client()).post(API, data=data, content_type="application/json",
                                     headers=headers)


@dataclass
class Receiver:
    """What the application's callback endpoint received; it checks every signature the way
    docs/intake.md tells applications to, and deduplicates on the Idempotency-Key."""

    secret: str = ""
    script: list[int] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    bad_signatures: int = 0
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def handle(self, raw: bytes, headers: Any) -> int:
        with self.lock:
            self.requests += 1
            expected = "sha256=" + hmac.new(self.secret.encode(), raw,
                                            hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, headers.get("X-Lapor-Signature", "")):
                self.bad_signatures += 1
                return 401
            status = self.script.pop(0) if self.script else 200
            key = headers.get("Idempotency-Key", "")
            if status < 300 and key not in self.keys:
                self.keys.append(key)
                self.bodies.append(json.loads(raw))
            return status


@contextmanager
def callback_receiver(**kwargs: Any) -> Iterator[Receiver]:
    receiver = Receiver(**kwargs)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status = receiver.handle(raw, self.headers)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/lapor/callback"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
