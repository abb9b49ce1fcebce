"""The SMS grammar (both SMS providers share it).

* ``CEK <number>``, ``BALAS``/``PUAS``/``BELUM <number> …``: see :mod:`lapor.channels.pipeline`;
* ``<KEYWORD> <text>``: a report to the agency whose SOP has that keyword (``KUTIM …``);
* any other text: a report to the national pool (region ``LAPOR_CHANNELS_DEFAULT_REGION``;
  when unset, the sender is told to start with a regional keyword and nothing is stored).

Split messages: a text that fills a whole SMS (160 GSM-7 or 70 UCS-2 characters, or a
multiple of a concatenated part's 153 / 67) was most likely cut by the handset, so it waits
for its next part. Parts from one sender arriving within ``LAPOR_SMS_JOIN_SECONDS`` (5
minutes) of each other are joined into one report; a shorter part ends the message at once,
and held parts with nothing after them are flushed as they are once the window has passed
(:func:`sms_flush_due`, run by the scheduler every minute).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from lapor.channels import gsm7
from lapor.channels.identities import identity_address
from lapor.channels.models import ChannelIdentity, Conversation
from lapor.channels.pipeline import (
    Incoming,
    NewReport,
    Outcome,
    command_answer,
    default_region,
    keyword_agency,
    parse_command,
    report_create,
    unroutable,
)
from lapor.channels.replies import replies_write
from lapor.core import clock

PARTS_STATE = "sms_parts"


def looks_cut(text: str) -> bool:
    size = gsm7.length(text)
    if gsm7.is_gsm(text):
        return size == gsm7.SINGLE_GSM or (size > 0 and size % gsm7.PART_GSM == 0)
    return size == gsm7.SINGLE_UCS2 or (size > 0 and size % gsm7.PART_UCS2 == 0)


def _report_from_text(incoming: Incoming, identity: ChannelIdentity, text: str) -> Outcome:
    agency, rest = keyword_agency(text)
    if agency is not None:
        region = agency.region_id or default_region()
        if not region:
            return unroutable(incoming.channel)
        return report_create(incoming, identity, NewReport(text=rest, region_code=region,
                                                           target=agency))
    region = default_region()
    if not region:
        return unroutable(incoming.channel)
    return report_create(incoming, identity, NewReport(text=text, region_code=region))


def _held(conversation: Conversation) -> list[str]:
    if conversation.state != PARTS_STATE:
        return []
    parts = conversation.data.get("parts", [])
    return [str(p) for p in parts] if isinstance(parts, list) else []


def _clear(conversation: Conversation, now: datetime) -> None:
    conversation.state, conversation.data, conversation.due_at = "", {}, None
    conversation.updated_at = now
    conversation.save(update_fields=["state", "data", "due_at", "updated_at"])


def sms_handle(incoming: Incoming, identity: ChannelIdentity,
               conversation: Conversation) -> Outcome:
    """One SMS, with the sender's conversation row locked by the caller."""
    now = clock.now()
    command = parse_command(incoming.text)
    if command is not None:
        answer = command_answer(incoming.channel, identity, command)
        if answer is not None:
            return answer
    outcome = Outcome("sms_part_held")
    held = _held(conversation)
    if held and conversation.due_at is not None and conversation.due_at <= now:
        # The window passed before the flush ran: the held text is a message of its own.
        outcome.add(_report_from_text(incoming, identity, "".join(held)))
        held = []
    held.append(incoming.text)
    if looks_cut(incoming.text):
        conversation.state, conversation.data = PARTS_STATE, {"parts": held}
        conversation.due_at = now + timedelta(seconds=settings.LAPOR_SMS_JOIN_SECONDS)
        conversation.updated_at = now
        conversation.save(update_fields=["state", "data", "due_at", "updated_at"])
        return outcome
    _clear(conversation, now)
    # Cut parts join without a separator: the handset cut the text mid-word or mid-space.
    return outcome.add(_report_from_text(incoming, identity, "".join(held)))


def sms_flush_due() -> int:
    """Turn held SMS parts whose window has passed into reports; returns how many."""
    now = clock.now()
    due = list(Conversation.objects.filter(state=PARTS_STATE, due_at__lte=now)
               .values_list("pk", flat=True)[:500])
    flushed = 0
    for pk in due:
        with transaction.atomic():
            conversation = (Conversation.objects.select_for_update().select_related("identity")
                            .filter(pk=pk, state=PARTS_STATE, due_at__lte=now).first())
            if conversation is None:
                continue  # flushed by the sender's next message meanwhile
            held, due_at = _held(conversation), conversation.due_at
            identity = conversation.identity
            _clear(conversation, now)
            if not held:
                continue
            # The report's phone number is the sender's: decrypted here for report_submit.
            handle = identity_address(identity, report_id=None)
            incoming = Incoming(provider=identity.provider, channel="sms", handle=handle,
                                text="".join(held))
            outcome = _report_from_text(incoming, identity, incoming.text)
            stamp = int(due_at.timestamp()) if due_at is not None else 0
            replies_write(cause=f"sms{conversation.pk}-{stamp}", identity=identity,
                          replies=outcome.replies)
            flushed += 1
    return flushed
