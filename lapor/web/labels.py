"""Words people read for stored keys, in one place for the portal and the workspace.

``EVENT_LABELS`` names every timeline entry kind (:class:`lapor.reports.states.EventKind`):
the staff report page, the reporter's tracking page and the public report page all print
these, so no page shows a raw key such as ``attachment_added``. English msgids, translated in
this app's catalogue (``lapor/web/locale``); a test fails on a kind without a label.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lapor.reports.states import EventKind

EVENT_LABELS: dict[EventKind, Promise] = {
    EventKind.SUBMIT: _("Report received"),
    EventKind.HOLD: _("The verifier asked for more information"),
    EventKind.PROVIDE_INFO: _("The reporter added the information asked for"),
    EventKind.ARCHIVE: _("Archived at verification"),
    EventKind.AUTO_ARCHIVE: _("Archived: the information asked for did not arrive in time"),
    EventKind.UNARCHIVE: _("Taken back from the archive"),
    EventKind.DISPOSE: _("Sent to the agency responsible"),
    EventKind.FORWARD: _("Forwarded within the agency"),
    EventKind.RETURN_TO_FORWARDER: _("Handed back: not this office's authority"),
    EventKind.RETURN_TO_VERIFIER: _("Handed back to the verifiers: not this agency's "
                                    "authority"),
    EventKind.PASS_UP: _("Passed up to the next verification tier"),
    EventKind.ACKNOWLEDGE: _("Received by the agency, being handled"),
    EventKind.FOLLOW_UP: _("Follow-up from the agency"),
    EventKind.RESPOND: _("Final follow-up from the agency"),
    EventKind.ACCEPT: _("The reporter accepted the follow-up"),
    EventKind.REOPEN: _("The reporter said it is not resolved"),
    EventKind.CLOSE: _("Closed"),
    EventKind.AUTO_CLOSE: _("Closed: no reply within the reply period"),
    EventKind.NOTE: _("Internal note"),
    EventKind.REPORTER_MESSAGE: _("Message from the reporter"),
    EventKind.SET_PRIVACY: _("Privacy settings made stricter"),
    EventKind.SUPPORT: _("Supported by a citizen"),
    EventKind.ATTACHMENT_ADDED: _("File attached"),
    EventKind.ATTACHMENT_PUBLISHED: _("Attachment published"),
    EventKind.MERGE: _("A duplicate report was merged into this one"),
    EventKind.ENTERED_ON_BEHALF: _("Entered by an officer for the reporter"),
}


def event_label(kind: str) -> str:
    """The label of a timeline entry kind in the active language (the key itself only for a
    kind no code writes any more, so an old row still shows something)."""
    try:
        return str(EVENT_LABELS[EventKind(kind)])
    except (KeyError, ValueError):
        return kind
