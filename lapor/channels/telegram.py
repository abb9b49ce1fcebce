"""Telegram Bot API (the webhook view is in :mod:`lapor.channels.webhooks`).

Inbound: ``POST /channels/telegram`` with an ``Update`` as JSON, from a webhook registered
with ``setWebhook(url=…, secret_token=LAPOR_TELEGRAM_SECRET_TOKEN)``: Telegram then sends the
token in ``X-Telegram-Bot-Api-Secret-Token`` on every call, compared here in constant time.
The provider message id is the ``update_id``. Private chats only: ``/lapor`` runs the guided
conversation (:mod:`lapor.channels.conversation`), ``/cek <number>`` answers the status,
a shared location (``message.location``) gives the report its point and kecamatan, photos are
attached to the report (``getFile`` then the file URL). Buttons are inline
keyboards; a tap arrives as a ``callback_query``.

Outbound: ``sendMessage`` (``LAPOR_TELEGRAM_API_BASE``/bot``LAPOR_TELEGRAM_BOT_TOKEN``).
"""

from __future__ import annotations

import hmac
import json
import urllib.parse
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

TEXT_MAX = 4000  # Telegram allows 4096 characters per message


def signed(request: HttpRequest) -> bool:
    """The webhook's secret token, compared in constant time."""
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    return hmac.compare_digest(given.encode(), settings.LAPOR_TELEGRAM_SECRET_TOKEN.encode())


def _name(user: dict[str, Any]) -> str:
    return " ".join(str(user.get(k, "")) for k in ("first_name", "last_name")).strip()


def parse(update: dict[str, Any]) -> Incoming | None:
    query = update.get("callback_query")
    if isinstance(query, dict):
        chat = (query.get("message") or {}).get("chat") or {}
        if chat.get("type") != "private":
            return None
        return Incoming(provider=Provider.TELEGRAM, channel="telegram", handle=str(chat["id"]),
                        name=_name(query.get("from") or {}), button=str(query.get("data", "")))
    message = update.get("message")
    if not isinstance(message, dict):
        return None  # edited messages, channel posts, member updates: nothing to do
    chat = message.get("chat") or {}
    if chat.get("type") != "private":
        return None
    photos = message.get("photo") or []
    # Telegram sends every size of a photo: take the largest.
    media = (max(photos, key=lambda p: p.get("file_size") or p.get("width", 0))["file_id"],
             ) if photos else ()
    # A shared location (or a venue, which carries one): Location {latitude, longitude, …}.
    place = message.get("location")
    location = (float(place["latitude"]), float(place["longitude"])) if place else None
    return Incoming(provider=Provider.TELEGRAM, channel="telegram", handle=str(chat["id"]),
                    text=str(message.get("text") or message.get("caption") or ""),
                    name=_name(message.get("from") or {}), media=media, location=location)


def _api(method: str) -> str:
    token = settings.LAPOR_TELEGRAM_BOT_TOKEN
    if not token:
        raise DeliveryError("telegram_not_configured", permanent=True)
    return f"{settings.LAPOR_TELEGRAM_API_BASE.rstrip('/')}/bot{token}/{method}"


def deliver(part: Outgoing) -> str:
    body: dict[str, Any] = {"chat_id": part.address, "text": part.text}
    if part.buttons:
        body["reply_markup"] = {"inline_keyboard": [
            [{"text": title, "callback_data": choice_id[:64]}]
            for choice_id, title in part.buttons]}
    answer = post_json(_api("sendMessage"), body)
    return str((answer.get("result") or {}).get("message_id", ""))


def split(text: str) -> list[str]:
    return [text[i:i + TEXT_MAX] for i in range(0, len(text), TEXT_MAX)] or [""]


def fetch_photo(file_id: str) -> tuple[bytes, str]:
    """``getFile`` then the file itself (raises OSError on failure)."""
    try:
        query = urllib.parse.urlencode({"file_id": file_id})
        _, raw = http_call(f"{_api('getFile')}?{query}", method="GET")
        path = str(json.loads(raw)["result"]["file_path"])
        token = settings.LAPOR_TELEGRAM_BOT_TOKEN
        base = settings.LAPOR_TELEGRAM_API_BASE.rstrip("/")
        _, data = http_call(f"{base}/file/bot{token}/{path}", method="GET")
    except (DeliveryError, KeyError, ValueError) as exc:
        raise OSError(f"telegram file {type(exc).__name__}") from exc
    return data, path.rsplit("/", 1)[-1] or "photo.jpg"


DESCRIPTION = ProviderDescription(name=Provider.TELEGRAM, parse=parse, handle=chat_handle,
                                  split=split, deliver=deliver, fetch_media=fetch_photo)
