"""CSV and XLSX exports: dashboard tables, and a node's filtered list of reports.

Privacy (DOMAIN.md "Privacy"): the list starts from :func:`reports_visible_to` within the
node's subtree and never holds the reporter's identity, unless the actor holds the reveal
permission (``privacy.reveal_identity``), asks for it with a written reason, and stays
within :data:`IDENTITY_MAX` rows. Then every identity read leaves a processing record (as a
reveal does) and the export one audit entry. Training reports are never exported.
Spreadsheet formulas are neutralised: a cell starting with ``= + - @`` gets a leading quote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from lapor.audit.services import audit_record
from lapor.core.errors import PermissionDenied, ValidationFailed
from lapor.core.localtime import deadline_day, zone_info
from lapor.orgs.actors import Actor
from lapor.orgs.models import NodeKind, OrgNode, Sop
from lapor.privacy.identity import identity_read
from lapor.privacy.models import Purpose
from lapor.privacy.services import REVEAL_REASON_MIN, can_reveal
from lapor.reports.models import Report
from lapor.reports.permissions import reports_visible_to
from lapor.reports.states import Status
from lapor.reports.zones import zone_for_status
from lapor.stats.labels import CHANNEL_LABELS, STATUS_LABELS, TABLE_TITLES, TYPE_LABELS
from lapor.stats.selectors import Period

LIST_MAX = 100_000
IDENTITY_MAX = 5_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    header: list[str]
    rows: list[list[Any]]


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _pct(value: float | None) -> float | None:
    return None if value is None else round(100 * value, 1)


def dashboard_tables(data: dict[str, Any]) -> list[Table]:
    """The tables of a dashboard (``presenters.board_data``) as rows for a spreadsheet."""
    header = [_("Code"), _("Name"), _("Reports"), _("Verified on time (%)"),
              _("First follow-up on time (%)"), _("Resolved on time (%)"),
              _("Followed up (%)"), _("Good (at least half followed up)"), _("Average rating"),
              _("Reopened (%)"), pgettext("statistics", "Overdue")]

    def rows(items: list[dict[str, Any]]) -> list[list[Any]]:
        return [[item["key"], item["label"], item["reports"], _pct(item["verify_rate"]),
                 _pct(item["followup_rate"]), _pct(item["resolution_rate"]),
                 _pct(item["followed_up_share"]),
                 None if item["good"] is None else (_("yes") if item["good"] else _("no")),
                 None if item["rating_avg"] is None else round(item["rating_avg"], 2),
                 _pct(item["reopened_share"]), item["overdue"]] for item in items]

    totals = {"key": data["node"]["code"], "label": data["node"]["name"], **data["totals"]}
    tables = [Table("total", str(_("Total")), header, rows([totals]))]
    for dim, items in data["tables"].items():
        tables.append(Table(dim, str(TABLE_TITLES[dim]), header, rows(items)))
    for name in ("units", "months", "weeks"):
        tables.append(Table(name, str(TABLE_TITLES[name]), header, rows(data[name])))
    return tables


def tables_csv(tables: list[Table]) -> str:
    """One CSV: a ``table`` column names the table of each row."""
    out = io.StringIO()
    writer = csv.writer(out)
    for i, table in enumerate(tables):
        if i == 0:
            writer.writerow([_("Table"), *table.header])
        for row in table.rows:
            writer.writerow([table.name, *(_safe(v) for v in row)])
    return out.getvalue()


def xlsx(tables: Iterable[Table]) -> bytes:
    """One worksheet per table (openpyxl, write-only mode: constant memory)."""
    from openpyxl import Workbook  # noqa: PLC0415  (only when a workbook is made)

    book = Workbook(write_only=True)
    for table in tables:
        sheet = book.create_sheet(title=table.title[:31])
        sheet.append(table.header)
        for row in table.rows:
            sheet.append([_safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# ---------------------------------------------------------------- report lists


@dataclass(frozen=True)
class ListFilters:
    period: Period
    status: str = ""
    category: str = ""
    channel: str = ""
    type: str = ""
    region: str = ""


def _start(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def report_scope(actor: Actor, node: OrgNode, filters: ListFilters,
                 tz: ZoneInfo) -> QuerySet[Report]:
    if filters.status and filters.status not in Status.values:
        raise ValidationFailed("validation_error", field="status")
    qs = reports_visible_to(actor).filter(
        is_training=False, current_node__path__startswith=node.path,
        submitted_at__gte=_start(filters.period.start, tz),
        submitted_at__lt=_start(filters.period.last_day + timedelta(days=1), tz))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.type:
        qs = qs.filter(type=filters.type)
    if filters.region:
        qs = qs.filter(region__code__startswith=filters.region)
    return qs


LIST_FIELDS = ("id", "tracking_number", "submitted_at", "type", "channel", "status", "title",
               "category__name_id", "region__code", "region__name", "current_node__name",
               "agency_id",
               "staff_due_at", "first_followup_at", "responded_at", "closed_at", "rating",
               "is_anonymous", "is_confidential")


def _local(moment: datetime | None, zone: str) -> str:
    """A moment in the report's zone; the zone itself is the row's "Time zone" column."""
    return "" if moment is None else moment.astimezone(zone_info(zone)).strftime(
        "%Y-%m-%d %H:%M")


def _deadline(moment: datetime | None) -> str:
    """A deadline is the end of a working day: its date, never 23:59 or 0:59."""
    return "" if moment is None else deadline_day(moment).isoformat()


def _agency_zones() -> tuple[dict[int, str], str]:
    """SOP zone of every agency (a few hundred rows, read once per export) and the root's."""
    zones: dict[int, str] = {}
    national = "WIB"
    for node_id, kind, zone in Sop.objects.values_list("node_id", "node__kind", "timezone"):
        zones[node_id] = zone
        if kind == NodeKind.ROOT:
            national = zone
    return zones, national


def list_header(*, identity: bool) -> list[str]:
    header = [_("Tracking number"), _("Submitted"), _("Time zone"), _("Type"), _("Channel"),
              _("Status"), _("Title"), _("Category"), _("Region code"), _("Region"), _("Unit"),
              _("Deadline"), _("First follow-up"), _("Final follow-up"), _("Closed"),
              _("Rating"), _("Anonymous"), _("Confidential")]
    if identity:
        header += [_("Reporter name"), _("Reporter e-mail"), _("Reporter phone")]
    return header


def list_rows(actor: Actor, qs: QuerySet[Report], *,
              identity_reason: str | None = None) -> Iterator[list[Any]]:
    """Rows of the list, newest first. Every time of a row is in that report's zone
    (lapor.reports.zones), named in the "Time zone" column; the deadline is a date. With
    ``identity_reason`` (already authorised by :func:`authorise_identity_export`) each row
    carries the reporter's identity."""
    agency_zones, national = _agency_zones()
    rows = qs.order_by("-submitted_at", "-id").values(*LIST_FIELDS)[:LIST_MAX]
    for r in rows.iterator(chunk_size=2_000):
        zone = zone_for_status(status=r["status"], region_code=r["region__code"],
                               agency_zone=agency_zones.get(r["agency_id"], national))
        row = [r["tracking_number"], _local(r["submitted_at"], zone), zone,
               str(TYPE_LABELS.get(r["type"], r["type"])),
               str(CHANNEL_LABELS.get(r["channel"], r["channel"])),
               str(STATUS_LABELS.get(r["status"], r["status"])), _safe(r["title"]),
               r["category__name_id"] or "", r["region__code"], r["region__name"],
               r["current_node__name"], _deadline(r["staff_due_at"]),
               _local(r["first_followup_at"], zone), _local(r["responded_at"], zone),
               _local(r["closed_at"], zone), r["rating"] or "",
               _("yes") if r["is_anonymous"] else _("no"),
               _("yes") if r["is_confidential"] else _("no")]
        if identity_reason is not None:
            report = Report(pk=r["id"], is_anonymous=r["is_anonymous"])
            who = identity_read(actor=actor, report=report, purpose=Purpose.REVEAL,
                                reason=identity_reason)
            row += ([_safe(who.name), _safe(who.email), _safe(who.phone)] if who
                    else ["", "", ""])
        yield row


def authorise_identity_export(*, actor: Actor, node: OrgNode, qs: QuerySet[Report],
                              reason: str) -> str:
    """Check and record an export with identities: the reveal permission (403), a reason of
    at least 20 characters, at most :data:`IDENTITY_MAX` rows (400). One audit entry."""
    if not can_reveal(actor.user):
        raise PermissionDenied("permission_denied")
    reason = reason.strip()
    if len(reason) < REVEAL_REASON_MIN:
        raise ValidationFailed("text_too_short", field="reason",
                               detail={"min_length": REVEAL_REASON_MIN})
    count = qs.count()
    if count > IDENTITY_MAX:
        raise ValidationFailed("export_too_large", field="identity",
                               detail={"max_rows": IDENTITY_MAX})
    with transaction.atomic():
        audit_record(action="stats.export_identity", actor=actor, target_type="node",
                     target_id=node.code, payload={"reports": count,
                                                   "reason_length": len(reason)})
    return reason


def list_csv(header: list[str], rows: Iterable[list[Any]]) -> Iterator[str]:
    """The CSV text, line by line (for a streaming response)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(row)
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
