"""Federation between Lapor instances (issue #22, docs/federation.md).

A :class:`Link` is one end of a peering: on the **national** instance a ``peer`` row per
regional instance (the home of one agency's subtree), on a **regional** instance one
``upstream`` row (the national). Changes travel as an ordered journal per link
(:class:`JournalEntry`, ``seq`` 1, 2, 3, …); the receiver applies entry ``n`` only after
``n - 1`` (``Link.received_through``), each in one transaction with the counter, so every
entry is applied exactly once and in order whatever the transport repeats or reorders.
Only :mod:`lapor.federation.services` (links) and :mod:`lapor.federation.journal` /
:mod:`lapor.federation.mirror` (entries, mirrored rows) write these tables.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class LinkRole(models.TextChoices):
    # On the national instance: a regional instance that is the home of ``agency``'s subtree.
    PEER = "peer", "Regional instance"
    # On a regional instance: the national instance it belongs to.
    UPSTREAM = "upstream", "National instance"


class Link(models.Model):
    role = models.CharField(max_length=8, choices=LinkRole.choices)
    # The federated agency (a hub): its subtree is the region's to work.
    agency = models.OneToOneField("orgs.OrgNode", on_delete=models.PROTECT, related_name="+")
    url = models.URLField(max_length=300)
    # Peer role: SHA-256 of the token the region presents (the token itself is never stored
    # here). Upstream role: empty.
    token_hash = models.CharField(max_length=64, blank=True)
    # Upstream role: the token, encrypted with the vault key (lapor.privacy.vault). Peer: empty.
    token_encrypted = models.TextField(blank=True)
    # The HMAC signing key derived from the token, encrypted with the vault key (both roles).
    signing_key_encrypted = models.TextField()
    # The tracking-number lane assigned at peering (lapor.reports.numbering).
    lane = models.PositiveIntegerField()
    # Journal positions: the next seq to write, the last seq the other side acknowledged,
    # and the last seq received from the other side and applied here.
    next_seq = models.PositiveBigIntegerField(default=1)
    sent_through = models.PositiveBigIntegerField(default=0)
    received_through = models.PositiveBigIntegerField(default=0)
    last_success_at = models.DateTimeField(null=True, blank=True)
    # Class names, status codes and stable error codes only: never a body or a secret.
    last_error = models.CharField(max_length=300, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(role__in=["peer", "upstream"]),
                                   name="federation_link_role_valid"),
            # A regional instance belongs to one national instance.
            models.UniqueConstraint(fields=["role"], condition=Q(role="upstream"),
                                    name="federation_one_upstream"),
            models.UniqueConstraint(fields=["lane"], name="federation_lane_once"),
        ]

    def __str__(self) -> str:
        return f"{self.role} {self.agency_id} {self.url}"


class EntryKind(models.TextChoices):
    # "This report changed": the sender ships the report's current state and its new local
    # events when it sends (lapor.federation.mirror.snapshot).
    REPORT = "report", "Report state"
    # A reporter's action taken on the instance that does not hold the report, for the
    # holder to apply (lapor.federation.mirror.command_apply).
    COMMAND = "command", "Reporter action"


class JournalEntry(models.Model):
    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="entries")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=8, choices=EntryKind.choices)
    report = models.ForeignKey("reports.Report", on_delete=models.CASCADE, related_name="+")
    # COMMAND: {"action": …, "args": {…}}; REPORT: {} (the state is read at send time).
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "seq"], name="federation_entry_seq_once"),
        ]

    def __str__(self) -> str:
        return f"{self.link_id}#{self.seq} {self.kind} report {self.report_id}"


class Origin(models.TextChoices):
    HERE = "here", "Filed on this instance"
    PEER = "peer", "Filed on the other instance"


class MirroredReport(models.Model):
    """A report shared over ``link``. ``origin`` says where it was filed: only that instance
    holds the reporter's contact when the report is anonymous, and only it messages the
    reporter."""

    report = models.OneToOneField("reports.Report", on_delete=models.CASCADE,
                                  primary_key=True, related_name="+")
    link = models.ForeignKey(Link, on_delete=models.PROTECT, related_name="+")
    origin = models.CharField(max_length=4, choices=Origin.choices)
    # The newest local event id already shipped to the other side.
    last_event_sent = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"report {self.report_id} over {self.link_id} ({self.origin})"


class MirroredEvent(models.Model):
    """A timeline entry written on the other instance: ``remote_id`` is its id there, so a
    repeat is recognised (unique) and never written twice."""

    event = models.OneToOneField("reports.ReportEvent", on_delete=models.CASCADE,
                                 primary_key=True, related_name="+")
    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="+")
    remote_id = models.PositiveBigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "remote_id"],
                                    name="federation_event_once"),
        ]

    def __str__(self) -> str:
        return f"event {self.event_id} = {self.link_id}:{self.remote_id}"


class SeenSignature(models.Model):
    """Signatures of accepted requests, kept for the clock-skew window: a request sent again
    byte for byte (a replay) is refused (lapor.federation.signing)."""

    link = models.ForeignKey(Link, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.link_id} {self.digest[:8]}"


class SharedKey(models.Model):
    """The access-code key the federated instances share (one row, pk 1), encrypted with the
    vault key: made by the national instance at its first ``peer add``, handed to a region
    in the signed handshake of ``upstream set``. New reports' access codes are digested with
    it, so one access code works on every instance that holds the report."""

    key_encrypted = models.TextField()
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return "federation access-code key"
