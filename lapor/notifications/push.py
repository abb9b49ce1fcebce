"""Web Push to a citizen who opted in for one report (docs/notifications.md "Web Push").

* :func:`push_subscribe` / :func:`push_unsubscribe` store and remove a browser's
  ``PushSubscription`` for a report its reporter proved (access code, proven session or own
  account: the callers check that, like every /track/ action). The subscription is kept
  encrypted like the reporter's contact row (lapor.privacy.vault).
* :func:`push_unsubscribe_by_token` is the one-tap unsubscribe: every push carries a signed
  token naming that one subscription, so no access code is needed.
* :func:`push_rows` writes one outbox row per subscription for each event the reporter is told
  about (lapor.notifications.report_events); :class:`WebPushSender` delivers it.

Payload privacy: a push carries the tracking number and a fixed status sentence, never the
report's title, text, officers' messages, region or anything about the reporter, whatever the
report's flags (the lock screen is visible to anyone holding the phone, and the push service
sees the endpoint and timing). The sentences are fixed here, not agency-editable templates, so
no ``$title`` can slip in.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.templatetags.static import static
from django.urls import reverse
from urllib3.util import parse_url

from lapor.core import clock
from lapor.core.errors import NotFound, PermissionDenied, ValidationFailed
from lapor.core.language import index as language_index
from lapor.notifications import vapid
from lapor.notifications.models import Audience, Channel, OutboxMessage, PushSubscription
from lapor.notifications.outbox import message
from lapor.notifications.senders import DeliveryError
from lapor.notifications.templates import Rendered
from lapor.orgs.actors import Actor, ActorKind
from lapor.orgs.models import OrgNode
from lapor.privacy import vault
from lapor.privacy.identity import channel_address_for_delivery
from lapor.reports.models import Report

logger = logging.getLogger(__name__)

UNSUBSCRIBE_SALT = "lapor.notifications.push.unsubscribe"
ENDPOINT_MAX = 1000
P256DH_BYTES = 65
AUTH_BYTES = 16
MAX_PER_REPORT = 5

# Reporter message key -> (Indonesian, English) push text: status words only (module docstring).
PUSH_TEXT: dict[str, tuple[str, str]] = {
    "reporter.submitted": ("Laporan Anda telah diterima.", "Your report was received."),
    "reporter.hold": ("Petugas meminta informasi tambahan. Buka laporan untuk menjawab.",
                      "The officers need more information. Open the report to answer."),
    "reporter.archived": ("Laporan Anda diarsipkan.", "Your report was archived."),
    "reporter.disposed": ("Laporan Anda telah diverifikasi dan diteruskan ke instansi.",
                          "Your report was verified and passed to an agency."),
    "reporter.in_progress": ("Laporan Anda sedang diproses.", "Your report is in progress."),
    "reporter.follow_up": ("Ada tindak lanjut baru pada laporan Anda.",
                           "There is a new follow-up on your report."),
    "reporter.responded": ("Laporan Anda telah ditindaklanjuti. Buka untuk menanggapi.",
                           "Your report was answered. Open it to reply."),
    "reporter.closed": ("Laporan Anda selesai. Terima kasih telah melapor.",
                        "Your report is closed. Thank you for reporting."),
}
STOP_LABEL = ("Berhenti", "Stop")
STOPPED_TEXT = ("Notifikasi laporan ini dihentikan di HP ini.",
                "Notifications for this report are stopped on this phone.")
# The notification's icon (a static path; the installable app's icon where the shell has one).
PUSH_ICON = "portal/icons/icon-192.png"  # Android shows no SVG notification icon
# Messages the reporter must act on before a deadline wake the phone at once.
HIGH_URGENCY = frozenset({"reporter.hold", "reporter.responded"})


def configured() -> bool:
    """Whether Web Push is on (a VAPID key is configured): the portal offers it only then."""
    return bool(settings.LAPOR_VAPID_PRIVATE_KEY)


def public_key() -> str:
    """The VAPID public key for ``pushManager.subscribe`` ("" when push is off)."""
    return vapid.public_key_b64(settings.LAPOR_VAPID_PRIVATE_KEY) if configured() else ""


# ---------------------------------------------------------------- subscriptions


# scheme://host[:port]/path?query: the authority is a host name or IPv4 address and a port, the
# rest printable ASCII without a backslash or a space.
_ENDPOINT_SYNTAX = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[!-\[\]-~]*)?")


def _host_allowed(endpoint: str) -> bool:
    """https to a known push service; http only to this machine when the setting allows it.

    The server POSTs to the endpoint a citizen hands in, so an endpoint is never a free URL
    (that would let anyone make the server call addresses on its own network)."""
    if not _ENDPOINT_SYNTAX.fullmatch(endpoint):
        # One reading of the host for every parser: no backslash, space, "%", "@" or
        # non-ASCII in the authority (urllib3, which sends, and urlsplit, which checks, read
        # "https://10.0.0.5\\.fcm.googleapis.com/" differently).
        return False
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    if not host or parts.username or parts.password or parse_url(endpoint).host != host:
        return False
    if settings.LAPOR_PUSH_ALLOW_LOCAL_HTTP and host in ("127.0.0.1", "localhost"):
        return parts.scheme in ("http", "https")
    if parts.scheme != "https":
        return False
    return any(host == allowed.lstrip(".") or host.endswith("." + allowed.lstrip("."))
               for allowed in settings.LAPOR_PUSH_SERVICE_HOSTS)


def _b64(value: str, *, size: int) -> bytes:
    try:
        raw = vapid.b64url_decode(value)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed("invalid_push_subscription", field="keys") from exc
    if len(raw) != size:
        raise ValidationFailed("invalid_push_subscription", field="keys")
    return raw


def subscription_validate(*, endpoint: str, p256dh: str, auth: str) -> None:
    """A browser's ``PushSubscription`` JSON as it must be: a push service's endpoint, a P-256
    public key (65-byte uncompressed point, on the curve) and a 16-byte auth secret."""
    if not endpoint or len(endpoint) > ENDPOINT_MAX or not _host_allowed(endpoint):
        raise ValidationFailed("invalid_push_subscription", field="endpoint")
    point = _b64(p256dh, size=P256DH_BYTES)
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError as exc:
        raise ValidationFailed("invalid_push_subscription", field="keys") from exc
    _b64(auth, size=AUTH_BYTES)


def _own(actor: Actor, report: Report) -> bool:
    if actor.kind != ActorKind.REPORTER:
        return False
    if actor.report_id is not None:
        return actor.report_id == report.pk
    return actor.user is not None and report.reporter_user_id == actor.user.pk


def endpoint_index(endpoint: str) -> str:
    return vault.blind_index("push", endpoint.strip())


def push_subscribe(*, actor: Actor, report: Report, endpoint: str, p256dh: str,
                   auth: str) -> PushSubscription:
    """Store (or renew the keys of) this browser's subscription to ``report``'s updates.

    The caller has proven ``actor`` is the reporter (access code, proven session, account)."""
    if not configured():
        raise ValidationFailed("push_unavailable")
    if not _own(actor, report):
        raise PermissionDenied("permission_denied")
    endpoint = endpoint.strip()
    subscription_validate(endpoint=endpoint, p256dh=p256dh, auth=auth)
    index = endpoint_index(endpoint)
    fields = {"endpoint": vault.encrypt(endpoint), "p256dh": vault.encrypt(p256dh.strip()),
              "auth": vault.encrypt(auth.strip())}
    try:
        with transaction.atomic():
            created = PushSubscription.objects.create(report=report, endpoint_index=index,
                                                      created_at=clock.now(), **fields)
            # A few browsers per report; beyond that the oldest go (a new phone wins).
            stale = list(PushSubscription.objects.filter(report=report)
                         .order_by("-created_at", "-pk")
                         .values_list("pk", flat=True)[MAX_PER_REPORT:])
            PushSubscription.objects.filter(pk__in=stale).delete()
            return created
    except IntegrityError:
        # This browser subscribed before: keep one row, with the keys it has now.
        PushSubscription.objects.filter(report=report, endpoint_index=index).update(**fields)
        return PushSubscription.objects.get(report=report, endpoint_index=index)


def push_unsubscribe(*, actor: Actor, report: Report, endpoint: str) -> bool:
    """Remove this browser's subscription to ``report``; False when there was none."""
    if not _own(actor, report):
        raise PermissionDenied("permission_denied")
    deleted, _ = PushSubscription.objects.filter(
        report=report, endpoint_index=endpoint_index(endpoint)).delete()
    return bool(deleted)


def unsubscribe_token(subscription: PushSubscription) -> str:
    """A signed token naming one subscription (its id and part of its blind index, so a later
    row that reuses the id is not named by an old token). It does not expire: a push may come
    months after the opt-in."""
    return signing.dumps([subscription.pk, subscription.endpoint_index[:16]],
                         salt=UNSUBSCRIBE_SALT)


def _by_token(token: str) -> tuple[int, str]:
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature as exc:
        raise NotFound("not_found") from exc
    if (not isinstance(value, list) or len(value) != 2
            or not isinstance(value[0], int) or not isinstance(value[1], str)):
        raise NotFound("not_found")
    return value[0], value[1]


def push_token_valid(token: str) -> bool:
    """Whether ``token`` is one we signed (the page shows "already stopped" otherwise too)."""
    try:
        _by_token(token)
    except NotFound:
        return False
    return True


def push_unsubscribe_by_token(*, token: str) -> bool:
    """One-tap unsubscribe: remove the subscription the token names. True when one was
    removed, False when it was gone already; 404 for a token we did not sign."""
    pk, prefix = _by_token(token)
    deleted, _ = PushSubscription.objects.filter(
        pk=pk, endpoint_index__startswith=prefix).delete()
    return bool(deleted)


# ---------------------------------------------------------------- outbox rows


def _language() -> int:
    """Position of the notification language's text in PUSH_TEXT's (id, en) pairs."""
    return language_index(settings.LAPOR_NOTIFY_LANGUAGE)


def push_rows(*, report: Report, event_id: int, event: str, agency: OrgNode,
              who: str = "reporter") -> list[OutboxMessage]:
    """One row per subscription of ``report`` for reporter message ``event`` (none when push
    is off). Runs in the caller's transaction, like every outbox write."""
    if not configured() or event not in PUSH_TEXT:
        return []
    ids = list(PushSubscription.objects.filter(report=report).order_by("pk")
               .values_list("pk", flat=True))
    if not ids:
        return []
    text = PUSH_TEXT[event][_language()]
    rendered = Rendered(subject=f"LAPOR! #{report.tracking_number}", body=text)
    return [
        message(key=f"e{event_id}:{who}:{Channel.WEBPUSH}{pk}", event=event,
                audience=Audience.REPORTER, channel=Channel.WEBPUSH, agency=agency,
                rendered=rendered, report_id=report.pk, payload={"subscription": pk},
                language=settings.LAPOR_NOTIFY_LANGUAGE)
        for pk in ids
    ]


def topic(key: str) -> str:
    """The ``Topic`` header for a delivery key (RFC 8030 §5.4: at most 32 url-safe base64
    characters). A push service replaces an undelivered message with the same topic, so a
    repeat of one delivery while the phone is offline collapses into one."""
    digest = hashlib.sha256(key.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:32]


def payload(row: OutboxMessage, subscription: PushSubscription) -> dict[str, Any]:
    """What the service worker (portal/sw-push.js) receives, encrypted end to end: the
    row's fixed title and status sentence, where to open, how to stop. ``tag`` is the same for
    a repeated delivery, so the phone replaces a duplicate notification instead of adding one."""
    report_number = subscription.report.tracking_number
    return {
        "title": row.subject,
        "body": row.body,
        "url": reverse("portal:track", args=[report_number]),
        "unsubscribe": reverse("portal:push_stop", args=[unsubscribe_token(subscription)]),
        "stop": STOP_LABEL[_language()],
        "stopped": STOPPED_TEXT[_language()],
        "icon": static(PUSH_ICON),
        "tag": topic(row.key),
    }


class WebPushSender:
    """Outbox consumer of the ``webpush`` channel (pywebpush, aes128gcm, VAPID).

    Idempotency: Web Push has no idempotency key, so the delivery key is carried twice: as the
    ``Topic`` header (the push service collapses a repeat still waiting for the phone) and as
    the notification ``tag`` (the phone replaces a repeat it already shows). 201/202 is
    delivered; 404/410 means the browser dropped the subscription: the row is dead-lettered and
    the subscription deleted (everywhere that browser subscribed); 408, 429, 5xx and network
    errors are retried; any other status is permanent.
    """

    def send(self, row: OutboxMessage) -> None:
        # The one lazy import of this module: push_send imports pywebpush (with requests and
        # py_vapid), loaded only by a process that sends a push, never by the web server.
        from lapor.notifications.push_send import (  # noqa: PLC0415  (pywebpush: heavy)
            SubscriptionGone,
            push_send,
        )

        if not configured():
            raise DeliveryError("push_not_configured", permanent=True)
        pk = (row.payload or {}).get("subscription")
        if not isinstance(pk, int) or row.report_id is None:
            raise DeliveryError("push_unsubscribed", permanent=True)
        subscription = (PushSubscription.objects.select_related("report")
                        .filter(pk=pk, report_id=row.report_id).first())
        if subscription is None:
            raise DeliveryError("push_unsubscribed", permanent=True)
        endpoint = channel_address_for_delivery(token=subscription.endpoint,
                                                report_id=subscription.report_id)
        if not _host_allowed(endpoint):  # stored before a setting narrowed the hosts
            raise DeliveryError("push_endpoint_refused", permanent=True)
        info = {
            "endpoint": endpoint,
            "keys": {"p256dh": vault.decrypt(subscription.p256dh),
                     "auth": vault.decrypt(subscription.auth)},
        }
        try:
            push_send(info=info,
                      data=json.dumps(payload(row, subscription), separators=(",", ":")),
                      topic=topic(row.key),
                      urgency="high" if row.event in HIGH_URGENCY else "normal")
        except SubscriptionGone:
            # Everywhere that browser subscribed.
            PushSubscription.objects.filter(endpoint_index=subscription.endpoint_index).delete()
            raise
