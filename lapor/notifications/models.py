"""The transactional outbox, in-app notifications, message templates, quiet hours, callback
endpoints and the once-only deadline notices (docs/notifications.md).

Services write :class:`OutboxMessage` rows in the transaction of the state change that causes
them; only :mod:`lapor.notifications.dispatcher` moves them on afterwards.
"""

from __future__ import annotations

from datetime import time

from django.conf import settings
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    INAPP = "inapp", "Notifikasi aplikasi"
    WEBHOOK = "webhook", "Callback aplikasi terintegrasi"
    SMS = "sms", "SMS"
    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"
    X = "x", "X/Twitter"
    WEBPUSH = "webpush", "Notifikasi Web Push"
    # The journal of a federation link pushed to the other Lapor instance (lapor.federation).
    FEDERATION = "federation", "Federasi antarinstansi Lapor"


class Audience(models.TextChoices):
    REPORTER = "reporter", "Pelapor"
    STAFF = "staff", "Petugas"
    INTEGRATION = "integration", "Aplikasi terintegrasi"
    # The other Lapor instance of a federation link (lapor.federation.transport).
    PEER = "peer", "Instansi Lapor mitra"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", "Menunggu"
    SENT = "sent", "Terkirim"
    DEAD = "dead", "Gagal permanen"


class OutboxMessage(models.Model):
    """One delivery of one message to one recipient on one channel.

    ``key`` (the delivery key, ``"<cause>:<recipient>:<channel>"``) is unique: writing the same
    notice twice is impossible, and every consumer deduplicates on it (at least once delivery,
    idempotent consumers). A reporter's address is never stored here: the reporter-facing
    sender decrypts it at delivery time (``address`` holds only callback URLs).
    """

    key = models.CharField(max_length=200, unique=True)
    event = models.CharField(max_length=40)
    audience = models.CharField(max_length=12, choices=Audience.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    report = models.ForeignKey("reports.Report", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    recipient_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                       on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey("notifications.CallbackEndpoint", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("orgs.OrgNode", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    language = models.CharField(max_length=2, default="id")
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=8, choices=OutboxStatus.choices,
                              default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A worker's lease: while it is in the future the row is being delivered; a worker killed
    # mid-delivery leaves it behind and another worker takes the row once it has passed.
    claimed_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=120, blank=True)
    # Class names and status codes only: never an address or a provider's free text.
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["next_attempt_at", "id"], name="outbox_due",
                         condition=Q(status="pending")),
            models.Index(fields=["status", "created_at"], name="outbox_status"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=OutboxStatus.values),
                                   name="outbox_status_valid"),
            models.CheckConstraint(
                condition=Q(audience="reporter", report__isnull=False)
                # A direct answer on a chat channel may concern no report (a status query, a
                # conversation prompt): its address is the channel identity (lapor.channels).
                | Q(audience="reporter", channel__in=["sms", "whatsapp", "telegram", "x"])
                | Q(audience="staff", recipient_user__isnull=False)
                | Q(audience="integration", endpoint__isnull=False)
                # A federation link's journal: the link is in the payload (lapor.federation).
                | Q(audience="peer", channel="federation"),
                name="outbox_recipient_present",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"


class Notification(models.Model):
    """The in-app notification centre of a staff member. ``key`` is the outbox delivery key:
    delivering the same outbox row twice creates one notification."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notifications")
    key = models.CharField(max_length=200, unique=True)
    event = models.CharField(max_length=40)
    report = models.ForeignKey("reports.Report", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "-created_at", "-id"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.subject}"


class MessageTemplate(models.Model):
    """An agency's wording of one message in one language; ``agency`` null is the national
    default. Shipped defaults live in :mod:`lapor.notifications.defaults`; a row overrides them.
    Only :func:`lapor.notifications.templates.template_set` writes rows (it checks variables)."""

    agency = models.ForeignKey("orgs.OrgNode", null=True, blank=True,
                               on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=40)
    language = models.CharField(max_length=2, choices=[("id", "Indonesia"), ("en", "English")])
    subject = models.CharField(max_length=300)
    body = models.TextField()
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "event", "language"],
                                    name="template_once_per_agency"),
            models.UniqueConstraint(fields=["event", "language"],
                                    condition=Q(agency__isnull=True),
                                    name="template_once_national"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id or 'national'} {self.event} {self.language}"


class QuietHours(models.Model):
    """No SMS/WhatsApp to reporters between ``start`` and ``end`` (local time of the agency's
    SOP time zone); messages due then wait for ``end``. Agencies without a row get the
    defaults from settings (21:00–07:00)."""

    agency = models.OneToOneField("orgs.OrgNode", on_delete=models.CASCADE, related_name="+")
    start = models.TimeField(default=time(21, 0))
    end = models.TimeField(default=time(7, 0))

    def __str__(self) -> str:
        return f"quiet {self.start:%H:%M}-{self.end:%H:%M} at {self.agency_id}"


class CallbackEndpoint(models.Model):
    """An integrated application's status callback: every report event in ``node``'s subtree
    is POSTed to ``url`` (signed with ``secret``, with the delivery key as Idempotency-Key)."""

    node = models.ForeignKey("orgs.OrgNode", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=128, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} → {self.node_id}"


class DeadlineNotice(models.Model):
    """One deadline notice issued: reminder, overdue, or escalation level N, for one stored
    deadline of one report. Unique, so two sweeps never issue the same notice twice, and the
    sweep skips what is done with one indexed anti-join."""

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+")
    due_at = models.DateTimeField()
    deadline_kind = models.CharField(max_length=12)
    level = models.CharField(max_length=16)
    created_at = models.DateTimeField()
    # On the "overdue" row: when the next escalation level falls due (null: chain exhausted).
    # The sweep looks at a late report again only then, not every minute. On the "reminder"
    # row: the local midnight of the due morning, when "reminder-due" falls due.
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["next_check_at"], name="deadline_notice_next",
                                condition=Q(level="overdue"))]
        constraints = [
            models.UniqueConstraint(fields=["report", "due_at", "level"],
                                    name="deadline_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.deadline_kind} {self.level}"


class PushSubscription(models.Model):
    """A browser's Web Push subscription for one report, given by its reporter (opt-in).

    Stored like the reporter's contact row: ``endpoint``, ``p256dh`` and ``auth`` hold Fernet
    tokens (lapor.privacy.vault; ``lapor keys rotate`` covers them), never plaintext; the
    endpoint URL identifies the browser to its push service. ``endpoint_index`` is a keyed
    blind index of the endpoint: one subscription per browser and report, and a push service's
    404/410 removes that browser everywhere. No staff page or API reads this table; only
    :mod:`lapor.notifications.push` writes and reads it. Deleted when the reporter
    unsubscribes, when the push service says the subscription is gone, and with the report's
    contact by the retention sweep (lapor.privacy.pdp).
    """

    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+")
    endpoint = models.TextField()
    p256dh = models.TextField()
    auth = models.TextField()
    endpoint_index = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "endpoint_index"],
                                    name="push_subscription_once"),
        ]

    def __str__(self) -> str:
        return f"push subscription {self.pk} of report {self.report_id}"
