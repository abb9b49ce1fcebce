"""Who may add, publish and read attachments (ARCHITECTURE habit 5).

Reading a report's attachments follows reading the report: staff through
:func:`lapor.reports.permissions.reports_visible_to` (another agency's report is a 404), the
reporter through :func:`lapor.reports.permissions.is_reporter_of`.
"""

from __future__ import annotations

from lapor.orgs.actors import Actor, Assignment
from lapor.reports import permissions as report_permissions
from lapor.reports.models import Report
from lapor.reports.states import OPEN_STATUSES


def staff_uploader_for(actor: Actor, report: Report) -> Assignment | None:
    """Staff who may write on the report (verifiers and handlers) may attach files; supervisors
    and auditors only read."""
    return report_permissions.note_writer_for(actor, report)


def publisher_for(actor: Actor, report: Report) -> Assignment | None:
    """A verifier of the report's tier or a handler of its active disposition."""
    return report_permissions.verifier_for(actor, report) or report_permissions.handler_for(
        actor, report
    )


def accepts_uploads(report: Report) -> bool:
    """Files may be added while the report is open: not once it is archived or closed (a
    reopened or unarchived report accepts them again)."""
    return report.status in OPEN_STATUSES
