"""Fake outside world for the outbox tests: an HTTP provider that deduplicates on the
Idempotency-Key and counts, and a real SMTP server (aiosmtpd) on a free local port."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class FakeProvider:
    """Answers the statuses in ``script`` in turn (then 200); sleeps ``sleep_first`` seconds
    before answering the first request (after recording it, as a real provider that accepted
    the message but answered slowly)."""

    script: list[int] = field(default_factory=list)
    sleep_first: float = 0.0
    received: list[str] = field(default_factory=list)
    delivered: Counter[str] = field(default_factory=Counter)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def handle(self, key: str, body: dict[str, Any], headers: dict[str, str]) -> tuple[int, float]:
        with self.lock:
            first = not self.received
            self.received.append(key)
            status = self.script.pop(0) if self.script else 200
            if status < 300 and key not in self.delivered:
                # Deduplicated on the key: a repeat is acknowledged, not processed again.
                self.delivered[key] += 1
                self.bodies.append(body)
                self.headers.append(headers)
            return status, (self.sleep_first if first else 0.0)


@contextmanager
def fake_provider(**kwargs: Any) -> Iterator[FakeProvider]:
    provider = FakeProvider(**kwargs)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            status, pause = provider.handle(self.headers.get("Idempotency-Key", ""), body,
                                            dict(self.headers))
            if pause:
                time.sleep(pause)
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    provider.url = f"http://127.0.0.1:{server.server_address[1]}/callback"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Inbox:
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A real SMTP server (aiosmtpd) on a free port of 127.0.0.1."""
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def smtp_mailers(port: int) -> dict[str, Any]:
    return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                        "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5}}}
