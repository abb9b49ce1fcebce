"""Every timeline entry kind has a label for people, in Indonesian and English, and the three
timelines (staff report page, reporter's tracking page, public report page) print it instead of
the stored key (issue #18: the workspace showed ``attachment_added``)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from lapor.orgs.actors import SYSTEM
from lapor.reports.events import event_append
from lapor.reports.models import Visibility
from lapor.reports.states import Action, EventKind
from lapor.web.labels import EVENT_LABELS, event_label
from lapor.workspace.tests.helpers import report_url, signed_in
from tests.factories import Tree, drive

KINDS = list(EventKind)


def test_every_action_is_an_event_kind() -> None:
    assert {str(a) for a in Action} <= {str(k) for k in EventKind}


@pytest.mark.parametrize("kind", KINDS, ids=str)
def test_every_event_kind_has_a_translated_label(kind: EventKind) -> None:
    assert kind in EVENT_LABELS, f"no label for the event kind {kind!r}: add it to " \
                                 "lapor/web/labels.py and its translation"
    with translation.override("en"):
        english = event_label(kind)
    with translation.override("id"):
        indonesian = event_label(kind)
    assert english
    assert english != str(kind)
    assert indonesian
    assert indonesian != str(kind)
    assert indonesian != english, f"{kind}: no Indonesian translation of {english!r}"


@pytest.mark.django_db
def test_an_undeclared_kind_is_refused(tree: Tree) -> None:
    report = drive(tree, "submitted")
    with pytest.raises(ValueError, match="shiny_new_kind"):
        event_append(report=report, kind="shiny_new_kind", actor=SYSTEM)


def _labels_in(html: str) -> set[str]:
    """The bold entry titles of the page's timeline list(s)."""
    lists = re.findall(r'<ol class="timeline">(.*?)</ol>', html, re.S)
    assert lists, "no timeline on the page"
    return {re.sub(r"<[^>]+>", "", m).strip()
            for part in lists for m in re.findall(r"<strong>(.*?)</strong>", part, re.S)}


@pytest.mark.django_db
def test_timelines_print_labels_not_keys(tree: Tree) -> None:
    """One entry of every kind (public, so every surface lists it) on a disposed report:
    each page prints each label and no raw key."""
    report = drive(tree, "disposed")
    for kind in KINDS:
        event_append(report=report, kind=kind, actor=SYSTEM, visibility=Visibility.PUBLIC)
    with translation.override("id"):
        wanted = {event_label(k) for k in KINDS}
    keys = {str(k) for k in KINDS}

    staff = signed_in("hub").get(report_url(report.pk)).content.decode()
    client = Client()
    session = client.session
    session["portal_proven"] = [report.pk]
    session.save()
    tracking = client.get(f"/lacak/{report.tracking_number}/").content.decode()
    public = Client().get(f"/laporan/{report.tracking_number}/").content.decode()
    for name, html in (("workspace", staff), ("tracking", tracking), ("public", public)):
        shown = _labels_in(html)
        assert wanted <= shown, (name, sorted(wanted - shown))
        assert not keys & shown, (name, sorted(keys & shown))
