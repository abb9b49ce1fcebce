"""The daily digest (one per officer per day) and the scheduler's part in delivery."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.test import override_settings

from lapor.config.scheduler import tick
from lapor.core import clock
from lapor.notifications.digest import send_digests
from lapor.notifications.dispatcher import dispatch, outbox_purge
from lapor.notifications.models import OutboxMessage
from lapor.reports import services
from tests.factories import Tree, submit

WITA = ZoneInfo("Asia/Makassar")


def test_one_digest_per_officer_per_day(tree: Tree) -> None:
    tree.users["liaison_pupr"].email = "pupr@kutim.example"
    tree.users["liaison_pupr"].save(update_fields=["email"])
    late = submit(tree, at=datetime(2026, 6, 1, 9, 0, tzinfo=WITA)).report
    with clock.frozen(datetime(2026, 6, 1, 10, 0, tzinfo=WITA)):
        services.report_dispose(actor=tree.actor("hub"), report_id=late.pk,
                                node_code=tree.pupr.code)
    waiting = submit(tree, at=datetime(2026, 6, 8, 9, 0, tzinfo=WITA)).report  # due 11 June
    morning = datetime(2026, 6, 11, 8, 0, tzinfo=WITA)
    with clock.frozen(morning):
        assert send_digests() == 3
        send_digests()  # the same day again: nothing new
    rows = {r.recipient_user.username: r
            for r in OutboxMessage.objects.filter(event="staff.digest")}
    assert {(name, r.channel) for name, r in rows.items()} == {
        ("liaison_pupr", "email"), ("officer_pupr", "inapp"), ("hub", "inapp")}
    liaison = rows["liaison_pupr"]
    assert liaison.subject == "Ringkasan harian 2026-06-11: 1 terlambat, 0 jatuh tempo"
    assert f"#{late.tracking_number}" in liaison.body
    assert "(TERLAMBAT / OVERDUE)" in liaison.body
    assert f"#{waiting.tracking_number}" in rows["hub"].body
    assert f"#{waiting.tracking_number}" not in liaison.body
    with clock.frozen(morning + timedelta(days=1)):
        send_digests()
    assert OutboxMessage.objects.filter(event="staff.digest").count() == 6


def test_scheduler_tick_delivers_what_is_due(tree: Tree) -> None:
    at = datetime(2026, 6, 1, 9, 0, tzinfo=WITA)
    submit(tree, at=at)
    assert OutboxMessage.objects.filter(status="pending").count() == 1
    with clock.frozen(at + timedelta(minutes=1)):
        # Test settings run tasks immediately: the enqueued dispatch runs inside tick().
        assert tick("worker-a") is True
    assert OutboxMessage.objects.filter(status="sent").count() == 1


def test_old_sent_rows_are_purged_dead_ones_kept(tree: Tree) -> None:
    at = datetime(2026, 6, 1, 9, 0, tzinfo=WITA)
    submit(tree, at=at)
    submit(tree, at=at)
    with clock.frozen(at):
        dispatch()
    OutboxMessage.objects.filter(pk=OutboxMessage.objects.first().pk).update(status="dead")
    with override_settings(LAPOR_OUTBOX_KEEP_DAYS=30):
        with clock.frozen(at + timedelta(days=29)):
            assert outbox_purge() == 0
        with clock.frozen(at + timedelta(days=31)):
            assert outbox_purge() == 1
    assert list(OutboxMessage.objects.values_list("status", flat=True)) == ["dead"]


def test_hub_verifiers_get_the_reports_held_in_their_agency(tree: Tree) -> None:
    """The digest's officers are those who work on reports (lapor.orgs.actors.HANDLER_ROLES,
    asked through lapor.reports.permissions.work_waiting_for): a hub verifier may forward,
    acknowledge and follow up inside its agency, so a late report held by a unit is in its
    digest too; a supervisor only reads and gets none."""
    late = submit(tree, at=datetime(2026, 6, 1, 9, 0, tzinfo=WITA)).report
    with clock.frozen(datetime(2026, 6, 1, 10, 0, tzinfo=WITA)):
        services.report_dispose(actor=tree.actor("hub"), report_id=late.pk,
                                node_code=tree.pupr.code)
    with clock.frozen(datetime(2026, 6, 11, 8, 0, tzinfo=WITA)):
        send_digests()
    rows = {r.recipient_user.username: r
            for r in OutboxMessage.objects.filter(event="staff.digest")}
    assert set(rows) == {"liaison_pupr", "officer_pupr", "hub"}
    assert f"#{late.tracking_number}" in rows["hub"].body
    assert "(TERLAMBAT / OVERDUE)" in rows["hub"].body
