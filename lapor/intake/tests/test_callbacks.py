"""Status callbacks to an integrated application: signed with HMAC-SHA256, retried with
backoff through the outbox, logged for the application, replayed by an operator; delivered to
a real HTTP server started by the test that checks every signature."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from lapor.core import clock
from lapor.intake.applications import integration_app_create
from lapor.intake.callbacks import signature_valid
from lapor.intake.tests.support import Receiver, callback_receiver, post_report, report_body
from lapor.notifications.dispatcher import dispatch
from lapor.notifications.models import OutboxMessage
from lapor.orgs.models import NodeKind
from lapor.orgs.services import node_create
from lapor.reports import services
from lapor.reports.models import Report
from tests.api_client import login
from tests.factories import PASSWORD, Tree

pytestmark = pytest.mark.django_db


def _app(agency: str, receiver: Receiver) -> str:
    created = integration_app_create(agency_code=agency, name="SIPADU",
                                     callback_url=receiver.url)
    receiver.secret = created.callback_secret
    assert created.callback_secret
    return created.token


def _log(token: str, **params: Any) -> Any:
    return Client().get("/api/v1/integration/callbacks", params,
                        headers={"Authorization": f"Bearer {token}"})


def test_status_changes_reach_the_application_signed(tree: Tree) -> None:
    with callback_receiver() as receiver:
        token = _app("kutim", receiver)
        answer = post_report(token, report_body("SIG-1"), "k1").json()
        report = Report.objects.get(tracking_number=answer["tracking_number"])
        services.report_dispose(actor=tree.actor("hub"), report_id=report.pk,
                                node_code="kutim-pupr")
        result = dispatch()
        assert result.dead == 0
        assert receiver.bad_signatures == 0
        events = [b["event"] for b in receiver.bodies]
        assert events == ["submit", "dispose"]
        dispose = receiver.bodies[1]
        assert dispose["tracking_number"] == report.tracking_number
        assert dispose["status"] == "disposed"
        assert dispose["from_status"] == "submitted"
        assert dispose["reference_id"] == "SIG-1"
        # Content and identity never travel in a callback.
        assert set(dispose) == {"event_id", "event", "tracking_number", "status",
                                "from_status", "at", "reference_id"}
    log = _log(token).json()["items"]
    assert [row["status"] for row in log] == ["sent", "sent"]
    assert {row["key"] for row in log} == set(receiver.keys)


def test_signature_check_refuses_other_bodies_and_secrets() -> None:
    body = '{"event":"dispose","note":"jalan rusak 🚧 道路"}'.encode()
    header = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert signature_valid(secret="s3cret", body=body, header=header)
    assert not signature_valid(secret="other", body=body, header=header)
    assert not signature_valid(secret="s3cret", body=body + b" ", header=header)
    assert not signature_valid(secret="s3cret", body=body, header="")
    assert not signature_valid(secret="s3cret", body=body, header=header.replace("sha256", "md5"))


def test_failed_callbacks_are_retried_with_backoff_then_delivered_once(tree: Tree) -> None:
    with callback_receiver(script=[503, 500]) as receiver:
        token = _app("kutim", receiver)
        post_report(token, report_body("RETRY-1"), "k1")
        assert dispatch().retried == 1
        row = OutboxMessage.objects.get(channel="webhook")
        assert row.status == "pending"
        assert row.last_error == "http_503"
        assert row.next_attempt_at > clock.now()  # backoff: not due again at once
        assert dispatch().sent == 0
        with clock.frozen(row.next_attempt_at + timedelta(seconds=1)):
            assert dispatch().retried == 1
        later = OutboxMessage.objects.get(pk=row.pk)
        with clock.frozen(later.next_attempt_at + timedelta(seconds=1)):
            assert dispatch().sent == 1
        assert receiver.requests == 3
        assert len(receiver.bodies) == 1
        assert OutboxMessage.objects.get(pk=row.pk).attempts == 3


def test_dead_callbacks_show_in_the_log_and_an_operator_replays_them(tree: Tree) -> None:
    with callback_receiver(script=[410]) as receiver:  # 4xx: permanent, dead at once
        token = _app("kutim", receiver)
        post_report(token, report_body("DEAD-1"), "k1")
        assert dispatch().dead == 1
        dead = _log(token, status="dead").json()["items"]
        assert len(dead) == 1
        assert dead[0]["last_error"] == "http_410"
        # The operator (national verifier on the root) replays it by id.
        operator = login("national", PASSWORD)
        replay = operator.post("/outbox/replay", {"ids": [dead[0]["id"]]})
        assert replay.status_code == 200
        assert replay.json() == {"replayed": 1}
        assert dispatch().sent == 1
        assert len(receiver.bodies) == 1
        assert _log(token).json()["items"][0]["status"] == "sent"


def test_callbacks_follow_the_applications_report_outside_its_agency(tree: Tree) -> None:
    """A non-hub agency's application: its reports wait in the national pool, which the
    agency's endpoint does not cover; they still reach the application, and only its own."""
    node_create(code="berau", name="Pemerintah Kabupaten Berau", kind=NodeKind.AGENCY,
                parent=tree.root, is_hub=False, region_id="64.03")
    with callback_receiver() as receiver:
        token = _app("berau", receiver)
        answer = post_report(token, report_body("BERAU-7"), "k1").json()
        report = Report.objects.get(tracking_number=answer["tracking_number"])
        assert report.tier == tree.root
        services.report_hold(actor=tree.actor("national"), report_id=report.pk,
                             question="Mohon lampirkan foto lokasi.")
        # Another report in the national pool, not from the application: not sent to it.
        other = Client().post("/api/v1/reports", data=report_body(), content_type=
                              "application/json")
        assert other.status_code in (201, 422)
        dispatch()
        assert [(b["event"], b["reference_id"]) for b in receiver.bodies] == [
            ("hold", "BERAU-7")]
        assert receiver.bad_signatures == 0


def test_the_delivery_log_is_the_applications_own(tree: Tree) -> None:
    with callback_receiver() as receiver:
        token = _app("kutim", receiver)
        post_report(token, report_body("OWN"), "k1")
        dispatch()
        other = integration_app_create(agency_code="samarinda", name="Other").token
        assert _log(other).json()["items"] == []
        assert len(_log(token).json()["items"]) == 1
        assert _log("").status_code == 401
