"""The guided conversation of the chat channels (WhatsApp, Telegram, X direct messages).

Steps: report type → text → district → photos (optional) → anonymous? → confirm. A location
shared at any step (WhatsApp or Telegram "share location") sets the report's point and its
district (:func:`lapor.regions.selectors.district_for_point`, the rule of every channel),
so the district question is skipped; a point outside Indonesia is answered with the reason and
the step asked again. Every
question offers its answers as buttons where the channel has them (WhatsApp reply buttons,
Telegram inline keyboards); on a channel without buttons (X direct messages) the same answers
are numbered, and typing the number or the label works on every channel. ``batal`` (or
``/batal``) cancels at any step; ``CEK``/``BALAS``/``PUAS``/``BELUM`` work at any step without
disturbing it. A conversation left alone for ``LAPOR_CHANNELS_CONVERSATION_HOURS`` starts over.

The state (the draft's text, district code, shared point, photo ids) lives in
:class:`Conversation` only until the report is sent or cancelled.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from lapor.channels.models import ChannelIdentity, Conversation
from lapor.channels.pipeline import (
    Incoming,
    NewReport,
    Outcome,
    command_answer,
    error_text,
    parse_command,
    report_create,
)
from lapor.channels.replies import Reply
from lapor.core import clock
from lapor.core.errors import ValidationFailed
from lapor.regions.models import RegionLevel
from lapor.regions.selectors import district_for_point, region_get, region_search
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


_PLACES = Decimal("0.000001")  # the report's coordinates: 6 decimal places (about 0.1 m)
# What a shared location puts in the draft; kept when the conversation (re)starts.
LOCATION_KEYS = ("latitude", "longitude", "district", "district_name", "located")


def _start(conversation: Conversation, prefill: str = "") -> Outcome:
    kept = {k: conversation.data[k] for k in LOCATION_KEYS if k in conversation.data}
    conversation.data = {"media": conversation.data.get("media", []), **kept}
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
        "In which district (kecamatan) did it happen? Type its name, e.g. Sangatta Utara, "
        "or share your location."))


def _after_text(conversation: Conversation) -> Reply:
    """The district question, unless a shared location already answered it."""
    if conversation.data.get("located"):
        return _ask_photo(conversation)
    return _ask_district(conversation)


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
        return Outcome("type_chosen", [_after_text(conversation)])
    return Outcome("type_chosen", [_ask_text(conversation)])


def _on_text(incoming: Incoming, identity: ChannelIdentity, conversation: Conversation,
             choice: str) -> Outcome:
    text = incoming.text.strip()
    if len(text) < TEXT_MIN:
        return Outcome("asked_again", [_ask_text(conversation)])
    conversation.data["text"] = text
    return Outcome("text_given", [_after_text(conversation)])


def _on_district(incoming: Incoming, identity: ChannelIdentity, conversation: Conversation,
                 choice: str) -> Outcome:
    code = choice.removeprefix("district:") if choice.startswith("district:") else ""
    matches = _districts(code or incoming.text)
    if len(matches) == 1:
        conversation.data["district"], conversation.data["district_name"] = matches[0]
        conversation.data["located"] = False  # a typed district wins over a shared point
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
    point = (Decimal(str(data["latitude"])), Decimal(str(data["longitude"]))) if (
        "latitude" in data and "longitude" in data) else (None, None)
    outcome = report_create(incoming, identity, NewReport(
        text=str(data.get("text", "")), region_code=region,
        type=str(data.get("type", ReportType.COMPLAINT)),
        anonymous=bool(data.get("anonymous")),
        media=tuple(str(m) for m in data.get("media", [])),
        latitude=point[0], longitude=point[1]))
    if outcome.report_id is not None:
        conversation.state, conversation.data = "", {}
    return outcome


Step = Callable[[Incoming, ChannelIdentity, Conversation, str], Outcome]
STEPS: dict[str, Step] = {"type": _on_type, "text": _on_text, "district": _on_district,
                          "photo": _on_photo, "anonymous": _on_anonymous,
                          "confirm": _on_confirm}


def _ask_again(conversation: Conversation) -> Reply:
    """The question of the current step, once more."""
    state = conversation.state
    if state == "type":
        return _ask(conversation, "type", _("What do you want to send?"), _types())
    asks: dict[str, Callable[[Conversation], Reply]] = {
        "text": _ask_text, "district": _ask_district, "photo": _ask_photo,
        "anonymous": _ask_anonymous, "confirm": _ask_confirm}
    return asks.get(state, _ask_photo)(conversation)


def _on_location(incoming: Incoming, conversation: Conversation) -> Outcome:
    """A shared location: the draft's point and district, then the step it came in (the
    district question is answered, so the next one is asked; a new chat starts a report)."""
    assert incoming.location is not None  # noqa: S101 - the caller checked
    latitude, longitude = incoming.location
    try:
        match = district_for_point(latitude, longitude)
    except ValidationFailed as exc:  # in no district, nor near one; or not a number
        replies = [Reply(_("This location cannot be used: %(reason)s") % {
            "reason": error_text(exc)})]
        if conversation.state:
            replies.append(_ask_again(conversation))
        return Outcome("location_refused", replies)
    conversation.data.update(
        latitude=str(Decimal(repr(latitude)).quantize(_PLACES)),
        longitude=str(Decimal(repr(longitude)).quantize(_PLACES)),
        district=match.code, district_name=match.name, located=True)
    got = Reply(_("Location received: district %(name)s.") % {"name": match.name})
    if not conversation.state:
        return Outcome("location_received", [got, *_start(conversation).replies])
    following = (_ask_photo(conversation) if conversation.state == "district"
                 else _ask_again(conversation))
    return Outcome("location_received", [got, following])


def _step(incoming: Incoming, identity: ChannelIdentity, conversation: Conversation,
          choice: str) -> Outcome:
    """A message that is neither a command nor a menu choice: the current step's answer."""
    if incoming.location is not None:
        return _on_location(incoming, conversation)
    if not conversation.state:
        return _start(conversation) if incoming.media else _menu(conversation)
    if conversation.state == "text" and incoming.media and len(incoming.text) < TEXT_MIN:
        return Outcome("photo_received", [_ask_text(conversation)])
    step = STEPS.get(conversation.state)
    return (step(incoming, identity, conversation, choice) if step is not None
            else _menu(conversation))


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
    else:
        outcome = _step(incoming, identity, conversation, choice)
    conversation.updated_at = now
    conversation.save(update_fields=["state", "data", "updated_at"])
    return outcome
