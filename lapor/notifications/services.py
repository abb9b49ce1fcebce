"""The notification centre (a staff member's own in-app notices) and the outbox admin
(failures and replay, for system administrators and national verifiers, audited)."""

from __future__ import annotations

from datetime import time

from django.db import transaction
from django.db.models import QuerySet

from lapor.audit.services import audit_record
from lapor.core import clock
from lapor.core.errors import PermissionDenied, ValidationFailed
from lapor.notifications.models import Notification, OutboxMessage, OutboxStatus, QuietHours
from lapor.notifications.outbox import wake_dispatcher
from lapor.orgs.actors import Actor
from lapor.orgs.models import NodeKind, OrgNode, Role
from lapor.orgs.permissions import can_edit_sop

REPLAY_MAX = 10_000


@transaction.atomic
def quiet_hours_set(*, actor: Actor, agency: OrgNode, start: time, end: time) -> QuietHours:
    """An agency's quiet hours for SMS/WhatsApp to reporters (its admins; audited)."""
    if agency.kind not in (NodeKind.AGENCY, NodeKind.ROOT):
        raise ValidationFailed("invalid_target", field="agency")
    if not can_edit_sop(actor, agency):
        raise PermissionDenied("permission_denied")
    for field, value in (("start", start), ("end", end)):
        if value.tzinfo is not None:  # local wall-clock times of the agency's zone only
            raise ValidationFailed("validation_error", field=field)
    start, end = start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)
    row, _ = QuietHours.objects.update_or_create(agency=agency,
                                                 defaults={"start": start, "end": end})
    audit_record(action="notifications.quiet_hours", actor=actor, target_type="orgnode",
                 target_id=agency.pk, payload={"start": start.isoformat(),
                                               "end": end.isoformat()})
    return row


def notifications_of(actor: Actor, *, unread: bool | None = None) -> QuerySet[Notification]:
    if actor.user is None:
        return Notification.objects.none()
    qs = Notification.objects.filter(user=actor.user)
    if unread is not None:
        qs = qs.filter(read_at__isnull=unread)
    return qs


@transaction.atomic
def notifications_mark_read(*, actor: Actor, ids: list[int] | None) -> int:
    """Mark the actor's own notifications read (all unread ones when ``ids`` is None). Ids
    of other people's notifications are ignored, as if they did not exist."""
    qs = notifications_of(actor, unread=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=clock.now())


def can_admin_outbox(actor: Actor) -> bool:
    """System administrators and national verifiers holding their role on the national root:
    the queue spans every agency."""
    return any(a.role in (Role.SYSADMIN, Role.NATIONAL_VERIFIER) and a.node_kind == NodeKind.ROOT
               for a in actor.assignments)


def outbox_require_admin(actor: Actor) -> None:
    if not can_admin_outbox(actor):
        raise PermissionDenied("permission_denied")


def outbox_messages(actor: Actor, *, status: str | None) -> QuerySet[OutboxMessage]:
    outbox_require_admin(actor)
    qs = OutboxMessage.objects.select_related("report")
    if status is not None:
        qs = qs.filter(status=status)
    return qs


@transaction.atomic
def outbox_replay(*, actor: Actor, ids: list[int] | None = None, all_dead: bool = False) -> int:
    """Put dead (or pending, stuck) rows back in the queue: due now, attempts from zero.

    Sent rows are never replayed (the consumers would deduplicate them anyway). Audited with
    the ids and the count; nothing about the recipients.
    """
    outbox_require_admin(actor)
    if (ids is None) == (not all_dead):
        raise ValidationFailed("validation_error", field="ids")
    qs = OutboxMessage.objects.exclude(status=OutboxStatus.SENT)
    qs = qs.filter(status=OutboxStatus.DEAD) if all_dead else qs.filter(pk__in=ids or [])
    picked = list(qs.order_by("id").values_list("pk", flat=True)[:REPLAY_MAX])
    count = OutboxMessage.objects.filter(pk__in=picked).update(
        status=OutboxStatus.PENDING, attempts=0, next_attempt_at=clock.now(),
        claimed_until=None, claimed_by="", last_error="",
    )
    audit_record(action="outbox.replay", actor=actor, target_type="outbox",
                 target_id="all_dead" if all_dead else ",".join(map(str, picked[:50])),
                 payload={"count": count, "all_dead": all_dead})
    if count:
        wake_dispatcher()
    return count
