"""SMS through Kannel, the open-source SMS gateway Indonesian operators' short numbers are
usually connected with (the webhook view is in :mod:`lapor.channels.webhooks`).

Inbound: ``GET`` or ``POST /channels/sms/kannel`` with ``sender``, ``receiver``, ``text`` and
``id`` (Kannel's ``%p``, ``%P``, ``%a`` and ``%I``) and the shared secret
``LAPOR_KANNEL_SECRET`` as the ``secret`` parameter or the ``X-Lapor-Secret`` header, compared
in constant time. The answer is an empty 200 (configure the sms-service with
``omit-empty = true``); replies leave through Kannel's ``sendsms`` HTTP interface
(``LAPOR_KANNEL_SENDSMS_URL``, ``LAPOR_KANNEL_USERNAME``/``_PASSWORD``, ``from`` =
``LAPOR_KANNEL_FROM``), UTF-8 text with ``coding=2`` (UCS-2) when it is not GSM-7.
"""

from __future__ import annotations

import hmac
import urllib.parse
from typing import Any

from django.conf import settings
from django.http import HttpRequest, QueryDict

from lapor.channels import gsm7
from lapor.channels.description import ProviderDescription
from lapor.channels.http import http_call
from lapor.channels.models import Provider
from lapor.channels.pipeline import Incoming
from lapor.channels.replies import Outgoing
from lapor.channels.sms import sms_handle
from lapor.notifications.senders import DeliveryError

FIELDS = ("sender", "receiver", "text", "id")


def signed(request: HttpRequest, params: QueryDict) -> bool:
    """The shared secret (header or parameter), compared in constant time."""
    given = request.headers.get("X-Lapor-Secret") or params.get("secret") or ""
    return hmac.compare_digest(given.encode(), settings.LAPOR_KANNEL_SECRET.encode())


def parse(item: dict[str, Any]) -> Incoming | None:
    return Incoming(provider=Provider.KANNEL, channel="sms", handle=str(item.get("sender", "")),
                    text=str(item.get("text", "")))


def deliver(part: Outgoing) -> str:
    base = settings.LAPOR_KANNEL_SENDSMS_URL
    if not base:
        raise DeliveryError("kannel_not_configured", permanent=True)
    query = urllib.parse.urlencode({
        "username": settings.LAPOR_KANNEL_USERNAME, "password": settings.LAPOR_KANNEL_PASSWORD,
        "from": settings.LAPOR_KANNEL_FROM, "to": part.address, "text": part.text,
        "charset": "UTF-8", "coding": "0" if gsm7.is_gsm(part.text) else "2",
    })
    separator = "&" if "?" in base else "?"
    status, body = http_call(f"{base}{separator}{query}", method="GET")
    # Kannel answers 202 "0: Accepted for delivery" (or 200 "Sent."); refusals are 4xx.
    return body.decode("utf-8", "replace")[:200] if status < 300 else ""


DESCRIPTION = ProviderDescription(name=Provider.KANNEL, parse=parse, handle=sms_handle,
                                  split=gsm7.split, deliver=deliver)
