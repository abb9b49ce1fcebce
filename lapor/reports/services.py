"""Every lifecycle transition after submission, one function each (DOMAIN.md "Lifecycle").

Each service: checks its input, opens one transaction, locks the report row, checks the move
against :mod:`lapor.reports.states` and the actor against :mod:`lapor.reports.permissions`,
writes the new state with its deadlines, and appends the event. Two staff acting at once: the
second waits for the lock, then finds the status changed and gets a 409.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F

from lapor.audit.services import audit_record
from lapor.core import clock
from lapor.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from lapor.core.text import clean_text
from lapor.notifications.report_events import notify_report_event
from lapor.orgs.actors import SYSTEM, Actor, Assignment
from lapor.orgs.models import NodeKind, OrgNode
from lapor.orgs.selectors import node_agency_or_root, report_receiver_above
from lapor.reports import permissions as perms
from lapor.reports import replication, states
from lapor.reports.deadlines import (
    DEFAULT_RESOLUTION_DAYS,
    clock_for,
    disposition_deadlines,
    hold_deadline,
    reply_deadline,
    report_staff_due_at,
    resolution_days_for,
    resolution_deadline,
    verify_deadline,
)
from lapor.reports.events import event_append
from lapor.reports.models import (
    Disposition,
    DispositionState,
    Report,
    ReportFollow,
    Support,
    Visibility,
)
from lapor.reports.states import Action, ArchiveReason, Status, next_status
from lapor.workdays.calendar import RESOLUTION_TIERS

MESSAGE_MAX = 10_000
REASON_MAX = 2_000


def _locked(report_id: int) -> Report:
    """The report, row-locked for the rest of the transaction (PostgreSQL ``FOR UPDATE``;
    SQLite holds the database write lock from ``BEGIN IMMEDIATE``).

    The lock is taken without joins: PostgreSQL re-checks a locked row's joins after waiting,
    and a concurrent change of ``current_node`` would make the row vanish (a 404 instead of the
    409 the loser of a race must get). The related rows are read once the lock is held.
    """
    locked = Report.objects.select_for_update().filter(pk=report_id).values_list("pk", flat=True)
    if not list(locked):
        raise NotFound("not_found")
    return Report.objects.select_related("tier", "current_node", "agency", "category").get(
        pk=report_id
    )


def _not_held_elsewhere(report: Report) -> None:
    """A shared report held by another instance (lapor.reports.replication) is changed only
    there: staff and reporter alike get the 409 a lost local race gets. Checked under the
    row lock, after the actor's right to see the report (else 404 stays 404)."""
    if replication.held_elsewhere(report):
        raise Conflict("held_by_peer")


def _check_version(report: Report, expected_version: int | None) -> None:
    if expected_version is not None and report.version != expected_version:
        raise Conflict("concurrent_update", detail={"version": report.version})


def _require[T](grant: T | None) -> T:
    if grant is None:
        raise PermissionDenied("permission_denied")
    return grant


def _target_status(report: Report, action: Action) -> Status:
    target = next_status(action, report.status)
    if target is None:
        raise Conflict("invalid_transition", detail={"status": report.status, "action": action})
    return target


def _enter_verification_pool(report: Report, tier: OrgNode, now: datetime) -> None:
    """Put ``report`` in ``tier``'s verification pool with a fresh verify clock from that tier's
    SOP (unarchive, pass up). The caller holds the row lock and saves the fields."""
    sop, calendar = clock_for(tier, around=now)
    report.tier = tier
    report.current_node = tier
    report.agency = tier if tier.kind == NodeKind.AGENCY else None
    report.verify_due_at = verify_deadline(sop, calendar, now)
    report.verify_days_left = None


def _save(report: Report, fields: list[str]) -> None:
    """Save ``fields`` with the holder's deadline derived from the new state: ``staff_due_at``
    is never assigned by hand (:func:`lapor.reports.deadlines.staff_due_at`)."""
    report.staff_due_at = report_staff_due_at(report)
    report.version += 1
    report.updated_at = clock.now()
    report.save(update_fields=[*fields, "staff_due_at", "version", "updated_at"])


def _staff_gate(
    actor: Actor, report_id: int, expected_version: int | None,
    grant: Callable[[Actor, Report], Assignment | None],
) -> tuple[Report, Assignment]:
    """Lock, then make sure the actor may read the report at all (else 404, not 403) before
    anything else about it (its version, its status) is revealed."""
    report = _locked(report_id)
    if not perms.can_read(actor, report):
        raise NotFound("not_found")
    _not_held_elsewhere(report)
    _check_version(report, expected_version)
    return report, _require(grant(actor, report))


def _active_disposition(report: Report) -> Disposition:
    disposition = (
        Disposition.objects.select_for_update(of=("self",))
        .select_related("node", "parent")
        .filter(report=report, state=DispositionState.ACTIVE)
        .first()
    )
    if disposition is None:
        raise Conflict("invalid_transition")
    return disposition


def _emit(**fields: Any) -> None:
    """Append the event and, in the same transaction, the outbox rows it causes (messages to
    the reporter, the new holders, integrated applications): both commit or neither does."""
    event = event_append(**fields)
    notify_report_event(report=fields["report"], event=event)


# ---------------------------------------------------------------- verification


@transaction.atomic
def report_hold(
    *, actor: Actor, report_id: int, question: str, expected_version: int | None = None
) -> Report:
    """Ask the reporter for information ("tunda"); the verification clock pauses."""
    question = clean_text(question, field="question", max_length=MESSAGE_MAX, min_length=1,
                          multiline=True)
    report, grant = _staff_gate(actor, report_id, expected_version, perms.verifier_for)
    target = _target_status(report, Action.HOLD)
    now = clock.now()
    sop, calendar = clock_for(report.tier, around=now)
    # The days used are kept: what is left is the working days after today up to the stored
    # verification deadline (0 when it has passed), whenever that clock started.
    due = report.verify_due_at or verify_deadline(sop, calendar, now)
    report.verify_days_left = calendar.working_days_used(now, due)
    report.hold_due_at = hold_deadline(sop, calendar, now)
    from_status, report.status = report.status, target
    _save(report, ["status", "verify_days_left", "hold_due_at"])
    _emit(report=report, kind=Action.HOLD, actor=actor, assignment=grant,
          from_status=from_status, to_status=target, visibility=Visibility.REPORTER,
          body=question, payload={"verify_days_left": report.verify_days_left})
    return report


@transaction.atomic
def report_provide_info(*, actor: Actor, report_id: int, body: str) -> Report:
    """The reporter answers a "tunda" question; verification resumes with the days left."""
    report, body = _reporter_gate(actor, report_id, body)
    return _provide_info(report, actor=actor, body=body)


def _provide_info(report: Report, *, actor: Actor, body: str) -> Report:
    target = _target_status(report, Action.PROVIDE_INFO)
    _within(report.hold_due_at)
    now = clock.now()
    _, calendar = clock_for(report.tier, around=now)
    report.verify_due_at = calendar.resume_deadline(now, report.verify_days_left or 0)
    report.hold_due_at = None
    from_status, report.status = report.status, target
    _save(report, ["status", "verify_due_at", "hold_due_at"])
    _emit(report=report, kind=Action.PROVIDE_INFO, actor=actor, from_status=from_status,
          to_status=target, visibility=Visibility.REPORTER, body=body)
    return report


@transaction.atomic
def report_archive(
    *,
    actor: Actor,
    report_id: int,
    reason: str,
    note: str = "",
    duplicate_of: str | None = None,
    expected_version: int | None = None,
) -> Report:
    """Reject at verification with a reason from the fixed list."""
    if reason not in ArchiveReason.values:
        raise ValidationFailed("invalid_reason", field="reason")
    note = clean_text(note, field="note", max_length=REASON_MAX, multiline=True)
    report, grant = _staff_gate(actor, report_id, expected_version, perms.verifier_for)
    target = _target_status(report, Action.ARCHIVE)
    survivor = None
    if reason == ArchiveReason.DUPLICATE:
        visible = perms.reports_visible_to(actor)
        survivor = visible.filter(tracking_number=duplicate_of or "").first()
        if survivor is None or survivor.pk == report.pk:
            raise ValidationFailed("not_found", field="duplicate_of")
    _archive(report, actor=actor, grant=grant, target=target, reason=reason, note=note,
             survivor=survivor)
    return report


def _archive(report: Report, *, actor: Actor, grant: Assignment | None, target: Status,
             reason: str, note: str, survivor: Report | None = None,
             kind: Action = Action.ARCHIVE) -> None:
    now = clock.now()
    from_status = report.status
    report.status = target
    report.archive_reason = reason
    report.duplicate_of = survivor
    report.closed_at = now
    report.hold_due_at = None
    _save(report, ["status", "archive_reason", "duplicate_of", "closed_at", "hold_due_at"])
    payload: dict[str, Any] = {"reason": reason}
    if survivor is not None:
        payload["duplicate_of"] = survivor.tracking_number
    _emit(report=report, kind=kind, actor=actor, assignment=grant,
          from_status=from_status, to_status=target, visibility=Visibility.PUBLIC,
          body=note, payload=payload)


@transaction.atomic
def report_auto_archive(*, report_id: int) -> bool:
    """Archive as incomplete a report on hold past its deadline. Idempotent: ``False`` if
    there is nothing (any more) to do."""
    report = _locked(report_id)
    if (
        replication.held_elsewhere(report)  # the holder's sweep decides (docs/federation.md)
        or report.status != Status.ON_HOLD
        or report.hold_due_at is None
        or report.hold_due_at >= clock.now()
    ):
        return False
    _archive(report, actor=SYSTEM, grant=None, target=Status.ARCHIVED,
             reason=ArchiveReason.INCOMPLETE, note="", kind=Action.AUTO_ARCHIVE)
    return True


@transaction.atomic
def report_unarchive(
    *, actor: Actor, report_id: int, reason: str, expected_version: int | None = None
) -> Report:
    """Reverse an archive: only a verifier of a higher tier, with a reason; they take it."""
    reason = clean_text(reason, field="reason", max_length=REASON_MAX, min_length=1,
                        multiline=True)
    report, grant = _staff_gate(actor, report_id, expected_version, perms.unarchiver_for)
    target = _target_status(report, Action.UNARCHIVE)
    now = clock.now()
    tier = OrgNode.objects.get(pk=grant.node_id)
    _enter_verification_pool(report, tier, now)
    report.archive_reason = ""
    report.duplicate_of = None
    report.closed_at = None
    from_status, report.status = report.status, target
    _save(report, ["status", "tier", "current_node", "agency", "verify_due_at",
                   "verify_days_left", "archive_reason", "duplicate_of", "closed_at"])
    _emit(report=report, kind=Action.UNARCHIVE, actor=actor, assignment=grant,
          from_status=from_status, to_status=target, visibility=Visibility.PUBLIC,
          body=reason)
    return report


@transaction.atomic
def report_set_privacy(
    *,
    actor: Actor,
    report_id: int,
    anonymous: bool | None = None,
    confidential: bool | None = None,
    expected_version: int | None = None,
) -> Report:
    """Make a report stricter at verification. Loosening needs the reporter's consent, so
    staff can never do it here."""
    report, grant = _staff_gate(actor, report_id, expected_version, perms.verifier_for)
    _target_status(report, Action.SET_PRIVACY)
    if anonymous is False and report.is_anonymous:
        raise ValidationFailed("privacy_loosening", field="anonymous")
    if confidential is False and report.is_confidential:
        raise ValidationFailed("privacy_loosening", field="confidential")
    changes = {}
    if anonymous and not report.is_anonymous:
        report.is_anonymous = True
        changes["anonymous"] = True
    if confidential and not report.is_confidential:
        report.is_confidential = True
        changes["confidential"] = True
        # Reporters of merged duplicates stop following it: a confidential report's
        # content reaches no other citizen (lapor.reports.merge).
        ReportFollow.objects.filter(report=report).delete()
    if changes:
        _save(report, ["is_anonymous", "is_confidential"])
        audit_record(action="report.privacy", actor=actor, target_type="report",
                     target_id=report.pk, payload=changes)
        _emit(report=report, kind=Action.SET_PRIVACY, actor=actor, assignment=grant,
              visibility=Visibility.REPORTER, payload=changes)
    return report


# ---------------------------------------------------------------- disposition


@transaction.atomic
def report_dispose(
    *,
    actor: Actor,
    report_id: int,
    node_code: str,
    note: str = "",
    resolution_days: int | None = None,
    expected_version: int | None = None,
) -> Report:
    """Verify and assign the report to an agency or unit; starts the agency's clocks.

    First follow-up within the receiving agency's SOP (≤ 5 HK); resolution within the tier of
    the category (2, 5, 14 or 60 HK) unless the verifier picks a shorter tier.
    """
    note = clean_text(note, field="note", max_length=REASON_MAX, multiline=True)
    if resolution_days is not None and resolution_days not in RESOLUTION_TIERS:
        raise ValidationFailed("validation_error", field="resolution_days")
    node = OrgNode.objects.filter(code=node_code, is_active=True).first()
    if node is None:
        raise ValidationFailed("unknown_node", field="node")
    report, grant = _staff_gate(actor, report_id, expected_version, perms.verifier_for)
    target = _target_status(report, Action.DISPOSE)
    if not perms.valid_disposition_target(grant, report, node) or not OrgNode.objects.filter(
        perms.same_world(report), pk=node.pk
    ).exists():
        raise ValidationFailed("invalid_target", field="node")
    days = resolution_days_for(
        chosen=resolution_days,
        category_days=report.category.resolution_days if report.category else None,
    )
    now = clock.now()
    sop, calendar = clock_for(node, around=now)
    report.resolution_days = days
    report.followup_due_at, report.resolution_due_at = disposition_deadlines(
        sop, calendar, now, days
    )
    report.verified_at = report.verified_at or now
    report.agency = node_agency_or_root(node)
    report.current_node = node
    report.verify_days_left = None
    from_status, report.status = report.status, target
    Disposition.objects.create(report=report, node=node, disposed_by=actor.user,
                               disposed_from_id=grant.node_id, note=note, created_at=now)
    report.add_disposition_node(node.pk)
    _save(report, ["status", "resolution_days", "resolution_due_at", "followup_due_at",
                   "verified_at", "agency", "current_node", "verify_days_left",
                   "disposition_nodes"])
    _emit(report=report, kind=Action.DISPOSE, actor=actor, assignment=grant,
          from_status=from_status, to_status=target, visibility=Visibility.PUBLIC,
          body=note, payload={"node": node.code, "node_name": node.name,
                              "resolution_days": days})
    return report


@transaction.atomic
def report_forward(
    *, actor: Actor, report_id: int, node_code: str, note: str = "",
    expected_version: int | None = None,
) -> Report:
    """Pass the active disposition down the assignee's subtree. Deadlines stay as they are:
    the agency's clock started when it received the report."""
    note = clean_text(note, field="note", max_length=REASON_MAX, multiline=True)
    node = OrgNode.objects.filter(code=node_code, is_active=True).first()
    if node is None:
        raise ValidationFailed("unknown_node", field="node")
    report, grant = _staff_gate(actor, report_id, expected_version, perms.liaison_for)
    target = _target_status(report, Action.FORWARD)
    current = _active_disposition(report)
    if not perms.valid_forward_target(current.node, node):
        raise ValidationFailed("invalid_target", field="node")
    now = clock.now()
    current.state = DispositionState.FORWARDED
    current.ended_at = now
    current.save(update_fields=["state", "ended_at"])
    Disposition.objects.create(report=report, node=node, parent=current, disposed_by=actor.user,
                               disposed_from_id=current.node_id, note=note, created_at=now)
    report.current_node = node
    report.add_disposition_node(node.pk)
    from_status, report.status = report.status, target
    _save(report, ["status", "current_node", "disposition_nodes"])
    _emit(report=report, kind=Action.FORWARD, actor=actor, assignment=grant,
          from_status=from_status, to_status=target, visibility=Visibility.INTERNAL,
          body=note, payload={"node": node.code, "node_name": node.name})
    return report


@transaction.atomic
def report_return(
    *, actor: Actor, report_id: int, reason: str, expected_version: int | None = None
) -> Report:
    """"Bukan wewenang": hand the report back to whoever disposed it, with a reason.

    A forwarded hop goes back to the forwarding node; a verifier's disposition goes back to
    the verification pool with a new verification deadline. Every hop is kept.
    """
    reason = clean_text(reason, field="reason", max_length=REASON_MAX, min_length=1,
                        multiline=True)
    report, grant = _staff_gate(actor, report_id, expected_version, perms.liaison_for)
    current = _active_disposition(report)
    parent = current.parent
    action = Action.RETURN_TO_FORWARDER if parent is not None else Action.RETURN_TO_VERIFIER
    target = _target_status(report, action)
    now = clock.now()
    current.state = DispositionState.RETURNED
    current.return_reason = reason
    current.ended_at = now
    current.save(update_fields=["state", "return_reason", "ended_at"])
    fields = ["status", "current_node"]
    if parent is not None:
        parent.state = DispositionState.ACTIVE
        parent.ended_at = None
        parent.save(update_fields=["state", "ended_at"])
        report.current_node = parent.node
    else:
        _enter_verification_pool(report, report.tier, now)
        report.followup_due_at = report.resolution_due_at = None
        fields += ["agency", "verify_due_at", "verify_days_left", "followup_due_at",
                   "resolution_due_at"]
    from_status, report.status = report.status, target
    _save(report, fields)
    _emit(report=report, kind=action, actor=actor, assignment=grant,
          from_status=from_status, to_status=target, visibility=Visibility.INTERNAL,
          body=reason, payload={"from_node": current.node.code,
                                "to_node": report.current_node.code})
    return report


@transaction.atomic
def report_pass_up(
    *, actor: Actor, report_id: int, reason: str, expected_version: int | None = None
) -> Report:
    """A hub's verifier passes a report waiting in its pool to the next tier up: the hub of
    the province when it receives its region's reports (and is not this hub), else the
    national pool, whose verifiers dispose anywhere (``report_receiver_above``).

    Only for a report whose agency nobody chose (:func:`perms.passable_up`); from
    ``submitted`` or ``on_hold`` (a hold ends: the receiving tier decides what it still needs,
    and the reporter's answer arrives as a message). The receiving tier gets a new
    verification deadline of its own SOP, as at submission. The reason is internal.
    """
    reason = clean_text(reason, field="reason", max_length=REASON_MAX, min_length=1,
                        multiline=True)
    report, grant = _staff_gate(actor, report_id, expected_version, perms.pass_up_verifier_for)
    target = _target_status(report, Action.PASS_UP)
    if not perms.passable_up(report):
        raise Conflict("addressed_by_reporter")
    now = clock.now()
    from_node = report.tier
    tier = report_receiver_above(tier=from_node, region_code=report.region_id)
    _enter_verification_pool(report, tier, now)
    report.hold_due_at = None
    from_status, report.status = report.status, target
    _save(report, ["status", "tier", "current_node", "agency", "verify_due_at",
                   "verify_days_left", "hold_due_at"])
    _emit(report=report, kind=Action.PASS_UP, actor=actor, assignment=grant,
          from_status=from_status, to_status=target, visibility=Visibility.INTERNAL,
          body=reason, payload={"from_node": from_node.code, "to_node": tier.code})
    return report


# ---------------------------------------------------------------- follow-up


@transaction.atomic
def report_acknowledge(
    *, actor: Actor, report_id: int, expected_version: int | None = None
) -> Report:
    report, grant = _staff_gate(actor, report_id, expected_version, perms.liaison_for)
    target = _target_status(report, Action.ACKNOWLEDGE)
    from_status, report.status = report.status, target
    _save(report, ["status"])
    _emit(report=report, kind=Action.ACKNOWLEDGE, actor=actor, assignment=grant,
          from_status=from_status, to_status=target, visibility=Visibility.PUBLIC)
    return report


@transaction.atomic
def report_follow_up(
    *,
    actor: Actor,
    report_id: int,
    body: str,
    final: bool = False,
    public: bool = True,
    expected_version: int | None = None,
) -> Report:
    """Post the agency's answer. A final follow-up ("ditindaklanjuti") opens the reporter's
    reply window; a non-final one marks the report in progress."""
    body = clean_text(body, field="body", max_length=MESSAGE_MAX, min_length=1, multiline=True)
    report, grant = _staff_gate(actor, report_id, expected_version, perms.handler_for)
    action = Action.RESPOND if final else Action.FOLLOW_UP
    target = _target_status(report, action)
    now = clock.now()
    fields = ["status"]
    if report.first_followup_at is None:
        report.first_followup_at = now
        fields.append("first_followup_at")
    if final:
        sop, calendar = clock_for(report.current_node, around=now)
        report.responded_at = now
        report.reply_due_at = reply_deadline(sop, calendar, now)
        fields += ["responded_at", "reply_due_at"]
    from_status, report.status = report.status, target
    _save(report, fields)
    visibility = Visibility.PUBLIC if public else Visibility.REPORTER
    _emit(report=report, kind=action, actor=actor, assignment=grant,
          from_status=from_status, to_status=target, visibility=visibility, body=body)
    return report


@transaction.atomic
def report_close(
    *, actor: Actor, report_id: int, reason: str, expected_version: int | None = None
) -> Report:
    """A verifier closes a handled report with a reason."""
    reason = clean_text(reason, field="reason", max_length=REASON_MAX, min_length=1,
                        multiline=True)
    report, grant = _staff_gate(actor, report_id, expected_version, perms.closer_for)
    target = _target_status(report, Action.CLOSE)
    _finish(report, actor=actor, grant=grant, target=target, kind=Action.CLOSE, body=reason,
            visibility=Visibility.PUBLIC)
    return report


def _finish(report: Report, *, actor: Actor, grant: Assignment | None, target: Status,
            kind: Action, body: str = "", visibility: str = Visibility.PUBLIC,
            rating: int | None = None) -> None:
    now = clock.now()
    Disposition.objects.filter(report=report, state=DispositionState.ACTIVE).update(
        state=DispositionState.ENDED, ended_at=now
    )
    from_status, report.status = report.status, target
    report.closed_at = now
    report.rating = rating if rating is not None else report.rating
    _save(report, ["status", "closed_at", "rating"])
    _emit(report=report, kind=kind, actor=actor, assignment=grant,
          from_status=from_status, to_status=target, visibility=visibility, body=body,
          payload={"rating": rating} if rating is not None else None)


@transaction.atomic
def report_auto_close(*, report_id: int) -> bool:
    """Close a responded report whose reply window passed. Idempotent."""
    report = _locked(report_id)
    if (
        replication.held_elsewhere(report)  # the holder's sweep decides (docs/federation.md)
        or report.status != Status.RESPONDED
        or report.reply_due_at is None
        or report.reply_due_at >= clock.now()
    ):
        return False
    _finish(report, actor=SYSTEM, grant=None, target=Status.CLOSED, kind=Action.AUTO_CLOSE)
    return True


# ---------------------------------------------------------------- reporter


def _require_reporter(actor: Actor, report: Report) -> None:
    """Only the report's own reporter (:func:`perms.is_reporter_of`). Staff who can read the
    report get 403; to anyone else the report does not exist (404)."""
    if perms.is_reporter_of(actor, report):
        _not_held_elsewhere(report)
        return
    if actor.is_staff and perms.can_read(actor, report):
        raise PermissionDenied("permission_denied")
    raise NotFound("not_found")


def _reporter_gate(actor: Actor, report_id: int, body: str) -> tuple[Report, str]:
    """The reporter's text, checked; then the report, locked, if ``actor`` is its reporter."""
    body = clean_text(body, field="body", max_length=MESSAGE_MAX, min_length=1, multiline=True)
    report = _locked(report_id)
    _require_reporter(actor, report)
    return report, body


def _within(deadline: datetime | None) -> None:
    """The reporter's window is a legal deadline: past it, the sweep's move is the only one."""
    if deadline is not None and deadline < clock.now():
        raise Conflict("invalid_transition", detail={"deadline": deadline.isoformat()})


@transaction.atomic
def report_reporter_reply(
    *, actor: Actor, report_id: int, accept: bool, rating: int | None = None, body: str = ""
) -> Report:
    """The reporter's answer to a final follow-up: accept with a 1–5 rating (closed), or say
    it is not resolved (back in progress with a new resolution deadline)."""
    body = clean_text(body, field="body", max_length=MESSAGE_MAX, multiline=True)
    if accept and (rating is None or not 1 <= rating <= 5):
        raise ValidationFailed("rating_required", field="rating")
    if not accept and not body:
        raise ValidationFailed("text_too_short", field="body")
    report = _locked(report_id)
    _require_reporter(actor, report)
    if report.status == Status.RESPONDED:
        _within(report.reply_due_at)
    if accept:
        target = _target_status(report, Action.ACCEPT)
        _finish(report, actor=actor, grant=None, target=target, kind=Action.ACCEPT, body=body,
                visibility=Visibility.REPORTER, rating=rating)
        return report
    target = _target_status(report, Action.REOPEN)
    now = clock.now()
    _, calendar = clock_for(report.current_node, around=now)
    report.resolution_due_at = resolution_deadline(
        calendar, now, report.resolution_days or DEFAULT_RESOLUTION_DAYS
    )
    report.reply_due_at = None
    from_status, report.status = report.status, target
    _save(report, ["status", "resolution_due_at", "reply_due_at"])
    _emit(report=report, kind=Action.REOPEN, actor=actor, from_status=from_status,
          to_status=target, visibility=Visibility.REPORTER, body=body)
    return report


@transaction.atomic
def report_reporter_write(*, actor: Actor, report_id: int, body: str) -> Report:
    """The reporter writes to the officers, from any channel (portal, API, e-mail reply, SMS
    and chat ``BALAS``): the one rule every adapter calls (docs/lifecycle.md "The reporter
    writes").

    What the text does is decided here, under the row lock, from the status it finds
    (:func:`lapor.reports.states.reporter_write_action`): on hold it is the answer to the
    verifier's question (:func:`report_provide_info`: verification resumes with the days
    left; past the hold window 409 ``invalid_transition``, the sweep archives it); submitted,
    disposed, in progress or responded it is a message (:func:`report_reporter_message`, no
    status change); archived or closed 409 ``invalid_transition``. Only the report's own
    reporter (``perms.is_reporter_of``): staff who read it get 403, anyone else 404.
    """
    report, body = _reporter_gate(actor, report_id, body)
    if states.reporter_write_action(report.status) == Action.PROVIDE_INFO:
        return _provide_info(report, actor=actor, body=body)
    return _reporter_message(report, actor=actor, body=body)


@transaction.atomic
def report_reporter_message(*, actor: Actor, report_id: int, body: str) -> Report:
    """A message from the reporter to the staff handling the report (no status change)."""
    report, body = _reporter_gate(actor, report_id, body)
    return _reporter_message(report, actor=actor, body=body)


def _reporter_message(report: Report, *, actor: Actor, body: str) -> Report:
    _target_status(report, Action.REPORTER_MESSAGE)
    _save(report, [])
    _emit(report=report, kind=Action.REPORTER_MESSAGE, actor=actor,
          visibility=Visibility.REPORTER, body=body)
    return report


@transaction.atomic
def report_note(*, actor: Actor, report_id: int, body: str) -> Report:
    """An internal note: staff only, never shown to the reporter or the public."""
    body = clean_text(body, field="body", max_length=MESSAGE_MAX, min_length=1, multiline=True)
    report, grant = _staff_gate(actor, report_id, None, perms.note_writer_for)
    _target_status(report, Action.NOTE)
    _save(report, [])
    _emit(report=report, kind=Action.NOTE, actor=actor, assignment=grant,
          visibility=Visibility.INTERNAL, body=body)
    return report


def report_support(*, report_id: int, supporter_key: str) -> int:
    """Add a public "dukung"; each supporter once. Returns the new support count."""
    with transaction.atomic():
        report = _locked(report_id)
        if report.is_confidential:
            raise NotFound("not_found")
        _not_held_elsewhere(report)
        _target_status(report, Action.SUPPORT)
        try:
            with transaction.atomic():
                Support.objects.create(report=report, supporter_key=supporter_key,
                                       created_at=clock.now())
        except IntegrityError as exc:
            raise Conflict("already_supported") from exc
        Report.objects.filter(pk=report.pk).update(support_count=F("support_count") + 1)
        report.refresh_from_db(fields=["support_count"])
        return report.support_count


def report_record_notice(*, report_id: int, staff_due: datetime | None = None,
                         escalation_check_at: datetime | None = None,
                         resolution_due: datetime | None = None) -> None:
    """The deadline sweep's bookkeeping (lapor.sla.notices): ``staff_due`` is the holder's
    deadline whose overdue notice is issued, with when its next escalation falls due
    (``escalation_check_at``, None past the chain); ``resolution_due`` the resolution deadline
    whose own overdue notice is issued. No event and no new version: nothing a reader of the
    report sees changes, and the sweep never takes the report's lock from an officer."""
    fields: dict[str, datetime | None] = {}
    if staff_due is not None:
        fields.update(noticed_staff_due_at=staff_due, escalation_check_at=escalation_check_at)
    if resolution_due is not None:
        fields["noticed_resolution_due_at"] = resolution_due
    if fields:
        Report.objects.filter(pk=report_id).update(**fields)
