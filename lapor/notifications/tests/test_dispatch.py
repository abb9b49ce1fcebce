"""The dispatcher: retries with backoff, the dead-letter state, leases, idempotent consumers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import override_settings

from lapor.core import clock
from lapor.notifications.dispatcher import backoff_seconds, claim, dispatch, outbox_counts
from lapor.notifications.models import CallbackEndpoint, Notification, OutboxMessage
from lapor.notifications.senders import InAppSender
from lapor.notifications.tests.fakes import fake_provider
from lapor.reports import services
from tests.factories import Tree, submit

T0 = datetime(2026, 6, 2, 2, 0, tzinfo=UTC)


def endpoint(tree: Tree, url: str) -> CallbackEndpoint:
    return CallbackEndpoint.objects.create(node=tree.kutim, name="SIPP Kutim", url=url,
                                           secret="shh", created_at=T0)


def webhook_row() -> OutboxMessage:
    return OutboxMessage.objects.get(channel="webhook")


@override_settings(LAPOR_OUTBOX_BACKOFF_BASE_SECONDS=30, LAPOR_OUTBOX_BACKOFF_MAX_SECONDS=600)
def test_backoff_is_exponential_capped_and_jittered() -> None:
    assert [backoff_seconds(n, jitter=1.0) for n in (1, 2, 3, 4, 5, 6, 10)] == [
        30, 60, 120, 240, 480, 600, 600]
    assert [backoff_seconds(n, jitter=0.0) for n in (1, 2, 3)] == [15, 30, 60]
    samples = {backoff_seconds(3) for _ in range(50)}
    assert all(60 <= s <= 120 for s in samples)
    assert len(samples) > 1


def test_provider_answering_500_then_200_gets_one_delivery(tree: Tree) -> None:
    with fake_provider(script=[500]) as provider:
        endpoint(tree, provider.url)
        report = submit(tree, at=T0).report
        row = webhook_row()
        with clock.frozen(T0):
            result = dispatch()
        assert result.retried == 1
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_error) == ("pending", 1, "http_500")
        assert T0 + timedelta(seconds=15) <= row.next_attempt_at <= T0 + timedelta(seconds=30)
        with clock.frozen(T0 + timedelta(seconds=5)):
            assert dispatch().retried == 0  # not due yet
        with clock.frozen(T0 + timedelta(seconds=31)):
            assert dispatch().sent == 1
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
        assert provider.received == [row.key, row.key]
        assert provider.delivered == {row.key: 1}
        assert provider.bodies[0]["tracking_number"] == report.tracking_number
        assert provider.headers[0]["Idempotency-Key"] == row.key
        assert provider.headers[0]["X-Lapor-Signature"].startswith("sha256=")


@override_settings(LAPOR_OUTBOX_MAX_ATTEMPTS=3)
def test_dead_letter_after_the_last_attempt(tree: Tree) -> None:
    with fake_provider(script=[500, 503, 502, 200]) as provider:
        endpoint(tree, provider.url)
        submit(tree, at=T0)
        row = webhook_row()
        moment = T0
        for _ in range(3):
            with clock.frozen(moment):
                dispatch()
            moment += timedelta(days=1)
        row.refresh_from_db()
        assert (row.status, row.attempts, row.last_error) == ("dead", 3, "http_502")
        with clock.frozen(moment):
            assert dispatch().sent == 0  # dead letters are not retried
        assert provider.delivered == {}
        assert outbox_counts()["dead"] == 1


def test_a_refusal_is_permanent_at_once(tree: Tree) -> None:
    with fake_provider(script=[404]) as provider:
        endpoint(tree, provider.url)
        submit(tree, at=T0)
        with clock.frozen(T0):
            assert dispatch().dead == 1
        row = webhook_row()
        assert (row.status, row.attempts, row.last_error) == ("dead", 1, "http_404")


@override_settings(LAPOR_OUTBOX_LEASE_SECONDS=60)
def test_a_leased_row_waits_for_its_lease_then_is_taken_over(tree: Tree) -> None:
    with fake_provider() as provider:
        endpoint(tree, provider.url)
        submit(tree, at=T0)
        row = webhook_row()
        with clock.frozen(T0):
            # Worker A claims every due row, then dies without delivering.
            claimed = claim(worker="A", limit=100)
        assert row.pk in {r.pk for r in claimed}
        with clock.frozen(T0 + timedelta(seconds=59)):
            assert dispatch(worker="B").sent == 0
        with clock.frozen(T0 + timedelta(seconds=61)):
            assert dispatch(worker="B").sent == len(claimed)
        row.refresh_from_db()
        assert (row.status, row.attempts, row.claimed_by) == ("sent", 2, "B")
        assert provider.delivered == {row.key: 1}


def test_in_app_delivery_twice_makes_one_notification(tree: Tree) -> None:
    report = submit(tree, at=T0).report
    with clock.frozen(T0):
        services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                                node_code=tree.pupr.code)
    row = OutboxMessage.objects.get(channel="inapp", recipient_user=tree.users["liaison_pupr"])
    InAppSender().send(row)
    InAppSender().send(row)
    assert Notification.objects.filter(key=row.key).count() == 1


def test_email_to_staff_and_reporter(tree: Tree) -> None:
    tree.users["liaison_pupr"].email = "liaison@pupr.example"
    tree.users["liaison_pupr"].save(update_fields=["email"])
    report = submit(tree, at=T0).report
    with clock.frozen(T0):
        services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                                node_code=tree.pupr.code)
        result = dispatch()
    assert result.dead == 0
    sent = {(m.to[0], m.subject) for m in mail.outbox}
    assert ("siti@example.org", f"Laporan #{report.tracking_number} diterima") in sent
    assert ("siti@example.org",
            f"Laporan #{report.tracking_number} diteruskan ke Pemerintah Kabupaten Kutai Timur"
            ) in sent
    assert ("liaison@pupr.example", f"Disposisi baru: #{report.tracking_number}") in sent
    assert OutboxMessage.objects.filter(status="sent").count() == OutboxMessage.objects.count()


@pytest.mark.parametrize("missing", ["email"])
def test_reporter_without_address_gets_no_row(tree: Tree, missing: str) -> None:
    submit(tree, at=T0, reporter_email="")
    assert not OutboxMessage.objects.filter(audience="reporter").exists()
