"""Per-installation secrets for the embedded demo, kept under the data directory.

Imported by the settings module: standard library only.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path


def demo_file(path: Path, make: Callable[[], str]) -> str:
    """The content of ``path``, created once (mode 0600) with ``make()`` if it is missing.

    Atomic across processes: the new value is written to a private temporary file, then linked
    into place, which fails if another process got there first; its value is then read and
    returned. Two processes starting together on a fresh data directory (the web server and a
    worker) so always agree on one key: a key one of them used and the other overwrote would
    leave data encrypted with a key nobody has."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    value = make()
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        with os.fdopen(fd, "w") as out:
            out.write(value)
        try:
            os.link(temporary, path)
        except FileExistsError:
            return path.read_text().strip()
    finally:
        os.unlink(temporary)
    return value


def demo_secret_key(data_dir: Path) -> str:
    """Return the demo secret from ``data_dir/secret_key``, creating it (mode 0600) once."""
    return demo_file(data_dir / "secret_key", lambda: secrets.token_urlsafe(50))
