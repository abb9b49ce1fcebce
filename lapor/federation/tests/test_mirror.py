"""Mirrored reports (lapor.federation.mirror, hooks, commands): one database plays one side.

Both sides of a real link share tracking numbers, so a round trip inside one database is not
possible; the received snapshots here are built from a local report (lapor.federation.mirror.
snapshot) and renumbered, or edited by hand, then applied over a link.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from lapor.core import clock
from lapor.core.errors import Conflict, ValidationFailed
from lapor.federation import hooks, mirror
from lapor.federation.models import (
    EntryKind,
    JournalEntry,
    Link,
    LinkRole,
    MirroredEvent,
    MirroredReport,
    Origin,
)
from lapor.notifications.models import Audience, OutboxMessage
from lapor.reports import feed, replication, services
from lapor.reports.models import Disposition, Report, ReporterContact, ReportEvent
from lapor.reports.states import Status
from lapor.reports.submission import tracking_number_of
from lapor.sla.sweep import sweep_deadlines
from tests.api_client import current_totp
from tests.factories import PASSWORD, Tree, drive, reporter_of, submit

WITA = ZoneInfo("Asia/Makassar")
LANE = 3


def make_link(tree: Tree, role: str, *, lane: int = LANE,
              at: datetime | None = None) -> Link:
    return Link.objects.create(role=role, agency=tree.kutim, url="https://peer.example",
                               signing_key_encrypted="-", lane=lane,
                               created_at=at or clock.now() - timedelta(days=1))


def lane_number(lane: int, n: int = 7) -> str:
    return tracking_number_of(lane * mirror.LANE_SIZE + n)


def received(link: Link, report: Report, *, number: str, shift: int = 10**6,
             with_contact: bool = True) -> dict[str, Any]:
    """``report`` as the other side would send it, under another tracking number, with its
    event ids moved out of the way (they are the sender's ids)."""
    data = mirror.snapshot(link, report, with_contact=with_contact)
    data["tracking_number"] = number
    for event in data["events"]:
        event["id"] += shift
    return json.loads(json.dumps(data))  # what the wire carries


def apply(link: Link, data: dict[str, Any], seq: int = 1) -> None:
    mirror.apply_entry(link, {"seq": seq, "kind": "report", "report": data})


def entries(link: Link, kind: str = EntryKind.REPORT) -> list[JournalEntry]:
    return list(JournalEntry.objects.filter(link=link, kind=kind).order_by("seq"))


# ---------------------------------------------------------------- sharing and holding


def test_no_link_nothing_held_nothing_journalled(tree: Tree) -> None:
    report = drive(tree, "disposed")
    assert replication.held_elsewhere(report) is False
    assert replication.held_elsewhere_q() is None
    assert not MirroredReport.objects.exists()
    assert not JournalEntry.objects.exists()


def test_national_shares_a_report_disposed_into_the_region_and_refuses_changes(
        tree: Tree) -> None:
    link = make_link(tree, LinkRole.PEER)
    # Jakarta has no hub here: the national pool receives it, not shared yet.
    report = submit(tree, region_code="31.71", target_agency_code="").report
    assert report.current_node == tree.root
    assert not MirroredReport.objects.filter(report=report).exists()
    assert replication.held_elsewhere(report) is False

    services.report_dispose(actor=tree.actor("national"), report_id=report.pk,
                            node_code=tree.pupr.code)
    row = MirroredReport.objects.get(report=report)
    assert (row.link, row.origin) == (link, Origin.HERE)
    assert [e.seq for e in entries(link)] == [1]
    report.refresh_from_db()
    assert replication.held_elsewhere(report) is True
    held = replication.held_elsewhere_q()
    assert held is not None
    assert list(Report.objects.filter(held).values_list("pk", flat=True)) == [report.pk]

    # Held by the region: the national side's own officers get the race's 409.
    with pytest.raises(Conflict) as refused:
        services.report_acknowledge(actor=tree.actor("liaison_pupr"), report_id=report.pk)
    assert refused.value.code == "held_by_peer"
    assert refused.value.status == 409
    report.refresh_from_db()
    assert report.status == Status.DISPOSED


def test_the_officer_page_of_a_report_held_elsewhere_offers_no_action(tree: Tree) -> None:
    make_link(tree, LinkRole.PEER)
    report = submit(tree, region_code="31.71", target_agency_code="").report
    services.report_dispose(actor=tree.actor("national"), report_id=report.pk,
                            node_code=tree.pupr.code)
    browser = Client()
    signed_in = browser.post("/petugas/masuk/", {"username": "liaison_pupr",
                                                 "password": PASSWORD,
                                                 "otp": current_totp("liaison_pupr") or ""})
    assert signed_in.status_code == 302
    page = browser.get(f"/petugas/laporan/{report.pk}/").content.decode()
    assert 'id="held-elsewhere"' in page
    assert 'id="report-actions"' not in page
    assert "Ditangani di instans Lapor lain" in page


def test_region_shares_every_report_filed_after_the_link(tree: Tree) -> None:
    link = make_link(tree, LinkRole.UPSTREAM)
    before = submit(tree, at=link.created_at - timedelta(hours=1)).report
    services.report_hold(actor=tree.actor("hub"), report_id=before.pk, question="Di mana?")
    assert not MirroredReport.objects.filter(report=before).exists()

    report = submit(tree).report
    row = MirroredReport.objects.get(report=report)
    assert row.origin == Origin.HERE
    assert replication.held_elsewhere(report) is False  # at kutim: the region holds it
    services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                            node_code=tree.pupr.code)
    assert [e.report_id for e in entries(link)] == [report.pk, report.pk]
    held = replication.held_elsewhere_q()
    assert held is not None
    assert not Report.objects.filter(held).filter(pk=report.pk).exists()


def test_region_hands_a_report_up_and_then_holds_it_no_longer(tree: Tree) -> None:
    make_link(tree, LinkRole.UPSTREAM)
    report = submit(tree, target_agency_code="").report  # reached the kutim hub by region
    assert report.current_node == tree.kutim
    services.report_pass_up(actor=tree.actor("hub"), report_id=report.pk, reason="Bukan kami")
    report.refresh_from_db()
    assert report.current_node == tree.root
    assert replication.held_elsewhere(report) is True
    with pytest.raises(Conflict) as refused:
        services.report_hold(actor=tree.actor("national"), report_id=report.pk, question="?")
    assert refused.value.code == "held_by_peer"


def test_sweep_skips_a_report_held_elsewhere(tree: Tree) -> None:
    report = drive(tree, "responded")
    link = make_link(tree, LinkRole.PEER)
    MirroredReport.objects.create(report=report, link=link, origin=Origin.PEER,
                                  created_at=clock.now())
    assert report.reply_due_at is not None
    with clock.frozen(report.reply_due_at + timedelta(seconds=1)):
        result = sweep_deadlines()
        assert services.report_auto_close(report_id=report.pk) is False
    assert result.closed == 0
    report.refresh_from_db()
    assert report.status == Status.RESPONDED


def test_deadline_notices_skip_a_report_held_elsewhere(tree: Tree) -> None:
    from lapor.notifications.models import DeadlineNotice  # noqa: PLC0415
    from lapor.sla.notices import sweep_notices  # noqa: PLC0415

    held, local = drive(tree, "disposed"), drive(tree, "disposed")
    link = make_link(tree, LinkRole.PEER)
    MirroredReport.objects.create(report=held, link=link, origin=Origin.PEER,
                                  created_at=clock.now())
    assert held.staff_due_at is not None
    with clock.frozen(held.staff_due_at + timedelta(days=3)):
        sweep_notices()
    assert not DeadlineNotice.objects.filter(report=held).exists()
    assert DeadlineNotice.objects.filter(report=local).exists()


# ---------------------------------------------------------------- sending


def test_snapshot_entries_carry_the_current_state_once_per_batch_and_the_contact_once(
        tree: Tree) -> None:
    link = make_link(tree, LinkRole.UPSTREAM)
    report = submit(tree).report
    services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                            node_code=tree.pupr.code)
    first, second = entries(link)
    wire = mirror.snapshot_entries(link, [first, second])
    assert [w["seq"] for w in wire] == [1, 2]
    assert wire[1]["report"] is None  # the batch's first entry of the report carries it
    data = wire[0]["report"]
    assert data["status"] == Status.DISPOSED
    assert data["current_node"] == tree.pupr.code
    assert data["contact"]["email"] == "siti@example.org"
    assert [e["kind"] for e in data["events"]] == ["submit", "dispose"]
    assert [d["node"] for d in data["dispositions"]] == [tree.pupr.code]
    json.dumps(wire)  # JSON all the way
    # Sent again from entry 2 alone: no longer the report's first entry, no contact.
    assert mirror.snapshot_entries(link, [second])[0]["report"]["contact"] is None


def test_an_anonymous_report_never_sends_its_contact(tree: Tree) -> None:
    link = make_link(tree, LinkRole.UPSTREAM)
    report = submit(tree, is_anonymous=True).report
    assert ReporterContact.objects.filter(report=report).exists()
    wire = mirror.snapshot_entries(link, entries(link))
    assert wire[0]["report"]["contact"] is None
    assert "siti@example.org" not in json.dumps(wire)
    assert "Aminah" not in json.dumps(wire)


# ---------------------------------------------------------------- applying


def test_apply_creates_the_report_with_its_events_and_contact(tree: Tree) -> None:
    source = drive(tree, "disposed")
    link = make_link(tree, LinkRole.PEER)
    number = lane_number(LANE)
    apply(link, received(link, source, number=number))

    copy = Report.objects.get(tracking_number=number)
    assert (copy.status, copy.current_node, copy.agency, copy.tier) == (
        Status.DISPOSED, tree.pupr, tree.kutim, tree.kutim)
    assert copy.version == source.version
    assert copy.followup_due_at == source.followup_due_at
    assert MirroredReport.objects.get(report=copy).origin == Origin.PEER
    kinds = list(ReportEvent.objects.filter(report=copy).values_list("kind", flat=True))
    assert kinds == ["submit", "dispose"]
    assert ReportEvent.objects.filter(report=copy, actor__isnull=False).count() == 0
    assert MirroredEvent.objects.filter(link=link, event__report=copy).count() == 2
    assert [d.node for d in Disposition.objects.filter(report=copy)] == [tree.pupr]
    assert ReporterContact.objects.filter(report=copy).exists()
    # Written by apply: not journalled back; the reporter is messaged by the origin only,
    # the staff by the holder (the region holds PUPR's reports).
    assert not JournalEntry.objects.filter(report=copy).exists()
    assert not OutboxMessage.objects.filter(report_id=copy.pk,
                                            audience__in=[Audience.REPORTER, Audience.STAFF])


def test_apply_twice_writes_each_event_once(tree: Tree) -> None:
    source = drive(tree, "disposed")
    link = make_link(tree, LinkRole.PEER)
    data = received(link, source, number=lane_number(LANE))
    apply(link, data, seq=1)
    apply(link, data, seq=2)
    copy = Report.objects.get(tracking_number=data["tracking_number"])
    assert ReportEvent.objects.filter(report=copy).count() == 2


def test_apply_updates_state_only_from_a_version_at_least_the_local_one(tree: Tree) -> None:
    source = drive(tree, "disposed")
    link = make_link(tree, LinkRole.PEER)
    number = lane_number(LANE)
    apply(link, received(link, source, number=number))
    services.report_acknowledge(actor=tree.actor("liaison_pupr"), report_id=source.pk)
    source.refresh_from_db()
    newer = received(link, source, number=number)
    apply(link, newer, seq=2)
    copy = Report.objects.get(tracking_number=number)
    assert (copy.status, copy.version) == (Status.IN_PROGRESS, source.version)
    assert ReportEvent.objects.filter(report=copy).count() == 3

    older = dict(newer, version=copy.version - 1, status=Status.DISPOSED, title="Lama sekali")
    older["events"] = [*newer["events"], {**newer["events"][-1], "id": 99_000_001,
                                          "kind": "note", "visibility": "internal",
                                          "body": "catatan"}]
    apply(link, older, seq=3)
    copy.refresh_from_db()
    assert (copy.status, copy.title) == (Status.IN_PROGRESS, source.title)
    assert ReportEvent.objects.filter(report=copy, kind="note").count() == 1  # events still


def test_a_snapshot_of_an_equal_version_never_lowers_the_support_count(tree: Tree) -> None:
    source = drive(tree, "disposed")
    link = make_link(tree, LinkRole.PEER)
    number = lane_number(LANE)
    apply(link, received(link, source, number=number))
    copy = Report.objects.get(tracking_number=number)
    Report.objects.filter(pk=copy.pk).update(support_count=4)  # supports given here meanwhile
    stale = received(link, source, number=number)  # the same version, 0 supports
    assert (stale["version"], stale["support_count"]) == (copy.version, 0)
    apply(link, stale, seq=2)
    copy.refresh_from_db()
    assert copy.support_count == 4
    apply(link, dict(stale, support_count=6), seq=3)
    copy.refresh_from_db()
    assert copy.support_count == 6


def test_dispositions_follow_by_position_through_a_hand_back(tree: Tree) -> None:
    source = drive(tree, "disposed", forwarded=True)
    link = make_link(tree, LinkRole.PEER)
    number = lane_number(LANE)
    apply(link, received(link, source, number=number))
    copy = Report.objects.get(tracking_number=number)
    assert [(d.node, d.state) for d in Disposition.objects.filter(report=copy)] == [
        (tree.pupr, "forwarded"), (tree.bina_marga, "active")]
    # Bina Marga says "bukan wewenang": the first hop is active again, the second returned.
    services.report_return(actor=tree.actor("liaison_binamarga"), report_id=source.pk,
                           reason="Bukan wewenang kami")
    source.refresh_from_db()
    apply(link, received(link, source, number=number), seq=2)
    rows = list(Disposition.objects.filter(report=copy).select_related("parent"))
    assert [(d.node, d.state) for d in rows] == [(tree.pupr, "active"),
                                                  (tree.bina_marga, "returned")]
    assert rows[1].parent == rows[0]
    copy.refresh_from_db()
    assert copy.current_node == tree.pupr


def test_unknown_nodes_map_to_the_root_and_unknown_regions_are_refused(tree: Tree) -> None:
    link = make_link(tree, LinkRole.UPSTREAM)
    data = received(link, drive(tree, "submitted"), number=lane_number(LANE))
    data.update(tier="jakarta-hub", current_node="jakarta-hub", agency="jakarta-hub")
    apply(link, data)
    copy = Report.objects.get(tracking_number=data["tracking_number"])
    assert (copy.tier, copy.current_node, copy.agency) == (tree.root, tree.root, None)
    assert replication.held_elsewhere(copy) is True  # left the region: the national holds it

    other = received(link, drive(tree, "submitted"), number=lane_number(LANE, 8), shift=2 * 10**6)
    other["region"] = "99.99"
    with pytest.raises(ValidationFailed) as refused:
        apply(link, other, seq=2)
    assert refused.value.code == "unknown_node"


def test_the_national_refuses_a_new_report_outside_the_link_lane(tree: Tree) -> None:
    link = make_link(tree, LinkRole.PEER)
    data = received(link, drive(tree, "submitted"), number=lane_number(LANE + 1))
    with pytest.raises(ValidationFailed) as refused:
        apply(link, data)
    assert refused.value.code == "number_outside_lane"
    assert not Report.objects.filter(tracking_number=data["tracking_number"]).exists()


def test_a_malformed_entry_is_refused_with_a_code(tree: Tree) -> None:
    link = make_link(tree, LinkRole.PEER)
    data = received(link, drive(tree, "submitted"), number=lane_number(LANE))
    del data["status"]
    with pytest.raises(ValidationFailed) as refused:
        apply(link, data)
    assert refused.value.code == "invalid_entry"


def test_anonymous_report_arrives_without_any_contact(tree: Tree) -> None:
    source = drive(tree, "disposed", is_anonymous=True)
    link = make_link(tree, LinkRole.PEER)
    data = received(link, source, number=lane_number(LANE))
    assert data["contact"] is None
    data["contact"] = {"name": "Siti", "email": "siti@example.org", "phone": "", "nik": ""}
    apply(link, data)  # even a sender that got it wrong: nothing stored
    copy = Report.objects.get(tracking_number=data["tracking_number"])
    assert copy.is_anonymous
    assert not ReporterContact.objects.filter(report=copy).exists()


def test_confidential_report_stays_out_of_the_public_feed(tree: Tree) -> None:
    sources = drive(tree, "in_progress"), drive(tree, "in_progress", is_confidential=True)
    link = make_link(tree, LinkRole.PEER)
    shown = received(link, sources[0], number=lane_number(LANE, 1))
    hidden = received(link, sources[1], number=lane_number(LANE, 2), shift=2 * 10**6)
    apply(link, shown, seq=1)
    apply(link, hidden, seq=2)
    public = set(feed.public_scope().values_list("tracking_number", flat=True))
    assert shown["tracking_number"] in public
    assert hidden["tracking_number"] not in public


def test_staff_are_told_by_the_holder_only(tree: Tree) -> None:
    # On the region: a national report disposed to PUPR arrives; the region holds it now.
    source = drive(tree, "disposed")
    link = make_link(tree, LinkRole.UPSTREAM)
    data = received(link, source, number=lane_number(LANE))
    apply(link, data)
    copy = Report.objects.get(tracking_number=data["tracking_number"])
    staff = OutboxMessage.objects.filter(report_id=copy.pk, audience=Audience.STAFF)
    assert staff.exists()  # PUPR's people, told of the assignment
    assert not OutboxMessage.objects.filter(report_id=copy.pk, audience=Audience.REPORTER)


# ---------------------------------------------------------------- commands


def test_a_forwarded_close_by_the_reporter_is_applied_by_the_holder(tree: Tree) -> None:
    link = make_link(tree, LinkRole.UPSTREAM)
    report = drive(tree, "responded")
    before = len(entries(link))
    mirror.apply_entry(link, {"seq": 1, "kind": "command",
                              "tracking_number": report.tracking_number,
                              "command": {"action": "reply", "version": report.version,
                                          "args": {"accept": True, "rating": 4, "body": ""}}})
    report.refresh_from_db()
    assert (report.status, report.rating) == (Status.CLOSED, 4)
    accept = ReportEvent.objects.get(report=report, kind="accept")
    assert accept.actor_role == "reporter"
    assert len(entries(link)) == before + 1  # the result goes back to the other side


def test_a_refused_command_leaves_an_internal_note_and_the_stream_goes_on(tree: Tree) -> None:
    link = make_link(tree, LinkRole.UPSTREAM)
    report = drive(tree, "closed")
    mirror.apply_entry(link, {"seq": 1, "kind": "command",
                              "tracking_number": report.tracking_number,
                              "command": {"action": "reply", "version": 1,
                                          "args": {"accept": False, "body": "Belum beres"}}})
    report.refresh_from_db()
    assert report.status == Status.CLOSED
    note = ReportEvent.objects.get(report=report, kind="note")
    assert note.visibility == "internal"
    assert "invalid_transition" in note.body
    assert note.payload == {"forwarded_action": "reply", "refused": "invalid_transition"}


def _passed_up(tree: Tree) -> tuple[Link, Report, str]:
    link = make_link(tree, LinkRole.UPSTREAM, at=datetime(2026, 1, 1, tzinfo=WITA))
    with clock.frozen(datetime(2026, 8, 10, 9, 0, tzinfo=WITA)):
        submitted = submit(tree, target_agency_code="")
        services.report_pass_up(actor=tree.actor("hub"), report_id=submitted.report.pk,
                                reason="Bukan kewenangan kabupaten")
    return link, submitted.report, submitted.access_code


def test_api_reporter_action_on_a_report_held_elsewhere_is_forwarded(tree: Tree) -> None:
    link, report, code = _passed_up(tree)
    response = Client().post(
        f"/api/v1/track/{report.tracking_number}/messages",
        data=json.dumps({"body": "Lokasinya di depan pasar."}),
        content_type="application/json", HTTP_X_ACCESS_CODE=code)
    assert response.status_code == 202, response.content
    assert response.json()["code"] == "forwarded_to_peer"
    [command] = entries(link, EntryKind.COMMAND)
    assert command.payload["action"] == "write"
    assert command.payload["args"] == {"body": "Lokasinya di depan pasar."}
    assert not ReportEvent.objects.filter(report=report, kind="reporter_message").exists()
    wire = mirror.snapshot_entries(link, [command])
    assert wire == [{"seq": command.seq, "kind": "command",
                     "tracking_number": report.tracking_number, "command": command.payload}]


def test_api_reporter_answer_on_a_report_held_here_is_unchanged(tree: Tree) -> None:
    make_link(tree, LinkRole.UPSTREAM)
    submitted = submit(tree)
    response = Client().post(
        f"/api/v1/track/{submitted.report.tracking_number}/messages",
        data=json.dumps({"body": "Tambahan: lubangnya makin besar."}),
        content_type="application/json", HTTP_X_ACCESS_CODE=submitted.access_code)
    assert response.status_code == 200
    assert ReportEvent.objects.filter(report=submitted.report, kind="reporter_message").exists()


def test_portal_reply_on_a_report_held_elsewhere_is_forwarded(tree: Tree) -> None:
    link, report, code = _passed_up(tree)
    client = Client()
    proven = client.post(f"/lacak/{report.tracking_number}/kode/", {"access_code": code})
    assert proven.status_code in (200, 302)
    response = client.post(f"/lacak/{report.tracking_number}/pesan/",
                           {"body": "Lokasinya di depan pasar."}, follow=True)
    assert response.status_code == 200
    [command] = entries(link, EntryKind.COMMAND)
    assert command.payload["args"] == {"body": "Lokasinya di depan pasar."}


def test_held_elsewhere_cache_sees_a_new_link_at_once(tree: Tree) -> None:
    report = drive(tree, "disposed")
    hooks._forget_links()
    assert hooks.any_link() is False
    link = make_link(tree, LinkRole.PEER)
    MirroredReport.objects.create(report=report, link=link, origin=Origin.HERE,
                                  created_at=clock.now())
    assert replication.held_elsewhere(report) is True
    assert reporter_of(report).report_id == report.pk


def test_sms_puas_on_a_report_held_elsewhere_is_forwarded(tree: Tree) -> None:
    from lapor.channels.identities import identity_for, link_report  # noqa: PLC0415
    from lapor.channels.pipeline import Command, reporter_answer  # noqa: PLC0415

    link, report, _ = _passed_up(tree)
    identity = identity_for(channel="sms", handle="+6281234567890", provider="twilio")
    link_report(report_id=report.pk, identity=identity)
    outcome = reporter_answer(identity, Command(name="puas", number=report.tracking_number,
                                                rest="5 terima kasih"))
    assert outcome.code == "reply_forwarded"
    assert report.tracking_number in outcome.replies[0].text
    [command] = entries(link, EntryKind.COMMAND)
    assert command.payload["args"] == {"accept": True, "rating": 5, "body": ""}


def test_the_instance_where_it_was_filed_tells_the_reporter_of_the_other_side_s_work(
        tree: Tree) -> None:
    link = make_link(tree, LinkRole.UPSTREAM)
    report = submit(tree).report  # filed here, on the region: shared, origin here
    data = received(link, report, number=report.tracking_number)
    # What the national sends after its verifier disposed it to a national agency.
    at = clock.now().isoformat()
    data.update(version=report.version + 1, status=Status.DISPOSED,
                current_node=tree.samarinda_dishub.code, agency=tree.samarinda.code,
                dispositions=[{"node": tree.samarinda_dishub.code, "parent": None,
                               "disposed_from": "nasional", "note": "", "state": "active",
                               "return_reason": "", "created_at": at, "ended_at": None}],
                events=[{"id": 5_000_001, "kind": "dispose", "actor_role": "national_verifier",
                         "actor_node": "nasional", "created_at": at, "from_status": "submitted",
                         "to_status": "disposed", "visibility": "public", "body": "",
                         "payload": {}}],
                contact=None)
    apply(link, data)
    report.refresh_from_db()
    assert (report.status, report.current_node) == (Status.DISPOSED, tree.samarinda_dishub)
    assert replication.held_elsewhere(report) is True
    dispose = ReportEvent.objects.get(report=report, kind="dispose")
    rows = OutboxMessage.objects.filter(report_id=report.pk, key__startswith=f"e{dispose.pk}:")
    assert rows.filter(audience=Audience.REPORTER).exists()  # the contact is here
    assert not rows.filter(audience=Audience.STAFF).exists()  # the national tells its staff
    assert ReporterContact.objects.filter(report=report).count() == 1
