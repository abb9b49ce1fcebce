"""A reporter's action on the instance that does not hold the report (docs/federation.md).

Only the holder changes a shared report. When the reporter replies, accepts with a rating,
says it is not resolved, answers a "tunda" question or writes to the officers on the other
instance, the surface (API, portal) gets the 409 ``held_by_peer`` from the service and calls
:func:`command_forward` instead: the action is journalled as a ``command`` entry for the
holder and the reporter is told it was sent (API: 202 ``forwarded_to_peer``). The holder runs
it with its own service as the reporter (:func:`command_apply`); if its state no longer
allows it, the command is dropped with an internal note on the report naming the refusal's
code, and the journal goes on.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction

from lapor.core.errors import ApplicationError, Conflict
from lapor.federation import journal
from lapor.federation.models import EntryKind, JournalEntry, Link, MirroredReport
from lapor.orgs.actors import SYSTEM, Actor, reporter_actor
from lapor.reports import services
from lapor.reports.events import event_append
from lapor.reports.models import Report, Visibility
from lapor.reports.states import EventKind

logger = logging.getLogger(__name__)

# The reporter's actions a command may carry: name -> the service call with its arguments.
_ACTIONS: dict[str, Callable[[Actor, int, dict[str, Any]], object]] = {
    # accept (with rating) or not resolved (reopen), as report_reporter_reply.
    "reply": lambda actor, pk, args: services.report_reporter_reply(
        actor=actor, report_id=pk, accept=bool(args.get("accept")),
        rating=int(args["rating"]) if args.get("rating") is not None else None,
        body=str(args.get("body") or "")),
    # what the reporter writes: the answer to a "tunda" question, else a message.
    "write": lambda actor, pk, args: services.report_reporter_write(
        actor=actor, report_id=pk, body=str(args.get("body") or "")),
    "message": lambda actor, pk, args: services.report_reporter_message(
        actor=actor, report_id=pk, body=str(args.get("body") or "")),
    "provide_info": lambda actor, pk, args: services.report_provide_info(
        actor=actor, report_id=pk, body=str(args.get("body") or "")),
}
ACTIONS = frozenset(_ACTIONS)


def command_forward(*, report: Report, action: str, args: dict[str, Any]) -> JournalEntry:
    """Journal the reporter's ``action`` on ``report`` (held by the other instance) for the
    holder, in its own transaction. 409 ``held_by_peer`` if the report is not shared (then
    nothing can carry the action; the surface shows the refusal as it would any 409)."""
    if action not in _ACTIONS:
        raise ValueError(f"not a forwardable reporter action: {action}")
    with transaction.atomic():
        row = MirroredReport.objects.select_related("link").filter(report_id=report.pk).first()
        if row is None or not row.link.is_active:
            raise Conflict("held_by_peer")
        return journal.journal_append(
            link=row.link, report=report, kind=EntryKind.COMMAND,
            payload={"action": action, "args": args, "version": report.version})


def _refused(report_id: int, action: str, code: str) -> None:
    report = (Report.objects.select_for_update().filter(pk=report_id)
              .select_related("current_node").get())
    event_append(report=report, kind=EventKind.NOTE, actor=SYSTEM,
                 visibility=Visibility.INTERNAL,
                 body=f"Reporter action '{action}' forwarded by the other instance refused: "
                      f"{code}",
                 payload={"forwarded_action": action, "refused": code})


def command_apply(*, link: Link, tracking_number: str, command: dict[str, Any]) -> None:
    """Run a forwarded reporter action on this (holding) instance, in the caller's
    transaction. Refusals (its state no longer allows it, the text is invalid, the report
    moved on to the other side meanwhile) leave an internal note; never raises for them."""
    report_id = (MirroredReport.objects.filter(link=link, report__tracking_number=tracking_number)
                 .values_list("report_id", flat=True).first())
    if report_id is None:
        logger.warning("federation: command for a report not shared over link %s", link.pk)
        return
    action = str(command.get("action") or "")
    args = command.get("args")
    run = _ACTIONS.get(action)
    if run is None or not isinstance(args, dict):
        _refused(report_id, action, "invalid_entry")
        return
    try:
        with transaction.atomic():
            run(reporter_actor(report_id=report_id), report_id, args)
    except ApplicationError as exc:
        _refused(report_id, action, exc.code)
    except (TypeError, ValueError):
        _refused(report_id, action, "invalid_entry")
