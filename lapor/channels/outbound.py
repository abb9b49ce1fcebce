"""Answers through the channel a message came from: the outbox consumers.

:class:`ChannelSender` is the outbox consumer of one notification channel (sms, whatsapp,
telegram, x). It finds the identity (from the row, or from the report's channel link),
decrypts the address for this delivery only, cuts the text into the channel's parts and hands
each part to the provider module (:mod:`lapor.channels.providers`). The providers have no
idempotency field, so each accepted part is logged in :class:`OutboundDelivery` under
``<delivery key>#<part>`` and a repeated delivery (a retry after a partial failure, a lease taken
over) skips it. The answers themselves are written by :func:`lapor.channels.replies.replies_write`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from lapor.channels.config import enabled
from lapor.channels.identities import identity_address, identity_of_report
from lapor.channels.models import ChannelIdentity, ChannelReport, OutboundDelivery, Provider
from lapor.channels.providers import PROVIDERS
from lapor.channels.replies import REPLY_EVENT, Outgoing
from lapor.core import clock
from lapor.notifications.models import OutboxMessage
from lapor.notifications.senders import (
    DeliveryError,
    register_sender,
    registered_channels,
    reporter_address,
)
from lapor.reports.models import ReporterContact

CHAT_CHANNELS = ("sms", "whatsapp", "telegram", "x")
# Which SMS gateway sends to a web reporter's contact phone: the operator's own short number
# (Kannel) first, else Twilio; the first one configured.
SMS_PROVIDERS = (Provider.KANNEL, Provider.TWILIO)


def _text_of(row: OutboxMessage) -> str:
    """The row's text; a report notice always carries the tracking number."""
    text = row.body.strip()
    if row.event != REPLY_EVENT and row.report_id is not None:
        number = row.subject.split("#", 1)[1].split()[0] if "#" in row.subject else ""
        if number and number not in text:
            text = f"{row.subject}\n\n{text}"
    return text


class ChannelSender:
    """Outbox consumer of one notification channel (see the module docstring)."""

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def _contact_phone(self, row: OutboxMessage, report_id: int) -> _Target:
        """A web/API reporter who asked for updates by SMS: the first enabled SMS gateway, and
        the contact phone through the privacy helper the e-mail sender uses
        (:func:`lapor.notifications.senders.reporter_address`:
        :func:`lapor.privacy.identity.reporter_address_for_delivery`, decrypted for this
        delivery only and recorded there). Nothing is linked or stored, so the number gains no
        access to the report."""
        if not ReporterContact.objects.filter(report_id=report_id).exclude(phone="").exists():
            raise DeliveryError("no_reporter_phone", permanent=True)
        provider = next((p for p in SMS_PROVIDERS if p in PROVIDERS and enabled(p)), None)
        if provider is None:
            raise DeliveryError("no_sms_provider", permanent=True)
        return _Target(provider, lambda: reporter_address(row, "phone"))

    def _target(self, row: OutboxMessage) -> _Target:
        if row.payload and row.payload.get("contact_phone") and row.report_id is not None:
            return self._contact_phone(row, row.report_id)
        identity_id = row.payload.get("identity") if row.payload else None
        if identity_id is not None:
            identity = ChannelIdentity.objects.filter(pk=identity_id).first()
            if identity is None:
                raise DeliveryError("no_channel_identity", permanent=True)
            return _identity_target(identity, row, str(row.payload.get("public_post_id") or ""))
        link: ChannelReport | None = (identity_of_report(row.report_id)
                                      if row.report_id is not None else None)
        if link is None:
            raise DeliveryError("no_channel_identity", permanent=True)
        return _identity_target(link.identity, row, link.public_post_id)

    def send(self, row: OutboxMessage) -> None:
        target = self._target(row)
        if target.provider not in PROVIDERS:
            raise DeliveryError(f"no_provider_{target.provider}", permanent=True)
        provider = PROVIDERS[target.provider]
        buttons = tuple((str(b[0]), str(b[1])) for b in (row.payload or {}).get("buttons", []))
        parts = provider.split(_text_of(row))
        address = ""
        for index, part in enumerate(parts):
            key = f"{row.key}#{index}"
            if OutboundDelivery.objects.filter(key=key).exists():
                continue  # accepted by the provider in an earlier attempt
            if not address:
                address = target.address()  # decrypted (and recorded) only when sending
            last = index == len(parts) - 1
            provider_id = provider.deliver(Outgoing(address=address, text=part,
                                                    buttons=buttons if last else (),
                                                    public_post_id=target.public_post_id))
            try:
                with transaction.atomic():
                    OutboundDelivery.objects.create(key=key, provider_message_id=provider_id[:200],
                                                    sent_at=clock.now())
            except IntegrityError:
                pass  # another worker holding an expired lease logged it first


@dataclass(frozen=True)
class _Target:
    """Where one outbox row goes: the provider, and the plaintext address for this delivery
    (a call, so nothing is decrypted for a row whose parts were all sent already)."""

    provider: str
    address: Callable[[], str]
    public_post_id: str = ""


def _identity_target(identity: ChannelIdentity, row: OutboxMessage,
                     public_post_id: str) -> _Target:
    return _Target(identity.provider,
                   lambda: identity_address(identity, report_id=row.report_id), public_post_id)


def contact_sms_available() -> bool:
    """Whether updates can go by SMS to a web reporter's contact phone (the form's opt-in is
    offered only then): the SMS sender is registered and a gateway is configured."""
    return "sms" in registered_channels() and any(
        p in PROVIDERS and enabled(p) for p in SMS_PROVIDERS)


def reporter_reachable(report_id: int) -> bool:
    """Whether a report's notices can go to its channel identity (no decryption)."""
    return ChannelReport.objects.filter(report_id=report_id).exists()


def register_senders() -> None:
    """Plug one outbox sender per chat channel in (run by the app's ``ready()``)."""
    for channel in CHAT_CHANNELS:
        register_sender(channel, lambda channel=channel: ChannelSender(channel),  # type: ignore[misc]
                        reachable=reporter_reachable)
