"""Who may read each free text written into a report's timeline: the one declaration.

An event has a visibility (who learns that it happened: a disposition is public, a forward is
internal). Its text is declared here, separately, because the fact and the words are different
things: the public may learn that Dinas PUPR received a report without reading the note the
verifier wrote to Dinas PUPR. The text an audience reads is the narrower of the event's
visibility and the declaration (:func:`text_visibility`); the presenters, the notifications,
Open311, the feed and the data-subject export all ask :func:`text_visible_to`. The staff forms
show the declaration next to each field (``lapor.workspace.forms``).

The decisions (docs/security.md "Who reads staff free text"):

- disposition and forward notes, hand-back reasons ("bukan wewenang"), internal notes, the
  reason for taking a report out of the archive, the reason for passing a report up to the
  next tier, and the note of a merge are **internal**:
  officers write to officers there, about colleagues, other units and the reporter;
- the hold question ("tunda") is for the **reporter**, who must be able to answer it, never
  the public (it often names what is missing: an address, a house number, a name);
- the free-text archive note and the reason for closing a report are for the **reporter**: a
  decision about their report states its reasons to them (UU 30/2014 on government
  administration, art. 9). The archive *category* (the fixed list of
  :class:`~lapor.reports.states.ArchiveReason`) is a label, not free text: public wherever the
  report itself is;
- a follow-up is **public**, and the officer may narrow it to the reporter per follow-up
  (``narrowable``); its photos take the same choice (``lapor.attachments``);
- what the reporter writes (answers, messages, replies) is for the **reporter** and staff.

A kind that carries text but is not declared here is treated as internal (fail closed).
"""

from __future__ import annotations

from dataclasses import dataclass

from lapor.reports.models import Visibility
from lapor.reports.states import Action, EventKind

# Narrowest last: an audience reads a text whose visibility is at or above its own rank.
_RANK = {Visibility.PUBLIC: 0, Visibility.REPORTER: 1, Visibility.INTERNAL: 2}

MERGE_KIND = EventKind.MERGE  # lapor.reports.merge's entry on the surviving report
REVEAL_KIND = "identity_reveal"


@dataclass(frozen=True)
class TextField:
    """One free-text field and its declared readers."""

    kind: str  # the event kind whose body holds the text
    field: str  # the form/API field name that carries it
    visibility: Visibility
    staff: bool = True  # written by staff (False: by the reporter)
    # The writer may narrow it per entry (a follow-up "only for the reporter").
    narrowable: bool = False


TEXT_FIELDS: tuple[TextField, ...] = (
    TextField(Action.DISPOSE, "note", Visibility.INTERNAL),
    TextField(Action.FORWARD, "note", Visibility.INTERNAL),
    TextField(Action.RETURN_TO_FORWARDER, "reason", Visibility.INTERNAL),
    TextField(Action.RETURN_TO_VERIFIER, "reason", Visibility.INTERNAL),
    TextField(Action.NOTE, "body", Visibility.INTERNAL),
    TextField(Action.UNARCHIVE, "reason", Visibility.INTERNAL),
    TextField(Action.PASS_UP, "reason", Visibility.INTERNAL),
    TextField(MERGE_KIND, "note", Visibility.INTERNAL),
    TextField(Action.HOLD, "question", Visibility.REPORTER),
    TextField(Action.ARCHIVE, "note", Visibility.REPORTER),
    TextField(Action.CLOSE, "reason", Visibility.REPORTER),
    TextField(Action.FOLLOW_UP, "body", Visibility.PUBLIC, narrowable=True),
    TextField(Action.RESPOND, "body", Visibility.PUBLIC, narrowable=True),
    # Not a timeline event: the reason for opening an anonymous reporter's identity goes to
    # the encrypted processing record and the audit (lapor.privacy.services.identity_reveal).
    TextField(REVEAL_KIND, "reason", Visibility.INTERNAL),
    TextField(Action.PROVIDE_INFO, "body", Visibility.REPORTER, staff=False),
    TextField(Action.REPORTER_MESSAGE, "body", Visibility.REPORTER, staff=False),
    TextField(Action.REOPEN, "body", Visibility.REPORTER, staff=False),
    TextField(Action.ACCEPT, "body", Visibility.REPORTER, staff=False),
)
BY_KIND: dict[str, TextField] = {f.kind: f for f in TEXT_FIELDS}


def declared(kind: str) -> Visibility:
    """The declared visibility of the text of events of ``kind`` (internal if undeclared)."""
    entry = BY_KIND.get(kind)
    return entry.visibility if entry is not None else Visibility.INTERNAL


def narrower(a: str, b: str) -> Visibility:
    return Visibility(a) if _RANK[Visibility(a)] >= _RANK[Visibility(b)] else Visibility(b)


def text_visibility(kind: str, event_visibility: str) -> Visibility:
    """Who reads the text of one event: the narrower of the event and the declaration."""
    return narrower(declared(kind), event_visibility)


def text_visible_to(kind: str, event_visibility: str, audience: str) -> bool:
    """May ``audience`` (a :class:`Visibility`: public, reporter, or internal for staff) read
    the text of an event of ``kind`` with ``event_visibility``?"""
    return _RANK[text_visibility(kind, event_visibility)] <= _RANK[Visibility(audience)]


def kinds_with_text_for(audience: str) -> list[str]:
    """The event kinds whose text ``audience`` may read (given an event visible to it)."""
    return [f.kind for f in TEXT_FIELDS if _RANK[f.visibility] <= _RANK[Visibility(audience)]]


def field_visibility(kind: str) -> Visibility:
    """The declaration a staff form shows next to the field of ``kind``."""
    return BY_KIND[kind].visibility
