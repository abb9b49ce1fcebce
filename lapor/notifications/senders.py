"""Consumers of outbox rows, one per channel, each idempotent by the delivery key.

A sender raises :class:`DeliveryError` on failure (``permanent`` ones go straight to the dead
letter state) and returns normally once the provider accepted the message. Delivery is *at least
once*: the row is marked sent only after the provider answered, so a worker that dies between
the provider's acceptance and the database update delivers again, with the same key, and the
consumer deduplicates on it:

* in-app: the :class:`Notification` row's unique ``key`` (exactly once);
* callbacks (webhooks): the ``Idempotency-Key`` header carries the delivery key;
* e-mail: the ``Message-ID`` is derived from the delivery key, so mail clients and archives
  collapse a repeat; SMTP itself has no idempotency, so a repeat is possible in that window;
* SMS/WhatsApp/Telegram/X (issue #5): adapters registered with :func:`register_sender` receive
  the key and must pass it to their provider's own idempotency field (or keep their own log).

The reporter's address is decrypted here, at delivery time, by :func:`reporter_address`, which
records the processing (UU PDP) like :mod:`lapor.privacy.identity` does.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import smtplib
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage, InvalidMailer
from django.db import IntegrityError, transaction

from lapor.core import clock
from lapor.notifications.models import Audience, Channel, Notification, OutboxMessage
from lapor.privacy.identity import reporter_address_for_delivery

logger = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A failed delivery. ``reason`` is stored on the row: never put an address in it."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:300]
        self.permanent = permanent


class Sender(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


def reporter_address(message: OutboxMessage, field: str) -> str:
    """The reporter's ``email`` or ``phone`` for this delivery only (decrypted and recorded by
    lapor.privacy.identity); a report without one is a permanent failure."""
    if message.report_id is None:
        raise DeliveryError("no_report", permanent=True)
    address = reporter_address_for_delivery(report_id=message.report_id, field=field)
    if not address:
        raise DeliveryError(f"no_reporter_{field}", permanent=True)
    return address

def message_id(key: str) -> str:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"<{digest}@{settings.LAPOR_EMAIL_MESSAGE_ID_DOMAIN}>"


class EmailSender:
    """Django mail through the ``settings.MAILERS`` alias ``LAPOR_NOTIFY_MAILER``."""

    def send(self, message: OutboxMessage) -> None:
        if message.audience == Audience.REPORTER:
            to = reporter_address(message, "email")
        else:
            to = message.recipient_user.email if message.recipient_user else ""
            if not to:
                raise DeliveryError("no_staff_email", permanent=True)
        email = EmailMessage(
            subject=message.subject, body=message.body, to=[to],
            headers={"Message-ID": message_id(message.key),
                     "X-Lapor-Delivery-Key": message.key},
        )
        try:
            email.send(using=settings.LAPOR_NOTIFY_MAILER)
        except InvalidMailer as exc:
            # A configuration error, not this message's: one line, the row waits for a fixed
            # configuration (`lapor serve`/`lapor worker` refuse to start with it anyway).
            logger.error("outbox %s: mail backend unusable: %s", message.pk, exc)
            raise DeliveryError("mailer_unusable") from exc
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError("smtp_recipient_refused", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            raise DeliveryError(f"smtp_{exc.smtp_code}",
                                permanent=500 <= exc.smtp_code < 600) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"smtp_{type(exc).__name__}") from exc


class InAppSender:
    """The staff member's notification centre; the unique key makes a repeat a no-op."""

    def send(self, message: OutboxMessage) -> None:
        if message.recipient_user_id is None:
            raise DeliveryError("no_user", permanent=True)
        try:
            with transaction.atomic():
                Notification.objects.create(
                    user_id=message.recipient_user_id, key=message.key, event=message.event,
                    report_id=message.report_id, subject=message.subject, body=message.body,
                    # When it arrived: a notice held for office hours is new at 08:00, not
                    # at the midnight it was written.
                    created_at=max(message.created_at, clock.now()),
                )
        except IntegrityError:
            return  # delivered before: at least once, exactly one notification


class WebhookSender:
    """POST the JSON payload to an integrated application's callback URL.

    ``Idempotency-Key`` is the delivery key; ``X-Lapor-Signature`` is the HMAC-SHA256 of the
    body with the endpoint's secret. 2xx is delivered; 408, 429 and 5xx, timeouts and
    connection errors are retried; any other status is permanent.
    """

    def send(self, message: OutboxMessage) -> None:
        endpoint = message.endpoint
        if endpoint is None or not endpoint.is_active:
            raise DeliveryError("endpoint_inactive", permanent=True)
        if not endpoint.url.startswith(("http://", "https://")):
            raise DeliveryError("endpoint_scheme", permanent=True)
        body = json.dumps(message.payload, separators=(",", ":")).encode()
        signature = hmac.new(endpoint.secret.encode(), body, hashlib.sha256).hexdigest()
        request = urllib.request.Request(  # noqa: S310  (scheme checked above)
            endpoint.url, data=body, method="POST",
            headers={"Content-Type": "application/json", "Idempotency-Key": message.key,
                     "X-Lapor-Signature": f"sha256={signature}",
                     "User-Agent": "Lapor-Outbox/1"},
        )
        timeout = settings.LAPOR_WEBHOOK_TIMEOUT_SECONDS
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                response.read(1024)
        except urllib.error.HTTPError as exc:
            retry = exc.code in (408, 429) or exc.code >= 500
            raise DeliveryError(f"http_{exc.code}", permanent=not retry) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"http_{type(exc).__name__}") from exc


_SENDERS: dict[str, Callable[[], Sender]] = {
    Channel.EMAIL: EmailSender,
    Channel.INAPP: InAppSender,
    Channel.WEBHOOK: WebhookSender,
}


# channel -> "can this report's reporter be reached on the channel" (no decryption).
_REACHABLE: dict[str, Callable[[int], bool]] = {}


def register_sender(channel: str, factory: Callable[[], Sender], *,
                    reachable: Callable[[int], bool] | None = None) -> None:
    """Plug a channel adapter in (SMS, WhatsApp, Telegram, X: issue #5). Its ``send`` gets the
    outbox row, calls :func:`reporter_address` for the phone/handle, and must be idempotent by
    ``message.key``. ``reachable(report_id)`` tells whether a report's reporter has an address
    on the channel (default: the report has a phone number)."""
    _SENDERS[channel] = factory
    _REACHABLE.pop(channel, None)
    if reachable is not None:
        _REACHABLE[channel] = reachable


def reporter_reachable(channel: str, report_id: int, *, has_phone: bool) -> bool:
    check = _REACHABLE.get(channel)
    return check(report_id) if check is not None else has_phone


def unregister_sender(channel: str) -> None:
    if channel not in (Channel.EMAIL, Channel.INAPP, Channel.WEBHOOK):
        _SENDERS.pop(channel, None)
        _REACHABLE.pop(channel, None)


def registered_channels() -> frozenset[str]:
    return frozenset(_SENDERS)


def sender_for(channel: str) -> Sender:
    factory = _SENDERS.get(channel)
    if factory is None:
        raise DeliveryError(f"no_sender_{channel}", permanent=True)
    return factory()
