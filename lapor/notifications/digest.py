"""The daily digest: one message per officer per day listing what is due soon and overdue.

Officers are those who work on reports (``lapor.orgs.actors``: liaisons, unit officers and hub
verifiers for reports held in their subtree; hub and national verifiers for reports waiting for
verification in their tier; which reports wait for whom is
``lapor.reports.permissions.work_waiting_for``). Written once a day (scheduler day slot, 00:00
UTC = 07:00 WIB / 08:00 WITA / 09:00 WIT), only on the officer's working days (their agency's
calendar: weekends, national holidays, cuti bersama, its own days off), delivered in office
hours (from 08:00 in the officer's zone, lapor.notifications.office); the delivery key
``digest:<local date>:u<user>:<channel>`` makes a second run the same day a no-op.

"Overdue" and "due" (due today or due soon) are the words of :mod:`lapor.workdays.due`, read on
the officer's agency calendar: the same reports the officer's inbox tabs show.
"""

from __future__ import annotations

import functools
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from lapor.accounts.models import User
from lapor.core import clock
from lapor.notifications.office import StaffCalendars, office_hours_at
from lapor.notifications.outbox import outbox_add, staff_messages, wake_dispatcher
from lapor.notifications.report_events import due_text
from lapor.orgs.actors import HANDLER_ROLES, VERIFIER_ROLES, staff_actor
from lapor.orgs.models import RoleAssignment
from lapor.orgs.selectors import node_agency_or_root
from lapor.reports.models import Report
from lapor.reports.permissions import work_waiting_for
from lapor.reports.zones import report_zones
from lapor.workdays.due import DUE_ORDER, Due, due_bounds

DIGEST_ITEMS = 20


def _scope(assignments: list[RoleAssignment]) -> Q:
    return work_waiting_for(staff_actor(assignments[0].user, assignments))


def _at(moment: datetime, _user: User) -> datetime:
    return moment


def send_digests() -> int:
    """Write today's digest rows; returns how many officers get one."""
    now = clock.now()
    calendars = StaffCalendars(now)
    by_user: dict[int, list[RoleAssignment]] = {}
    for a in (RoleAssignment.objects.filter(role__in=(*HANDLER_ROLES, *VERIFIER_ROLES),
                                            user__is_active=True, node__is_active=True)
              .select_related("user", "node", "node__agency").order_by("id")):
        by_user.setdefault(a.user_id, []).append(a)
    sent = 0
    for assignments in by_user.values():
        user = assignments[0].user
        # The officer's first of these roles gives their agency, calendar and zone.
        calendar = calendars.for_agency(node_agency_or_root(assignments[0].node))
        today = now.astimezone(calendar.tz).date()
        if not calendar.is_working_day(today):
            continue
        bounds = due_bounds(calendar, now)
        reports = list(Report.objects.filter(_scope(assignments), **bounds.lookups(DUE_ORDER))
                       .select_related("current_node").order_by("staff_due_at", "id"))
        if not reports:
            continue
        overdue = [r for r in reports if bounds.classify(r.staff_due_at) == Due.OVERDUE]
        zones = report_zones(reports[:DIGEST_ITEMS])
        lines = [
            f"- #{r.tracking_number} {r.title} — {due_text(r, r.staff_due_at, zones[r.pk])}"
            + (" (TERLAMBAT / OVERDUE)" if r in overdue else "")
            for r in reports[:DIGEST_ITEMS]
        ]
        if len(reports) > DIGEST_ITEMS:
            lines.append(f"… +{len(reports) - DIGEST_ITEMS}")
        context = {"officer": user.display_name or user.username, "date": today.isoformat(),
                   "due_count": len(reports) - len(overdue), "overdue_count": len(overdue),
                   "items": "\n".join(lines)}
        deliver = office_hours_at(calendar, now)
        with transaction.atomic():
            sent += bool(outbox_add(
                staff_messages(cause=f"digest:{today.isoformat()}", event="staff.digest",
                               users=[user], agency=None, context=context, email_only=True,
                               deliver_at=functools.partial(_at, deliver)),
                ignore_conflicts=True, wake=False))
    if sent:
        wake_dispatcher()
    return sent
