"""Reports endpoints: citizen submission and tracking, reporter actions, staff workflow.

Each endpoint parses input, asks for the actor, and calls one service or selector.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Header, Query, Router, Status

from lapor.api.auth import (
    AccessCode,
    BearerAuth,
    optional_actor,
    reporter_from_request,
    request_actor,
    request_staff,
)
from lapor.api.reports.schemas import (
    ArchiveIn,
    DisposeIn,
    FollowUpIn,
    ForwardedOut,
    ForwardIn,
    HoldIn,
    InboxOut,
    InboxQuery,
    MessageIn,
    MyReportsOut,
    NearbyOut,
    NearbyQuery,
    NoteIn,
    PassUpIn,
    PassUpOut,
    PrivacyIn,
    PublicReportOut,
    ReasonIn,
    ReplyIn,
    ReporterReportOut,
    RoutingSuggestionOut,
    StaffReportOut,
    SubmitIn,
    SubmitOut,
    SupportOut,
    VersionIn,
)
from lapor.core import idempotency, ratelimit
from lapor.core.api import ErrorOut, errors, shaped_response
from lapor.core.errors import Conflict, NotFound, ValidationFailed, message_for
from lapor.core.language import request_language
from lapor.core.pagination import keyset_page
from lapor.federation.commands import command_forward
from lapor.orgs.actors import READER_ROLES, Actor
from lapor.orgs.selectors import node_get, routing_suggestion
from lapor.reports import (
    access,
    feed,
    presenters,
    selectors,
    services,
    submission,
    submission_once,
)
from lapor.reports.feed import supporter_key
from lapor.reports.permissions import can_read, reports_of_reporter

public_router = Router(tags=["citizen"])
staff_router = Router(tags=["staff"], auth=BearerAuth())


# ---------------------------------------------------------------- citizen


IdempotencyKey = Header(
    None, alias="Idempotency-Key",
    description="Optional. A unique string (a UUID) made by the client per report: a retry "
    "with the same key and body gets the first answer again (the same tracking number and "
    "access code, header `Idempotent-Replayed: true`); the same key with another body is 422 "
    "`idempotency_key_reused`.")


@public_router.post(
    "/reports", response={201: SubmitOut, **errors(401, 422, 429)}, summary="Submit a report",
    description=(
        "Anyone may submit; a bearer token links the report to a citizen account. The answer "
        "carries the tracking number and a one-time access code (stored only as a keyed hash). "
        "A valid report is counted against the submission limits per sender (account, phone, "
        "e-mail: `LAPOR_RATE_REPORTS_PER_SENDER_HOUR`/`_DAY`) and per client address "
        "(`LAPOR_RATE_REPORTS_PER_ADDRESS_HOUR`); over one, `429 too_many_reports` (or "
        "`channel_busy` for an optional whole-channel ceiling) with `Retry-After` in seconds, "
        "and nothing is stored.\n\n"
        "**Sending once** (the citizen app's offline queue): send an `Idempotency-Key` header "
        "(any unique string up to 200 visible ASCII characters; a UUID). A retry with the same "
        "key and the same body (canonical JSON: key order and spacing do not matter) is "
        "answered with the first answer, the same tracking number and access code, marked "
        "`Idempotent-Replayed: true`, and creates nothing; the same key with another body is "
        "refused, 422 `idempotency_key_reused`. Concurrent requests with one key create one "
        "report. A refused request (4xx, 429) stores nothing, so the same key may be sent "
        "again. Answers are kept `LAPOR_REPORTS_REPLAY_HOURS` (default 168), encrypted with a "
        "key derived from the Idempotency-Key; keys of a bearer token's account are apart from "
        "anonymous ones. Without the header, every request creates a report."
    ),
)
def submit(request: HttpRequest, response: HttpResponse, payload: SubmitIn,
           idempotency_key: str | None = IdempotencyKey) -> Status[dict[str, Any]]:
    actor = optional_actor(request)
    key = idempotency.optional_key(idempotency_key)

    def prepare() -> Callable[[], submission.SubmittedReport]:
        return submission.report_prepare(
            actor=actor,
            type=payload.type,
            title=payload.title,
            body=payload.body,
            region_code=payload.region_code,
            channel=payload.channel,
            category_code=payload.category_code,
            incident_date=payload.incident_date,
            latitude=payload.latitude,
            longitude=payload.longitude,
            address=payload.address,
            target_agency_code=payload.target_agency_code,
            is_anonymous=payload.is_anonymous,
            is_confidential=payload.is_confidential,
            reporter_name=payload.reporter_name,
            reporter_email=payload.reporter_email,
            reporter_phone=payload.reporter_phone,
            reporter_nik=payload.reporter_nik,
            phone_updates=payload.phone_updates,
            origin=ratelimit.Origin(address=ratelimit.client_ip(request)),
        )

    if key is None:
        return Status(201, submission_once.submitted_answer(prepare()()))
    # The parser already checked the body (UTF-8 JSON); the digest is over what was sent.
    result = submission_once.report_submit_once(
        idempotency_key=key, user_id=actor.user.pk if actor.user is not None else None,
        request_data=json.loads(request.body), prepare=prepare)
    response["Cache-Control"] = "no-store"  # it carries the access code
    if result.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(result.status, result.body)


@public_router.get(
    "/reports/nearby", response={200: NearbyOut, **errors(429)},
    summary="Public reports near a place (\"Laporan di sekitar saya\")",
    description=(
        "Public reports (never confidential, unverified or training ones: the same scope as "
        "the public feed) within `radius_km` (clamped to 1–10 km, default 3) of `lat`/`lon`, "
        "nearest first, then newest; at most 20. Like the public pages, the answer never says "
        "where a report is: it gives the region (kecamatan) and `distance_m`, computed from "
        "the report's position snapped to a 0.01° grid (≈ 1.1 km) and rounded to 100 m, so no "
        "choice of points or radii reveals more than the grid cell. Nothing about the asker's "
        "position is stored. Rate-limited per client address like search."
    ),
)
def nearby(request: HttpRequest, query: Query[NearbyQuery]) -> dict[str, Any]:
    ratelimit.throttle_requests(request)
    radius = min(max(query.radius_km, feed.NEARBY_RADIUS_MIN_KM), feed.NEARBY_RADIUS_MAX_KM)
    found = feed.public_nearby(latitude=query.lat, longitude=query.lon, radius_km=radius)
    language = request_language(request)
    return {"radius_km": radius,
            "items": [presenters.nearby_item(item, language) for item in found]}


@public_router.get(
    "/track/{tracking_number}", response={200: PublicReportOut, **errors(404, 429)},
    summary="Public status and timeline by tracking number",
)
def track(request: HttpRequest, tracking_number: str) -> dict[str, Any]:
    report = access.looked_up_from_request(request, tracking_number)
    return presenters.public_view_cached(report, request_language(request))


@public_router.get(
    "/track/{tracking_number}/full", response={200: ReporterReportOut, **errors(401, 404, 429)},
    summary="The reporter's whole view (needs the access code)",
)
def reporter_view(
    request: HttpRequest, tracking_number: str, access_code: str | None = AccessCode
) -> dict[str, Any]:
    _, report = reporter_from_request(request, tracking_number, access_code)
    return presenters.reporter_view(report, request_language(request))


_FORWARDED = (
    " When the report is handled on another federated Lapor instance (a regional instance "
    "and the national one share it), the action is sent there and the answer is **202** "
    "`{code: \"forwarded_to_peer\", message, tracking_number}`: the status updates in a "
    "moment; if that instance can no longer accept it, it is dropped there "
    "(docs/federation.md)."
)


def _forwarded(request: HttpRequest, report: Any, action: str,
               args: dict[str, Any]) -> Status[dict[str, str]]:
    """The reporter's action on a report another instance holds: sent to it, 202."""
    command_forward(report=report, action=action, args=args)
    return Status(202, {"code": "forwarded_to_peer",
                        "message": message_for("forwarded_to_peer", request_language(request)),
                        "tracking_number": report.tracking_number})


@public_router.post(
    "/track/{tracking_number}/reply",
    response={200: ReporterReportOut, 202: ForwardedOut, **errors(401, 404, 409, 429)},
    summary="Accept the follow-up with a rating, or say it is not resolved",
    description="Accept (with a 1–5 rating) or reopen." + _FORWARDED,
)
def reporter_reply(
    request: HttpRequest,
    tracking_number: str,
    payload: ReplyIn,
    access_code: str | None = AccessCode,
) -> Any:
    actor, report = reporter_from_request(request, tracking_number, access_code)
    try:
        services.report_reporter_reply(actor=actor, report_id=report.pk, accept=payload.accept,
                                       rating=payload.rating, body=payload.body)
    except Conflict as exc:
        if exc.code != "held_by_peer":
            raise
        return _forwarded(request, report, "reply", {
            "accept": payload.accept, "rating": payload.rating, "body": payload.body})
    return presenters.reporter_view(selectors.report_by_tracking(report.tracking_number),
                                    request_language(request))


@public_router.post(
    "/track/{tracking_number}/messages",
    response={200: ReporterReportOut, 202: ForwardedOut, **errors(401, 404, 409, 429)},
    summary="Send a message to the officers; answers a 'tunda' question when on hold",
    description="A message to the officers, or the answer to their question when the report "
                "is on hold." + _FORWARDED,
)
def reporter_message(
    request: HttpRequest, tracking_number: str, payload: MessageIn,
    access_code: str | None = AccessCode,
) -> Any:
    actor, report = reporter_from_request(request, tracking_number, access_code)
    try:
        services.report_reporter_write(actor=actor, report_id=report.pk, body=payload.body)
    except Conflict as exc:
        if exc.code != "held_by_peer":
            raise
        return _forwarded(request, report, "write", {"body": payload.body})
    return presenters.reporter_view(selectors.report_by_tracking(report.tracking_number),
                                    request_language(request))


@public_router.get(
    "/me/reports", auth=BearerAuth(), response={200: MyReportsOut, **errors(401)},
    summary="The signed-in citizen's own reports, newest first",
)
def my_reports(request: HttpRequest, cursor: str | None = None) -> dict[str, Any]:
    actor = request_actor(request)
    page = keyset_page(reports_of_reporter(actor), field="submitted_at", cursor=cursor, limit=50)
    lang = request_language(request)
    return {
        "items": [
            {"tracking_number": r.tracking_number, "title": r.title, "status": r.status,
             "status_label": presenters.status_label(r.status, lang),
             "submitted_at": r.submitted_at}
            for r in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@public_router.post(
    "/track/{tracking_number}/support", response={200: SupportOut, **errors(401, 404, 409, 429)},
    summary="Support ('dukung') a public report",
)
def support(request: HttpRequest, tracking_number: str) -> dict[str, int]:
    actor = optional_actor(request)
    report = access.report_from_request(request, tracking_number)
    count = services.report_support(report_id=report.pk,
                                    supporter_key=supporter_key(request, actor))
    return {"support_count": count}


# ---------------------------------------------------------------- staff


@staff_router.get(
    "/inbox", response={200: InboxOut, **errors(401, 403, 404)},
    summary="Reports waiting at a node, newest first (keyset pagination)",
)
def inbox(request: HttpRequest, query: Query[InboxQuery]) -> HttpResponse:
    actor = request_staff(request)
    target = node_get(query.node)
    if target is None or actor.covering(target, READER_ROLES) is None:
        raise NotFound("not_found", field="node")
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise ValidationFailed("validation_error", field="date_from")
    page = selectors.inbox(
        actor,
        node=target,
        filters=selectors.InboxFilters(
            status=query.status, overdue=query.overdue, due_soon=query.due_soon,
            category=query.category, region=query.region, channel=query.channel,
            date_from=query.date_from, date_to=query.date_to,
            include_subtree=query.include_subtree,
        ),
        cursor=query.cursor,
        limit=query.limit,
    )
    lang = request_language(request)
    # Pre-shaped (tests/test_api.py checks it against InboxOut): validating 50 rows again
    # was almost half of the request's Python.
    return shaped_response(request, {
        "items": [presenters.list_item(r, lang) for r in page.items],
        "next_cursor": page.next_cursor})


def _staff_out(request: HttpRequest, actor: Actor, report_id: int) -> dict[str, Any]:
    return presenters.staff_view(selectors.report_for_staff(actor, report_id),
                                 request_language(request), actor=actor)


_ACTION = {200: StaffReportOut, **errors(401, 403, 404, 409)}


@staff_router.get("/reports/{report_id}", response={200: StaffReportOut, **errors(401, 404)},
                  summary="A report with its dispositions and whole timeline")
def report_detail(request: HttpRequest, report_id: int) -> dict[str, Any]:
    return _staff_out(request, request_staff(request), report_id)


@staff_router.post("/reports/{report_id}/hold", response=_ACTION,
                   summary="Ask the reporter for information (tunda)")
def hold(request: HttpRequest, report_id: int, payload: HoldIn) -> dict[str, Any]:
    actor = request_staff(request)
    services.report_hold(actor=actor, report_id=report_id, question=payload.question,
                         expected_version=payload.expected_version)
    return _staff_out(request, actor, report_id)


@staff_router.post("/reports/{report_id}/archive", response=_ACTION,
                   summary="Reject at verification with a reason from the fixed list")
def archive(request: HttpRequest, report_id: int, payload: ArchiveIn) -> dict[str, Any]:
    actor = request_staff(request)
    services.report_archive(actor=actor, report_id=report_id, reason=payload.reason,
                            note=payload.note, duplicate_of=payload.duplicate_of,
                            expected_version=payload.expected_version)
    return _staff_out(request, actor, report_id)


@staff_router.post("/reports/{report_id}/unarchive", response=_ACTION,
                   summary="Reverse an archive (verifier of a higher tier)")
def unarchive(request: HttpRequest, report_id: int, payload: ReasonIn) -> dict[str, Any]:
    actor = request_staff(request)
    services.report_unarchive(actor=actor, report_id=report_id, reason=payload.reason,
                              expected_version=payload.expected_version)
    return _staff_out(request, actor, report_id)


@staff_router.post("/reports/{report_id}/privacy", response=_ACTION,
                   summary="Make a report anonymous and/or confidential (never looser)")
def privacy(request: HttpRequest, report_id: int, payload: PrivacyIn) -> dict[str, Any]:
    actor = request_staff(request)
    services.report_set_privacy(actor=actor, report_id=report_id, anonymous=payload.anonymous,
                                confidential=payload.confidential,
                                expected_version=payload.expected_version)
    return _staff_out(request, actor, report_id)


@staff_router.post("/reports/{report_id}/dispose", response=_ACTION,
                   summary="Verify and assign to an agency or unit")
def dispose(request: HttpRequest, report_id: int, payload: DisposeIn) -> dict[str, Any]:
    actor = request_staff(request)
    services.report_dispose(actor=actor, report_id=report_id, node_code=payload.node,
                            note=payload.note, resolution_days=payload.resolution_days,
                            expected_version=payload.expected_version)
    return _staff_out(request, actor, report_id)


@staff_router.post("/reports/{report_id}/forward", response=_ACTION,
                   summary="Forward the disposition down the assignee's subtree")
def forward(request: HttpRequest, report_id: int, payload: ForwardIn) -> dict[str, Any]:
    actor = request_staff(request)
    services.report_forward(actor=actor, report_id=report_id, node_code=payload.node,
                            note=payload.note, expected_version=payload.expected_version)
    return _staff_out(request, actor, report_id)


@staff_router.post("/reports/{report_id}/return", response=_ACTION,
                   summary="Hand back as 'bukan wewenang' (not our authority)")
def hand_back(request: HttpRequest, report_id: int, payload: ReasonIn) -> dict[str, Any]:
    actor = request_staff(request)
    services.report_return(actor=actor, report_id=report_id, reason=payload.reason,
                           expected_version=payload.expected_version)
    return _staff_out(request, actor, report_id)


@staff_router.post(
    "/reports/{report_id}/pass-up", response={200: PassUpOut, **errors(401, 403, 404, 409)},
    summary="Pass a report up to the next verification tier (hub verifier)",
    description=(
        "For a report in the hub's verification pool (submitted or on hold) whose agency "
        "the reporter did not choose: it goes to the province's hub when that receives its "
        "region's reports, else to the national pool, with a new verification deadline. "
        "The reason is internal. `403 permission_denied` for anyone but a hub verifier of "
        "the report's tier; `409 addressed_by_reporter` for a report the reporter addressed "
        "to this agency; `409 invalid_transition` outside verification; `409 "
        "concurrent_update` for a stale `expected_version`. The answer is short: the "
        "caller's agency no longer reads the report once it has left its pool."
    ),
)
def pass_up(request: HttpRequest, report_id: int, payload: PassUpIn) -> dict[str, Any]:
    actor = request_staff(request)
    report = services.report_pass_up(actor=actor, report_id=report_id, reason=payload.reason,
                                     expected_version=payload.expected_version)
    return {"id": report.pk, "tracking_number": report.tracking_number,
            "status": report.status, "version": report.version,
            "tier": {"code": report.tier.code, "name": report.tier.name},
            "verify_due_at": report.verify_due_at}


@staff_router.post("/reports/{report_id}/acknowledge", response=_ACTION,
                   summary="Acknowledge the disposition (status in progress)")
def acknowledge(request: HttpRequest, report_id: int, payload: VersionIn) -> dict[str, Any]:
    actor = request_staff(request)
    services.report_acknowledge(actor=actor, report_id=report_id,
                                expected_version=payload.expected_version)
    return _staff_out(request, actor, report_id)


@staff_router.post("/reports/{report_id}/follow-ups", response=_ACTION,
                   summary="Post a follow-up (tindak lanjut); final opens the reply window")
def follow_up(request: HttpRequest, report_id: int, payload: FollowUpIn) -> dict[str, Any]:
    actor = request_staff(request)
    services.report_follow_up(actor=actor, report_id=report_id, body=payload.body,
                              final=payload.final, public=payload.public,
                              expected_version=payload.expected_version)
    return _staff_out(request, actor, report_id)


@staff_router.post("/reports/{report_id}/close", response=_ACTION,
                   summary="Close a handled report with a reason (verifier)")
def close(request: HttpRequest, report_id: int, payload: ReasonIn) -> dict[str, Any]:
    actor = request_staff(request)
    services.report_close(actor=actor, report_id=report_id, reason=payload.reason,
                          expected_version=payload.expected_version)
    return _staff_out(request, actor, report_id)


@staff_router.post("/reports/{report_id}/notes", response=_ACTION,
                   summary="Add an internal note (never shown to the reporter)")
def note(request: HttpRequest, report_id: int, payload: NoteIn) -> dict[str, Any]:
    actor = request_staff(request)
    services.report_note(actor=actor, report_id=report_id, body=payload.body)
    return _staff_out(request, actor, report_id)


@staff_router.get(
    "/reports/{report_id}/routing-suggestion",
    response={200: RoutingSuggestionOut, **errors(401, 404)},
    summary="The unit the agency's SOP routing rules suggest (a human disposes)",
)
def routing(request: HttpRequest, report_id: int) -> dict[str, Any]:
    actor = request_staff(request)
    report = selectors.report_for_staff(actor, report_id)
    agency = report.agency or report.target_agency
    node = None
    if agency is not None and can_read(actor, report):
        node = routing_suggestion(agency=agency, category_id=report.category_id,
                                  region_code=report.region_id)
    return {"node": {"code": node.code, "name": node.name} if node else None}


__all__ = ["ErrorOut", "public_router", "staff_router"]
