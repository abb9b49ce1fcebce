"""What travels in a journal entry, and how the receiver applies it (docs/federation.md).

**Sending** (:func:`snapshot_entries`): an entry carries no data in the journal; at send time
a ``report`` entry becomes the report's *current* snapshot (format below) with **all** its
local timeline entries (those not themselves mirrored in from the other side). Sending all of
them every time is the chosen rule: the receiver inserts an event only when its ``(link,
sender's id)`` is new (:class:`MirroredEvent`), so a batch sent again after a lost answer,
or rebuilt after a failure, can never lose or double an event, and nothing on the sender has
to know what the receiver acknowledged (``MirroredReport.last_event_sent`` stays unused).
Within one batch only the last entry of a report carries its snapshot; the earlier ones go
as ``"report": null`` (superseded: the snapshot is the current state anyway) — except an
entry followed by a command about the same report: it carries the snapshot too, so the
command is applied after the state it was given in.

The contact (name, e-mail, phone, NIK) goes only from the instance where the report was
filed, only for a non-anonymous report, and only in the report's first entry over the link
(rebuilt if that entry is sent again). An anonymous reporter's identity never leaves.

**Applying** (:func:`apply_entry`, in the receiver's transaction with its ``seq``): upsert by
tracking number; the state is overwritten only when the incoming ``version`` is at least the
local one (only the holder changes state, so a lower one is an older picture); dispositions
matched by position; events inserted once; then the notifications of the new events:
reporter messages only where the report was filed, staff notices only where it is held now,
integrated applications' callbacks as for any event. Nothing written here is journalled back
(:func:`lapor.federation.hooks.applying`). ``command`` entries run the reporter's action on
the holder (:mod:`lapor.federation.commands`).

Snapshot::

    {"tracking_number", "access_code_hash", "type", "title", "body", "incident_date",
     "region", "latitude", "longitude", "address", "category", "target_agency", "channel",
     "is_anonymous", "is_confidential", "status", "tier", "agency", "current_node",
     "submitted_at", …deadlines…, "rating", "archive_reason", "version", "support_count",
     "dispositions": [{"node", "parent", "disposed_from", "note", "state", "return_reason",
                       "created_at", "ended_at"}],
     "events": [{"id", "kind", "actor_role", "actor_node", "created_at", "from_status",
                 "to_status", "visibility", "body", "payload"}],
     "contact": {"name", "email", "phone", "nik"} | null}

Nodes travel as ``OrgNode.code``: a code the receiver does not have maps to its root (the
report left the federated subtree), as does the sender's root.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lapor.categories.models import Category
from lapor.core import clock
from lapor.core.errors import ValidationFailed
from lapor.federation import commands, hooks
from lapor.federation.models import (
    EntryKind,
    JournalEntry,
    Link,
    LinkRole,
    MirroredEvent,
    MirroredReport,
    Origin,
)
from lapor.notifications.report_events import notify_report_event
from lapor.orgs.models import NodeKind, OrgNode
from lapor.privacy.identity import identity_for_peer, identity_store
from lapor.regions.models import Region
from lapor.reports.models import (
    Disposition,
    DispositionState,
    Report,
    ReporterContact,
    ReportEvent,
)
from lapor.reports.states import EventKind
from lapor.reports.submission import TRACKING_SPACE, tracking_number_valid

# Number lanes (docs/federation.md "One number space").
LANE_SIZE = 90_000_000

_TEXT = ("access_code_hash", "type", "title", "body", "address", "channel", "status",
         "archive_reason")
_FLAGS = ("is_anonymous", "is_confidential")
_MOMENTS = ("submitted_at", "verified_at", "first_followup_at", "responded_at", "closed_at",
            "verify_due_at", "hold_due_at", "followup_due_at", "resolution_due_at",
            "reply_due_at", "staff_due_at")
_NUMBERS = ("verify_days_left", "resolution_days", "rating")
_COUNTS = ("version", "support_count")


def lane_of(tracking_number: str) -> int:
    """The number lane of a tracking number: its eleven-digit body's value // 90,000,000."""
    return (int(tracking_number[:11]) - 10**10) // LANE_SIZE


# ---------------------------------------------------------------- sending


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _code(node: OrgNode | None) -> str | None:
    return node.code if node is not None else None


def _events(link: Link, report: Report) -> list[dict[str, Any]]:
    mirrored = MirroredEvent.objects.filter(link=link, event__report=report).values("event_id")
    rows = (ReportEvent.objects.filter(report=report).exclude(pk__in=mirrored)
            .select_related("actor_node").order_by("pk"))
    return [
        {"id": e.pk, "kind": e.kind, "actor_role": e.actor_role,
         "actor_node": _code(e.actor_node), "created_at": _iso(e.created_at),
         "from_status": e.from_status, "to_status": e.to_status, "visibility": e.visibility,
         "body": e.body, "payload": e.payload}
        for e in rows
    ]


def _dispositions(report: Report) -> list[dict[str, Any]]:
    rows = list(Disposition.objects.filter(report=report)
                .select_related("node", "disposed_from").order_by("created_at", "pk"))
    position = {d.pk: i for i, d in enumerate(rows)}
    return [
        {"node": d.node.code, "parent": position.get(d.parent_id) if d.parent_id else None,
         "disposed_from": d.disposed_from.code, "note": d.note, "state": d.state,
         "return_reason": d.return_reason, "created_at": _iso(d.created_at),
         "ended_at": _iso(d.ended_at)}
        for d in rows
    ]


def snapshot(link: Link, report: Report, *, with_contact: bool) -> dict[str, Any]:
    """The report's current state for ``link``'s other side (the module's format)."""
    data: dict[str, Any] = {"tracking_number": report.tracking_number}
    for name in (*_TEXT, *_FLAGS, *_NUMBERS, *_COUNTS):
        data[name] = getattr(report, name)
    for name in _MOMENTS:
        data[name] = _iso(getattr(report, name))
    data.update(
        incident_date=_iso(report.incident_date), region=report.region_id,
        latitude=str(report.latitude) if report.latitude is not None else None,
        longitude=str(report.longitude) if report.longitude is not None else None,
        category=report.category.code if report.category is not None else None,
        target_agency=_code(report.target_agency), tier=report.tier.code,
        agency=_code(report.agency), current_node=report.current_node.code,
        dispositions=_dispositions(report), events=_events(link, report), contact=None,
    )
    if with_contact:
        identity = identity_for_peer(report=report)
        if identity is not None:
            data["contact"] = {"name": identity.name, "email": identity.email,
                               "phone": identity.phone, "nik": identity.nik}
    return data


def _first_over_link(link: Link, report_id: int, seq: int) -> bool:
    return not JournalEntry.objects.filter(link=link, report_id=report_id,
                                           kind=EntryKind.REPORT, seq__lt=seq).exists()


def snapshot_entries(link: Link, entries: list[JournalEntry]) -> list[dict[str, Any]]:
    """The wire form of ``entries`` (``link``'s journal, in seq order) at send time."""
    last_of: dict[int, int] = {}
    first_of: dict[int, int] = {}
    for entry in entries:
        if entry.kind == EntryKind.REPORT:
            last_of[entry.report_id] = entry.seq
            first_of.setdefault(entry.report_id, entry.seq)
    # The report's current state travels once per batch, at its FIRST entry: reports are
    # created on the other side in the order they were filed here (after an outage too), and
    # a command later in the batch finds the report and its holder already there. Its later
    # entries go as null (the state they would carry is the one already sent).
    carries = set(first_of.values())
    contact_sent: set[int] = set()
    reports = {r.pk: r for r in Report.objects.filter(pk__in=last_of).select_related(
        "tier", "agency", "current_node", "category", "target_agency")}
    origins = dict(MirroredReport.objects.filter(report_id__in=last_of)
                   .values_list("report_id", "origin"))
    out: list[dict[str, Any]] = []
    for entry in entries:
        if entry.kind == EntryKind.COMMAND:
            number = (Report.objects.filter(pk=entry.report_id)
                      .values_list("tracking_number", flat=True).first())
            out.append({"seq": entry.seq, "kind": EntryKind.COMMAND.value,
                        "tracking_number": number, "command": entry.payload})
            continue
        if entry.seq not in carries:
            out.append({"seq": entry.seq, "kind": EntryKind.REPORT.value, "report": None})
            continue
        report = reports[entry.report_id]
        with_contact = (origins.get(report.pk) == Origin.HERE and not report.is_anonymous
                        and report.pk not in contact_sent
                        and _first_over_link(link, report.pk, first_of[report.pk]))
        contact_sent.add(report.pk)
        out.append({"seq": entry.seq, "kind": EntryKind.REPORT.value,
                    "report": snapshot(link, report, with_contact=with_contact)})
    return out


# ---------------------------------------------------------------- applying


class _Nodes:
    """Node codes to this instance's nodes: unknown codes (and the sender's root) → root."""

    def __init__(self) -> None:
        self._cache: dict[str, OrgNode | None] = {}
        self.root = OrgNode.objects.get(kind=NodeKind.ROOT)

    def find(self, code: str | None) -> OrgNode | None:
        if not code:
            return None
        if code not in self._cache:
            self._cache[code] = OrgNode.objects.filter(code=code).first()
        return self._cache[code]

    def node(self, code: str | None) -> OrgNode:
        return self.find(code) or self.root


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("naive datetime")
    return moment


def _decimal(value: Any) -> Decimal | None:
    return Decimal(str(value)) if value is not None else None


def _set_state(report: Report, data: dict[str, Any], nodes: _Nodes) -> None:
    for name in _TEXT:
        setattr(report, name, str(data[name] or ""))
    for name in _FLAGS:
        setattr(report, name, bool(data[name]))
    for name in _NUMBERS:
        setattr(report, name, int(data[name]) if data[name] is not None else None)
    for name in _COUNTS:
        setattr(report, name, int(data[name]))
    for name in _MOMENTS:
        setattr(report, name, _moment(data[name]))
    incident = data["incident_date"]
    report.incident_date = date.fromisoformat(incident) if incident else None
    region = Region.objects.filter(code=str(data["region"])).first()
    if region is None:
        raise ValidationFailed("unknown_node", field="region")
    report.region = region
    report.latitude, report.longitude = _decimal(data["latitude"]), _decimal(data["longitude"])
    report.category = (Category.objects.filter(code=data["category"]).first()
                       if data["category"] else None)
    report.target_agency = nodes.find(data["target_agency"])
    report.tier = nodes.node(data["tier"])
    report.current_node = nodes.node(data["current_node"])
    report.agency = nodes.find(data["agency"])


def _apply_dispositions(report: Report, incoming: list[dict[str, Any]], nodes: _Nodes) -> None:
    """Match by position: update the hops this side has, create the new ones. Hops leaving
    the active state are saved first, so "one active hop" holds at every write."""
    existing = list(Disposition.objects.filter(report=report).order_by("created_at", "pk"))
    for row, data in zip(existing, incoming, strict=False):
        if row.state == DispositionState.ACTIVE and data["state"] != DispositionState.ACTIVE:
            row.state = str(data["state"])
            row.save(update_fields=["state"])
    rows: list[Disposition] = []
    for position, data in enumerate(incoming):
        row = existing[position] if position < len(existing) else Disposition(report=report)
        parent = data["parent"]
        if parent is not None and not 0 <= int(parent) < position:
            raise ValueError("disposition parent out of order")
        row.node = nodes.node(data["node"])
        row.parent = rows[int(parent)] if parent is not None else None
        row.disposed_from = nodes.node(data["disposed_from"])
        row.note = str(data["note"] or "")
        row.state = str(data["state"])
        row.return_reason = str(data["return_reason"] or "")
        created = _moment(data["created_at"])
        if created is None:
            raise ValueError("disposition without created_at")
        row.created_at = created
        row.ended_at = _moment(data["ended_at"])
        row.save()
        rows.append(row)
    # Every node the report's dispositions name, as the services keep it (staff search).
    hops = " ".join(dict.fromkeys(str(row.node_id) for row in
                                  Disposition.objects.filter(report=report).order_by("pk")))
    if hops != report.disposition_nodes:
        report.disposition_nodes = hops
        Report.objects.filter(pk=report.pk).update(disposition_nodes=hops)


def _apply_events(link: Link, report: Report, incoming: list[dict[str, Any]],
                  nodes: _Nodes) -> list[ReportEvent]:
    known = set(MirroredEvent.objects.filter(
        link=link, remote_id__in=[int(e["id"]) for e in incoming]
    ).values_list("remote_id", flat=True))
    new: list[ReportEvent] = []
    for data in incoming:
        remote_id = int(data["id"])
        if remote_id in known:
            continue
        kind = EventKind(data["kind"])  # ValueError for a kind this version does not know
        created = _moment(data["created_at"])
        if created is None:
            raise ValueError("event without created_at")
        event = ReportEvent.objects.create(
            report=report, kind=kind, actor=None, actor_role=str(data["actor_role"]),
            actor_node=nodes.find(data["actor_node"]), created_at=created,
            from_status=str(data["from_status"] or ""), to_status=str(data["to_status"] or ""),
            visibility=str(data["visibility"]), body=str(data["body"] or ""),
            payload=data["payload"] if isinstance(data["payload"], dict) else {},
        )
        MirroredEvent.objects.create(event=event, link=link, remote_id=remote_id)
        known.add(remote_id)
        new.append(event)
    return new


def _apply_contact(report: Report, origin: str, contact: Any) -> None:
    """Only a contact filed on the other side is ever written here; an anonymous report
    keeps none (one made anonymous after it travelled loses the copy)."""
    if origin != Origin.PEER:
        return
    if report.is_anonymous:
        ReporterContact.objects.filter(report=report).delete()
        return
    if isinstance(contact, dict) and not ReporterContact.objects.filter(report=report).exists():
        identity_store(report=report, **{k: str(contact.get(k) or "")
                                         for k in ("name", "email", "phone", "nik")})


def _apply_report(link: Link, data: dict[str, Any]) -> None:
    number = str(data["tracking_number"])
    if not tracking_number_valid(number) or len(number) != 12:
        raise ValidationFailed("invalid_entry", field="tracking_number")
    nodes = _Nodes()
    now = clock.now()
    report = (Report.objects.select_for_update().filter(tracking_number=number)
              .select_related("current_node").first())
    if report is None:
        body_value = int(number[:11]) - 10**10
        if (link.role == LinkRole.PEER
                and not (0 <= body_value < TRACKING_SPACE and lane_of(number) == link.lane)):
            raise ValidationFailed("number_outside_lane", field="tracking_number")
        report = Report(tracking_number=number, updated_at=now, is_training=False)
        _set_state(report, data, nodes)
        report.save()
        MirroredReport.objects.create(report=report, link=link, origin=Origin.PEER,
                                      created_at=now)
        origin: str = Origin.PEER
        _apply_dispositions(report, list(data["dispositions"]), nodes)
    else:
        row = MirroredReport.objects.filter(report=report).first()
        if row is None or row.link_id != link.pk:
            raise ValidationFailed("number_taken", field="tracking_number")
        origin = row.origin
        if int(data["version"]) >= report.version:
            # "Dukung" counts change without a new version and only go up: a snapshot of an
            # equal version sent before the holder's newest support never lowers the count.
            supports = report.support_count
            _set_state(report, data, nodes)
            report.support_count = max(supports, report.support_count)
            report.updated_at = now
            report.save()
            _apply_dispositions(report, list(data["dispositions"]), nodes)
    _apply_contact(report, origin, data.get("contact"))
    new = _apply_events(link, report, list(data["events"]), nodes)
    if not new:
        return
    report = Report.objects.select_related("tier", "agency", "current_node", "category").get(
        pk=report.pk)
    held_here = not hooks.held_by_other(link, report.current_node)
    for event in new:
        notify_report_event(report=report, event=event, reporter=origin == Origin.HERE,
                            staff=held_here, callbacks=True)


def apply_entry(link: Link, entry: dict[str, Any]) -> None:
    """Apply one received entry, in the caller's transaction (the one that moves
    ``link.received_through`` to its seq). Refuses a malformed entry with 422
    ``invalid_entry``, a report outside the link's number lane ``number_outside_lane``, an
    unknown region ``unknown_node``; a reporter's action the holder can no longer take is not
    refused (an internal note records it, lapor.federation.commands)."""
    kind = entry.get("kind") if isinstance(entry, dict) else None
    try:
        if kind == EntryKind.REPORT:
            data = entry.get("report")
            if data is None:
                return  # superseded by a later entry of the same batch
            if not isinstance(data, dict):
                raise ValidationFailed("invalid_entry", field="report")
            with hooks.applying():
                _apply_report(link, data)
        elif kind == EntryKind.COMMAND:
            command = entry.get("command")
            if not isinstance(command, dict):
                raise ValidationFailed("invalid_entry", field="command")
            commands.command_apply(link=link, tracking_number=str(entry.get("tracking_number")),
                                   command=command)
        else:
            raise ValidationFailed("invalid_entry", field="kind")
    except (KeyError, TypeError, ValueError) as exc:
        raise ValidationFailed("invalid_entry", detail={"error": type(exc).__name__}) from exc
