"""What a provider module tells the rest of the app about itself: one plain object.

Each provider module (:mod:`~lapor.channels.twilio_sms`, :mod:`~lapor.channels.kannel`,
:mod:`~lapor.channels.whatsapp`, :mod:`~lapor.channels.telegram`, :mod:`~lapor.channels.x`)
exports ``DESCRIPTION``; :mod:`lapor.channels.providers` maps the provider names to them. Nothing
registers itself at import time. The webhook views are in :mod:`lapor.channels.webhooks`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lapor.channels.models import ChannelIdentity, Conversation
from lapor.channels.pipeline import Incoming, Outcome
from lapor.channels.replies import Outgoing

# A recorded item -> the message it carries (None: nothing to do).
Parser = Callable[[dict[str, Any]], Incoming | None]
# The message, its sender's identity and locked conversation -> the outcome and answers.
Handler = Callable[[Incoming, ChannelIdentity, Conversation], Outcome]
# A text -> the parts the provider sends.
Splitter = Callable[[str], list[str]]
# One part -> the provider's message id.
Deliverer = Callable[[Outgoing], str]
# A provider media id -> (bytes, file name); raises OSError.
MediaFetcher = Callable[[str], tuple[bytes, str]]


@dataclass(frozen=True)
class ProviderDescription:
    name: str  # a lapor.channels.models.Provider value
    parse: Parser
    handle: Handler
    split: Splitter
    deliver: Deliverer
    fetch_media: MediaFetcher | None = None  # None: the provider's photos are not fetched
