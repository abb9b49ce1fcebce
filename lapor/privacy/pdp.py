"""UU PDP (Law 27/2022): the reporter's own-data export and the retention sweep.

* :func:`data_export` builds what a data subject may download about themselves: their identity
  as stored (read through :func:`lapor.privacy.identity.identity_read`, so the export itself is
  in the processing record), their reports, the events and attachments a reporter may see, the
  processing records of their identity and their supports. Other people appear only as a role
  and an organisation unit; internal notes never appear.
* :func:`retention_sweep` anonymises (default) or purges reports closed longer ago than their
  type's retention period (settings ``LAPOR_RETENTION_*``), one report per transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from lapor.accounts.models import User
from lapor.attachments.models import Attachment, UploadedBy
from lapor.attachments.presenters import original_name as attachment_name
from lapor.attachments.selectors import attachments_for_reporter
from lapor.attachments.services import attachment_storage
from lapor.audit.services import audit_record
from lapor.core import clock
from lapor.notifications.models import PushSubscription
from lapor.orgs.actors import SYSTEM, Actor, ActorKind
from lapor.orgs.models import OrgNode
from lapor.privacy.identity import identity_read
from lapor.privacy.models import IdentityAccess, Purpose, RetentionAction, RetentionRecord
from lapor.reports.models import (
    Disposition,
    Report,
    ReporterContact,
    ReportEvent,
    ReportType,
    Support,
    Visibility,
)
from lapor.reports.permissions import reports_of_reporter
from lapor.reports.selectors import REPORTER_VISIBILITIES
from lapor.reports.visibility import text_visible_to

logger = logging.getLogger(__name__)

EXPORT_FORMAT = "lapor.pdp-export/1"
# Events the reporter wrote (provide_info, reporter_message, reopen, accept) carry this
# ``actor_role`` (lapor.reports.events.event_append); their bodies are cleared on anonymising.
REPORTER_ROLE = "reporter"
ANONYMISED_TITLE = "(dianonimkan)"


# ---------------------------------------------------------------- export


def _unit(node: OrgNode | None) -> dict[str, str] | None:
    return {"code": node.code, "name": node.name} if node is not None else None


def _identity(actor: Actor, report: Report) -> dict[str, str] | None:
    identity = identity_read(actor=actor, report=report, purpose=Purpose.DATA_SUBJECT_ACCESS)
    if identity is None:
        return None
    return {"name": identity.name, "email": identity.email, "phone": identity.phone,
            "nik": identity.nik}


def _events(report: Report) -> list[dict[str, Any]]:
    rows = (ReportEvent.objects.filter(report=report, visibility__in=REPORTER_VISIBILITIES)
            .select_related("actor_node").order_by("created_at", "id"))
    # Staff appear as their role and unit only: the ``actor`` user is never read.
    return [
        {"kind": e.kind, "created_at": e.created_at, "from_status": e.from_status,
         "to_status": e.to_status, "visibility": e.visibility, "actor_role": e.actor_role,
         "actor_unit": _unit(e.actor_node),
         "body": e.body if text_visible_to(e.kind, e.visibility, Visibility.REPORTER) else "",
         "payload": e.payload}
        for e in rows
    ]


def _attachments(report: Report) -> list[dict[str, Any]]:
    return [
        {"name": attachment_name(a) if a.uploaded_by == UploadedBy.REPORTER else "",
         "content_type": a.content_type, "size": a.size, "sha256": a.sha256,
         "uploaded_by": a.uploaded_by, "created_at": a.created_at, "is_public": a.is_public}
        for a in attachments_for_reporter(report)
    ]


def _processing_records(report: Report) -> list[dict[str, Any]]:
    rows = (IdentityAccess.objects.filter(report=report).select_related("actor_node")
            .order_by("created_at", "id"))
    # Who read it: the kind, role and unit; never the user, never a reveal's written reason.
    return [
        {"created_at": r.created_at, "actor_kind": r.actor_kind, "actor_role": r.actor_role,
         "actor_unit": _unit(r.actor_node), "purpose": r.purpose}
        for r in rows
    ]


def _report(actor: Actor, report: Report) -> dict[str, Any]:
    return {
        "tracking_number": report.tracking_number,
        "type": report.type,
        "title": report.title,
        "body": report.body,
        "incident_date": report.incident_date,
        "region": {"code": report.region.code, "name": report.region.name},
        "address": report.address,
        "latitude": report.latitude,
        "longitude": report.longitude,
        "category": report.category.code if report.category is not None else None,
        "target_agency": _unit(report.target_agency),
        "agency": _unit(report.agency),
        "channel": report.channel,
        "is_anonymous": report.is_anonymous,
        "is_confidential": report.is_confidential,
        "status": report.status,
        "submitted_at": report.submitted_at,
        "verified_at": report.verified_at,
        "responded_at": report.responded_at,
        "closed_at": report.closed_at,
        "rating": report.rating,
        "archive_reason": report.archive_reason,
        "support_count": report.support_count,
        "identity": _identity(actor, report),
        "timeline": _events(report),
        "attachments": _attachments(report),
        "processing_records": _processing_records(report),
        # How updates reach them: SMS to their phone (opt-in), browsers subscribed to pushes.
        "phone_updates": report.phone_updates,
        "push_subscriptions": [
            {"created_at": at} for at in PushSubscription.objects.filter(report=report)
            .order_by("created_at").values_list("created_at", flat=True)],
    }


def _supports(supporter_key: str) -> list[dict[str, Any]]:
    if not supporter_key:
        return []
    rows = (Support.objects.filter(supporter_key=supporter_key).select_related("report")
            .order_by("created_at", "id"))
    return [{"tracking_number": s.report.tracking_number, "created_at": s.created_at}
            for s in rows]


def _account(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"username": user.username, "display_name": user.display_name, "email": user.email,
            "phone": user.phone, "date_joined": user.date_joined}


def data_export(
    *, actor: Actor, reports: Iterable[Report] | None = None, supporter_key: str = ""
) -> dict[str, Any]:
    """Everything Lapor holds about the reporter ``actor``, others' data redacted.

    ``reports`` defaults to all the reporter's own reports (``reports_of_reporter``); the
    caller has proven the actor (access code or account). Audited as ``pdp.export`` without
    personal data."""
    if actor.kind != ActorKind.REPORTER:
        chosen: list[Report] = []
    else:
        own = reports_of_reporter(actor).select_related(
            "region", "category", "target_agency", "agency")
        if reports is not None:
            own = own.filter(pk__in=[r.pk for r in reports])
        chosen = list(own.order_by("submitted_at", "id"))
    exported = [_report(actor, report) for report in chosen]
    audit_record(
        action="pdp.export", actor=actor,
        target_type="report" if actor.report_id is not None else "user",
        target_id=actor.report_id or (actor.user.pk if actor.user is not None else ""),
        payload={"reports": len(exported)},
    )
    return {
        "format": EXPORT_FORMAT,
        "generated_at": clock.now(),
        "account": _account(actor.user),
        "reports": exported,
        "supports": _supports(supporter_key),
        "redaction": ("Officers appear as role and organisation unit only; internal notes, "
                      "other reporters and reveal reasons are not included."),
    }


# ---------------------------------------------------------------- retention


def retention_days() -> dict[str, int]:
    return {
        ReportType.COMPLAINT: settings.LAPOR_RETENTION_DAYS_COMPLAINT,
        ReportType.ASPIRATION: settings.LAPOR_RETENTION_DAYS_ASPIRATION,
        ReportType.INFORMATION_REQUEST: settings.LAPOR_RETENTION_DAYS_INFORMATION_REQUEST,
    }


@dataclass(frozen=True)
class RetentionCounts:
    mode: str
    due: int
    anonymised: int
    purged: int
    files_deleted: int
    dry_run: bool

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "due": self.due, "anonymised": self.anonymised,
                "purged": self.purged, "files_deleted": self.files_deleted,
                "dry_run": self.dry_run}


def retention_due(*, now: datetime | None = None) -> Q:
    """Reports closed or archived longer ago than their type's period and not yet handled."""
    moment = now or clock.now()
    condition = Q()
    for report_type, days in retention_days().items():
        condition |= Q(type=report_type, closed_at__lt=moment - timedelta(days=days))
    return condition & Q(closed_at__isnull=False, retention__isnull=True)


def _unusable_access_code_hash() -> str:
    # An HMAC of random bytes under a random key: no access code hashes to it.
    return hmac.new(secrets.token_bytes(32), secrets.token_bytes(32), hashlib.sha256).hexdigest()


def _delete_files(names: list[str]) -> None:
    storage = attachment_storage()
    for name in names:
        try:
            storage.delete(name)
        except OSError:
            logger.exception("retention: could not remove attachment file %s", name)


def _lock_due(report_id: int, now: datetime) -> Report | None:
    # ``of=self``: the due check joins RetentionRecord (outer join, not lockable).
    return (Report.objects.select_for_update(of=("self",))
            .filter(retention_due(now=now), pk=report_id).first())


def _anonymise(report_id: int, now: datetime) -> int | None:
    """Erase the reporter from one report; keep what statistics need. Returns the number of
    files removed, or ``None`` if the report was no longer due (another worker got it)."""
    with transaction.atomic():
        report = _lock_due(report_id, now)
        if report is None:
            return None
        ReporterContact.objects.filter(report=report).delete()
        # Browsers subscribed to its updates (Web Push) go with the contact row.
        PushSubscription.objects.filter(report=report).delete()
        ReportEvent.objects.filter(report=report, actor_role=REPORTER_ROLE).update(body="")
        # Reporter uploads can identify them (faces, places, documents): files and rows go.
        uploads = Attachment.objects.filter(report=report, uploaded_by=UploadedBy.REPORTER)
        names = list(uploads.values_list("stored_name", flat=True))
        uploads.delete()
        Report.objects.filter(pk=report.pk).update(
            reporter_user=None, access_code_hash=_unusable_access_code_hash(),
            title=ANONYMISED_TITLE, body="", address="", latitude=None, longitude=None,
            updated_at=now,
        )
        RetentionRecord.objects.create(report=report, report_type=report.type,
                                       action=RetentionAction.ANONYMISED,
                                       closed_at=report.closed_at or now, done_at=now)
        transaction.on_commit(lambda: _delete_files(names))
    return len(names)


def _purge(report_id: int, now: datetime) -> int | None:
    """Delete one report with its rows; its files go after commit. Keeps a tombstone."""
    with transaction.atomic():
        report = _lock_due(report_id, now)
        if report is None:
            return None
        names = list(Attachment.objects.filter(report=report)
                     .values_list("stored_name", flat=True))
        # PROTECT links inside and onto the report would block the cascade.
        Disposition.objects.filter(report=report).update(parent=None)
        Report.objects.filter(duplicate_of=report).update(duplicate_of=None)
        RetentionRecord.objects.create(report=None, report_type=report.type,
                                       action=RetentionAction.PURGED,
                                       closed_at=report.closed_at or now, done_at=now)
        report.delete()
        transaction.on_commit(lambda: _delete_files(names))
    return len(names)


def retention_sweep(
    *, now: datetime | None = None, limit: int = 500, dry_run: bool = False,
    mode: str | None = None,
) -> RetentionCounts:
    """Anonymise or purge up to ``limit`` reports past their retention period.

    Idempotent: an anonymised report has a :class:`RetentionRecord` and is never due again; a
    purged one is gone. Each report is its own transaction, so a failure leaves the others
    done. Audited as ``pdp.retention`` with counts only."""
    moment = now or clock.now()
    chosen_mode = mode or settings.LAPOR_RETENTION_MODE
    if chosen_mode not in ("anonymise", "purge"):
        raise ValueError(f"unknown retention mode {chosen_mode!r}")
    ids = list(Report.objects.filter(retention_due(now=moment)).order_by("closed_at", "id")
               .values_list("pk", flat=True)[:limit])
    anonymised = purged = files = 0
    if not dry_run:
        for report_id in ids:
            if chosen_mode == "purge":
                removed = _purge(report_id, moment)
                purged += removed is not None
            else:
                removed = _anonymise(report_id, moment)
                anonymised += removed is not None
            files += removed or 0
    counts = RetentionCounts(mode=chosen_mode, due=len(ids), anonymised=anonymised,
                             purged=purged, files_deleted=files, dry_run=dry_run)
    if ids and not dry_run:
        audit_record(action="pdp.retention", actor=SYSTEM, target_type="report",
                     payload=counts.as_dict())
    return counts
