"""Evidence of an activity: documents, photos and attendance lists (docs/renaksi.md "Evidence").

Every file passes the report attachments' checks (:mod:`lapor.attachments`): the per-file
size limit (413 ``attachment_too_large``), the type by its content only (415
``attachment_type_not_allowed``: JPEG, PNG, WebP, PDF; video is refused here because its
metadata cannot be stripped), parsing (422 ``attachment_unreadable``), metadata stripping
(images rebuilt from their pixels, PDFs without document information, XMP, JavaScript or
embedded files), and the virus scan when clamd is configured (422 ``attachment_infected``,
503 ``attachment_scan_unavailable``). Only the cleaned copy is stored, in its own storage
under the data directory (``RENAKSI_EVIDENCE_ROOT``, never a web root), under a random name;
the client's file name is display text only.

Only the plan's writers (the hub, :func:`lapor.renaksi.permissions.can_write_plan`) add and
delete; whoever sees the activity reads (:func:`lapor.renaksi.permissions.
activities_visible_to`: the plan's readers, a liaison officer for its own activities). The same
cleaned file added twice to one activity returns the first row (a retried upload); the
database's unique constraint (activity, SHA-256) backs that up. Additions and deletions are
audited; a file is written before its row commits and removed if the transaction fails, and a
deleted row's file goes after commit.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import IO

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import IntegrityError, transaction

from lapor.attachments import content, filetypes
from lapor.attachments.services import (
    clean_display_name,
    upload_discard,
    upload_scan,
    upload_store,
)
from lapor.audit.services import audit_record
from lapor.core import clock
from lapor.core.errors import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    ServiceUnavailable,
    UnsupportedMediaType,
    ValidationFailed,
)
from lapor.orgs.actors import Actor
from lapor.renaksi.models import Activity, Evidence, EvidenceKind
from lapor.renaksi.permissions import activities_visible_to, can_write_plan

# Files an activity may hold (an attendance list per session, a few photos, the report).
EVIDENCE_PER_ACTIVITY = 20
# Evidence is staff-only and must be stripped of metadata: no video.
ALLOWED_TYPES = (filetypes.JPEG, filetypes.PNG, filetypes.WEBP, filetypes.PDF)


def evidence_storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.RENAKSI_EVIDENCE_ROOT,
                             file_permissions_mode=0o640, directory_permissions_mode=0o750)


def _visible(actor: Actor, activity_id: int) -> Activity:
    """The activity if ``actor`` sees it, else 404 (never a 403 that confirms it exists)."""
    activity = (activities_visible_to(actor).filter(pk=activity_id)
                .select_related("plan__agency").first())
    if activity is None:
        raise NotFound("not_found")
    return activity


def _writable(actor: Actor, activity_id: int, *, lock: bool = False) -> Activity:
    activity = _visible(actor, activity_id)
    if lock:
        activity = (Activity.objects.select_for_update().select_related("plan__agency")
                    .get(pk=activity.pk))
    if not can_write_plan(actor, activity.plan.agency):
        raise PermissionDenied("permission_denied")
    return activity


def _room(activity: Activity) -> None:
    if Evidence.objects.filter(activity=activity).count() >= EVIDENCE_PER_ACTIVITY:
        raise Conflict("attachment_limit_reached", detail={"max_files": EVIDENCE_PER_ACTIVITY})


def evidence_add(*, actor: Actor, activity: Activity, data: bytes, filename: str,
                 kind: str) -> Evidence:
    """Check, clean, scan and store one file proving ``activity``; the new row, or the
    existing one when this activity already holds the same cleaned content.

    Refusals: 404 (activity not visible), 403 (a reader, not a writer), 422 ``kind``,
    409 ``attachment_limit_reached``, and the attachments' codes (module docstring). Nothing
    is stored on any refusal."""
    if len(data) > settings.LAPOR_ATTACHMENT_MAX_BYTES:
        raise PayloadTooLarge("attachment_too_large", field="file",
                              detail={"max_bytes": settings.LAPOR_ATTACHMENT_MAX_BYTES})
    activity = _writable(actor, activity.pk)
    if kind not in EvidenceKind.values:
        raise ValidationFailed("validation_error", field="kind")
    cleaned = content.check_and_clean(data)
    if cleaned.type not in ALLOWED_TYPES:
        raise UnsupportedMediaType("attachment_type_not_allowed", field="file")
    digest = hashlib.sha256(cleaned.data).hexdigest()
    again = Evidence.objects.filter(activity=activity, sha256=digest).first()
    if again is not None:
        return again
    _room(activity)
    # The file as sent is scanned (the cleaned copy of an image is pixels only).
    upload_scan(data)
    display = clean_display_name(filename, extension=cleaned.type.extension)
    storage = evidence_storage()
    stored: str | None = None
    try:
        with transaction.atomic():
            activity = _writable(actor, activity.pk, lock=True)
            again = Evidence.objects.filter(activity=activity, sha256=digest).first()
            if again is not None:  # the same file sent twice at once: the first one won
                return again
            _room(activity)
            stored = upload_store(
                storage, f"{activity.plan_id}/{uuid.uuid4().hex}{cleaned.type.extension}",
                cleaned.data)
            try:
                with transaction.atomic():
                    evidence = Evidence.objects.create(
                        activity=activity, kind=kind, stored_name=stored,
                        display_name=display, content_type=cleaned.type.content_type,
                        size=len(cleaned.data), sha256=digest, uploaded_by=actor.user,
                        created_at=clock.now())
            except IntegrityError:
                # Another upload of the same file committed first (where the lock above does
                # not serialise, SQLite): that row is the answer; this copy goes.
                first = Evidence.objects.filter(activity=activity, sha256=digest).first()
                if first is None:
                    raise
                upload_discard(storage, stored)
                stored = None
                return first
            # No file name in the audit entry (an attendance list's name may carry a person's).
            audit_record(action="renaksi.evidence_add", actor=actor,
                         target_type="renaksi_evidence", target_id=evidence.pk,
                         payload={"activity": activity.pk, "kind": kind,
                                  "content_type": evidence.content_type,
                                  "size": evidence.size, "sha256": digest})
    except BaseException:
        if stored is not None:
            upload_discard(storage, stored)
        raise
    return evidence


def evidence_open(actor: Actor, evidence_id: int) -> tuple[IO[bytes], str, str]:
    """The stored file (open for reading; the caller closes it), its content type and its
    display name, for whoever sees the activity; 404 otherwise."""
    evidence = Evidence.objects.filter(pk=evidence_id).first()
    if evidence is None:
        raise NotFound("not_found")
    _visible(actor, evidence.activity_id)
    try:
        handle = evidence_storage().open(evidence.stored_name, "rb")
    except FileNotFoundError as exc:
        raise NotFound("not_found") from exc
    except OSError as exc:  # the disk or the mount failed: a clean 503, as for attachments
        raise ServiceUnavailable("storage_failed") from exc
    return handle, evidence.content_type, evidence.display_name


def evidence_delete(*, actor: Actor, evidence_id: int) -> None:
    """Remove one evidence row (audited); its file goes once the deletion commits."""
    with transaction.atomic():
        evidence = Evidence.objects.select_for_update().filter(pk=evidence_id).first()
        if evidence is None:
            raise NotFound("not_found")
        activity = _writable(actor, evidence.activity_id)
        audit_record(action="renaksi.evidence_delete", actor=actor,
                     target_type="renaksi_evidence", target_id=evidence.pk,
                     payload={"activity": activity.pk, "kind": evidence.kind,
                              "sha256": evidence.sha256})
        name = evidence.stored_name
        evidence.delete()
        transaction.on_commit(lambda: upload_discard(evidence_storage(), name))


def evidence_files_discard(names: list[str]) -> None:
    """Remove the files of evidence rows already deleted (an activity's, after commit)."""
    storage = evidence_storage()
    for name in names:
        upload_discard(storage, name)
