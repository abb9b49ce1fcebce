"""Reads over attachments, each starting from who may see the report (habit 5).

Only files whose scan allows serving (clean, or not scanned because no scanner is configured)
are ever listed or served.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from lapor.attachments.models import SERVABLE_SCAN_STATUSES, Attachment, UploadedBy
from lapor.core.errors import NotFound
from lapor.orgs.actors import Actor
from lapor.reports import selectors as report_selectors
from lapor.reports.models import Report


def _servable() -> QuerySet[Attachment]:
    return Attachment.objects.filter(scan_status__in=SERVABLE_SCAN_STATUSES)


def attachments_for_staff(actor: Actor, report_id: int) -> tuple[Report, list[Attachment]]:
    """Every servable attachment of a report the staff actor may read (else 404)."""
    report = report_selectors.report_for_staff(actor, report_id)
    return report, list(_servable().filter(report=report))


def attachment_for_staff(actor: Actor, report_id: int, attachment_id: int) -> tuple[
    Report, Attachment
]:
    report = report_selectors.report_for_staff(actor, report_id)
    attachment = _servable().filter(report=report, pk=attachment_id).first()
    if attachment is None:
        raise NotFound("not_found")
    return report, attachment


def _reporter_scope(report: Report) -> QuerySet[Attachment]:
    # The reporter sees what they sent, what staff published and the photos of follow-ups
    # meant for them; internal staff files stay internal.
    return _servable().filter(report=report).filter(
        Q(uploaded_by=UploadedBy.REPORTER) | Q(is_public=True) | Q(for_reporter=True)
    )


def attachments_for_reporter(report: Report) -> list[Attachment]:
    """The caller has proven to be the report's reporter."""
    return list(_reporter_scope(report))


def attachment_for_reporter(report: Report, attachment_id: int) -> Attachment:
    attachment = _reporter_scope(report).filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("not_found")
    return attachment


def _public_scope() -> QuerySet[Attachment]:
    return _servable().filter(is_public=True, report__is_confidential=False)


def attachments_public(report: Report) -> list[Attachment]:
    if report.is_confidential:
        return []
    return list(_public_scope().filter(report=report))


def attachment_public(attachment_id: int) -> Attachment:
    """A published attachment of a report that is not confidential (else 404)."""
    attachment = _public_scope().filter(pk=attachment_id).first()
    if attachment is None:
        raise NotFound("not_found")
    return attachment
