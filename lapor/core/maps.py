"""The map tiles setting (``LAPOR_MAP_TILES_URL``) and the one CSP source it needs."""

from __future__ import annotations

from urllib.parse import urlsplit


def tiles_origin(url: str) -> str | None:
    """The ``img-src`` source for a Leaflet tile URL template, or None (no tiles, or not an
    http(s) URL). ``https://{s}.tile.example.org/{z}/{x}/{y}.png`` needs the subdomain wildcard
    ``https://*.tile.example.org``; a same-origin path (``/tiles/{z}/{x}/{y}.png``) needs
    nothing more than ``'self'``."""
    url = url.strip()
    if not url:
        return None
    parts = urlsplit(url.replace("{s}", "subdomain-placeholder"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.netloc.rsplit("@", 1)[-1].replace("subdomain-placeholder", "*")
    if "{" in host or "}" in host:
        return None
    return f"{parts.scheme}://{host}"
