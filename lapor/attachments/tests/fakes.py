"""Stand-ins for the outside world: a storage that fails mid-write, a tiny clamd."""

from __future__ import annotations

import contextlib
import os
import socket
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.files.storage import FileSystemStorage

EICAR_MARKER = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE"


class DiskFullStorage(FileSystemStorage):
    """Writes half of the file, then fails like a full disk."""

    def _save(self, name: str, content: Any) -> str:
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.read()
        path.write_bytes(data[: len(data) // 2])
        raise OSError(28, "No space left on device")


def _read_exact(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        part = conn.recv(size - len(data))
        if not part:
            raise ConnectionError("short read")
        data += part
    return data


def _serve(server: socket.socket, received: list[bytes]) -> None:
    while True:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        with conn:
            command = b""
            while not command.endswith(b"\0"):
                command += _read_exact(conn, 1)
            assert command == b"zINSTREAM\0", command
            stream = b""
            while True:
                size = int.from_bytes(_read_exact(conn, 4), "big")
                if size == 0:
                    break
                stream += _read_exact(conn, size)
            received.append(stream)
            if EICAR_MARKER in stream:
                conn.sendall(b"stream: Eicar-Test-Signature FOUND\0")
            else:
                conn.sendall(b"stream: OK\0")


@contextlib.contextmanager
def fake_clamd() -> Iterator[tuple[str, list[bytes]]]:
    """A clamd speaking INSTREAM on a unix socket; yields its path and the streams it got."""
    directory = tempfile.mkdtemp(prefix="clamd", dir="/tmp")
    path = os.path.join(directory, "s")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(4)
    received: list[bytes] = []
    thread = threading.Thread(target=_serve, args=(server, received), daemon=True)
    thread.start()
    try:
        yield path, received
    finally:
        # shutdown() wakes the accept() blocked in the server thread (Linux).
        with contextlib.suppress(OSError):
            server.shutdown(socket.SHUT_RDWR)
        server.close()
        thread.join(timeout=5)
        with contextlib.suppress(OSError):
            os.unlink(path)
            os.rmdir(directory)


class RacingStorage(FileSystemStorage):
    """Another request takes each file right after this one looked at it: ``exists`` and
    ``listdir`` answer truthfully, then the file is gone (a double submit, a concurrent
    sweep)."""

    def exists(self, name: str) -> bool:
        found = super().exists(name)
        if found and Path(self.path(name)).is_file():
            Path(self.path(name)).unlink()
        return found

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        dirs, names = super().listdir(path)
        for name in names:
            Path(self.path(f"{path}/{name}")).unlink()
        return dirs, names
