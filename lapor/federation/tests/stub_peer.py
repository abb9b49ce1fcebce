"""A real HTTP server on localhost standing in for the other instance's endpoints."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class StubPeer:
    url: str
    # (request) -> (status, answer body as a dict)
    answer: Callable[[Received], tuple[int, dict[str, Any]]]
    received: list[Received] = field(default_factory=list)


@contextmanager
def stub_peer(answer: Callable[[Received], tuple[int, dict[str, Any]]]) -> Iterator[StubPeer]:
    peer = StubPeer(url="", answer=answer)

    class Handler(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            got = Received(method=self.command, path=self.path,
                           headers=dict(self.headers.items()),
                           body=self.rfile.read(length) if length else b"")
            peer.received.append(got)
            status, body = peer.answer(got)
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        do_GET = do_POST = _handle

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    peer.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield peer
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def journal_ack(received: Received) -> tuple[int, dict[str, Any]]:
    """Acknowledge every entry of a journal POST (a peer that applies everything)."""
    entries = received.json()["entries"]
    return 200, {"received_through": max(e["seq"] for e in entries)}


def national(hello: dict[str, Any], *, reserved: Callable[[list[str]], dict[str, Any]] | None
             = None) -> Callable[[Received], tuple[int, dict[str, Any]]]:
    """A national instance's two answers to ``upstream set``: ``hello`` to the handshake,
    and to each batch of numbers ``reserved(numbers)`` (default: all reserved, none
    already issued)."""
    def answer(received: Received) -> tuple[int, dict[str, Any]]:
        if received.method == "POST" and received.path.endswith("/federation/numbers"):
            numbers = received.json()["numbers"]
            if reserved is not None:
                return 200, reserved(numbers)
            return 200, {"reserved": len(set(numbers)), "already_issued": 0,
                         "already_issued_numbers": []}
        return 200, hello

    return answer
