"""The report lifecycle as a plain transition table (DOMAIN.md "Lifecycle").

``TRANSITIONS[action]`` maps each status the action may start from to the status it leads to.
Services consult :func:`next_status`; nothing else decides whether a move is allowed.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Belum Terverifikasi"
    ON_HOLD = "on_hold", "Tunda"
    ARCHIVED = "archived", "Arsip"
    DISPOSED = "disposed", "Belum Ditindaklanjuti"
    IN_PROGRESS = "in_progress", "Proses"
    RESPONDED = "responded", "Ditindaklanjuti"
    CLOSED = "closed", "Selesai"


STATUS_LABELS_EN: dict[str, str] = {
    Status.SUBMITTED: "Not yet verified",
    Status.ON_HOLD: "On hold",
    Status.ARCHIVED: "Archived",
    Status.DISPOSED: "Not yet followed up",
    Status.IN_PROGRESS: "In progress",
    Status.RESPONDED: "Followed up",
    Status.CLOSED: "Closed",
}

OPEN_STATUSES = frozenset(
    {Status.SUBMITTED, Status.ON_HOLD, Status.DISPOSED, Status.IN_PROGRESS, Status.RESPONDED}
)
UNVERIFIED_STATUSES = frozenset({Status.SUBMITTED, Status.ON_HOLD})
# Statuses in which the report is held by an agency (it has an active disposition).
HANDLING_STATUSES = frozenset({Status.DISPOSED, Status.IN_PROGRESS, Status.RESPONDED})


class Action(StrEnum):
    SUBMIT = "submit"
    HOLD = "hold"
    PROVIDE_INFO = "provide_info"
    ARCHIVE = "archive"
    AUTO_ARCHIVE = "auto_archive"
    UNARCHIVE = "unarchive"
    DISPOSE = "dispose"
    FORWARD = "forward"
    RETURN_TO_FORWARDER = "return_to_forwarder"
    RETURN_TO_VERIFIER = "return_to_verifier"
    PASS_UP = "pass_up"  # noqa: S105  (an action name, not a password)
    ACKNOWLEDGE = "acknowledge"
    FOLLOW_UP = "follow_up"
    RESPOND = "respond"
    ACCEPT = "accept"
    REOPEN = "reopen"
    CLOSE = "close"
    AUTO_CLOSE = "auto_close"
    NOTE = "note"
    REPORTER_MESSAGE = "reporter_message"
    SET_PRIVACY = "set_privacy"
    SUPPORT = "support"



class EventKind(StrEnum):
    """Every kind of timeline entry (:class:`lapor.reports.models.ReportEvent.kind`): the
    lifecycle actions above plus the entries that change no status. ``event_append`` refuses
    any other kind, so this list is complete; every kind has a label for people
    (``lapor.web.labels.EVENT_LABELS``, checked by a test)."""

    SUBMIT = Action.SUBMIT.value
    HOLD = Action.HOLD.value
    PROVIDE_INFO = Action.PROVIDE_INFO.value
    ARCHIVE = Action.ARCHIVE.value
    AUTO_ARCHIVE = Action.AUTO_ARCHIVE.value
    UNARCHIVE = Action.UNARCHIVE.value
    DISPOSE = Action.DISPOSE.value
    FORWARD = Action.FORWARD.value
    RETURN_TO_FORWARDER = Action.RETURN_TO_FORWARDER.value
    RETURN_TO_VERIFIER = Action.RETURN_TO_VERIFIER.value
    PASS_UP = Action.PASS_UP.value
    ACKNOWLEDGE = Action.ACKNOWLEDGE.value
    FOLLOW_UP = Action.FOLLOW_UP.value
    RESPOND = Action.RESPOND.value
    ACCEPT = Action.ACCEPT.value
    REOPEN = Action.REOPEN.value
    CLOSE = Action.CLOSE.value
    AUTO_CLOSE = Action.AUTO_CLOSE.value
    NOTE = Action.NOTE.value
    REPORTER_MESSAGE = Action.REPORTER_MESSAGE.value
    SET_PRIVACY = Action.SET_PRIVACY.value
    SUPPORT = Action.SUPPORT.value
    # No status change:
    ATTACHMENT_ADDED = "attachment_added"
    ATTACHMENT_PUBLISHED = "attachment_published"
    MERGE = "merge"  # lapor.reports.merge: the survivor's entry
    ENTERED_ON_BEHALF = "entered_on_behalf"  # lapor.intake.walk_in


_S = Status
_ALL = list(Status)

TRANSITIONS: dict[Action, dict[Status, Status]] = {
    Action.HOLD: {_S.SUBMITTED: _S.ON_HOLD},
    Action.PROVIDE_INFO: {_S.ON_HOLD: _S.SUBMITTED},
    Action.ARCHIVE: {_S.SUBMITTED: _S.ARCHIVED, _S.ON_HOLD: _S.ARCHIVED},
    # On hold for longer than the SOP allows: archived as incomplete (DOMAIN.md: 10 HK).
    Action.AUTO_ARCHIVE: {_S.ON_HOLD: _S.ARCHIVED},
    Action.UNARCHIVE: {_S.ARCHIVED: _S.SUBMITTED},
    Action.DISPOSE: {_S.SUBMITTED: _S.DISPOSED},
    Action.FORWARD: {_S.DISPOSED: _S.DISPOSED, _S.IN_PROGRESS: _S.DISPOSED},
    # "Bukan wewenang": back to the node that forwarded it, or to the verification pool.
    Action.RETURN_TO_FORWARDER: {_S.DISPOSED: _S.DISPOSED, _S.IN_PROGRESS: _S.DISPOSED},
    Action.RETURN_TO_VERIFIER: {_S.DISPOSED: _S.SUBMITTED, _S.IN_PROGRESS: _S.SUBMITTED},
    # A hub's verifier hands a report routed to it by region to the next tier up (a province
    # hub, else the national pool), which verifies it afresh.
    Action.PASS_UP: {_S.SUBMITTED: _S.SUBMITTED, _S.ON_HOLD: _S.SUBMITTED},
    Action.ACKNOWLEDGE: {_S.DISPOSED: _S.IN_PROGRESS},
    Action.FOLLOW_UP: {_S.DISPOSED: _S.IN_PROGRESS, _S.IN_PROGRESS: _S.IN_PROGRESS},
    Action.RESPOND: {_S.DISPOSED: _S.RESPONDED, _S.IN_PROGRESS: _S.RESPONDED},
    Action.ACCEPT: {_S.RESPONDED: _S.CLOSED},
    # The reporter is not satisfied: back to work with a new resolution deadline.
    Action.REOPEN: {_S.RESPONDED: _S.IN_PROGRESS},
    Action.CLOSE: {_S.DISPOSED: _S.CLOSED, _S.IN_PROGRESS: _S.CLOSED, _S.RESPONDED: _S.CLOSED},
    # No reply within the reply window (10 HK): closed automatically.
    Action.AUTO_CLOSE: {_S.RESPONDED: _S.CLOSED},
    Action.NOTE: {s: s for s in _ALL},
    Action.REPORTER_MESSAGE: {
        s: s for s in (_S.SUBMITTED, _S.DISPOSED, _S.IN_PROGRESS, _S.RESPONDED)
    },
    # Verifiers may make a report stricter at verification.
    Action.SET_PRIVACY: {s: s for s in (_S.SUBMITTED, _S.ON_HOLD)},
    Action.SUPPORT: {s: s for s in (_S.DISPOSED, _S.IN_PROGRESS, _S.RESPONDED, _S.CLOSED)},
}


def next_status(action: Action, current: str) -> Status | None:
    """The status ``action`` leads to from ``current``, or ``None`` if the move is not allowed."""
    return TRANSITIONS.get(action, {}).get(Status(current))


def reporter_write_action(current: str) -> Action | None:
    """What the reporter's writing does in status ``current`` (``report_reporter_write``, for
    every channel): on hold it answers the verifier's question (``provide_info``); submitted,
    disposed, in progress or responded it is a message to the officers (``reporter_message``);
    archived or closed nothing accepts it (``None``)."""
    for action in (Action.PROVIDE_INFO, Action.REPORTER_MESSAGE):
        if next_status(action, current) is not None:
            return action
    return None


class ArchiveReason(models.TextChoices):
    """The fixed list of archive reasons (DOMAIN.md "Lifecycle", status 3)."""

    OUT_OF_SCOPE = "out_of_scope", "Di luar kewenangan / bukan pelayanan publik"
    TOO_GENERAL = "too_general", "Terlalu umum"
    DUPLICATE = "duplicate", "Duplikat"
    SPAM = "spam", "Spam / iseng"
    ABUSIVE = "abusive", "Kasar / SARA"
    INCOMPLETE = "incomplete", "Tidak lengkap"
