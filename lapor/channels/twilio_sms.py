"""SMS through Twilio (or any Twilio-compatible gateway); the webhook view is in
:mod:`lapor.channels.webhooks`.

Inbound: ``POST /channels/sms/twilio``, form-encoded (``MessageSid``, ``From``, ``To``,
``Body``, ``NumSegments`` …), signed with ``X-Twilio-Signature`` (HMAC of the URL and the
sorted parameters under ``LAPOR_TWILIO_AUTH_TOKEN``), checked with the ``twilio`` package's
own :class:`~twilio.request_validator.RequestValidator`. The answer is an empty TwiML
``<Response/>`` at once; the reply leaves later through the REST API (``POST
/2010-04-01/Accounts/{AccountSid}/Messages.json``, base URL ``LAPOR_TWILIO_API_BASE``).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from twilio.request_validator import RequestValidator  # type: ignore[import-untyped]  # no stubs

from lapor.channels import gsm7
from lapor.channels.description import ProviderDescription
from lapor.channels.http import post_form
from lapor.channels.models import Provider
from lapor.channels.pipeline import Incoming
from lapor.channels.replies import Outgoing
from lapor.channels.sms import sms_handle
from lapor.notifications.senders import DeliveryError

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def signed(request: HttpRequest) -> bool:
    signature = request.headers.get("X-Twilio-Signature", "")
    if not signature:
        return False
    url = settings.LAPOR_TWILIO_WEBHOOK_URL or request.build_absolute_uri()
    validator = RequestValidator(settings.LAPOR_TWILIO_AUTH_TOKEN)
    return bool(validator.validate(url, request.POST, signature))


def parse(item: dict[str, Any]) -> Incoming | None:
    return Incoming(provider=Provider.TWILIO, channel="sms", handle=str(item.get("From", "")),
                    text=str(item.get("Body", "")))


def deliver(part: Outgoing) -> str:
    sid, token = settings.LAPOR_TWILIO_ACCOUNT_SID, settings.LAPOR_TWILIO_AUTH_TOKEN
    if not (sid and token and settings.LAPOR_TWILIO_FROM):
        raise DeliveryError("twilio_not_configured", permanent=True)
    url = f"{settings.LAPOR_TWILIO_API_BASE.rstrip('/')}/2010-04-01/Accounts/{sid}/Messages.json"
    credentials = base64.b64encode(f"{sid}:{token}".encode()).decode("ascii")
    _, body = post_form(url, {"To": part.address, "From": settings.LAPOR_TWILIO_FROM,
                              "Body": part.text},
                        headers={"Authorization": f"Basic {credentials}"})
    try:
        return str(json.loads(body or b"{}").get("sid", ""))
    except (ValueError, AttributeError):
        return ""


DESCRIPTION = ProviderDescription(name=Provider.TWILIO, parse=parse, handle=sms_handle,
                                  split=gsm7.split, deliver=deliver)
