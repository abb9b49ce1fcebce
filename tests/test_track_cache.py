"""The cached public view of a tracking look-up (issue #21, lapor.reports.presenters
``public_view_cached``): a change to the report is visible at the next look-up, and the cache
never shows a viewer more than the public view of that moment.

The version the cache is keyed by (``public_version``) is read by the look-up's one query:
the report's ``version`` and ``updated_at``, the id of its newest event, and the fields the
view shows or derives (status, confidentiality, agency, region, holder)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from lapor.core import ratelimit
from lapor.core.precompiled import Precompiled
from lapor.orgs.actors import SYSTEM
from lapor.reports import presenters, selectors, services
from lapor.reports.events import event_append
from lapor.reports.models import Report, Visibility
from lapor.reports.states import EventKind
from tests.factories import Tree, drive, submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_rate_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ratelimit, "_PRUNE_ON_WRITE_RATE", 0.0)


def track(number: str) -> dict[str, Any]:
    response = Client().get(f"/api/v1/track/{number}")
    assert response.status_code == 200, response.content[:300]
    return response.json()


def looked_up_queries(number: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        track(number)
    return len(captured)


def test_a_repeated_lookup_is_served_from_the_cache(tree: Tree) -> None:
    report = drive(tree, "in_progress")
    first = track(report.tracking_number)
    # The rate counter's read and the look-up itself; no timeline, no SOP, no join.
    assert looked_up_queries(report.tracking_number) == 2
    assert track(report.tracking_number) == first


def test_a_new_view_of_a_known_agency_reads_only_the_report_and_its_events(tree: Tree) -> None:
    """The agency holding a report (its name and SOP zone) is kept beside the views: the first
    look-up of another of its reports reads no organisation and no SOP."""
    first, second = drive(tree, "in_progress"), drive(tree, "in_progress")
    known = track(first.tracking_number)
    with CaptureQueriesContext(connection) as captured:
        view = track(second.tracking_number)
    assert [q["sql"] for q in captured
            if 'FROM "orgs_sop"' in q["sql"] or 'FROM "orgs_orgnode"' in q["sql"]] == []
    assert view["agency"] == known["agency"] == {"code": tree.kutim.code, "name": tree.kutim.name}
    assert view["time_zone"] == known["time_zone"] == "WITA"


def test_a_public_follow_up_is_visible_at_once(tree: Tree) -> None:
    report = drive(tree, "in_progress")
    before = track(report.tracking_number)
    services.report_follow_up(actor=tree.actor("liaison_pupr"), report_id=report.pk,
                              body="Tim sudah turun ke lokasi.", final=False, public=True)
    after = track(report.tracking_number)
    assert len(after["timeline"]) == len(before["timeline"]) + 1
    assert after["timeline"][-1]["body"] == "Tim sudah turun ke lokasi."


def test_a_status_change_is_visible_at_once(tree: Tree) -> None:
    report = drive(tree, "in_progress")
    assert track(report.tracking_number)["status"] == "in_progress"
    services.report_follow_up(actor=tree.actor("liaison_pupr"), report_id=report.pk,
                              body="Lubang sudah ditambal.", final=True)
    assert track(report.tracking_number)["status"] == "responded"


def test_an_event_written_without_a_new_version_is_visible_at_once(tree: Tree) -> None:
    """Writers that add to the timeline without counting a version (a system note, a public
    attachment's event) change the newest event's id, which is part of the version."""
    report = drive(tree, "in_progress")
    before = track(report.tracking_number)
    version = Report.objects.get(pk=report.pk).version
    event_append(report=report, kind=EventKind.FOLLOW_UP, actor=SYSTEM,
                 visibility=Visibility.PUBLIC, body="Catatan publik tanpa versi baru.")
    assert Report.objects.get(pk=report.pk).version == version
    after = track(report.tracking_number)
    assert len(after["timeline"]) == len(before["timeline"]) + 1


def test_made_confidential_the_cached_view_goes_at_once(tree: Tree) -> None:
    report = submit(tree).report
    open_view = track(report.tracking_number)
    assert open_view["agency"] is not None
    services.report_set_privacy(actor=tree.actor("hub"), report_id=report.pk, confidential=True)
    closed_view = track(report.tracking_number)
    assert closed_view["agency"] is None
    assert all(e["actor_node"] is None and e["body"] == "" and e["payload"] == {}
               for e in closed_view["timeline"])
    # Exactly what the uncached public view of the confidential report is.
    fresh = selectors.report_for_lookup(report.tracking_number)
    presenters.public_views_clear()
    assert track(report.tracking_number) == closed_view
    assert presenters.public_version(fresh)[4] is True


def test_the_reporter_page_is_never_the_cached_public_one(tree: Tree) -> None:
    """The portal keeps the cache for the public view: the browser that proved the report
    reads the whole report (title and body), a stranger the public view only."""
    submitted = submit(tree, title="Jalan berlubang depan sekolah dasar")
    number = submitted.report.tracking_number
    title = b"Jalan berlubang depan sekolah dasar"
    stranger = Client()
    assert title not in stranger.get(f"/lacak/{number}/").content
    reporter = Client()
    response = reporter.post(f"/lacak/{number}/kode/", {"access_code": submitted.access_code})
    assert response.status_code == 302
    assert title in reporter.get(f"/lacak/{number}/").content
    assert title not in stranger.get(f"/lacak/{number}/").content


def test_languages_are_cached_apart(tree: Tree) -> None:
    report = drive(tree, "in_progress")
    client = Client()
    english = client.get(f"/api/v1/track/{report.tracking_number}",
                         HTTP_ACCEPT_LANGUAGE="en").json()
    indonesian = client.get(f"/api/v1/track/{report.tracking_number}",
                            HTTP_ACCEPT_LANGUAGE="id").json()
    assert english["status_label"] != indonesian["status_label"]


def test_the_public_tracking_page_reads_two_rows_when_cached(tree: Tree) -> None:
    report = drive(tree, "in_progress")
    client = Client()
    url = f"/lacak/{report.tracking_number}/"
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    # The rate counter's read and the look-up; whether it is listed needs no query.
    assert len(captured) == 2, [q["sql"][:80] for q in captured]


def test_a_precompiled_query_gives_what_the_queryset_gives(tree: Tree) -> None:
    """lapor.core.precompiled: the SQL compiled once, run with other arguments, its rows
    converted as the ORM converts them."""
    reports = [drive(tree, "in_progress"), submit(tree).report]
    query = Precompiled(Report, lambda number: Report.objects.filter(tracking_number=number)
                        .values_list("id", "status", "submitted_at", "is_confidential"))
    for report in reports:
        assert query.rows(report.tracking_number) == list(
            Report.objects.filter(tracking_number=report.tracking_number)
            .values_list("id", "status", "submitted_at", "is_confidential"))
    assert query.rows("00000000000") == []
    with pytest.raises(ValueError, match="exactly once"):
        Precompiled(Report, lambda number: Report.objects.filter(
            tracking_number=number, title=number).values_list("id")).rows("x")
