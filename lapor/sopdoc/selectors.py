"""Reads of SOP versions."""

from __future__ import annotations

from django.db.models import QuerySet

from lapor.orgs.models import OrgNode
from lapor.sopdoc.models import SopStatus, SopVersion


def sop_versions(agency: OrgNode) -> QuerySet[SopVersion]:
    return SopVersion.objects.filter(agency=agency).select_related("approved_by")


def sop_latest(agency: OrgNode) -> SopVersion | None:
    return sop_versions(agency).order_by("-created_at", "-id").first()


def sop_draft(agency: OrgNode) -> SopVersion | None:
    latest = sop_latest(agency)
    return latest if latest is not None and latest.status == SopStatus.DRAFT else None


def sop_current(agency: OrgNode) -> SopVersion | None:
    """The approved version in force: the latest approved one (by approval time)."""
    return (sop_versions(agency).filter(status=SopStatus.APPROVED)
            .order_by("-approved_at", "-id").first())
