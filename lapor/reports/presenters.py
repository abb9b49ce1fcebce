"""Turn reports into API dictionaries, applying the privacy rules of DOMAIN.md.

- The public sees status and public events only; a confidential report's bodies never.
- The reporter sees public and reporter-visible events, never internal ones.
- An event's text is shown only to the audiences its declaration allows
  (:mod:`lapor.reports.visibility`): the public learns that a report was disposed, not the
  note the verifier wrote to the unit.
- Staff never receive an anonymous reporter's identity; a named reporter's identity is read
  through the vault (:mod:`lapor.privacy.identity`), which records every read.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from lapor.core import clock
from lapor.orgs.actors import Actor
from lapor.orgs.models import OrgNode
from lapor.privacy.detector import kinds_found
from lapor.privacy.identity import identity_read
from lapor.privacy.models import Purpose
from lapor.reports import selectors
from lapor.reports.feed import NearbyReport, is_public
from lapor.reports.models import Report, ReportEvent, Visibility
from lapor.reports.states import STATUS_LABELS_EN, Status
from lapor.reports.visibility import text_visibility, text_visible_to
from lapor.reports.zones import agency_zone, is_undisposed, report_zone

# Payload keys that may leave in a public timeline. ``reason`` is the archive category (a
# label of the fixed list, never free text): public only while the report itself is listed.
_PUBLIC_PAYLOAD_KEYS = {"node_name", "duplicate_of"}
_LISTED_PAYLOAD_KEYS = {*_PUBLIC_PAYLOAD_KEYS, "reason"}


def status_label(status: str, language: str) -> str:
    return STATUS_LABELS_EN[status] if language == "en" else str(Status(status).label)


def _ref(node: OrgNode | None) -> dict[str, str] | None:
    return {"code": node.code, "name": node.name} if node is not None else None


def _listed(report: Report) -> bool:
    """Is the report in the public list (lapor.reports.feed.public_scope, without a query)?"""
    return is_public(report)


def _event(event: ReportEvent, *, audience: Visibility, confidential: bool = False,
           listed: bool = False) -> dict[str, Any]:
    """One timeline entry for ``audience``. Its text only if the declaration lets the audience
    read it. In public, a confidential report shows only kinds, times and statuses: no text
    and no organisation names."""
    payload = event.payload
    public = audience == Visibility.PUBLIC
    if public:
        keys = _LISTED_PAYLOAD_KEYS if listed else _PUBLIC_PAYLOAD_KEYS
        payload = {k: v for k, v in payload.items() if k in keys}
    hidden = public and confidential
    readable = not hidden and text_visible_to(event.kind, event.visibility, audience)
    return {
        "kind": event.kind,
        "created_at": event.created_at,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "actor_role": event.actor_role,
        "actor_node": None if hidden else _ref(event.actor_node),
        "body": event.body if readable else "",
        "payload": {} if hidden else payload,
    }


def public_view(report: Report, language: str) -> dict[str, Any]:
    events = selectors.report_events(report, visibilities=selectors.PUBLIC_VISIBILITIES)
    agency, zone = _public_holder(report)
    return {
        "tracking_number": report.tracking_number,
        "type": report.type,
        "status": report.status,
        "status_label": status_label(report.status, language),
        "submitted_at": report.submitted_at,
        "agency": None if report.is_confidential else agency,
        "time_zone": zone,
        "timeline": [
            _event(e, audience=Visibility.PUBLIC, confidential=report.is_confidential,
                   listed=_listed(report))
            for e in events
        ],
    }


# The public view of a report, kept per process (issue #21): a tracking look-up then costs its
# one lean query (lapor.reports.selectors.report_for_lookup) instead of the events and the SOP
# read again. Only the output of public_view is kept, which every visitor may see (a
# confidential report's public view has no text and no organisation names), and it is used
# only while the report's public version is the same. Entries live at most
# PUBLIC_VIEW_SECONDS: what is not the report's own (an organisation renamed, its SOP's time
# zone) shows after at most that long.
PUBLIC_VIEW_SECONDS = 300
PUBLIC_VIEW_ENTRIES = 5000
_public_views: OrderedDict[tuple[int, str], tuple[tuple[Any, ...], float, dict[str, Any]]] = (
    OrderedDict())
_public_views_lock = threading.Lock()


def public_version(report: Report) -> tuple[Any, ...]:
    """What makes a report's public view change, read by the look-up's one query:
    ``version`` (every staff transition adds one), ``updated_at`` (also moved by writes that
    do not count a version, such as the personal-data anonymisation), the newest event's id
    (any new timeline entry, whoever wrote it), and the fields the view shows or derives
    (status, confidentiality, agency, region)."""
    return (report.version, report.updated_at, getattr(report, "last_event_id", None),
            report.status, report.is_confidential, report.is_training, report.agency_id,
            report.region_id, report.current_node_id)


def public_view_cached(report: Report, language: str) -> dict[str, Any]:
    """:func:`public_view`, from this process's cache while :func:`public_version` is the
    same. ``report`` comes from :func:`lapor.reports.selectors.report_for_lookup` (it carries
    ``last_event_id``). The answer is shared: read it, never change it."""
    key = (report.pk, language)
    version = public_version(report)
    now = time.monotonic()
    with _public_views_lock:
        found = _public_views.get(key)
        if found is not None and found[0] == version and found[1] > now:
            _public_views.move_to_end(key)
            return found[2]
    view = public_view(report, language)
    with _public_views_lock:
        _public_views[key] = (version, now + PUBLIC_VIEW_SECONDS, view)
        _public_views.move_to_end(key)
        while len(_public_views) > PUBLIC_VIEW_ENTRIES:
            _public_views.popitem(last=False)
    return view


def public_views_clear() -> None:
    """Forget every cached public view and agency (tests)."""
    with _public_views_lock:
        _public_views.clear()
        _public_agencies.clear()


# The agency holding a report as public views show it (code and name, its SOP's zone), kept
# per process like the views and as long: a view built again (a new report, or one whose
# version moved) then reads the report's events and nothing else (issue #21).
_public_agencies: dict[int, tuple[float, dict[str, str] | None, str]] = {}


def _public_holder(report: Report) -> tuple[dict[str, str] | None, str]:
    """``report``'s agency reference and time zone (lapor.reports.zones.report_zone)."""
    if report.agency_id is None:
        return None, report_zone(report)
    now = time.monotonic()
    with _public_views_lock:
        found = _public_agencies.get(report.agency_id)
    if found is None or found[0] <= now:
        found = (now + PUBLIC_VIEW_SECONDS, _ref(report.agency), agency_zone(report.agency_id))
        with _public_views_lock:
            if len(_public_agencies) >= PUBLIC_VIEW_ENTRIES:
                _public_agencies.clear()
            _public_agencies[report.agency_id] = found
    _expires, agency, zone = found
    return agency, (report_zone(report) if is_undisposed(report.status) else zone)


def reporter_view(report: Report, language: str) -> dict[str, Any]:
    events = selectors.report_events(report, visibilities=selectors.REPORTER_VISIBILITIES)
    return {
        "tracking_number": report.tracking_number,
        "type": report.type,
        "title": report.title,
        "body": report.body,
        "status": report.status,
        "status_label": status_label(report.status, language),
        "submitted_at": report.submitted_at,
        "region": {"code": report.region.code, "name": report.region.name},
        "category": _category(report, language),
        "agency": _ref(report.agency),
        "is_anonymous": report.is_anonymous,
        "is_confidential": report.is_confidential,
        "reply_due_at": report.reply_due_at,
        "hold_due_at": report.hold_due_at,
        "rating": report.rating,
        "support_count": report.support_count,
        "time_zone": report_zone(report),
        "timeline": [_event(e, audience=Visibility.REPORTER) for e in events],
    }


def _category(report: Report, language: str) -> dict[str, str] | None:
    if report.category is None:
        return None
    return {"code": report.category.code, "name": report.category.name(language)}


def running_deadlines(report: Report) -> frozenset[str]:
    """The deadline fields whose clock is still running, the only ones with a "n working
    days left" countdown: none once the report is closed or archived, and none that was
    already met or replaced (a verification deadline after disposition, the first follow-up
    once one was posted)."""
    status = report.status
    if status == Status.SUBMITTED:
        return frozenset({"verify_due_at"})
    if status == Status.ON_HOLD:
        return frozenset({"hold_due_at"})
    if status in (Status.DISPOSED, Status.IN_PROGRESS):
        if report.first_followup_at is None:
            return frozenset({"followup_due_at", "resolution_due_at"})
        return frozenset({"resolution_due_at"})
    if status == Status.RESPONDED:
        return frozenset({"reply_due_at"})
    return frozenset()


def list_item(report: Report, language: str) -> dict[str, Any]:
    now = clock.now()
    return {
        "id": report.pk,
        "tracking_number": report.tracking_number,
        "type": report.type,
        "title": report.title,
        "status": report.status,
        "status_label": status_label(report.status, language),
        "channel": report.channel,
        "region": {"code": report.region.code, "name": report.region.name},
        "category": _category(report, language),
        "current_node": _ref(report.current_node),
        "is_anonymous": report.is_anonymous,
        "is_confidential": report.is_confidential,
        "submitted_at": report.submitted_at,
        "staff_due_at": report.staff_due_at,
        "overdue": report.staff_due_at is not None and report.staff_due_at < now,
    }


def staff_view(report: Report, language: str, *, actor: Actor) -> dict[str, Any]:
    """The staff view for ``actor``, who may read ``report`` (the caller checked). An anonymous
    report's reporter is null; a named reporter's contact is a recorded identity read."""
    item = list_item(report, language)
    contact = None
    identity = identity_read(actor=actor, report=report, purpose=Purpose.STAFF_VIEW)
    if identity is not None:
        contact = {"name": identity.name, "email": identity.email, "phone": identity.phone}
    warnings = kinds_found(report.title, report.body)
    events = selectors.report_events(report, visibilities=selectors.STAFF_VISIBILITIES)
    return {
        **item,
        "version": report.version,
        "time_zone": report_zone(report),
        "body": report.body,
        "incident_date": report.incident_date,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "address": report.address,
        "target_agency": _ref(report.target_agency),
        "tier": _ref(report.tier),
        "agency": _ref(report.agency),
        "verified_at": report.verified_at,
        "first_followup_at": report.first_followup_at,
        "responded_at": report.responded_at,
        "closed_at": report.closed_at,
        "deadlines": {
            "verify_due_at": report.verify_due_at,
            "hold_due_at": report.hold_due_at,
            "followup_due_at": report.followup_due_at,
            "resolution_due_at": report.resolution_due_at,
            "reply_due_at": report.reply_due_at,
            "staff_due_at": report.staff_due_at,
            "overdue": item["overdue"],
        },
        "resolution_days": report.resolution_days,
        "rating": report.rating,
        "archive_reason": report.archive_reason,
        "duplicate_of": report.duplicate_of.tracking_number if report.duplicate_of else None,
        "support_count": report.support_count,
        "reporter": contact,
        "privacy_warnings": warnings,
        "suggest_confidential": bool(warnings) and not report.is_confidential,
        "dispositions": [
            {
                "node": _ref(d.node),
                "disposed_from": _ref(d.disposed_from),
                "state": d.state,
                "note": d.note,
                "return_reason": d.return_reason,
                "created_at": d.created_at,
                "ended_at": d.ended_at,
            }
            for d in selectors.report_dispositions(report)
        ],
        "events": [
            {
                **_event(e, audience=Visibility.INTERNAL),
                "visibility": e.visibility,
                "text_visibility": text_visibility(e.kind, e.visibility) if e.body else None,
                "actor_username": e.actor.username if e.actor else None,
            }
            for e in events
        ],
    }


def nearby_item(item: NearbyReport, language: str) -> dict[str, Any]:
    """One "Laporan di sekitar saya" entry: what the public feed shows of a report, plus an
    approximate distance (never coordinates; lapor.reports.feed.public_nearby)."""
    report = item.report
    return {
        "tracking_number": report.tracking_number,
        "title": report.title,
        "type": report.type,
        "status": report.status,
        "status_label": status_label(report.status, language),
        "category": _category(report, language),
        "region": {"code": report.region.code, "name": report.region.name},
        "submitted_at": report.submitted_at,
        "support_count": report.support_count,
        "distance_m": item.distance_m,
    }
