"""Privacy endpoints: revealing a reporter's identity (permission + written reason + audit);
the reporter's own-data export (UU PDP, Law 27/2022)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from lapor.api.auth import (
    AccessCode,
    BearerAuth,
    reporter_from_request,
    request_actor,
    request_staff,
)
from lapor.api.privacy.pdp_schemas import DataExportOut
from lapor.api.privacy.schemas import IdentityOut, RevealIn
from lapor.core import ratelimit
from lapor.core.api import errors
from lapor.privacy import pdp, services
from lapor.reports.feed import supporter_key as _supporter_key

router = Router(tags=["staff"], auth=BearerAuth())


@router.post(
    "/reports/{report_id}/reveal-identity",
    response={200: IdentityOut, **errors(401, 403, 404)},
    summary="Reveal the reporter's identity (needs privacy.reveal_identity and a reason)",
    description=(
        "Needs read access to the report (else 404) and the reveal permission, which no role "
        "holds by default (else 403). The reason (at least 20 characters) goes into the "
        "processing record; the audit log records the reveal. The identity is in this "
        "response only: the staff view keeps hiding an anonymous reporter."
    ),
)
def reveal_identity(request: HttpRequest, report_id: int, payload: RevealIn) -> dict[str, str]:
    actor = request_staff(request)
    identity = services.identity_reveal(actor=actor, report_id=report_id, reason=payload.reason)
    return {"name": identity.name, "email": identity.email, "phone": identity.phone,
            "nik": identity.nik}


_EXPORT_DESCRIPTION = (
    "UU PDP (Law 27/2022) right of access, as a JSON download: the reporter's identity as "
    "stored, each report's fields, the timeline a reporter may see (never internal notes), "
    "attachment metadata (no bytes), the processing record of their identity (role and unit "
    "of the reader, never a name) and their supports. The export itself is recorded as a "
    "`data_subject_access` read and audited as `pdp.export`."
)


def _download(response: HttpResponse, name: str) -> None:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"


@router.get(
    "/track/{tracking_number}/my-data", auth=None, tags=["citizen"],
    response={200: DataExportOut, **errors(401, 404, 429)},
    summary="Download all data held about this report's reporter (UU PDP)",
    description=_EXPORT_DESCRIPTION + " Needs the X-Access-Code header or the reporter "
    "account's bearer token.",
)
def my_report_data(
    request: HttpRequest, response: HttpResponse, tracking_number: str,
    access_code: str | None = AccessCode,
) -> dict[str, Any]:
    actor, report = reporter_from_request(request, tracking_number, access_code)
    key = _supporter_key(request, actor) if actor.user is not None else ""
    _download(response, f"lapor-{report.tracking_number}-data.json")
    return pdp.data_export(actor=actor, reports=[report], supporter_key=key)


@router.get(
    "/me/data", tags=["citizen"], response={200: DataExportOut, **errors(401, 429)},
    summary="Download all data held about the signed-in citizen (UU PDP)",
    description=_EXPORT_DESCRIPTION + " Covers every report of the account.",
)
def my_data(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    actor = request_actor(request)
    ratelimit.throttle_requests(request)
    key = _supporter_key(request, actor) if actor.user is not None else ""
    _download(response, "lapor-my-data.json")
    return pdp.data_export(actor=actor, supporter_key=key)
