"""The write paths for attachments: add (check, clean, scan, store, record) and publish.

``attachment_add`` checks everything it can before the slow part (who, report status, limits),
cleans and scans the file outside any transaction, then in one transaction locks the report,
checks again, writes the file through the storage API and creates the row.
``attachment_follow_up`` does the same for the photos of a follow-up, in the follow-up's own
transaction, and gives them the follow-up's visibility. In both, if anything in that
transaction fails, the file is removed; if storing fails, no row is written (503
``storage_failed``). So a failure never leaves a row without a file or a file without a row.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import Count, Sum

from lapor.attachments import content, scanning
from lapor.attachments import permissions as perms
from lapor.attachments.filetypes import MP4
from lapor.attachments.models import SERVABLE_SCAN_STATUSES, Attachment, ScanStatus, UploadedBy
from lapor.audit.services import audit_record
from lapor.core import clock
from lapor.core.errors import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    ServiceUnavailable,
    ValidationFailed,
)
from lapor.orgs.actors import Actor, ActorKind, Assignment
from lapor.privacy import vault
from lapor.reports.events import event_append
from lapor.reports.models import Report, ReportEvent, Visibility
from lapor.reports.permissions import can_read, is_reporter_of
from lapor.reports.services import report_follow_up
from lapor.reports.states import Action, EventKind

logger = logging.getLogger(__name__)

NAME_MAX = 120
STORAGE_ALIAS = "attachments"


def attachment_storage() -> Storage:
    return storages[STORAGE_ALIAS]


def clean_display_name(name: str, *, extension: str) -> str:
    """The client's file name as display text only: the last path part, no control or format
    characters (e.g. a right-to-left override hiding ``.exe``), at most ``NAME_MAX`` characters,
    keeping the detected ``extension``'s room. Never used to build a path."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] not in ("C", "Z") or ch == " ")
    name = " ".join(name.split()).strip(" .")
    if not name:
        name = f"lampiran{extension}"
    if len(name) > NAME_MAX:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 8:
            name = stem[: NAME_MAX - len(ext) - 1].rstrip(" .") + "." + ext
        else:
            name = name[:NAME_MAX]
    return name


@dataclass(frozen=True)
class _Uploader:
    side: str
    grant: Assignment | None


def _uploader(actor: Actor, report: Report) -> _Uploader:
    """Reporters add to their own report; staff need to be able to read it (else 404) and to
    write on it (else 403)."""
    if actor.kind == ActorKind.REPORTER:
        if not is_reporter_of(actor, report):
            raise NotFound("not_found")
        return _Uploader(UploadedBy.REPORTER, None)
    if actor.kind != ActorKind.STAFF or not can_read(actor, report):
        raise NotFound("not_found")
    grant = perms.staff_uploader_for(actor, report)
    if grant is None:
        raise PermissionDenied("permission_denied")
    return _Uploader(UploadedBy.STAFF, grant)


def _check_open(report: Report) -> None:
    """409 ``invalid_transition`` unless the report still takes files (open, not archived)."""
    if not perms.accepts_uploads(report):
        raise Conflict("invalid_transition",
                       detail={"status": report.status, "action": "attachment_add"})


def _check_report(report: Report, side: str, new_size: int) -> None:
    """Uploads while the report is open; limits per report and per side (reporter / staff), so
    a reporter cannot use up the room staff need for evidence, and the reverse."""
    _check_open(report)
    totals = Attachment.objects.filter(report=report, uploaded_by=side).aggregate(
        count=Count("id"), size=Sum("size")
    )
    if totals["count"] >= settings.LAPOR_ATTACHMENTS_PER_REPORT:
        raise Conflict("attachment_limit_reached",
                       detail={"max_files": settings.LAPOR_ATTACHMENTS_PER_REPORT})
    if (totals["size"] or 0) + new_size > settings.LAPOR_ATTACHMENT_REPORT_MAX_BYTES:
        raise Conflict("attachment_limit_reached",
                       detail={"max_bytes": settings.LAPOR_ATTACHMENT_REPORT_MAX_BYTES})


def _scan(data: bytes) -> ScanStatus:
    address = settings.LAPOR_CLAMAV_SOCKET
    if not address:
        return ScanStatus.NOT_SCANNED
    try:
        result = scanning.scan_bytes(data, address=address,
                                     timeout=settings.LAPOR_CLAMAV_TIMEOUT_SECONDS)
    except scanning.ScannerUnavailable as exc:
        # Nothing is stored unscanned when a scanner is configured: the client retries.
        logger.warning("clamd unavailable: %s", exc)
        raise ServiceUnavailable("attachment_scan_unavailable") from exc
    if not result.clean:
        logger.warning("upload refused by clamd: %s", result.signature)
        raise ValidationFailed("attachment_infected", field="file")
    return ScanStatus.CLEAN


def _discard(storage: Storage, name: str) -> None:
    try:
        storage.delete(name)
    except Exception:
        logger.exception("could not remove attachment file %s", name)


def _store(storage: Storage, name: str, data: bytes) -> str:
    try:
        saved = storage.save(name, ContentFile(data))
    except Exception as exc:
        # A disk-full or I/O error may leave a partial file under the generated name; object
        # storage that is down or refuses raises its client's errors.
        _discard(storage, name)
        logger.error("storing attachment failed: %s", exc)
        raise ServiceUnavailable("storage_failed") from exc
    return saved


# For files that belong to no report (lapor.renaksi evidence): the same scan and storage steps,
# with the same refusals (``attachment_infected``, ``attachment_scan_unavailable``,
# ``storage_failed``). The type, parse and metadata checks are
# :func:`lapor.attachments.content.check_and_clean`; the name is :func:`clean_display_name`.


def upload_scan(data: bytes) -> ScanStatus:
    """Scan the file as sent with clamd when one is configured (``NOT_SCANNED`` otherwise);
    422 ``attachment_infected``, 503 ``attachment_scan_unavailable``."""
    return _scan(data)


def upload_store(storage: Storage, name: str, data: bytes) -> str:
    """Write ``data`` under ``name`` (or the storage's free variant of it); 503
    ``storage_failed`` with nothing left behind."""
    return _store(storage, name, data)


def upload_discard(storage: Storage, name: str) -> None:
    """Remove a stored file, logging (never raising) when that fails."""
    _discard(storage, name)


def _lock(report_id: int) -> Report:
    locked = Report.objects.select_for_update().filter(pk=report_id).values_list("pk", flat=True)
    if not list(locked):
        raise NotFound("not_found")
    return Report.objects.select_related("tier", "current_node", "agency").get(pk=report_id)


def _same_file(report: Report, actor: Actor, side: str, digest: str) -> Attachment | None:
    """The attachment a retried upload gets back: the same cleaned content on this report,
    uploaded by the same uploader (the reporter side for the citizen's retries; for staff, the
    same user: another officer's same file is theirs, with its own event and credit). Never a
    row that may not be served (infected), nor one stored unscanned while a scanner is now
    configured: that upload is scanned and stored anew."""
    same = Attachment.objects.filter(report=report, uploaded_by=side, sha256=digest,
                                     followup__isnull=True,
                                     scan_status__in=SERVABLE_SCAN_STATUSES)
    if side == UploadedBy.STAFF:
        same = same.filter(uploader=actor.user) if actor.user is not None else same.none()
    if settings.LAPOR_CLAMAV_SOCKET:
        same = same.filter(scan_status=ScanStatus.CLEAN)
    return same.order_by("pk").first()


def attachment_add(*, actor: Actor, report_id: int, data: bytes, filename: str) -> Attachment:
    """Check, clean, scan and store one file for the report; returns the new row, or the
    existing one when this side already attached the same content (after cleaning) to this
    report: a retried upload never stores a second copy.

    Refusals: 404 (not your report), 403 (staff who only read), 409 (report closed/archived,
    limits reached), 413 (too large), 415 (type not allowed), 422 (unreadable, infected),
    503 (scanner unreachable, storage failed). Nothing is stored on any refusal.
    """
    if len(data) > settings.LAPOR_ATTACHMENT_MAX_BYTES:
        raise PayloadTooLarge("attachment_too_large", field="file",
                              detail={"max_bytes": settings.LAPOR_ATTACHMENT_MAX_BYTES})
    report = Report.objects.select_related("tier", "current_node", "agency").filter(
        pk=report_id).first()
    if report is None:
        raise NotFound("not_found")
    uploader = _uploader(actor, report)
    _check_open(report)

    cleaned = content.check_and_clean(data)
    digest = hashlib.sha256(cleaned.data).hexdigest()
    # A retried upload (the citizen app's queue lost the first answer) gets the file it
    # already sent back: same cleaned content, same report, same uploader. Checked before the
    # limits, so a retry of the last allowed file is not refused.
    again = _same_file(report, actor, uploader.side, digest)
    if again is not None:
        return again
    _check_report(report, uploader.side, len(cleaned.data))
    # The file as sent is scanned (the cleaned copy of an image is pixels only).
    scan_status = _scan(data)
    display = clean_display_name(filename, extension=cleaned.type.extension)
    storage = attachment_storage()
    name = f"{uuid.uuid4().hex}{cleaned.type.extension}"
    stored: str | None = None
    try:
        with transaction.atomic():
            report = _lock(report_id)
            uploader = _uploader(actor, report)
            again = _same_file(report, actor, uploader.side, digest)
            if again is not None:  # the same file, sent twice at once: the first one won
                return again
            _check_report(report, uploader.side, len(cleaned.data))
            stored = _store(storage, name, cleaned.data)
            attachment = Attachment.objects.create(
                report=report,
                uploaded_by=uploader.side,
                uploader=actor.user if uploader.side == UploadedBy.STAFF else None,
                stored_name=stored,
                original_name_encrypted=vault.encrypt(display),
                content_type=cleaned.type.content_type,
                size=len(cleaned.data),
                sha256=digest,
                created_at=clock.now(),
                scan_status=scan_status,
            )
            # Not a state change: the report's version stays, so staff editing it don't get
            # a spurious conflict. No file name in the event (it may carry personal data).
            event_append(
                report=report, kind=EventKind.ATTACHMENT_ADDED, actor=actor,
                assignment=uploader.grant,
                visibility=(Visibility.REPORTER if uploader.side == UploadedBy.REPORTER
                            else Visibility.INTERNAL),
                payload={"attachment_id": attachment.pk,
                         "content_type": attachment.content_type, "size": attachment.size},
            )
    except BaseException:
        if stored is not None:
            _discard(storage, stored)
        raise
    return attachment


@transaction.atomic
def attachment_publish(*, actor: Actor, report_id: int, attachment_id: int) -> Attachment:
    """Publish the checked copy (``is_public``) so the public may download it.

    Verifiers of the report's tier and handlers of its disposition only. Never for a
    confidential report; for an anonymous report only files whose metadata was stripped
    (images, PDF), never video. Every publication is audited. Publishing twice is a no-op.
    """
    report = _lock(report_id)
    if not can_read(actor, report):
        raise NotFound("not_found")
    attachment = (
        Attachment.objects.select_for_update()
        .filter(pk=attachment_id, report=report, scan_status__in=SERVABLE_SCAN_STATUSES)
        .first()
    )
    if attachment is None:
        raise NotFound("not_found")
    grant = perms.publisher_for(actor, report)
    if grant is None:
        raise PermissionDenied("permission_denied")
    if report.is_confidential:
        raise Conflict("attachment_not_publishable", detail={"reason": "confidential"})
    if report.is_anonymous and attachment.content_type == MP4.content_type:
        raise Conflict("attachment_not_publishable", detail={"reason": "anonymous_video"})
    if attachment.is_public:
        return attachment
    attachment.is_public = True
    attachment.published_at = clock.now()
    attachment.published_by = actor.user
    attachment.save(update_fields=["is_public", "published_at", "published_by"])
    payload = {"report_id": report.pk, "anonymous": report.is_anonymous,
               "content_type": attachment.content_type, "sha256": attachment.sha256}
    audit_record(action="attachment.publish", actor=actor, target_type="attachment",
                 target_id=attachment.pk, payload=payload)
    event_append(report=report, kind=EventKind.ATTACHMENT_PUBLISHED, actor=actor,
                 assignment=grant,
                 visibility=Visibility.INTERNAL, payload={"attachment_id": attachment.pk})
    return attachment


@dataclass(frozen=True)
class Upload:
    data: bytes
    filename: str


@dataclass(frozen=True)
class _Prepared:
    cleaned: content.CleanFile
    scan_status: ScanStatus
    display: str


def _publishable(report: Report, content_type: str) -> bool:
    """The rule of :func:`attachment_publish`: never a confidential report's file, never an
    anonymous report's video (its metadata cannot be stripped)."""
    return not report.is_confidential and not (
        report.is_anonymous and content_type == MP4.content_type)


def attachment_follow_up(
    *, actor: Actor, report_id: int, body: str, final: bool = False, public: bool = True,
    files: Sequence[Upload] = (), expected_version: int | None = None,
) -> Report:
    """Post a follow-up (:func:`lapor.reports.services.report_follow_up`) with its photos, in
    one transaction: both are stored or neither is.

    The photos take the follow-up's visibility (lapor.reports.visibility): with a public
    follow-up they are published, exactly as the "Publish" button does (audited); with a
    follow-up only for the reporter they are shown to the reporter and staff. A file that may
    never be public (a confidential report's, an anonymous report's video) goes to the
    reporter only. Every file passes the checks of :func:`attachment_add` first (type, size,
    limits, metadata stripping, scan); a refusal stores nothing, the follow-up included.
    """
    if not files:
        return report_follow_up(actor=actor, report_id=report_id, body=body, final=final,
                                public=public, expected_version=expected_version)
    for upload in files:
        if len(upload.data) > settings.LAPOR_ATTACHMENT_MAX_BYTES:
            raise PayloadTooLarge("attachment_too_large", field="file",
                                  detail={"max_bytes": settings.LAPOR_ATTACHMENT_MAX_BYTES})
    report = Report.objects.select_related("tier", "current_node", "agency").filter(
        pk=report_id).first()
    if report is None:
        raise NotFound("not_found")
    if actor.kind != ActorKind.STAFF:
        raise NotFound("not_found")
    _uploader(actor, report)
    _check_report(report, UploadedBy.STAFF, 1)
    prepared: list[_Prepared] = []
    for upload in files:
        cleaned = content.check_and_clean(upload.data)
        prepared.append(_Prepared(cleaned, _scan(upload.data), clean_display_name(
            upload.filename, extension=cleaned.type.extension)))
    storage = attachment_storage()
    stored: list[str] = []
    try:
        with transaction.atomic():
            report = report_follow_up(actor=actor, report_id=report_id, body=body, final=final,
                                      public=public, expected_version=expected_version)
            kind = Action.RESPOND if final else Action.FOLLOW_UP
            followup = ReportEvent.objects.filter(report=report, kind=kind).latest("id")
            uploader = _uploader(actor, report)
            # The follow-up moved the report on: uploads must still be open (a final one
            # leaves it "responded", which accepts them), and the room is checked under lock.
            _check_report(report, UploadedBy.STAFF, 1)
            _check_attachment_room(report, prepared)
            for item in prepared:
                stored.append(_store(storage, f"{uuid.uuid4().hex}{item.cleaned.type.extension}",
                                     item.cleaned.data))
                _followup_row(report, actor, uploader.grant, followup=followup, item=item,
                              stored=stored[-1], publish=public)
    except BaseException:
        for name in stored:
            _discard(storage, name)
        raise
    return report


def _check_attachment_room(report: Report, prepared: Sequence[_Prepared]) -> None:
    totals = Attachment.objects.filter(report=report, uploaded_by=UploadedBy.STAFF).aggregate(
        count=Count("id"), size=Sum("size"))
    if totals["count"] + len(prepared) > settings.LAPOR_ATTACHMENTS_PER_REPORT:
        raise Conflict("attachment_limit_reached",
                       detail={"max_files": settings.LAPOR_ATTACHMENTS_PER_REPORT})
    size = (totals["size"] or 0) + sum(len(p.cleaned.data) for p in prepared)
    if size > settings.LAPOR_ATTACHMENT_REPORT_MAX_BYTES:
        raise Conflict("attachment_limit_reached",
                       detail={"max_bytes": settings.LAPOR_ATTACHMENT_REPORT_MAX_BYTES})


def _followup_row(report: Report, actor: Actor, grant: Assignment | None, *,
                  followup: ReportEvent, item: _Prepared, stored: str,
                  publish: bool) -> Attachment:
    """One photo of a follow-up; the caller holds the report's lock."""
    now = clock.now()
    public = publish and _publishable(report, item.cleaned.type.content_type)
    attachment = Attachment.objects.create(
        report=report, uploaded_by=UploadedBy.STAFF, uploader=actor.user, stored_name=stored,
        original_name_encrypted=vault.encrypt(item.display),
        content_type=item.cleaned.type.content_type,
        size=len(item.cleaned.data), sha256=hashlib.sha256(item.cleaned.data).hexdigest(),
        created_at=now, scan_status=item.scan_status, followup=followup,
        for_reporter=not public,
        is_public=public and item.scan_status in SERVABLE_SCAN_STATUSES,
        published_at=now if public else None, published_by=actor.user if public else None,
    )
    event_append(
        report=report, kind=EventKind.ATTACHMENT_ADDED, actor=actor, assignment=grant,
        visibility=Visibility.PUBLIC if attachment.is_public else Visibility.REPORTER,
        payload={"attachment_id": attachment.pk, "content_type": attachment.content_type,
                 "size": attachment.size, "followup_event_id": followup.pk},
    )
    if attachment.is_public:
        audit_record(action="attachment.publish", actor=actor, target_type="attachment",
                     target_id=attachment.pk,
                     payload={"report_id": report.pk, "anonymous": report.is_anonymous,
                              "content_type": attachment.content_type,
                              "sha256": attachment.sha256, "with_followup": followup.pk})
    return attachment
