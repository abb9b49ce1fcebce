"""The notification centre API and the outbox admin API (failures, replay)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lapor.audit.models import AuditEntry
from lapor.core import clock
from lapor.notifications.dispatcher import dispatch
from lapor.notifications.models import CallbackEndpoint, OutboxMessage
from lapor.reports import services
from tests.api_client import ApiClient, login
from tests.factories import PASSWORD, Tree, submit

T0 = datetime(2026, 6, 2, 2, 0, tzinfo=UTC)


def disposed(tree: Tree) -> int:
    report = submit(tree, at=T0).report
    with clock.frozen(T0):
        services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                                node_code=tree.pupr.code, note="Tolong cek.")
        dispatch()
    return report.pk


def test_my_notifications_and_mark_read(tree: Tree) -> None:
    report_id = disposed(tree)
    liaison = login("liaison_pupr", PASSWORD)
    body = liaison.get("/notifications").json()
    assert body["unread"] == 1
    [item] = body["items"]
    assert item["event"] == "staff.assigned"
    assert item["report_id"] == report_id
    assert item["subject"].startswith("Disposisi baru: #")
    assert "Tolong cek." in item["body"]
    # Nobody else sees it, and nobody else can mark it read.
    other = login("liaison_dinkes", PASSWORD)
    assert other.get("/notifications").json() == {"items": [], "next_cursor": None, "unread": 0}
    assert other.post("/notifications/read", {"ids": [item["id"]]}).json() == {"updated": 0}
    assert liaison.post("/notifications/read", {"ids": [item["id"]]}).json() == {"updated": 1}
    assert liaison.get("/notifications", {"unread": True}).json()["items"] == []
    assert liaison.post("/notifications/read", {}).json() == {"updated": 0}


def test_notifications_need_a_staff_token(tree: Tree) -> None:
    assert ApiClient().get("/notifications").status_code == 401
    assert login("citizen", PASSWORD).get("/notifications").status_code == 403


def _dead_row(tree: Tree) -> OutboxMessage:
    CallbackEndpoint.objects.create(node=tree.kutim, name="gone", url="ftp://nowhere/",
                                    secret="", created_at=T0)
    submit(tree, at=T0)
    with clock.frozen(T0):
        dispatch()
    row = OutboxMessage.objects.get(channel="webhook")
    assert (row.status, row.last_error) == ("dead", "endpoint_scheme")
    return row


@pytest.mark.parametrize("who", ["sysadmin", "national"])
def test_outbox_admin_lists_and_replays_failures(tree: Tree, who: str) -> None:
    row = _dead_row(tree)
    admin = login(who, PASSWORD)
    stats = admin.get("/outbox/stats").json()
    assert stats["dead"] == 1
    listed = admin.get("/outbox/messages").json()["items"]
    assert [m["id"] for m in listed] == [row.pk]
    assert set(listed[0]) >= {"key", "status", "attempts", "last_error", "tracking_number"}
    assert "body" not in listed[0]
    assert "subject" not in listed[0]
    assert admin.post("/outbox/replay", {"ids": [row.pk]}).json() == {"replayed": 1}
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("pending", 0, "")
    entry = AuditEntry.objects.filter(action="outbox.replay").get()
    assert entry.payload == {"count": 1, "all_dead": False}
    dispatch()  # due now (the replay's real clock): dead again, same endpoint
    assert admin.post("/outbox/replay", {"all_dead": True}).json() == {"replayed": 1}
    assert admin.post("/outbox/replay", {}).status_code == 422
    sent = OutboxMessage.objects.filter(status="sent").values_list("pk", flat=True)[0]
    assert admin.post("/outbox/replay", {"ids": [sent]}).json() == {"replayed": 0}


@pytest.mark.parametrize("who", ["hub", "liaison_pupr", "supervisor_kutim", "auditor",
                                 "hub_samarinda"])
def test_outbox_admin_is_refused_to_other_roles(tree: Tree, who: str) -> None:
    row = _dead_row(tree)
    client = login(who, PASSWORD)
    assert client.get("/outbox/stats").status_code == 403
    assert client.get("/outbox/messages").status_code == 403
    assert client.post("/outbox/replay", {"ids": [row.pk]}).status_code == 403
    row.refresh_from_db()
    assert row.status == "dead"
    assert not AuditEntry.objects.filter(action="outbox.replay").exists()


def test_agency_admin_edits_its_templates(tree: Tree) -> None:
    hub = login("hub", PASSWORD)
    listed = hub.get("/notification-templates", {"agency": "kutim"}).json()
    assigned = next(t for t in listed if (t["event"], t["language"]) == ("staff.assigned", "id"))
    assert assigned["source"] == "shipped"
    assert "tracking_number" in assigned["variables"]
    body = {"agency": "kutim", "event": "staff.assigned", "language": "id",
            "subject": "Kutim: #$tracking_number", "body": "$title untuk $unit"}
    answer = hub.put("/notification-templates", body)
    assert answer.status_code == 200, answer.content
    assert answer.json()["source"] == "agency"
    refused = hub.put("/notification-templates", {**body, "body": "Dari $reporter_name"})
    assert refused.status_code == 422
    assert refused.json()["detail"]["unknown"] == ["reporter_name"]
    listed = hub.get("/notification-templates", {"agency": "kutim"}).json()
    assigned = next(t for t in listed if (t["event"], t["language"]) == ("staff.assigned", "id"))
    assert (assigned["source"], assigned["subject"]) == ("agency", "Kutim: #$tracking_number")
    # The next disposition uses it.
    disposed(tree)
    row = OutboxMessage.objects.get(event="staff.assigned", channel="inapp")
    assert row.subject.startswith("Kutim: #")
    # Another agency's, or the national defaults: refused; an unknown agency: 404.
    assert hub.put("/notification-templates", {**body, "agency": "samarinda"}).status_code == 403
    assert hub.put("/notification-templates", {**body, "agency": None}).status_code == 403
    assert hub.get("/notification-templates", {"agency": "samarinda"}).status_code == 403
    assert hub.get("/notification-templates", {"agency": "nope"}).status_code == 404
    assert login("liaison_pupr", PASSWORD).get(
        "/notification-templates", {"agency": "kutim"}).status_code == 403
    national = login("sysadmin", PASSWORD).put("/notification-templates",
                                               {**body, "agency": None})
    assert national.json()["source"] == "national"


def test_quiet_hours_api(tree: Tree) -> None:
    body = {"agency": "kutim", "start": "22:00", "end": "06:30"}
    answer = login("hub", PASSWORD).put("/quiet-hours", body)
    assert answer.status_code == 200, answer.content
    assert answer.json() == {"agency": "kutim", "start": "22:00", "end": "06:30",
                             "timezone": "Asia/Makassar"}
    assert login("hub_samarinda", PASSWORD).put("/quiet-hours", body).status_code == 403
    assert login("hub", PASSWORD).put("/quiet-hours", {**body, "agency": "x"}).status_code == 404
