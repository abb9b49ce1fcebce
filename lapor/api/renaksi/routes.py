"""Renaksi (Rencana Aksi) API: plans, their activities and evidence, and the readiness of each
perangkat daerah and kecamatan (docs/renaksi.md "API").

Who: the agency's hub (and a system administrator above it) writes; pimpinan, auditors and the
national level read; a liaison or unit officer reads the activities of its unit and its unit's
readiness. Everything starts from what the caller may see, so another agency's plan, activity
or evidence is a 404; a reader who tries to write gets 403 ``permission_denied``.

Lists are pages with an opaque ``next_cursor`` (keyset, no page numbers).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import prefetch_related_objects
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext
from ninja import File, Form, Query, Router, Status, UploadedFile

from lapor.api.auth import BearerAuth, request_staff
from lapor.api.renaksi.schemas import (
    ActivityIn,
    ActivityListOut,
    ActivityListQuery,
    ActivityOut,
    ActivityPatchIn,
    EvidenceOut,
    PlanIn,
    PlanListOut,
    PlanListQuery,
    PlanOut,
    PlanPatchIn,
    ReadinessOut,
)
from lapor.attachments.presenters import content_disposition
from lapor.core.api import errors
from lapor.core.errors import NotFound, PayloadTooLarge, ValidationFailed
from lapor.core.language import request_language
from lapor.orgs.actors import Actor
from lapor.orgs.models import NodeKind, OrgNode
from lapor.orgs.selectors import node_get
from lapor.renaksi import selectors, services
from lapor.renaksi.evidence import ALLOWED_TYPES, evidence_add, evidence_delete
from lapor.renaksi.models import Activity, Evidence, EvidenceKind, Indicator, Plan
from lapor.renaksi.permissions import can_read_plan, can_read_unit, can_write_plan
from lapor.renaksi.presenters import evidence_download as renaksi_evidence_download
from lapor.renaksi.readiness import UnitReadiness, agency_readiness
from lapor.renaksi.report import renaksi_pdf, renaksi_xlsx

router = Router(tags=["renaksi"], auth=BearerAuth())

_READ = errors(401, 403, 404)
_WRITE = errors(401, 403, 404)

# ---------------------------------------------------------------- cursors


def _encode(key: list[Any]) -> str:
    raw = json.dumps(key, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, types: tuple[type, ...]) -> list[Any]:
    try:
        key = json.loads(base64.urlsafe_b64decode((token + "=" * (-len(token) % 4)).encode()))
        if not (isinstance(key, list) and len(key) == len(types)):
            raise ValueError("bad cursor")
        out: list[Any] = []
        for value, kind in zip(key, types, strict=True):
            if kind is date:
                out.append(date.fromisoformat(value))
            elif isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
                out.append(value)
            else:
                raise ValueError("bad cursor")
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise ValidationFailed("invalid_cursor", field="cursor") from exc
    return out


# ---------------------------------------------------------------- shaping


def _node(node: OrgNode) -> dict[str, str]:
    return {"code": node.code, "name": node.name}


def _plan(actor: Actor, plan: Plan) -> dict[str, Any]:
    return {"id": plan.pk, "agency": _node(plan.agency), "title": plan.title,
            "start_year": plan.start_year, "end_year": plan.end_year,
            # Only for readers of the whole plan (a unit's officers read their activities).
            "description": plan.description if can_read_plan(actor, plan.agency) else "",
            "created_at": plan.created_at,
            "updated_at": plan.updated_at, "can_write": can_write_plan(actor, plan.agency)}


def _evidence(item: Evidence) -> dict[str, Any]:
    return {"id": item.pk, "activity_id": item.activity_id, "kind": item.kind,
            "name": item.display_name, "content_type": item.content_type, "size": item.size,
            "sha256": item.sha256, "created_at": item.created_at}


def _activities(actor: Actor, agency: OrgNode, activities: list[Activity]
                ) -> list[dict[str, Any]]:
    """Each activity with its derived state and proof, the readiness computed once for the
    units that a proof indicator asks about."""
    asked = {u.pk: u for a in activities if a.proof_indicator for u in a.units.all()}
    readiness = ({r.unit.pk: r for r in agency_readiness(agency, units=list(asked.values()))}
                 if asked else {})
    writer = can_write_plan(actor, agency)
    out = []
    for row in selectors.activity_rows(activities, today=services.agency_today(agency),
                                       readiness=readiness):
        a = row.activity
        out.append({
            "id": a.pk, "plan_id": a.plan_id, "kind": a.kind, "title": a.title,
            "description": a.description,
            "units": [_node(u) for u in sorted(a.units.all(), key=lambda u: u.path)],
            "owner": ({"username": a.owner.username, "name": str(a.owner)}
                      if a.owner is not None else None),
            "planned_start": a.planned_start, "planned_end": a.planned_end,
            "status": a.status, "done_on": a.done_on,
            "proof_indicator": a.proof_indicator or None, "proof_met": row.proof_met,
            "state": row.state, "evidence": [_evidence(e) for e in a.evidence.all()],
            "created_at": a.created_at, "updated_at": a.updated_at, "can_write": writer,
        })
    return out


def _activity(actor: Actor, activity_id: int) -> dict[str, Any]:
    activity = selectors.activity_for(actor, activity_id)
    return _activities(actor, activity.plan.agency, [activity])[0]


def _readiness(request: HttpRequest, agency: OrgNode, units: list[OrgNode] | None
               ) -> dict[str, Any]:
    """The matrix of ``agency`` (only ``units`` when given), its words in the request's
    language: the cells' texts are written while they are computed."""
    with translation.override(request_language(request)):
        rows: Iterable[UnitReadiness] = (agency_readiness(agency, units=units)
                                         if units is None or units else [])
        return {
            "agency": _node(agency),
            "indicators": [{"code": code, "label": gettext(str(label))}
                           for code, label in Indicator.choices],
            "units": [{
                "unit": _node(r.unit),
                "cells": [{"indicator": c.indicator, "level": c.level, "text": str(c.text),
                           "value": c.value, "on": c.on, "link": c.link or None}
                          for code in Indicator.values if (c := r.cells.get(code)) is not None],
                "met_count": r.met_count, "ready": r.ready,
            } for r in rows],
        }


# ---------------------------------------------------------------- plans


@router.get(
    "/renaksi/plans", response={200: PlanListOut, **errors(401, 403, 404)},
    summary="Renaksi plans the caller may read",
    description=(
        "Plans of the agencies the caller reads whole (hub, pimpinan, auditor, national level, "
        "system administrator) and plans with an activity of the caller's unit (liaison and "
        "unit officers). Oldest first, pages of `limit` with `next_cursor`. `agency` narrows "
        "to one agency (404 `unknown_node` for a code that does not exist). Citizen accounts: "
        "403."))
def plan_list(request: HttpRequest, query: Query[PlanListQuery]) -> dict[str, Any]:
    actor = request_staff(request)
    plans = selectors.plans_for(actor)
    if query.agency:
        agency = node_get(query.agency)
        if agency is None:
            raise NotFound("unknown_node", field="agency")
        plans = plans.filter(agency=agency)
    if query.cursor:
        plans = plans.filter(pk__gt=_decode(query.cursor, (int,))[0])
    rows = list(plans.order_by("pk")[: query.limit + 1])
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    return {"items": [_plan(actor, p) for p in rows],
            "next_cursor": _encode([rows[-1].pk]) if more and rows else None}


@router.post(
    "/renaksi/plans", response={201: PlanOut, **_WRITE},
    summary="Create a Renaksi plan (the agency's hub)",
    description=(
        "A new plan of `agency` for the years `start_year`–`end_year`. Only the agency's hub "
        "(and a system administrator above it): anyone else 403 `permission_denied`. 422: "
        "`unknown_node` (no such agency), `validation_error` (the node is not an agency, "
        "years out of order or outside 2000–2100), `text_too_short`/`text_too_long`. Audited."))
def plan_create(request: HttpRequest, payload: PlanIn) -> Status[dict[str, Any]]:
    actor = request_staff(request)
    agency = node_get(payload.agency)
    if agency is None:
        raise ValidationFailed("unknown_node", field="agency")
    if agency.kind != NodeKind.AGENCY:
        raise ValidationFailed("validation_error", field="agency")
    plan = services.plan_create(actor=actor, agency=agency, title=payload.title,
                                start_year=payload.start_year, end_year=payload.end_year,
                                description=payload.description)
    return Status(201, _plan(actor, plan))


@router.get(
    "/renaksi/plans/{plan_id}", response={200: PlanOut, **_READ},
    summary="One Renaksi plan",
    description="404 `not_found` for a plan the caller may not read (another agency's).")
def plan_get(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    actor = request_staff(request)
    return _plan(actor, selectors.plan_for(actor, plan_id))


@router.patch(
    "/renaksi/plans/{plan_id}", response={200: PlanOut, **_WRITE},
    summary="Change a plan's title, years or notes (the agency's hub)",
    description=(
        "Fields left out are kept. Readers (pimpinan, auditors, liaison officers): 403 "
        "`permission_denied`; another agency's plan: 404. 422 for years out of order or out "
        "of range, a title too short or too long. Audited."))
def plan_patch(request: HttpRequest, plan_id: int, payload: PlanPatchIn) -> dict[str, Any]:
    actor = request_staff(request)
    plan = selectors.plan_for(actor, plan_id)
    changes = payload.model_dump(exclude_unset=True)
    return _plan(actor, services.plan_update(actor=actor, plan=plan, **changes))


# ---------------------------------------------------------------- activities


@router.get(
    "/renaksi/plans/{plan_id}/activities", response={200: ActivityListOut, **_READ},
    summary="A plan's activities, with their derived state",
    description=(
        "By planned dates, pages of `limit` with `next_cursor`. Readers of the plan see every "
        "activity; a liaison or unit officer only those involving its unit or owned by it. "
        "Each carries its `state` and `proof_met`, computed now from the system."))
def activity_list(request: HttpRequest, plan_id: int,
                  query: Query[ActivityListQuery]) -> dict[str, Any]:
    actor = request_staff(request)
    plan = selectors.plan_for(actor, plan_id)
    activities = selectors.activities_for(actor, plan)
    if query.cursor:
        start, end, pk = _decode(query.cursor, (date, date, int))
        activities = [a for a in activities
                      if (a.planned_start, a.planned_end, a.pk) > (start, end, pk)]
    page = activities[: query.limit]
    more = len(activities) > query.limit
    last = page[-1] if page else None
    return {"items": _activities(actor, plan.agency, page),
            "next_cursor": (_encode([last.planned_start.isoformat(),
                                     last.planned_end.isoformat(), last.pk])
                            if more and last is not None else None)}


@router.post(
    "/renaksi/plans/{plan_id}/activities", response={201: ActivityOut, **_WRITE},
    summary="Add an activity to a plan (the agency's hub)",
    description=(
        "Readers: 403 `permission_denied`; another agency's plan: 404. 422: "
        "`dates_out_of_order` (end before start), `outside_plan_period` (dates outside the "
        "plan's years), `unknown_node` (a unit that is not the agency's), `unknown_user` "
        "(owner), `required` (`done_on` with status `done`), `validation_error` (an unknown "
        "kind, status or indicator; `done_on` in the future). Audited."))
def activity_create(request: HttpRequest, plan_id: int,
                    payload: ActivityIn) -> Status[dict[str, Any]]:
    actor = request_staff(request)
    plan = selectors.plan_for(actor, plan_id)
    activity = services.activity_create(
        actor=actor, plan=plan, kind=payload.kind, title=payload.title,
        description=payload.description, planned_start=payload.planned_start,
        planned_end=payload.planned_end, unit_codes=payload.units, owner=payload.owner,
        proof_indicator=payload.proof_indicator or "", status=payload.status,
        done_on=payload.done_on)
    return Status(201, _activity(actor, activity.pk))


@router.get(
    "/renaksi/activities/{activity_id}", response={200: ActivityOut, **_READ},
    summary="One activity, with its derived state and evidence",
    description="404 `not_found` for an activity the caller may not see.")
def activity_get(request: HttpRequest, activity_id: int) -> dict[str, Any]:
    return _activity(request_staff(request), activity_id)


@router.patch(
    "/renaksi/activities/{activity_id}", response={200: ActivityOut, **_WRITE},
    summary="Change an activity: dates, units, owner, status (the agency's hub)",
    description=(
        "Fields left out are kept; `units` replaces the list; `owner` or `proof_indicator` "
        "null clears it. Status `done` needs `done_on` (kept when already done). Same 422 "
        "codes as creating one; readers 403; not visible 404. Audited."))
def activity_patch(request: HttpRequest, activity_id: int,
                   payload: ActivityPatchIn) -> dict[str, Any]:
    actor = request_staff(request)
    activity = selectors.activity_for(actor, activity_id)
    changes = payload.model_dump(exclude_unset=True)
    if "units" in changes:
        changes["unit_codes"] = changes.pop("units")
    services.activity_update(actor=actor, activity=activity, changes=changes)
    return _activity(actor, activity.pk)


@router.delete(
    "/renaksi/activities/{activity_id}", response={204: None, **_WRITE},
    summary="Remove an activity and its evidence (the agency's hub)",
    description="Readers: 403 `permission_denied`; not visible: 404. Audited.")
def activity_delete(request: HttpRequest, activity_id: int) -> Status[None]:
    actor = request_staff(request)
    services.activity_delete(actor=actor, activity=selectors.activity_for(actor, activity_id))
    return Status(204, None)


# ---------------------------------------------------------------- readiness


@router.get(
    "/renaksi/plans/{plan_id}/readiness", response={200: ReadinessOut, **_READ},
    summary="Readiness of every perangkat daerah and kecamatan of the plan's agency",
    description=(
        "The readiness matrix, computed from the system now (never typed): for each unit one "
        "cell per indicator with its level, words, figure, date and source page, how many are "
        "met and whether the unit is ready. Readers of the plan get every unit; a liaison or "
        "unit officer only its own unit's row."))
def plan_readiness(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    actor = request_staff(request)
    plan = selectors.plan_for(actor, plan_id)
    agency = plan.agency
    if can_read_plan(actor, agency):
        return _readiness(request, agency, None)
    units = services.plan_units(agency)
    prefetch_related_objects(units, "agency")  # can_read_unit asks each unit's agency
    return _readiness(request, agency, [u for u in units if can_read_unit(actor, u)])


@router.get(
    "/renaksi/units/{code}/readiness", response={200: ReadinessOut, **_READ},
    summary="Readiness of one perangkat daerah or kecamatan",
    description=(
        "The unit's row of the readiness matrix (`units` holds one entry). For the plan's "
        "readers and the unit's own liaison and unit officers. 404 `unknown_node` for a code "
        "that is not a unit directly under an agency, `not_found` for a unit the caller may "
        "not read."))
def unit_readiness(request: HttpRequest, code: str) -> dict[str, Any]:
    actor = request_staff(request)
    unit = node_get(code)
    agency = unit.parent if unit is not None else None
    if (unit is None or unit.kind != NodeKind.UNIT or agency is None
            or agency.kind != NodeKind.AGENCY):
        raise NotFound("unknown_node", field="code")
    if not can_read_unit(actor, unit):
        raise NotFound("not_found")
    return _readiness(request, agency, [unit])


# ---------------------------------------------------------------- evidence

_DOWNLOAD = {
    200: {
        "description": "The file, as an attachment (never inline)",
        "content": {
            content_type: {"schema": {"type": "string", "format": "binary"}}
            for content_type in (t.content_type for t in ALLOWED_TYPES)
        },
    }
}


@router.post(
    "/renaksi/activities/{activity_id}/evidence",
    response={201: EvidenceOut, **errors(401, 403, 404, 409, 413, 415, 503)},
    summary="Add evidence to an activity: a document, a photo or an attendance list (the "
            "agency's hub)",
    description=(
        "Multipart with one `file` part and an optional `kind` (`document`, the default; "
        "`photo`; `attendance`). The checks of a report's attachments: allowed by content "
        "only (JPEG, PNG, WebP, PDF; no video, whose metadata cannot be stripped: 415 "
        "`attachment_type_not_allowed`), images rebuilt without metadata, PDFs without "
        "document metadata; 413 `attachment_too_large`, 422 `attachment_unreadable` or "
        "`attachment_infected`, 409 `attachment_limit_reached` (20 files), 503 when the "
        "scanner or the storage is unavailable. Nothing is stored on a refusal; the same file "
        "sent again answers the first one. Readers: 403; an activity the caller may not see: "
        "404. Audited."))
def evidence_upload(
    request: HttpRequest, activity_id: int,
    file: UploadedFile = File(..., description="The file"),  # noqa: B008
    kind: EvidenceKind = Form(EvidenceKind.DOCUMENT,  # noqa: B008
                              description="`document`, `photo` or `attendance`"),
) -> Status[dict[str, Any]]:
    actor = request_staff(request)
    activity = selectors.activity_for(actor, activity_id)
    limit = settings.LAPOR_ATTACHMENT_MAX_BYTES
    if file.size is not None and file.size > limit:
        raise PayloadTooLarge("attachment_too_large", field="file",
                              detail={"max_bytes": limit})
    item = evidence_add(actor=actor, activity=activity, kind=kind,
                        data=file.read(limit + 1), filename=file.name or "")
    return Status(201, _evidence(item))


@router.get(
    "/renaksi/evidence/{evidence_id}", response=errors(401, 403, 404, 503),
    openapi_extra={"responses": _DOWNLOAD},
    summary="Download an activity's evidence",
    description=(
        "For whoever sees the activity (404 otherwise). Always `Content-Disposition: "
        "attachment` with `X-Content-Type-Options: nosniff` and `Cache-Control: private, "
        "no-store`."))
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    return renaksi_evidence_download(request_staff(request), evidence_id)


@router.delete(
    "/renaksi/evidence/{evidence_id}", response={204: None, **_WRITE},
    summary="Remove an activity's evidence (the agency's hub)",
    description="Readers: 403 `permission_denied`; not visible: 404. Audited.")
def evidence_remove(request: HttpRequest, evidence_id: int) -> Status[None]:
    evidence_delete(actor=request_staff(request), evidence_id=evidence_id)
    return Status(204, None)


# ---------------------------------------------------------------- printing

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _printed(request: HttpRequest, plan_id: int, fmt: str) -> HttpResponse:
    actor = request_staff(request)
    plan = selectors.plan_for(actor, plan_id)
    if not can_read_plan(actor, plan.agency):  # a liaison officer reads only its unit
        raise NotFound("not_found")
    if fmt == "pdf":
        response = HttpResponse(renaksi_pdf(plan, actor=actor), content_type="application/pdf")
    else:
        response = HttpResponse(renaksi_xlsx(plan, actor=actor), content_type=XLSX)
    today = services.agency_today(plan.agency)
    name = f"renaksi-{plan.agency.code}-{plan.start_year}-{plan.end_year}-{today:%Y%m%d}.{fmt}"
    response["Content-Disposition"] = content_disposition(name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


_PRINT_TEXT = (
    "For readers of the whole plan (the hub, pimpinan, auditors, the national level); a "
    "liaison or unit officer, who reads only its unit, and another agency get 404. In Bahasa "
    "Indonesia whatever the request's language (an official document of the agency). "
    "`Content-Disposition: attachment`, `Cache-Control: private, no-store`.")


@router.get(
    "/renaksi/plans/{plan_id}/report.pdf", response=_READ,
    openapi_extra={"responses": {200: {
        "description": "The PDF (A4 landscape)",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}},
    summary="The printed Renaksi for the pimpinan, as PDF",
    description=("Identity, activities with their state and a quarter timeline, the "
                 "readiness matrix in words, in the style of the SOP document. " + _PRINT_TEXT))
def plan_report_pdf(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _printed(request, plan_id, "pdf")


@router.get(
    "/renaksi/plans/{plan_id}/report.xlsx", response=_READ,
    openapi_extra={"responses": {200: {
        "description": "The workbook",
        "content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}}},
    summary="The Renaksi as a workbook (XLSX)",
    description=("Sheets Ringkasan (identity, activities by state), Kegiatan (one row per "
                 "activity) and Kesiapan (the readiness matrix). " + _PRINT_TEXT))
def plan_report_xlsx(request: HttpRequest, plan_id: int) -> HttpResponse:
    return _printed(request, plan_id, "xlsx")
