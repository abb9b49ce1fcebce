"""A region's programme for running SP4N-LAPOR! (Rencana Aksi, "Renaksi"): its plans, their
activities and the evidence of each activity (docs/renaksi.md).

A plan belongs to one agency (a regency's hub such as Kutai Timur); its activities name the
perangkat daerah and kecamatan (units directly under the agency) they involve. Readiness is not
stored: :mod:`lapor.renaksi.readiness` computes it from the system each time. Only
:mod:`lapor.renaksi.services` writes these rows.

Free-text visibility (docs/privacy.md): every text here is staff-only — the agency's staff,
its pimpinan and auditors; nothing of a plan reaches a public page or a reporter.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ActivityKind(models.TextChoices):
    SOP = "sop", "Penyusunan SOP"
    SOSIALISASI = "sosialisasi", "Sosialisasi"
    WORKSHOP = "workshop", "Workshop"
    BIMTEK = "bimtek", "Bimbingan teknis (Bimtek)"
    DIKLAT = "diklat", "Pendidikan dan pelatihan (Diklat)"
    LIAISON = "liaison", "Penunjukan admin penghubung"
    OTHER = "other", "Lainnya"


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", "Direncanakan"
    IN_PROGRESS = "in_progress", "Berjalan"
    DONE = "done", "Selesai"
    CANCELLED = "cancelled", "Dibatalkan"


class Indicator(models.TextChoices):
    """The readiness indicators of a unit (:mod:`lapor.renaksi.readiness`), in matrix order.
    An activity may name one as its proof: it counts as done when every unit it involves
    meets that indicator."""

    LIAISON = "liaison", "Admin penghubung ber-2FA"
    SOP = "sop", "SOP disahkan"
    TRAINING = "training", "Latihan (Bimtek) selesai"
    FIRST_REPORT = "first_report", "Laporan pertama ditangani"
    ON_TIME = "on_time", "Tepat waktu 90 hari"
    OVERDUE = "overdue", "Tanpa laporan terlambat"
    SATISFACTION = "satisfaction", "Kepuasan pelapor"


class EvidenceKind(models.TextChoices):
    DOCUMENT = "document", "Dokumen"
    PHOTO = "photo", "Foto"
    ATTENDANCE = "attendance", "Daftar hadir"


class Plan(models.Model):
    agency = models.ForeignKey("orgs.OrgNode", on_delete=models.PROTECT,
                               related_name="renaksi_plans")
    title = models.CharField(max_length=200)
    start_year = models.PositiveSmallIntegerField()
    end_year = models.PositiveSmallIntegerField()
    # Staff-only free text (the agency's staff, pimpinan, auditors).
    description = models.TextField(blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["agency", "-start_year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start_year__gte=2000, end_year__lte=2100,
                                   end_year__gte=models.F("start_year")),
                name="renaksi_plan_years_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Activity(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=12, choices=ActivityKind.choices)
    title = models.CharField(max_length=200)
    # Staff-only free text.
    description = models.TextField(blank=True, default="")
    # The perangkat daerah and kecamatan involved: units of the plan's agency.
    units = models.ManyToManyField("orgs.OrgNode", blank=True, related_name="+")
    # The officer responsible (gets the reminders); optional.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    planned_start = models.DateField()
    planned_end = models.DateField()
    status = models.CharField(max_length=12, choices=ActivityStatus.choices,
                              default=ActivityStatus.PLANNED)
    # The day it was done (the agency's local date), set with status "done".
    done_on = models.DateField(null=True, blank=True)
    # The readiness indicator that proves it done ("" = none: status and evidence only).
    proof_indicator = models.CharField(max_length=16, choices=Indicator.choices, blank=True,
                                       default="")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["plan", "planned_start", "planned_end", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(planned_end__gte=models.F("planned_start")),
                                   name="renaksi_activity_dates_in_order"),
            models.CheckConstraint(
                condition=models.Q(status="done", done_on__isnull=False)
                | (~models.Q(status="done") & models.Q(done_on__isnull=True)),
                name="renaksi_activity_done_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "planned_end"],
                                name="renaksi_activity_due")]

    def __str__(self) -> str:
        return self.title


class Evidence(models.Model):
    """A file proving an activity (a document, a photo, an attendance list), checked, stripped
    of metadata and stored like a report attachment (lapor.attachments' checks)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(max_length=12, choices=EvidenceKind.choices)
    stored_name = models.CharField(max_length=100, unique=True)
    # Staff-only (shown to whoever may read the plan).
    display_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["activity", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "sha256"],
                                    name="renaksi_evidence_once_per_activity"),
        ]

    def __str__(self) -> str:
        return self.display_name


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Segera jatuh tempo"
    OVERDUE = "overdue", "Terlambat"


class ActivityReminder(models.Model):
    """One reminder sent for an activity on one local date: the daily job sends each at most
    once (the unique constraint, not a check-then-create)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    on = models.DateField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "kind", "on"],
                                    name="renaksi_reminder_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} {self.kind} {self.on}"
