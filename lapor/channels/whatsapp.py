"""WhatsApp Business Cloud API (the webhook view is in :mod:`lapor.channels.webhooks`).

* ``GET /channels/whatsapp``: the webhook verification request (``hub.mode=subscribe``,
  ``hub.verify_token`` = ``LAPOR_WHATSAPP_VERIFY_TOKEN``) is answered with ``hub.challenge``.
* ``POST /channels/whatsapp``: ``X-Hub-Signature-256`` = ``sha256=`` + hex HMAC-SHA256 of the
  raw body under the app secret (``LAPOR_WHATSAPP_APP_SECRET``), checked before the body is
  parsed. Each ``entry[].changes[].value.messages[]`` is recorded under its ``wamid``;
  ``statuses[]`` (sent, delivered, read, failed) are acknowledged and ignored, any number of
  times.
* Messages run the guided conversation (:mod:`lapor.channels.conversation`); a shared
  location (``type: "location"``, ``location.latitude``/``longitude``) gives the report its
  point and its kecamatan; answers with up
  to three choices are interactive reply buttons; photos are fetched through the Graph API
  media endpoint (``GET {LAPOR_WHATSAPP_GRAPH_BASE}/{media-id}`` → ``url`` → the bytes, both
  with the access token).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from lapor.channels.conversation import chat_handle
from lapor.channels.description import ProviderDescription
from lapor.channels.http import http_call, post_json
from lapor.channels.models import Provider
from lapor.channels.pipeline import Incoming
from lapor.channels.replies import Outgoing
from lapor.notifications.senders import DeliveryError

TEXT_MAX = 4000  # the API allows 4096 characters in a text body
BUTTONS_MAX, BUTTON_TITLE_MAX = 3, 20


def signed(request: HttpRequest) -> bool:
    """``X-Hub-Signature-256``: HMAC-SHA256 of the raw body under the app secret."""
    given = request.headers.get("X-Hub-Signature-256", "")
    expected = "sha256=" + hmac.new(settings.LAPOR_WHATSAPP_APP_SECRET.encode(), request.body,
                                    hashlib.sha256).hexdigest()
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def subscription_verified(request: HttpRequest) -> bool:
    """The webhook verification request (``GET``): subscribe, with our verify token."""
    token = request.GET.get("hub.verify_token", "")
    return request.GET.get("hub.mode") == "subscribe" and hmac.compare_digest(
        token.encode(), settings.LAPOR_WHATSAPP_VERIFY_TOKEN.encode())


def parse(item: dict[str, Any]) -> Incoming | None:
    message = item["message"]
    sender = str(message["from"])
    name = ""
    for contact in item.get("contacts") or []:
        if str(contact.get("wa_id")) == sender:
            name = str((contact.get("profile") or {}).get("name", ""))
    kind = message.get("type")
    text, button = "", ""
    media: tuple[str, ...] = ()
    if kind == "text":
        text = str((message.get("text") or {}).get("body", ""))
    elif kind == "interactive":
        interactive = message.get("interactive") or {}
        reply = interactive.get("button_reply") or interactive.get("list_reply") or {}
        button = str(reply.get("id", ""))
    elif kind == "button":  # a quick-reply button of a template message
        button = str((message.get("button") or {}).get("payload", ""))
    elif kind == "image":
        image = message.get("image") or {}
        media = (str(image.get("id", "")),) if image.get("id") else ()
        text = str(image.get("caption", ""))
    location = None
    if kind == "location":  # a shared location: {latitude, longitude, name?, address?, url?}
        place = message["location"]
        location = (float(place["latitude"]), float(place["longitude"]))
    return Incoming(provider=Provider.WHATSAPP, channel="whatsapp", handle=sender, text=text,
                    name=name, button=button, media=media, location=location)


def _graph(path: str) -> tuple[str, dict[str, str]]:
    token = settings.LAPOR_WHATSAPP_ACCESS_TOKEN
    if not token:
        raise DeliveryError("whatsapp_not_configured", permanent=True)
    base = settings.LAPOR_WHATSAPP_GRAPH_BASE.rstrip("/")
    return f"{base}/{path}", {"Authorization": f"Bearer {token}"}


def deliver(part: Outgoing) -> str:
    phone_id = settings.LAPOR_WHATSAPP_PHONE_NUMBER_ID
    if not phone_id:
        raise DeliveryError("whatsapp_not_configured", permanent=True)
    url, headers = _graph(f"{phone_id}/messages")
    to = part.address.lstrip("+")
    buttons = part.buttons
    body: dict[str, Any]
    if buttons and len(buttons) <= BUTTONS_MAX and all(
            len(title) <= BUTTON_TITLE_MAX for _, title in buttons):
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
                "type": "interactive", "interactive": {
                    "type": "button", "body": {"text": part.text[:1024]},
                    "action": {"buttons": [{"type": "reply", "reply": {"id": i[:256], "title": t}}
                                           for i, t in buttons]}}}
    else:
        text = part.text
        if buttons:  # too many or too long for reply buttons: numbered answers
            text += "\n\n" + "\n".join(f"{n}. {t}" for n, (_, t) in enumerate(buttons, 1))
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
                "type": "text", "text": {"preview_url": False, "body": text}}
    answer = post_json(url, body, headers)
    messages = answer.get("messages") or [{}]
    return str(messages[0].get("id", ""))


def split(text: str) -> list[str]:
    return [text[i:i + TEXT_MAX] for i in range(0, len(text), TEXT_MAX)] or [""]


def fetch_photo(media_id: str) -> tuple[bytes, str]:
    try:
        url, headers = _graph(media_id)
        _, raw = http_call(url, method="GET", headers=headers)
        info = json.loads(raw)
        _, data = http_call(str(info["url"]), method="GET", headers=headers)
    except (DeliveryError, KeyError, ValueError, TypeError) as exc:
        raise OSError(f"whatsapp media {type(exc).__name__}") from exc
    extension = {"image/png": "png", "image/webp": "webp"}.get(str(info.get("mime_type")), "jpg")
    return data, f"whatsapp-photo.{extension}"


DESCRIPTION = ProviderDescription(name=Provider.WHATSAPP, parse=parse, handle=chat_handle,
                                  split=split, deliver=deliver, fetch_media=fetch_photo)
