"""The guided conversation of the chat channels (WhatsApp, Telegram, X direct messages).

Steps: report type → text → district → photos (optional) → anonymous? → confirm. Every
question offers its answers as buttons where the channel has them (WhatsApp reply buttons,
Telegram inline keyboards); on a channel without buttons (X direct messages) the same answers
are numbered, and typing the number or the label works on every channel. ``batal`` (or
``/batal``) cancels at any step; ``CEK``/``BALAS``/``PUAS``/``BELUM`` work at any step without
disturbing it. A conversation left alone for ``LAPOR_CHANNELS_CONVERSATION_HOURS`` starts over.

The state (the draft's text, district code, photo ids) lives in :class:`Conversation` only
until the report is sent or cancelled.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from lapor.channels.models import ChannelIdentity, Conversation
from lapor.channels.outbound import Reply
from lapor.channels.pipeline import (
    Incoming,
    NewReport,
    Outcome,
    command_answer,
    parse_command,
    report_create,
)
from lapor.core import clock
from lapor.regions.models import RegionLevel
from lapor.regions.selectors import region_get, region_search
from lapor.reports.models import ReportType

TEXT_MIN = 10
DISTRICT_CHOICES = 3


def _types() -> list[tuple[str, str]]:
    return [("type:complaint", _("Complaint")), ("type:aspiration", _("Aspiration")),
            ("type:information_request", _("Information"))]


def _ask(conversation: Conversation, state: str, text: str,
         buttons: list[tuple[str, str]] | None = None) -> Reply:
    conversation.state = state
    conversation.data["offer"] = [list(b) for b in buttons or []]
    return Reply(text, buttons=tuple(buttons or ()))


def _choice(incoming: Incoming, conversation: Conversation) -> str:
    """The id of the chosen answer: a tapped button, or an offered answer typed as its number
    or its label."""
    if incoming.button:
        return incoming.button
    offer = conversation.data.get("offer") or []
    typed = incoming.text.strip().casefold()
    for number, (choice_id, title) in enumerate(offer, start=1):
        if typed in (str(number), str(title).casefold()):
            return str(choice_id)
    return ""


def _menu(conversation: Conversation) -> Outcome:
    reply = _ask(conversation, "", _(
        "Welcome to LAPOR! (SP4N-LAPOR!). Tap Report to send a complaint, aspiration or "
        "information request, or send CEK <number> to check a report's status."),
        [("menu:lapor", _("Report")), ("menu:cek", _("Check status"))])
    return Outcome("menu", [reply])


def _start(conversation: Conversation, prefill: str = "") -> Outcome:
    conversation.data = {"media": conversation.data.get("media", [])}
    if prefill:
        conversation.data["text"] = prefill
    return Outcome("conversation_started", [_ask(
        conversation, "type", _("What do you want to send?"), _types())])


def _ask_text(conversation: Conversation) -> Reply:
    return _ask(conversation, "text", _(
        "Describe what happened: what, where exactly, since when. (At least %(n)d "
        "characters.)") % {"n": TEXT_MIN})


def _ask_district(conversation: Conversation) -> Reply:
    return _ask(conversation, "district", _(
        "In which district (kecamatan) did it happen? Type its name, e.g. Sangatta Utara."))


def _ask_photo(conversation: Conversation) -> Reply:
    count = len(conversation.data.get("media", []))
    text = (_("Photo received (%(n)d). Send another photo or tap Continue.") % {"n": count}
            if count else _("Send a photo as evidence, or tap Skip."))
    return _ask(conversation, "photo", text,
                [("photo:done", _("Continue") if count else _("Skip"))])


def _ask_anonymous(conversation: Conversation) -> Reply:
    return _ask(conversation, "anonymous", _(
        "Report anonymously? Your identity is then hidden from the agency and the public."),
        [("anon:yes", _("Yes, anonymous")), ("anon:no", _("No"))])


def _ask_confirm(conversation: Conversation) -> Reply:
    data = conversation.data
    kinds = dict(_types())
    summary = _(
        "Please check:\nType: %(type)s\nDistrict: %(district)s\nPhotos: %(photos)d\n"
        "Anonymous: %(anonymous)s\nText: %(text)s\n\nSend this report?") % {
        "type": kinds.get(f"type:{data.get('type')}", ""),
        "district": data.get("district_name", ""), "photos": len(data.get("media", [])),
        "anonymous": _("yes") if data.get("anonymous") else _("no"),
        "text": str(data.get("text", ""))[:300]}
    return _ask(conversation, "confirm", summary,
                [("confirm:send", _("Send")), ("confirm:cancel", _("Cancel"))])


def _districts(typed: str) -> list[tuple[str, str]]:
    typed = typed.strip()
    if re.fullmatch(r"\d{2}\.\d{2}\.\d{2}", typed):
        region = region_get(typed)
        return [(region.code, region.name)] if region is not None else []
    if len(typed) < 3:
        return []
    found = [r for r in region_search(typed, limit=50) if r.level == RegionLevel.DISTRICT]
    exact = [r for r in found if r.name.casefold() == typed.casefold()]
    return [(r.code, r.name) for r in (exact or found)]


def _on_type(incoming: Incoming, identity: ChannelIdentity, conversation: Conversation,
             choice: str) -> Outcome:
    kind = choice.removeprefix("type:") if choice.startswith("type:") else ""
    if kind not in ReportType.values:
        return Outcome("asked_again", [_ask(conversation, "type", _(
            "Please choose one of the answers."), _types())])
    conversation.data["type"] = kind
    if len(str(conversation.data.get("text", ""))) >= TEXT_MIN:
        return Outcome("type_chosen", [_ask_district(conversation)])
    return Outcome("type_chosen", [_ask_text(conversation)])


def _on_text(incoming: Incoming, identity: ChannelIdentity, conversation: Conversation,
             choice: str) -> Outcome:
    text = incoming.text.strip()
    if len(text) < TEXT_MIN:
        return Outcome("asked_again", [_ask_text(conversation)])
    conversation.data["text"] = text
    return Outcome("text_given", [_ask_district(conversation)])


def _on_district(incoming: Incoming, identity: ChannelIdentity, conversation: Conversation,
                 choice: str) -> Outcome:
    code = choice.removeprefix("district:") if choice.startswith("district:") else ""
    matches = _districts(code or incoming.text)
    if len(matches) == 1:
        conversation.data["district"], conversation.data["district_name"] = matches[0]
        return Outcome("district_chosen", [_ask_photo(conversation)])
    if matches:
        buttons = [(f"district:{c}", n[:20]) for c, n in matches[:DISTRICT_CHOICES]]
        return Outcome("district_ambiguous", [_ask(conversation, "district", _(
            "Several districts match. Choose one, or type the name more precisely."),
            buttons)])
    return Outcome("district_unknown", [_ask(conversation, "district", _(
        "No district of that name was found. Type the name of your kecamatan."))])


def _on_photo(incoming: Incoming, identity: ChannelIdentity, conversation: Conversation,
              choice: str) -> Outcome:
    if choice == "photo:done" or (incoming.text.strip() and not incoming.media):
        return Outcome("photos_done", [_ask_anonymous(conversation)])
    return Outcome("photo_received", [_ask_photo(conversation)])


def _on_anonymous(incoming: Incoming, identity: ChannelIdentity, conversation: Conversation,
                  choice: str) -> Outcome:
    if choice not in ("anon:yes", "anon:no"):
        return Outcome("asked_again", [_ask_anonymous(conversation)])
    conversation.data["anonymous"] = choice == "anon:yes"
    return Outcome("anonymity_chosen", [_ask_confirm(conversation)])


def _on_confirm(incoming: Incoming, identity: ChannelIdentity, conversation: Conversation,
                choice: str) -> Outcome:
    if choice == "confirm:cancel":
        return _cancel(conversation)
    if choice != "confirm:send":
        return Outcome("asked_again", [_ask_confirm(conversation)])
    data = conversation.data
    region = str(data.get("district", ""))
    outcome = report_create(incoming, identity, NewReport(
        text=str(data.get("text", "")), region_code=region,
        type=str(data.get("type", ReportType.COMPLAINT)),
        anonymous=bool(data.get("anonymous")),
        media=tuple(str(m) for m in data.get("media", []))))
    if outcome.report_id is not None:
        conversation.state, conversation.data = "", {}
    return outcome


Step = Callable[[Incoming, ChannelIdentity, Conversation, str], Outcome]
STEPS: dict[str, Step] = {"type": _on_type, "text": _on_text, "district": _on_district,
                          "photo": _on_photo, "anonymous": _on_anonymous,
                          "confirm": _on_confirm}


def _cancel(conversation: Conversation) -> Outcome:
    conversation.state, conversation.data = "", {}
    return Outcome("conversation_cancelled", [Reply(_(
        "Cancelled. Nothing was sent. Tap Report or send LAPOR to start again."))])


def chat_handle(incoming: Incoming, identity: ChannelIdentity,
                conversation: Conversation) -> Outcome:
    """One chat message, with the sender's conversation row locked by the caller."""
    now = clock.now()
    idle = timedelta(hours=settings.LAPOR_CHANNELS_CONVERSATION_HOURS)
    if conversation.state and conversation.updated_at < now - idle:
        conversation.state, conversation.data = "", {}
    data: dict[str, Any] = conversation.data if isinstance(conversation.data, dict) else {}
    conversation.data = data
    if incoming.media:
        limit = settings.LAPOR_ATTACHMENTS_PER_REPORT
        data["media"] = [*data.get("media", []), *incoming.media][:limit]
    choice = _choice(incoming, conversation)
    command = parse_command(incoming.text) if not choice else None
    outcome: Outcome | None = None
    if command is not None:
        outcome = command_answer(incoming.channel, identity, command)
        if outcome is None and command.name == "batal":
            outcome = _cancel(conversation)
        elif outcome is None and command.name == "lapor":
            outcome = _start(conversation, prefill=command.rest)
        elif outcome is None:
            outcome = _menu(conversation)
    elif choice == "menu:lapor":
        outcome = _start(conversation)
    elif choice == "menu:cek":
        outcome = Outcome("menu", [Reply(_("Send CEK followed by the 12-digit number of your "
                                           "report."))])
    elif incoming.text.strip().casefold() in ("batal", "cancel"):
        outcome = _cancel(conversation)
    elif not conversation.state:
        outcome = _start(conversation) if incoming.media else _menu(conversation)
    elif conversation.state == "text" and incoming.media and len(incoming.text) < TEXT_MIN:
        outcome = Outcome("photo_received", [_ask_text(conversation)])
    else:
        step = STEPS.get(conversation.state)
        outcome = (step(incoming, identity, conversation, choice) if step is not None
                   else _menu(conversation))
    conversation.updated_at = now
    conversation.save(update_fields=["state", "data", "updated_at"])
    return outcome
