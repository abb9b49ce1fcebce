"""Sending one Web Push message (:class:`lapor.notifications.push.WebPushSender`): pywebpush
(aes128gcm, VAPID JWT) over a requests session that never follows a redirect.

pywebpush loads requests, py_vapid and http_ece when imported: this module imports them at its
top, and :mod:`lapor.notifications.push` imports this module only when a push is sent, so a
process that never sends one (the web server) never loads them.
"""

from __future__ import annotations

from typing import Any

import requests
from django.conf import settings
from py_vapid import Vapid02  # type: ignore[import-untyped]
from pywebpush import WebPushException, webpush  # type: ignore[import-untyped]

from lapor.notifications.senders import DeliveryError


class SubscriptionGone(DeliveryError):
    """404/410: the browser dropped the subscription (a permanent failure)."""


class _NoRedirects(requests.Session):
    """A push service answers, it does not send the server's POST on to another address (a
    3xx is a permanent failure)."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


def push_send(*, info: dict[str, Any], data: str, topic: str, urgency: str) -> None:
    """POST ``data``, encrypted for the subscription ``info`` (endpoint and keys), signed with
    the VAPID key. 201/202 returns; 404/410 raises :class:`SubscriptionGone`; 408, 429, 5xx and
    network errors raise a retryable :class:`DeliveryError`; any other status a permanent one.
    """
    signer = Vapid02.from_raw(settings.LAPOR_VAPID_PRIVATE_KEY.encode("ascii"))
    try:
        webpush(
            info, data=data,
            vapid_private_key=signer, vapid_claims={"sub": settings.LAPOR_VAPID_SUBJECT},
            content_encoding="aes128gcm", ttl=settings.LAPOR_PUSH_TTL_SECONDS,
            requests_session=_NoRedirects(),
            timeout=settings.LAPOR_PUSH_TIMEOUT_SECONDS,
            headers={"Topic": topic, "Urgency": urgency},
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else 0
        if status in (404, 410):
            raise SubscriptionGone(f"push_{status}_gone", permanent=True) from exc
        retry = status in (0, 408, 429) or status >= 500
        raise DeliveryError(f"push_{status}", permanent=not retry) from exc
    except (requests.RequestException, OSError) as exc:
        raise DeliveryError(f"push_{type(exc).__name__}") from exc
