"""X (Twitter) Account Activity API (the webhook view is in :mod:`lapor.channels.webhooks`).

* ``GET /channels/x?crc_token=…``: the challenge-response check, answered with
  ``{"response_token": "sha256=" + base64(HMAC-SHA256(consumer secret, crc_token))}``.
* ``POST /channels/x``: ``x-twitter-webhooks-signature`` = ``sha256=`` + base64 HMAC-SHA256
  of the raw body under ``LAPOR_X_CONSUMER_SECRET``, checked before parsing.
* ``tweet_create_events``: a post with the hashtag ``#LAPOR`` that mentions the account
  (``#LAPOR <text> @handle``) becomes a public, non-anonymous report under the author's
  display name (a leading regional keyword routes it like an SMS), answered with a public
  reply carrying the tracking number. The account's own posts and reposts are ignored.
* ``direct_message_events``: the guided conversation (answers are numbered: X direct
  messages have no reply buttons in API v2).

Outbound with an OAuth 2.0 user-context token (``LAPOR_X_ACCESS_TOKEN``): ``POST /2/tweets``
(reply) and ``POST /2/dm_conversations/with/{participant_id}/messages``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from lapor.channels.conversation import chat_handle
from lapor.channels.description import ProviderDescription
from lapor.channels.http import post_json
from lapor.channels.models import ChannelIdentity, Conversation, Provider
from lapor.channels.pipeline import (
    Incoming,
    NewReport,
    Outcome,
    default_region,
    keyword_agency,
    report_create,
    unroutable,
)
from lapor.channels.replies import Outgoing
from lapor.notifications.senders import DeliveryError

HASHTAG = "lapor"
POST_MAX = 270  # X allows 280 characters; room for the part counter


def hmac_b64(data: bytes) -> str:
    digest = hmac.new(settings.LAPOR_X_CONSUMER_SECRET.encode(), data, hashlib.sha256).digest()
    return "sha256=" + base64.b64encode(digest).decode("ascii")


def signed(request: HttpRequest) -> bool:
    """``x-twitter-webhooks-signature``: HMAC-SHA256 of the raw body, base64."""
    given = request.headers.get("X-Twitter-Webhooks-Signature", "")
    return bool(given) and hmac.compare_digest(given.encode(), hmac_b64(request.body).encode())


def _mention_text(tweet: dict[str, Any]) -> tuple[str, bool]:
    """The post's full text without the hashtag and the mentions; whether it had #LAPOR."""
    full = str((tweet.get("extended_tweet") or {}).get("full_text") or tweet.get("text") or "")
    entities = (tweet.get("extended_tweet") or {}).get("entities") or tweet.get("entities") or {}
    tags = {str(h.get("text", "")).casefold() for h in entities.get("hashtags") or []}
    tagged = HASHTAG in tags or bool(re.search(r"(?i)#lapor\b", full))
    text = re.sub(r"(?i)#lapor\b", " ", full)
    text = re.sub(r"@\w{1,15}", " ", text)
    return re.sub(r"\s+", " ", text).strip(), tagged


def parse(item: dict[str, Any]) -> Incoming | None:
    account = str(item.get("account", ""))
    if item.get("kind") == "mention":
        tweet = item["tweet"]
        author = tweet.get("user") or {}
        if str(author.get("id_str")) == account or tweet.get("retweeted_status"):
            return None  # our own replies and reposts
        text, tagged = _mention_text(tweet)
        if not tagged:
            return None
        return Incoming(provider=Provider.X, channel="x", handle=str(author.get("id_str", "")),
                        text=text, name=str(author.get("name") or author.get("screen_name", "")),
                        public_post_id=str(tweet["id_str"]))
    event = item.get("event") or {}
    create = event.get("message_create") or {}
    sender = str(create.get("sender_id", ""))
    if not sender or sender == account:
        return None  # the account's own messages come back as events too
    data = create.get("message_data") or {}
    quick = (data.get("quick_reply_response") or {}).get("metadata", "")
    return Incoming(provider=Provider.X, channel="x", handle=sender,
                    text=str(data.get("text", "")), button=str(quick))


def x_handle(incoming: Incoming, identity: ChannelIdentity,
             conversation: Conversation) -> Outcome:
    if not incoming.public_post_id:
        return chat_handle(incoming, identity, conversation)
    # A public mention: public and non-anonymous, under the author's display name.
    agency, text = keyword_agency(incoming.text)
    region = (agency.region_id if agency is not None else None) or default_region()
    if not region:
        outcome = unroutable(incoming.channel)
        outcome.replies = [type(r)(r.text, public_post_id=incoming.public_post_id)
                           for r in outcome.replies]
        return outcome
    return report_create(incoming, identity, NewReport(text=text, region_code=region,
                                                       target=agency))


def deliver(part: Outgoing) -> str:
    token = settings.LAPOR_X_ACCESS_TOKEN
    if not token:
        raise DeliveryError("x_not_configured", permanent=True)
    base = settings.LAPOR_X_API_BASE.rstrip("/")
    headers = {"Authorization": f"Bearer {token}"}
    text = part.text
    if part.buttons:
        text += "\n\n" + "\n".join(f"{n}. {t}" for n, (_, t) in enumerate(part.buttons, 1))
    if part.public_post_id:
        answer = post_json(f"{base}/2/tweets", {
            "text": text, "reply": {"in_reply_to_tweet_id": part.public_post_id}}, headers)
        return str((answer.get("data") or {}).get("id", ""))
    answer = post_json(f"{base}/2/dm_conversations/with/{part.address}/messages",
                       {"text": text}, headers)
    return str((answer.get("data") or {}).get("dm_event_id", ""))


def split(text: str) -> list[str]:
    """Posts of at most 280 characters, cut at spaces and numbered."""
    if len(text) <= POST_MAX + 10:
        return [text]
    words, parts, current = text.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > POST_MAX:
            parts.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    parts.append(current)
    return [f"({n}/{len(parts)}) {p}" for n, p in enumerate(parts, 1)]


DESCRIPTION = ProviderDescription(name=Provider.X, parse=parse, handle=x_handle, split=split,
                                  deliver=deliver)
