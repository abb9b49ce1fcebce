"""Channel identities: "who wrote", encrypted and found through a keyed blind index.

A phone number (SMS, WhatsApp) is normalised to E.164 before indexing, so ``0812…``,
``+62812…`` and WhatsApp's ``62812…`` are the same person; a Telegram chat id or an X account
id is indexed as a handle of its channel (lapor.privacy.vault.normalise_handle).
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from lapor.channels.models import ChannelIdentity, ChannelReport, Conversation
from lapor.core import clock
from lapor.privacy import vault
from lapor.privacy.identity import channel_address_for_delivery

PHONE_CHANNELS = frozenset({"sms", "whatsapp"})


def normalised_handle(channel: str, handle: str) -> str:
    if channel in PHONE_CHANNELS:
        raw = handle.strip()
        if raw.isdigit() and not raw.startswith("0"):
            raw = "+" + raw  # WhatsApp ids and Kannel's %p are international without "+"
        return vault.normalise_phone(raw)
    return handle.strip()


def handle_index(channel: str, handle: str) -> str:
    if channel in PHONE_CHANNELS:
        return vault.blind_index("phone", normalised_handle(channel, handle))
    return vault.handle_index(channel, handle)


def identity_for(*, channel: str, handle: str, provider: str) -> ChannelIdentity:
    """The identity of ``handle`` on ``channel``, created on first contact (race-safe: the
    unique index decides, the loser reads the winner's row). Runs in the caller's
    transaction."""
    index = handle_index(channel, handle)
    identity = ChannelIdentity.objects.filter(channel=channel, handle_index=index).first()
    if identity is None:
        try:
            with transaction.atomic():
                identity = ChannelIdentity.objects.create(
                    channel=channel, handle_index=index, provider=provider,
                    handle=vault.encrypt(normalised_handle(channel, handle)),
                    created_at=clock.now())
        except IntegrityError:
            identity = ChannelIdentity.objects.get(channel=channel, handle_index=index)
    if identity.provider != provider:
        identity.provider = provider
        identity.save(update_fields=["provider"])
    return identity


def conversation_locked(identity: ChannelIdentity) -> Conversation:
    """The identity's conversation row, locked for the caller's transaction (two messages of
    one sender are handled one after the other)."""
    try:
        with transaction.atomic():
            Conversation.objects.get_or_create(identity=identity,
                                               defaults={"updated_at": clock.now()})
    except IntegrityError:
        pass  # created concurrently by the sender's other message
    return Conversation.objects.select_for_update().get(identity=identity)


def identity_address(identity: ChannelIdentity, *, report_id: int | None) -> str:
    """The plaintext handle for one delivery (recorded as a processing of the report's
    identity when the message concerns a report)."""
    return channel_address_for_delivery(token=identity.handle, report_id=report_id)


def link_report(*, report_id: int, identity: ChannelIdentity, public_post_id: str = "") -> None:
    ChannelReport.objects.create(report_id=report_id, identity=identity,
                                 public_post_id=public_post_id, created_at=clock.now())


def identity_of_report(report_id: int) -> ChannelReport | None:
    return ChannelReport.objects.select_related("identity").filter(report_id=report_id).first()


def owns(identity: ChannelIdentity, report_id: int) -> bool:
    return ChannelReport.objects.filter(report_id=report_id, identity=identity).exists()
