"""Attachment endpoints: reporter (tracking number + access code), staff, public downloads.

Uploads are ``multipart/form-data`` with one ``file`` part; the type is decided by content.
Downloads always answer ``Content-Disposition: attachment`` with ``nosniff``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import FileResponse, HttpRequest
from ninja import File, Router, Status, UploadedFile

from lapor.api.attachments.schemas import AttachmentListOut, AttachmentOut, PublicAttachmentListOut
from lapor.api.auth import AccessCode, BearerAuth, reporter_from_request, request_staff
from lapor.attachments import presenters, selectors, services
from lapor.attachments.filetypes import ALLOWED_CONTENT_TYPES
from lapor.core.api import errors
from lapor.core.errors import PayloadTooLarge
from lapor.reports import access
from lapor.reports import selectors as report_selectors

public_router = Router(tags=["attachments"])
staff_router = Router(tags=["attachments"], auth=BearerAuth())

_UPLOAD_ERRORS = errors(401, 403, 404, 409, 413, 415, 429, 503)
_DOWNLOAD = {
    200: {
        "description": "The file, as an attachment (never inline)",
        "content": {
            content_type: {"schema": {"type": "string", "format": "binary"}}
            for content_type in ALLOWED_CONTENT_TYPES
        },
    }
}
_UPLOAD_DESCRIPTION = (
    "Multipart with one `file` part. Allowed by content (never by name or Content-Type): "
    "JPEG, PNG, WebP, PDF, MP4. Images are re-encoded without any metadata (EXIF/GPS "
    "included), PDFs lose their document metadata; MP4 is stored as sent."
)


def _read(upload: UploadedFile) -> tuple[bytes, str]:
    if upload.size is not None and upload.size > settings.LAPOR_ATTACHMENT_MAX_BYTES:
        raise PayloadTooLarge("attachment_too_large", field="file",
                              detail={"max_bytes": settings.LAPOR_ATTACHMENT_MAX_BYTES})
    return upload.read(settings.LAPOR_ATTACHMENT_MAX_BYTES + 1), upload.name or ""


# ---------------------------------------------------------------- reporter


@public_router.post(
    "/track/{tracking_number}/attachments",
    response={201: AttachmentOut, **_UPLOAD_ERRORS},
    summary="Attach a file to your report (needs the access code)",
    description=_UPLOAD_DESCRIPTION,
)
def reporter_upload(
    request: HttpRequest, tracking_number: str, file: UploadedFile = File(...),  # noqa: B008
    access_code: str | None = AccessCode,
) -> Status[dict[str, Any]]:
    actor, report = reporter_from_request(request, tracking_number, access_code)
    data, name = _read(file)
    attachment = services.attachment_add(actor=actor, report_id=report.pk, data=data,
                                         filename=name)
    return Status(201, presenters.reporter_item(attachment))


@public_router.get(
    "/track/{tracking_number}/attachments",
    response={200: AttachmentListOut, **errors(401, 404, 429)},
    summary="Your report's attachments: what you sent and what staff published",
)
def reporter_list(
    request: HttpRequest, tracking_number: str, access_code: str | None = AccessCode
) -> dict[str, Any]:
    _, report = reporter_from_request(request, tracking_number, access_code)
    return {"items": [presenters.reporter_item(a)
                      for a in selectors.attachments_for_reporter(report)]}


@public_router.get(
    "/track/{tracking_number}/attachments/{attachment_id}",
    response=errors(401, 404, 429, 503), openapi_extra={"responses": _DOWNLOAD},
    summary="Download one of your report's attachments",
)
def reporter_download(
    request: HttpRequest, tracking_number: str, attachment_id: int,
    access_code: str | None = AccessCode,
) -> FileResponse:
    _, report = reporter_from_request(request, tracking_number, access_code)
    attachment = selectors.attachment_for_reporter(report, attachment_id)
    return presenters.download(attachment, name=presenters.original_name(attachment))


# ---------------------------------------------------------------- public


@public_router.get(
    "/public/track/{tracking_number}/attachments",
    response={200: PublicAttachmentListOut, **errors(404, 429)},
    summary="Attachments staff published for a report (none for confidential reports)",
)
def public_list(request: HttpRequest, tracking_number: str) -> dict[str, Any]:
    report = access.report_from_request(request, tracking_number)
    return {"items": [presenters.public_item(a) for a in selectors.attachments_public(report)]}


@public_router.get(
    "/public/attachments/{attachment_id}",
    response=errors(404, 503), openapi_extra={"responses": _DOWNLOAD},
    summary="Download a published attachment",
)
def public_download(request: HttpRequest, attachment_id: int) -> FileResponse:
    attachment = selectors.attachment_public(attachment_id)
    return presenters.download(attachment, name=presenters.neutral_name(attachment),
                               public=True)


# ---------------------------------------------------------------- staff


@staff_router.post(
    "/reports/{report_id}/attachments",
    response={201: AttachmentOut, **_UPLOAD_ERRORS},
    summary="Attach a file to a report (verifiers and handlers)",
    description=_UPLOAD_DESCRIPTION,
)
def staff_upload(
    request: HttpRequest, report_id: int, file: UploadedFile = File(...),  # noqa: B008
) -> Status[dict[str, Any]]:
    actor = request_staff(request)
    report = report_selectors.report_for_staff(actor, report_id)
    data, name = _read(file)
    attachment = services.attachment_add(actor=actor, report_id=report.pk, data=data,
                                         filename=name)
    return Status(201, presenters.staff_item(report, attachment))


@staff_router.get(
    "/reports/{report_id}/attachments",
    response={200: AttachmentListOut, **errors(401, 403, 404)},
    summary="A report's attachments",
)
def staff_list(request: HttpRequest, report_id: int) -> dict[str, Any]:
    actor = request_staff(request)
    report, attachments = selectors.attachments_for_staff(actor, report_id)
    return {"items": [presenters.staff_item(report, a) for a in attachments]}


@staff_router.get(
    "/reports/{report_id}/attachments/{attachment_id}",
    response=errors(401, 403, 404, 503), openapi_extra={"responses": _DOWNLOAD},
    summary="Download an attachment of a report you may read",
)
def staff_download(request: HttpRequest, report_id: int, attachment_id: int) -> FileResponse:
    actor = request_staff(request)
    report, attachment = selectors.attachment_for_staff(actor, report_id, attachment_id)
    return presenters.download(attachment, name=presenters.staff_name(report, attachment))


@staff_router.post(
    "/reports/{report_id}/attachments/{attachment_id}/publish",
    response={200: AttachmentOut, **errors(401, 403, 404, 409)},
    summary="Publish the checked copy (never for confidential reports or anonymous videos)",
)
def staff_publish(request: HttpRequest, report_id: int, attachment_id: int) -> dict[str, Any]:
    actor = request_staff(request)
    attachment = services.attachment_publish(actor=actor, report_id=report_id,
                                             attachment_id=attachment_id)
    report = report_selectors.report_for_staff(actor, report_id)
    return presenters.staff_item(report, attachment)
