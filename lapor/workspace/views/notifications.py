"""The in-app notification centre: what the outbox delivered to this staff member
(lapor.notifications; reminders, overdue notices, escalations, new dispositions, digests)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from lapor.core.pagination import keyset_page
from lapor.notifications.services import notifications_mark_read, notifications_of
from lapor.reports.zones import report_zones
from lapor.workspace.access import StaffRequest, staff_required

PAGE_SIZE = 30


@require_GET
@staff_required
def notification_list(request: StaffRequest) -> HttpResponse:
    unread_only = request.GET.get("belum") == "1"
    qs = notifications_of(request.actor, unread=True if unread_only else None).select_related(
        "report")
    page = keyset_page(qs, field="created_at", cursor=request.GET.get("cursor") or None,
                       limit=PAGE_SIZE)
    # A notice about a report carries the report's time zone, as every time about it does.
    zones = report_zones([n.report for n in page.items if n.report is not None])
    for n in page.items:
        n.time_zone = zones.get(n.report_id) if n.report_id else None
    return render(request, "workspace/notifications.html", {
        "items": page.items, "next_cursor": page.next_cursor, "unread_only": unread_only,
        "nav": "notifications",
    })


@require_POST
@staff_required
def notification_read(request: StaffRequest) -> HttpResponse:
    """Mark one notification (``id``) or all of them read; other people's ids are ignored."""
    raw = request.POST.get("id", "")
    ids = [int(raw)] if raw.isdigit() else None
    count = notifications_mark_read(actor=request.actor, ids=ids)
    if ids is None:
        messages.success(request, _("%(n)d notifications marked as read.") % {"n": count})
    return redirect("workspace:notifications")
