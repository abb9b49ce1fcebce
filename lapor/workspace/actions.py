"""Which actions a staff member may take on a report right now, and the one service each calls.

:func:`available_actions` only asks the existing predicates (``lapor.reports.permissions``,
``lapor.attachments.permissions``, ``lapor.privacy.services.can_reveal``) and the transition
table (``lapor.reports.states.next_status``): the pages show a form exactly when the service
would accept the actor in this status. The services check everything again on submit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.utils.translation import gettext_noop

from lapor.attachments import permissions as attachment_perms
from lapor.attachments import services as attachment_services
from lapor.orgs.actors import Actor
from lapor.orgs.models import OrgNode, tree_order
from lapor.orgs.selectors import node_subtree, nodes_list
from lapor.privacy.services import can_reveal
from lapor.reports import permissions as perms
from lapor.reports import replication, services
from lapor.reports.models import Report
from lapor.reports.states import Action, next_status
from lapor.workspace import forms


def _moves(action: Action, status: str) -> bool:
    return next_status(action, status) is not None


def _verifier_actions(actor: Actor, report: Report) -> set[str]:
    found: set[str] = set()
    status = report.status
    if perms.verifier_for(actor, report) is not None:
        found |= {name for name, action in (("dispose", Action.DISPOSE), ("hold", Action.HOLD),
                                            ("archive", Action.ARCHIVE))
                  if _moves(action, status)}
        if _moves(Action.SET_PRIVACY, status) and not (
            report.is_anonymous and report.is_confidential
        ):
            found.add("privacy")
    if (perms.pass_up_verifier_for(actor, report) is not None and perms.passable_up(report)
            and _moves(Action.PASS_UP, status)):
        found.add("pass_up")
    if perms.unarchiver_for(actor, report) is not None and _moves(Action.UNARCHIVE, status):
        found.add("unarchive")
    if perms.closer_for(actor, report) is not None and _moves(Action.CLOSE, status):
        found.add("close")
    return found


def _handler_actions(actor: Actor, report: Report) -> set[str]:
    found: set[str] = set()
    status = report.status
    if perms.liaison_for(actor, report) is not None:
        moves = {
            "forward": _moves(Action.FORWARD, status) and bool(forward_targets(report)),
            "return": _moves(Action.RETURN_TO_VERIFIER, status)
            or _moves(Action.RETURN_TO_FORWARDER, status),
            "acknowledge": _moves(Action.ACKNOWLEDGE, status),
        }
        found |= {name for name, allowed in moves.items() if allowed}
    if perms.handler_for(actor, report) is not None and (
        _moves(Action.FOLLOW_UP, status) or _moves(Action.RESPOND, status)
    ):
        found.add("follow_up")
    return found


def available_actions(actor: Actor, report: Report) -> set[str]:
    """The workspace action names ``actor`` may use on ``report`` now: none but reading the
    identity while another instance holds the report (federation: only it changes it)."""
    if replication.held_elsewhere(report):
        return {"reveal"} if can_reveal(actor.user) else set()
    found = _verifier_actions(actor, report) | _handler_actions(actor, report)
    if perms.note_writer_for(actor, report) is not None and _moves(Action.NOTE, report.status):
        found.add("note")
    if attachment_perms.staff_uploader_for(actor, report) is not None and (
        attachment_perms.accepts_uploads(report)
    ):
        found.add("attach")
    # Publishing the checked copy: never for a confidential report (the service refuses it).
    if attachment_perms.publisher_for(actor, report) is not None and not report.is_confidential:
        found.add("publish")
    if can_reveal(actor.user):
        found.add("reveal")
    return found


def forward_targets(report: Report) -> list[OrgNode]:
    """The nodes ``report_forward`` accepts (``valid_forward_target``)."""
    holder = report.current_node
    return [n for n in tree_order(node_subtree(holder).filter(is_active=True)
                                  .select_related("parent", "agency"))
            if perms.valid_forward_target(holder, n)]


def disposition_targets(actor: Actor, report: Report) -> list[OrgNode]:
    """Active nodes the verifier may dispose to (``valid_disposition_target``)."""
    grant = perms.verifier_for(actor, report)
    if grant is None:
        return []
    candidates = nodes_list(training=report.is_training).filter(
        path__startswith=grant.node_path).select_related("parent", "agency")
    return [n for n in tree_order(candidates) if perms.valid_disposition_target(grant, report, n)]


type Perform = Callable[[Actor, Report, dict[str, Any]], Any]


@dataclass(frozen=True)
class ActionSpec:
    form: type[django_forms.Form]
    perform: Perform
    success: str  # msgid, translated by the view


def _version(data: dict[str, Any]) -> int | None:
    value = data.get("expected_version")
    return int(value) if value is not None else None


ACTIONS: dict[str, ActionSpec] = {
    "dispose": ActionSpec(forms.DisposeForm, lambda a, r, d: services.report_dispose(
        actor=a, report_id=r.pk, node_code=d["node"], note=d["note"],
        resolution_days=d["resolution_days"], expected_version=_version(d)),
        gettext_noop("The report is verified and disposed.")),
    "hold": ActionSpec(forms.HoldForm, lambda a, r, d: services.report_hold(
        actor=a, report_id=r.pk, question=d["question"], expected_version=_version(d)),
        gettext_noop("The report is on hold; the question was sent to the reporter.")),
    "archive": ActionSpec(forms.ArchiveForm, lambda a, r, d: services.report_archive(
        actor=a, report_id=r.pk, reason=d["reason"], note=d["note"],
        duplicate_of=d["duplicate_of"] or None, expected_version=_version(d)),
        gettext_noop("The report is archived.")),
    "pass_up": ActionSpec(forms.PassUpForm, lambda a, r, d: services.report_pass_up(
        actor=a, report_id=r.pk, reason=d["reason"], expected_version=_version(d)),
        gettext_noop("The report is passed up to the next verification tier.")),
    "unarchive": ActionSpec(forms.UnarchiveForm, lambda a, r, d: services.report_unarchive(
        actor=a, report_id=r.pk, reason=d["reason"], expected_version=_version(d)),
        gettext_noop("The report is back in verification.")),
    "privacy": ActionSpec(forms.PrivacyForm, lambda a, r, d: services.report_set_privacy(
        actor=a, report_id=r.pk, anonymous=d["anonymous"] or None,
        confidential=d["confidential"] or None, expected_version=_version(d)),
        gettext_noop("The privacy settings are saved.")),
    "forward": ActionSpec(forms.ForwardForm, lambda a, r, d: services.report_forward(
        actor=a, report_id=r.pk, node_code=d["node"], note=d["note"],
        expected_version=_version(d)),
        gettext_noop("The report is forwarded.")),
    "return": ActionSpec(forms.ReturnForm, lambda a, r, d: services.report_return(
        actor=a, report_id=r.pk, reason=d["reason"], expected_version=_version(d)),
        gettext_noop("The report is handed back as not our authority.")),
    "acknowledge": ActionSpec(forms.VersionForm, lambda a, r, d: services.report_acknowledge(
        actor=a, report_id=r.pk, expected_version=_version(d)),
        gettext_noop("The disposition is acknowledged.")),
    "follow_up": ActionSpec(forms.FollowUpForm, lambda a, r, d: (
        attachment_services.attachment_follow_up(
            actor=a, report_id=r.pk, body=d["body"], final=d["final"], public=d["public"],
            files=d["files"], expected_version=_version(d))),
        gettext_noop("The follow-up is posted.")),
    "close": ActionSpec(forms.CloseForm, lambda a, r, d: services.report_close(
        actor=a, report_id=r.pk, reason=d["reason"], expected_version=_version(d)),
        gettext_noop("The report is closed.")),
    "note": ActionSpec(forms.NoteForm, lambda a, r, d: services.report_note(
        actor=a, report_id=r.pk, body=d["body"]),
        gettext_noop("The internal note is saved.")),
    "attach": ActionSpec(forms.AttachForm, lambda a, r, d: attachment_services.attachment_add(
        actor=a, report_id=r.pk, data=d["data"], filename=d["filename"]),
        gettext_noop("The file is attached.")),
    "publish": ActionSpec(forms.PublishForm, lambda a, r, d: (
        attachment_services.attachment_publish(actor=a, report_id=r.pk,
                                               attachment_id=d["attachment"])),
        gettext_noop("The attachment is published.")),
}
