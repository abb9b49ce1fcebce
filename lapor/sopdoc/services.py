"""Writes of SOP versions: refresh the draft after a settings change, approve a draft.

Who approves (docs/sop-document.md): an official of the agency, i.e. a hub verifier (admin
koordinator) or a supervisor (pimpinan) whose role covers the agency; for the national root, a
national verifier. System administrators configure but do not sign: they cannot approve.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import transaction
from django.utils import timezone as dj_timezone

from lapor.audit.services import audit_record
from lapor.core import clock
from lapor.core.errors import PermissionDenied, ValidationFailed
from lapor.orgs.actors import Actor
from lapor.orgs.models import NodeKind, OrgNode, Role
from lapor.orgs.permissions import can_edit_sop
from lapor.orgs.selectors import node_agency_or_root
from lapor.sopdoc.document import sop_document
from lapor.sopdoc.models import SopStatus, SopVersion
from lapor.sopdoc.render import sop_pdf  # WeasyPrint itself loads only when a PDF is made
from lapor.workdays.calendar import TIMEZONES


def sop_storage() -> FileSystemStorage:
    return FileSystemStorage(location=settings.SOP_STORAGE_ROOT, file_permissions_mode=0o640,
                             directory_permissions_mode=0o750)


def content_hash(content: dict[str, object]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def sop_draft_refresh(*, node: OrgNode) -> SopVersion | None:
    """Snapshot the SOP document of ``node``'s agency; a new draft only when the content differs
    from the latest version (None when nothing changed). Runs at the end of every
    SOP-relevant write in :mod:`lapor.orgs.services`, inside its transaction, through the
    ``lapor.orgs.signals.sop_changed`` signal (:func:`sop_changed_received`)."""
    agency = node_agency_or_root(node)
    if agency.kind not in (NodeKind.AGENCY, NodeKind.ROOT):
        return None
    # Serialise concurrent refreshes of one agency on its node row.
    OrgNode.objects.select_for_update().filter(pk=agency.pk).first()
    content = sop_document(agency).as_json()
    digest = content_hash(content)
    latest = SopVersion.objects.filter(agency=agency).order_by("-created_at", "-id").first()
    if latest is not None and latest.content_sha256 == digest:
        return None
    version = SopVersion.objects.create(
        agency=agency, content=content, content_sha256=digest, created_at=clock.now(),
        local_regulations=latest.local_regulations if latest is not None else [])
    audit_record(action="sop.draft", target_type="sopversion", target_id=version.pk,
                 payload={"agency": agency.pk, "content_sha256": digest})
    return version


def sop_changed_received(sender: object, *, node: OrgNode, **kwargs: object) -> None:
    """The receiver of ``lapor.orgs.signals.sop_changed`` (connected by ``SopdocConfig.ready``):
    lapor.orgs announces the change, and the SOP document's app refreshes its draft."""
    sop_draft_refresh(node=node)


def can_approve_sop(actor: Actor, agency: OrgNode) -> bool:
    if agency.kind == NodeKind.ROOT:
        return actor.covering(agency, (Role.NATIONAL_VERIFIER,)) is not None
    return actor.covering(agency, (Role.HUB_VERIFIER, Role.SUPERVISOR)) is not None


def _number(agency: OrgNode, year: int) -> str:
    prefix = f"SOP-{agency.code.upper()}-{year}-"
    taken = SopVersion.objects.filter(agency=agency, number__startswith=prefix).count()
    return f"{prefix}{taken + 1:03d}"


@transaction.atomic
def sop_version_approve(*, actor: Actor, version: SopVersion, approver_name: str,
                        approver_position: str, effective_date: date) -> SopVersion:
    """Approve the agency's latest draft: number it, render and store its PDF with the PDF's
    SHA-256, audit. Older approved versions keep their PDFs.

    Check: :func:`can_approve_sop` (else 403); the version is the agency's latest and a draft
    (else ``sop_not_latest_draft``); name and position given."""
    locked = SopVersion.objects.select_for_update().select_related("agency").get(pk=version.pk)
    agency = locked.agency
    if not can_approve_sop(actor, agency):
        raise PermissionDenied("permission_denied")
    latest = SopVersion.objects.filter(agency=agency).order_by("-created_at", "-id").first()
    if locked.status != SopStatus.DRAFT or latest is None or latest.pk != locked.pk:
        raise ValidationFailed("sop_not_latest_draft", field="version")
    if not approver_name.strip():
        raise ValidationFailed("validation_error", field="approver_name")
    if not approver_position.strip():
        raise ValidationFailed("validation_error", field="approver_position")
    now = clock.now()
    zone = ZoneInfo(TIMEZONES[locked.content["identity"]["timezone"]])
    local_year = dj_timezone.localtime(now, zone).year
    locked.number = _number(agency, local_year)
    locked.status = SopStatus.APPROVED
    locked.approved_at = now
    locked.approved_by = actor.user
    locked.approver_name = approver_name.strip()
    locked.approver_position = approver_position.strip()
    locked.effective_date = effective_date
    pdf = sop_pdf(locked)
    locked.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    locked.pdf = sop_storage().save(f"{agency.code}/{locked.number}.pdf", ContentFile(pdf))
    locked.save(update_fields=["number", "status", "approved_at", "approved_by",
                               "approver_name", "approver_position", "effective_date", "pdf",
                               "pdf_sha256"])
    audit_record(action="sop.approve", actor=actor, target_type="sopversion",
                 target_id=locked.pk, payload={
                     "number": locked.number, "content_sha256": locked.content_sha256,
                     "pdf_sha256": locked.pdf_sha256, "effective_date": effective_date})
    return locked


@transaction.atomic
def sop_local_regulations_set(*, actor: Actor, agency: OrgNode,
                              regulations: list[str]) -> SopVersion:
    """Set the local regulations of the agency's draft (a new draft when the latest version is
    approved). Check: :func:`can_approve_sop` or the agency's SOP editors."""
    if not (can_edit_sop(actor, agency) or can_approve_sop(actor, agency)):
        raise PermissionDenied("permission_denied")
    cleaned = [r.strip()[:300] for r in regulations if r.strip()][:20]
    latest = SopVersion.objects.select_for_update().filter(agency=agency).order_by(
        "-created_at", "-id").first()
    if latest is None or latest.status != SopStatus.DRAFT:
        content = sop_document(agency).as_json()
        latest = SopVersion.objects.create(agency=agency, content=content,
                                           content_sha256=content_hash(content),
                                           created_at=clock.now(), local_regulations=cleaned)
    else:
        latest.local_regulations = cleaned
        latest.save(update_fields=["local_regulations"])
    audit_record(action="sop.local_regulations", actor=actor, target_type="sopversion",
                 target_id=latest.pk, payload={"count": len(cleaned)})
    return latest
