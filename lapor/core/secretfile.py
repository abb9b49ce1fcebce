"""A per-installation secret for the embedded demo, kept under the data directory."""

from __future__ import annotations

import secrets
from pathlib import Path


def demo_secret_key(data_dir: Path) -> str:
    """Return the demo secret from ``data_dir/secret_key``, creating it (mode 0600) once."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        path.touch(mode=0o600, exist_ok=True)
        path.write_text(key)
        return key
