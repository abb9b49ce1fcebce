"""One typed way to read configuration from the environment (ARCHITECTURE habit 12).

Settings modules call these helpers; nothing else in the code base reads ``os.environ``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None or value == "":
        if default is None:
            raise ImproperlyConfigured(f"Environment variable {name} is required")
        return default
    return value


def env_optional(name: str) -> str | None:
    value = os.environ.get(name)
    return value or None


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_ceilings(name: str) -> dict[str, int]:
    """``"sms=300,whatsapp=600"`` as ``{"sms": 300, "whatsapp": 600}`` (unset: empty)."""
    ceilings: dict[str, int] = {}
    for item in env_list(name, []):
        key, sep, number = item.partition("=")
        if not sep or not key.strip() or not number.strip().isdigit():
            raise ImproperlyConfigured(f"{name} must look like 'sms=300,whatsapp=600', "
                                       f"got {item!r}")
        ceilings[key.strip()] = int(number)
    return ceilings


def env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser().resolve() if value else default


def site_url(environ: Mapping[str, str] | None = None) -> str:
    """The base of links in messages: ``LAPOR_SITE_URL``, else the address ``lapor serve``
    serves (``LAPOR_HOST`` and ``PORT``, which it passes to its children)."""
    environ = os.environ if environ is None else environ
    if configured := environ.get("LAPOR_SITE_URL"):
        return configured
    host = environ.get("LAPOR_HOST") or "127.0.0.1"
    if host in ("0.0.0.0", "::", "[::]"):  # noqa: S104  (an address to link to, not to bind)
        host = "127.0.0.1"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    port = environ.get("PORT") or "8000"
    if not port.isdigit():
        raise ImproperlyConfigured(f"PORT must be an integer, got {port!r}")
    return f"http://{host}:{int(port)}"
