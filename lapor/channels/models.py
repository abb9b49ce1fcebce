"""Inbound provider messages, channel identities, conversations and the outbound log.

* :class:`InboundMessage` is the raw log: one row per provider message, written before any
  parsing, unique on ``(provider, provider_message_id)`` so a retried or replayed delivery
  finds its row taken and does nothing twice (ARCHITECTURE habit 10).
* :class:`ChannelIdentity` is "who wrote": a phone number, a Telegram chat, an X account,
  stored as a Fernet token with a keyed blind index (lapor.privacy.vault), never in plaintext.
* :class:`ChannelReport` links a report to the identity it came from: that identity may reply
  to it and receives its notices (DOMAIN.md: "the same channel identity").
* :class:`Conversation` is the state of a guided conversation (or of SMS parts waiting for
  the rest of a split message).
* :class:`OutboundDelivery` is the senders' own log of delivery keys: the providers have no
  idempotency field, so a repeated outbox delivery skips the parts already accepted.
"""

from __future__ import annotations

from django.db import models


class Provider(models.TextChoices):
    TWILIO = "twilio", "SMS (Twilio)"
    KANNEL = "kannel", "SMS (Kannel)"
    WHATSAPP = "whatsapp", "WhatsApp Cloud API"
    TELEGRAM = "telegram", "Telegram Bot API"
    X = "x", "X Account Activity API"


class InboundStatus(models.TextChoices):
    RECEIVED = "received", "Diterima"
    PROCESSED = "processed", "Diproses"
    IGNORED = "ignored", "Diabaikan"


class InboundMessage(models.Model):
    provider = models.CharField(max_length=10, choices=Provider.choices)
    provider_message_id = models.CharField(max_length=200)
    # The provider's item (JSON text) as a Fernet token: it holds phone numbers and text.
    raw = models.TextField()
    status = models.CharField(max_length=10, choices=InboundStatus.choices,
                              default=InboundStatus.RECEIVED)
    # A short machine-readable outcome ("report_created", "status_answered", …); no text.
    outcome = models.CharField(max_length=40, blank=True)
    report = models.ForeignKey("reports.Report", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "provider_message_id"],
                                    name="inbound_unique_provider_id"),
        ]
        indexes = [models.Index(fields=["status", "received_at"], name="inbound_status")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.provider_message_id}"


class ChannelIdentity(models.Model):
    channel = models.CharField(max_length=10)  # sms, whatsapp, telegram, x
    # HMAC blind index of the normalised handle (lapor.privacy.vault.handle_index).
    handle_index = models.CharField(max_length=64)
    handle = models.TextField()  # Fernet token of the handle
    # The provider the identity last wrote through (an SMS answer leaves the same way).
    provider = models.CharField(max_length=10, choices=Provider.choices)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "handle_index"],
                                    name="channelidentity_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} identity {self.pk}"


class ChannelReport(models.Model):
    report = models.OneToOneField("reports.Report", on_delete=models.CASCADE,
                                  related_name="channel_link")
    identity = models.ForeignKey(ChannelIdentity, on_delete=models.CASCADE,
                                 related_name="reports")
    # The public post a report came from (an X mention): its answer is a public reply.
    public_post_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"report {self.report_id} via identity {self.identity_id}"


class Conversation(models.Model):
    identity = models.OneToOneField(ChannelIdentity, on_delete=models.CASCADE,
                                    related_name="conversation")
    state = models.CharField(max_length=20, blank=True)
    data = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField()
    # When an SMS buffer of parts is flushed as one message if nothing else arrives.
    due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["due_at"], name="conversation_due",
                                condition=models.Q(due_at__isnull=False))]

    def __str__(self) -> str:
        return f"conversation {self.pk} ({self.state or 'idle'})"


class OutboundDelivery(models.Model):
    key = models.CharField(max_length=220, unique=True)  # "<outbox key>#<part>"
    provider_message_id = models.CharField(max_length=200, blank=True)
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key
