"""The Report aggregate: the report, its reporter contact, dispositions, events and supports.

Only :mod:`lapor.reports.services` writes these rows (ARCHITECTURE habit 1).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from lapor.core.models import IdempotentAnswer
from lapor.reports.states import ArchiveReason, Status

# What the public may read once verified (lapor.reports.feed): the public feed's partial index
# below has this same condition, so the feed's page 1 and page 1,000 are index scans.
PUBLIC_STATUSES = (Status.DISPOSED, Status.IN_PROGRESS, Status.RESPONDED, Status.CLOSED)

# Reports whose holder has a deadline to meet (the deadline sweep's, lapor.sla.notices), and
# those of them whose resolution deadline runs beside the first follow-up's.
DEADLINE_OPEN = (Status.SUBMITTED, Status.DISPOSED, Status.IN_PROGRESS)
DEADLINE_HANDLED = (Status.DISPOSED, Status.IN_PROGRESS)
# The deadline sweep's work lists, each the condition of a partial index below, so that the
# per-minute sweep reads the reports it has something to do for, not every late report
# (docs/performance.md "The deadline sweep at rest"). The sweep's queries use these same
# expressions, which is what lets the planner use the indexes.
LATE_UNNOTICED = Q(status__in=DEADLINE_OPEN) & (
    Q(noticed_staff_due_at__isnull=True)
    | Q(noticed_staff_due_at__lt=F("staff_due_at"))
    | Q(noticed_staff_due_at__gt=F("staff_due_at")))
ESCALATION_WATCH = Q(status__in=DEADLINE_OPEN, escalation_check_at__isnull=False,
                     noticed_staff_due_at=F("staff_due_at"))
RESOLUTION_UNNOTICED = Q(status__in=DEADLINE_HANDLED, first_followup_at__isnull=True) & (
    Q(noticed_resolution_due_at__isnull=True)
    | Q(noticed_resolution_due_at__lt=F("resolution_due_at"))
    | Q(noticed_resolution_due_at__gt=F("resolution_due_at")))


class ReportType(models.TextChoices):
    COMPLAINT = "complaint", "Pengaduan"
    ASPIRATION = "aspiration", "Aspirasi"
    INFORMATION_REQUEST = "information_request", "Permintaan informasi"


class Channel(models.TextChoices):
    WEB = "web", "Situs web"
    MOBILE = "mobile", "Aplikasi seluler"
    SMS = "sms", "SMS 1708"
    WHATSAPP = "whatsapp", "WhatsApp"
    TELEGRAM = "telegram", "Telegram"
    X = "x", "X/Twitter"
    EMAIL = "email", "Email"
    WALK_IN = "walk_in", "Datang langsung"
    PHONE = "phone", "Telepon"
    INTEGRATION = "integration", "Aplikasi terintegrasi"


class Report(models.Model):
    tracking_number = models.CharField(max_length=12, unique=True)
    # HMAC-SHA256 of the one-time access code (see services._access_code_digest).
    access_code_hash = models.CharField(max_length=64)

    type = models.CharField(max_length=20, choices=ReportType.choices)
    title = models.CharField(max_length=200)
    body = models.TextField()
    incident_date = models.DateField(null=True, blank=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    address = models.CharField(max_length=300, blank=True)
    category = models.ForeignKey(
        "categories.Category", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_agency = models.ForeignKey(
        "orgs.OrgNode", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(max_length=12, choices=Channel.choices)
    is_anonymous = models.BooleanField(default=False)
    is_confidential = models.BooleanField(default=False)
    # The reporter ticked "send updates to this number" (web form, API): status messages go
    # by SMS to the contact phone too (lapor.notifications.report_events). Reports that came
    # in by SMS/WhatsApp are answered on that channel anyway.
    phone_updates = models.BooleanField(default=False)
    reporter_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
    )

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    # The verification tier (national root or a hub agency) that verifies/re-disposes it.
    tier = models.ForeignKey("orgs.OrgNode", on_delete=models.PROTECT, related_name="+")
    # The agency responsible once disposed (null while in the national pool).
    agency = models.ForeignKey(
        "orgs.OrgNode", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Where the report sits now: the tier while unverified, the active disposition's node after.
    current_node = models.ForeignKey("orgs.OrgNode", on_delete=models.PROTECT, related_name="+")
    # The ids of every node the report was disposed or forwarded to (its Disposition rows'
    # nodes), space-separated, each once, in order: ids, never text anyone wrote. Kept with
    # the rows by :meth:`add_disposition_node`; staff search reads them inside its scope
    # index (migration search.0006): a unit that handed a report back still finds it. The
    # database default lets the previous release insert reports while the migration runs.
    disposition_nodes = models.TextField(blank=True, default="", db_default="", editable=False)

    submitted_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    first_followup_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    # Deadlines, computed once when their clock starts (lapor.reports.deadlines) and stored.
    verify_due_at = models.DateTimeField(null=True, blank=True)
    verify_days_left = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_due_at = models.DateTimeField(null=True, blank=True)
    followup_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    reply_due_at = models.DateTimeField(null=True, blank=True)
    # The resolution tier (HK) chosen at disposition; a reopened report gets it again.
    resolution_days = models.PositiveSmallIntegerField(null=True, blank=True)
    # The deadline the current holder must meet; null while the clock is the reporter's.
    # "Overdue" (nilai merah) is ``staff_due_at < now``: one indexed comparison.
    staff_due_at = models.DateTimeField(null=True, blank=True)
    # The deadline sweep's bookkeeping (lapor.sla.notices; written only by
    # services.report_record_notice and the bulk loaders' settlement): the ``staff_due_at``
    # whose overdue notice is issued, when the sweep looks at the report again for its next
    # escalation (null: none left), and the ``resolution_due_at`` whose own overdue notice is
    # issued. A deadline that moves differs from what was noticed, so the report is the
    # sweep's again without anyone else having to say so. The notices themselves
    # (notifications.DeadlineNotice, unique per deadline) stay the record of what was sent.
    noticed_staff_due_at = models.DateTimeField(null=True, blank=True)
    escalation_check_at = models.DateTimeField(null=True, blank=True)
    noticed_resolution_due_at = models.DateTimeField(null=True, blank=True)

    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    archive_reason = models.CharField(
        max_length=20, choices=ArchiveReason.choices, blank=True, default=""
    )
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates"
    )
    support_count = models.PositiveIntegerField(default=0)
    # A practice report of a training space (Bimtek sandbox, lapor.training): never in public
    # pages, statistics, exports or messages to real people. Set once at creation.
    is_training = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(
                F("current_node"), F("submitted_at").desc(), F("id").desc(), name="report_inbox"
            ),
            models.Index(
                F("status"), F("submitted_at").desc(), F("id").desc(), name="report_status_feed"
            ),
            models.Index(fields=["staff_due_at"], name="report_staff_due"),
            models.Index(fields=["staff_due_at", "id"], name="report_late_unnoticed",
                         condition=LATE_UNNOTICED),
            models.Index(fields=["escalation_check_at", "id"], name="report_escalation_check",
                         condition=ESCALATION_WATCH),
            models.Index(fields=["resolution_due_at", "id"], name="report_resolution_unnoticed",
                         condition=RESOLUTION_UNNOTICED),
            models.Index(fields=["hold_due_at"], name="report_hold_due",
                         condition=Q(status="on_hold")),
            models.Index(fields=["reply_due_at"], name="report_reply_due",
                         condition=Q(status="responded")),
            models.Index(fields=["agency", "status"], name="report_agency_status"),
            models.Index(fields=["tier", "status"], name="report_tier_status"),
            models.Index(
                F("submitted_at").desc(), F("id").desc(), name="report_public_feed",
                condition=Q(is_confidential=False, is_training=False,
                            status__in=PUBLIC_STATUSES),
            ),
            # "Laporan di sekitar saya": a bounding box over the public reports' coordinates
            # (lapor.reports.feed.public_nearby).
            models.Index(
                fields=["latitude", "longitude"], name="report_public_location",
                condition=Q(is_confidential=False, is_training=False,
                            status__in=PUBLIC_STATUSES, latitude__isnull=False),
            ),
            # Duplicate candidates: same category and place, recent (lapor.search.duplicates).
            models.Index(fields=["category", "region", "submitted_at"],
                         name="report_dup_window"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="report_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="report_rating_1_5",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="report_coordinates_pair",
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("submitted_at")),
                name="report_closed_after_submitted",
            ),
            models.CheckConstraint(
                condition=Q(verify_due_at__isnull=True) | Q(verify_due_at__gte=F("submitted_at")),
                name="report_verify_due_after_submitted",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.title}"

    def add_disposition_node(self, node_id: int) -> None:
        """Record a new disposition hop's node in :attr:`disposition_nodes` (the caller saves
        the field, with the report locked as every transition holds it)."""
        ids = self.disposition_nodes.split()
        if str(node_id) not in ids:
            self.disposition_nodes = " ".join([*ids, str(node_id)])


class ReporterContact(models.Model):
    """Who reported, kept apart from the report so lists never load it.

    ``name``, ``email``, ``phone`` and ``nik`` hold Fernet tokens, never plaintext; only
    :mod:`lapor.privacy.identity` writes and reads them (and records every read). The two
    ``*_index`` columns are keyed blind indexes for finding a reporter by phone or e-mail.
    """

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="contact")
    name = models.TextField(blank=True)
    email = models.TextField(blank=True)
    phone = models.TextField(blank=True)
    nik = models.TextField(blank=True)
    phone_index = models.CharField(max_length=64, blank=True, db_index=True)
    email_index = models.CharField(max_length=64, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"contact of report {self.report_id}"


class DispositionState(models.TextChoices):
    ACTIVE = "active", "Aktif"
    FORWARDED = "forwarded", "Diteruskan"
    RETURNED = "returned", "Dikembalikan (bukan wewenang)"
    ENDED = "ended", "Selesai"


class Disposition(models.Model):
    """One hop of the disposition chain. Every hop is kept; at most one is active."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="dispositions")
    node = models.ForeignKey("orgs.OrgNode", on_delete=models.PROTECT, related_name="+")
    # The hop this one was forwarded from (null when a verifier disposed it).
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    disposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    disposed_from = models.ForeignKey("orgs.OrgNode", on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    state = models.CharField(
        max_length=10, choices=DispositionState.choices, default=DispositionState.ACTIVE
    )
    return_reason = models.TextField(blank=True)
    created_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["node", "report"], name="disposition_node_report")]
        constraints = [
            models.UniqueConstraint(
                fields=["report"],
                condition=Q(state="active"),
                name="disposition_one_active_per_report",
            ),
        ]

    def __str__(self) -> str:
        return f"report {self.report_id} → {self.node_id} ({self.state})"


class Visibility(models.TextChoices):
    PUBLIC = "public", "Publik"
    REPORTER = "reporter", "Pelapor dan petugas"
    INTERNAL = "internal", "Internal petugas"


class ReportEvent(models.Model):
    """Append-only timeline: every change and message, with who, where, when and for whom."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # "reporter", "system", or a Role value.
    actor_role = models.CharField(max_length=20)
    actor_node = models.ForeignKey(
        "orgs.OrgNode", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    body = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["report", "created_at", "id"], name="event_timeline")]

    def __str__(self) -> str:
        return f"report {self.report_id} {self.kind} at {self.created_at:%Y-%m-%d %H:%M}"


class Support(models.Model):
    """A public "dukung" (me too). ``supporter_key`` is a keyed hash of who supported."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="supports")
    supporter_key = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "supporter_key"], name="support_once"),
        ]

    def __str__(self) -> str:
        return f"support of report {self.report_id}"


class ReportFollow(models.Model):
    """The reporter of ``follower`` (a duplicate merged into ``report``) follows ``report``:
    its public events reach them too (lapor.reports.merge, lapor.notifications)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="followers")
    follower = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="following")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["report", "follower"], name="report_follow_once"),
        ]

    def __str__(self) -> str:
        return f"report {self.follower_id} follows {self.report_id}"


class SubmissionReplay(IdempotentAnswer):
    """The stored answer to one ``Idempotency-Key`` sent to ``POST /api/v1/reports`` (the
    citizen app's offline queue; lapor.reports.submission_once; the fields:
    lapor.core.models.IdempotentAnswer).

    ``scope`` is ``public`` or ``user:<id>`` (a bearer token's account), so one account's keys
    never replay another's answers. Rows older than ``LAPOR_REPORTS_REPLAY_HOURS`` are purged.
    """

    scope = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key_digest"],
                                    name="report_submission_replay_once"),
        ]
        indexes = [models.Index(fields=["created_at"], name="report_submission_replay_age")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key_digest[:8]} → {self.status_code}"


class NumberLane(models.Model):
    """A lane of the tracking-number space (lapor.reports.numbering): ``mine`` is this
    instance's own lane (a regional instance draws new numbers only there); the other rows
    are lanes given to regional instances (this national instance never draws there). Only
    :mod:`lapor.reports.numbering` writes these rows (called by lapor.federation)."""

    lane = models.PositiveIntegerField(unique=True)
    mine = models.BooleanField(default=False)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["mine"], condition=Q(mine=True),
                                    name="number_lane_one_mine"),
            models.CheckConstraint(condition=Q(lane__gte=1), name="number_lane_not_zero"),
        ]

    def __str__(self) -> str:
        return f"lane {self.lane}{' (mine)' if self.mine else ''}"


class ReservedNumber(models.Model):
    """A tracking number another instance issued, never drawn here: on a regional instance,
    one the national instance issued in its lane before the lane was assigned (handed over
    at peering); on the national instance, one a region issued before it was linked (sent at
    ``upstream set``)."""

    number = models.CharField(max_length=12, unique=True)

    def __str__(self) -> str:
        return self.number
