"""A small client for clamd's INSTREAM command (ClamAV daemon), over a unix or TCP socket.

The protocol (clamd(8)): send ``zINSTREAM\\0``, then chunks of ``<uint32 big-endian length>
<bytes>``, then a zero length; clamd answers one NUL-terminated line: ``stream: OK``,
``stream: <signature> FOUND`` or ``<message> ERROR``. The only PyPI client (``clamd``) has not
been released since 2014, so the dozen lines live here.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

CHUNK = 64 * 1024
MAX_REPLY = 4096


class ScannerUnavailable(Exception):
    """clamd could not be reached or answered with an error: nothing was decided."""


@dataclass(frozen=True)
class ScanResult:
    clean: bool
    signature: str = ""


def _connect(address: str, timeout: float) -> socket.socket:
    """``/run/clamav/clamd.ctl`` or ``unix:/path`` is a unix socket; ``host:port`` is TCP."""
    path = address.removeprefix("unix:")
    if path.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(path)
        except OSError:
            sock.close()
            raise
        return sock
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ScannerUnavailable(f"invalid clamd address {address!r}")
    return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)


def scan_bytes(data: bytes, *, address: str, timeout: float) -> ScanResult:
    try:
        with _connect(address, timeout) as sock:
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start:start + CHUNK]
                sock.sendall(len(chunk).to_bytes(4, "big") + chunk)
            sock.sendall(b"\0\0\0\0")
            reply = b""
            while b"\0" not in reply and len(reply) < MAX_REPLY:
                part = sock.recv(1024)
                if not part:
                    break
                reply += part
    except OSError as exc:
        raise ScannerUnavailable(str(exc)) from exc
    line = reply.split(b"\0", 1)[0].decode("utf-8", "replace").strip()
    if line.endswith("OK") and line.startswith("stream:"):
        return ScanResult(clean=True)
    if line.endswith(" FOUND"):
        signature = line.removeprefix("stream:").removesuffix(" FOUND").strip()
        return ScanResult(clean=False, signature=signature)
    raise ScannerUnavailable(line or "empty reply")
