"""The organisation tree, roles on its nodes, and each agency's SOP settings.

National root → agencies (K/L/D, BUMN) → units (OPD, kecamatan, UPT) → sub-units (desa, bidang).
A role held on a node covers that node's subtree. ``path`` is a materialised path of ids
(``/1/7/42/``) so "is X inside Y's subtree" is a prefix test and subtree lists are one query.
The path is a string, so ordering by it sorts siblings by their ids as text (``/1/100/``
before ``/1/99/``): lists shown in tree order go through :func:`tree_order` instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import models

from lapor.workdays.calendar import (
    NATIONAL_MAX_FIRST_FOLLOWUP_DAYS,
    NATIONAL_MAX_HOLD_DAYS,
    NATIONAL_MAX_REPLY_WINDOW_DAYS,
    NATIONAL_MAX_VERIFY_DAYS,
    RESOLUTION_TIERS,
    TIMEZONES,
)


class NodeKind(models.TextChoices):
    ROOT = "root", "Nasional"
    AGENCY = "agency", "Instansi"
    UNIT = "unit", "Unit kerja"
    SUBUNIT = "subunit", "Sub-unit"


class OrgNode(models.Model):
    code = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=10, choices=NodeKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # The agency this node belongs to (itself for an agency; null for the national root).
    agency = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(editable=False)
    is_hub = models.BooleanField(default=False, help_text="Has verifiers (admin koordinator)")
    region = models.ForeignKey(
        "regions.Region", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="root", parent__isnull=True)
                | (~models.Q(kind="root") & models.Q(parent__isnull=False)),
                name="orgnode_only_root_without_parent",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(kind="root"), name="orgnode_single_root"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def contains(self, other: OrgNode) -> bool:
        """True if ``other`` is this node or inside its subtree."""
        return other.path.startswith(self.path)

    @property
    def path_ids(self) -> tuple[int, ...]:
        """The ids of the root, ..., this node (``/1/7/42/`` → ``(1, 7, 42)``)."""
        return tuple(int(part) for part in self.path.split("/") if part)


def tree_order[N: OrgNode](nodes: Iterable[N]) -> list[N]:
    """``nodes`` in tree order: each node before its subtree, siblings by id as numbers
    (the order they were created in), whatever number of digits the ids have."""
    return sorted(nodes, key=lambda node: node.path_ids)


class Role(models.TextChoices):
    NATIONAL_VERIFIER = "national_verifier", "Admin nasional"
    HUB_VERIFIER = "hub_verifier", "Admin koordinator"
    LIAISON = "liaison", "Admin penghubung"
    UNIT_OFFICER = "unit_officer", "Petugas unit"
    SUPERVISOR = "supervisor", "Pimpinan"
    AUDITOR = "auditor", "Auditor"
    SYSADMIN = "sysadmin", "Administrator sistem"


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments"
    )
    node = models.ForeignKey(OrgNode, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "node", "role"], name="role_unique_per_node"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role}@{self.node.code}"


class Sop(models.Model):
    """An agency's procedure settings. The national root's row holds the national defaults.

    Deadlines may be shorter than the national maxima published by LAPOR!, never longer
    (enforced here and in :func:`lapor.orgs.services.sop_update`).
    """

    node = models.OneToOneField(OrgNode, on_delete=models.CASCADE, related_name="sop")
    timezone = models.CharField(
        max_length=4, choices=[(k, k) for k in TIMEZONES], default="WIB"
    )
    verify_days = models.PositiveSmallIntegerField(default=NATIONAL_MAX_VERIFY_DAYS)
    first_followup_days = models.PositiveSmallIntegerField(
        default=NATIONAL_MAX_FIRST_FOLLOWUP_DAYS
    )
    reply_window_days = models.PositiveSmallIntegerField(default=NATIONAL_MAX_REPLY_WINDOW_DAYS)
    hold_days = models.PositiveSmallIntegerField(default=NATIONAL_MAX_HOLD_DAYS)
    # Working days overdue before a report escalates to the next step of the chain.
    escalate_after_days = models.PositiveSmallIntegerField(default=2)
    # What makes a report urgent for its deadline notices: a resolution tier (the report's, else
    # its category's) of at most this many HK; 0: no report is. Notices about an urgent report
    # go out the moment they fall due, any hour and any day; the others wait for office hours
    # of the recipient's next working day (lapor.notifications.office). Default: the 2 HK tier,
    # the shortest of the LAPOR! SOP, kept for emergencies.
    urgent_max_days = models.PositiveSmallIntegerField(default=2)
    # SMS keyword prefix ("KUTIM <text>") that routes a message to this agency.
    sms_keyword = models.CharField(max_length=20, null=True, blank=True, unique=True)
    # "No wrong door" by region: a hub agency whose setting is on receives the reports about
    # its region that name no agency (portal "Serahkan kepada verifikator", SMS without a
    # keyword, chats, e-mail, Open311, ...). See lapor.orgs.selectors.report_receiver.
    receives_region_reports = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(verify_days__gte=1, verify_days__lte=NATIONAL_MAX_VERIFY_DAYS)
                & models.Q(
                    first_followup_days__gte=1,
                    first_followup_days__lte=NATIONAL_MAX_FIRST_FOLLOWUP_DAYS,
                )
                & models.Q(
                    reply_window_days__gte=1,
                    reply_window_days__lte=NATIONAL_MAX_REPLY_WINDOW_DAYS,
                )
                & models.Q(hold_days__gte=1, hold_days__lte=NATIONAL_MAX_HOLD_DAYS),
                name="sop_within_national_maxima",
            ),
            models.CheckConstraint(
                condition=models.Q(urgent_max_days__in=(0, *RESOLUTION_TIERS)),
                name="sop_urgent_max_days_tier",
            ),
        ]

    def __str__(self) -> str:
        return f"SOP {self.node.code}"


class DayOff(models.Model):
    """An agency's own day off (local holiday), on top of the national calendar."""

    node = models.ForeignKey(OrgNode, on_delete=models.CASCADE, related_name="days_off")
    date = models.DateField()
    reason = models.CharField(max_length=200)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["node", "date"], name="dayoff_unique_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.reason}"


class RoutingRule(models.Model):
    """SOP routing: reports of ``category`` (or any) in ``region_prefix`` (or anywhere) go to
    ``target``. The most specific matching rule wins, then the lowest ``priority``."""

    agency = models.ForeignKey(OrgNode, on_delete=models.CASCADE, related_name="routing_rules")
    category = models.ForeignKey(
        "categories.Category", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    region_prefix = models.CharField(max_length=13, blank=True, default="")
    target = models.ForeignKey(OrgNode, on_delete=models.CASCADE, related_name="+")
    priority = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["agency", "priority", "id"]

    def __str__(self) -> str:
        return f"{self.category_id or '*'} {self.region_prefix or '*'} → {self.target_id}"


class EscalationStep(models.Model):
    """An agency's escalation chain: step 1 is told first when a report is overdue."""

    agency = models.ForeignKey(OrgNode, on_delete=models.CASCADE, related_name="escalation_steps")
    order = models.PositiveSmallIntegerField()
    node = models.ForeignKey(OrgNode, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["agency", "order"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "order"], name="escalation_step_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} step {self.order}: {self.node_id}"
