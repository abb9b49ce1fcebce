"""Calls to the providers' HTTP APIs (every provider module sends through these)."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings

from lapor.notifications.senders import DeliveryError


def http_call(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
              method: str = "POST") -> tuple[int, bytes]:
    """One provider call; 2xx returns (status, body). 408, 429, 5xx and network errors are
    retried by the outbox; every other status is permanent. No address goes into errors."""
    if not url.startswith(("http://", "https://")):
        raise DeliveryError("provider_url_scheme", permanent=True)
    request = urllib.request.Request(url, data=data, method=method,  # noqa: S310  (checked)
                                     headers={"User-Agent": "Lapor-Channels/1",
                                              **(headers or {})})
    timeout = settings.LAPOR_CHANNELS_HTTP_TIMEOUT_SECONDS
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read(1_000_000)
    except urllib.error.HTTPError as exc:
        retry = exc.code in (408, 429) or exc.code >= 500
        raise DeliveryError(f"http_{exc.code}", permanent=not retry) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DeliveryError(f"http_{type(exc).__name__}") from exc


def post_json(url: str, body: dict[str, Any], headers: dict[str, str] | None = None
              ) -> dict[str, Any]:
    _, raw = http_call(url, data=json.dumps(body).encode(),
                       headers={"Content-Type": "application/json", **(headers or {})})
    try:
        parsed = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def post_form(url: str, fields: dict[str, str], headers: dict[str, str] | None = None
              ) -> tuple[int, bytes]:
    return http_call(url, data=urllib.parse.urlencode(fields).encode(),
                     headers={"Content-Type": "application/x-www-form-urlencoded",
                              **(headers or {})})
