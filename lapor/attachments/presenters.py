"""What each audience sees of an attachment, and the download response.

A client's file name can identify its sender ("KTP_Budi_Santoso.jpg"), so it is stored
encrypted (:mod:`lapor.privacy.vault`) and shown only to the reporter and, for reports that are
not anonymous, to staff. Everyone else gets a neutral ``lampiran-<id>.<ext>``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.http import FileResponse

from lapor.attachments.filetypes import BY_CONTENT_TYPE
from lapor.attachments.models import Attachment, UploadedBy
from lapor.attachments.services import attachment_storage
from lapor.core.errors import ServiceUnavailable
from lapor.privacy import vault
from lapor.reports.models import Report


def neutral_name(attachment: Attachment) -> str:
    return f"lampiran-{attachment.pk}{BY_CONTENT_TYPE[attachment.content_type].extension}"


def original_name(attachment: Attachment) -> str:
    """The client's file name, decrypted; the neutral name when no configured key opens it
    (a lost key costs the display name, never the file)."""
    try:
        return vault.decrypt(attachment.original_name_encrypted)
    except (vault.InvalidToken, UnicodeError, ValueError):
        return neutral_name(attachment)


def _as_dict(attachment: Attachment, name: str) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "name": name,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "uploaded_by": attachment.uploaded_by,
        "created_at": attachment.created_at,
        "is_public": attachment.is_public,
        "for_reporter": attachment.for_reporter,
        "followup": attachment.followup_id is not None,
        "scan_status": attachment.scan_status,
        "metadata_stripped": BY_CONTENT_TYPE[attachment.content_type].stripped,
    }


def staff_name(report: Report, attachment: Attachment) -> str:
    if report.is_anonymous and attachment.uploaded_by == UploadedBy.REPORTER:
        return neutral_name(attachment)
    return original_name(attachment)


def staff_item(report: Report, attachment: Attachment) -> dict[str, Any]:
    return _as_dict(attachment, staff_name(report, attachment))


def reporter_item(attachment: Attachment) -> dict[str, Any]:
    return _as_dict(attachment, original_name(attachment))


def public_item(attachment: Attachment) -> dict[str, Any]:
    return {"id": attachment.pk, "name": neutral_name(attachment),
            "content_type": attachment.content_type, "size": attachment.size,
            "created_at": attachment.created_at}


def download_name(name: str, content_type: str) -> str:
    """The display name with the extension of the detected type (a PDF sent as "photo.jpg"
    downloads as "photo.pdf")."""
    extension = BY_CONTENT_TYPE[content_type].extension
    stem, dot, _ = name.rpartition(".")
    return f"{stem if dot and stem else name}{extension}"


def content_disposition(name: str) -> str:
    fallback = name.encode("ascii", "ignore").decode().replace('"', "_").replace("\\", "_")
    fallback = "".join(ch for ch in fallback if ch.isprintable()) or "lampiran"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def download(attachment: Attachment, *, name: str, public: bool = False) -> FileResponse:
    """Stream the stored file; never inline, never sniffed, not cached unless public."""
    try:
        handle = attachment_storage().open(attachment.stored_name, "rb")
    except OSError as exc:
        raise ServiceUnavailable("storage_failed") from exc
    response = FileResponse(handle, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition(
        download_name(name, attachment.content_type)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=300" if public else "private, no-store"
    return response
