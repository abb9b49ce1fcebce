"""POST /api/v1/integration/reports: tokens, Idempotency-Key, reference ids (issue #5)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client

from lapor.core import clock
from lapor.intake.applications import integration_app_create, integration_app_revoke
from lapor.intake.models import IdempotencyRecord, IntegrationSubmission
from lapor.intake.tests.support import post_report, report_body
from lapor.notifications.models import OutboxMessage
from lapor.reports.models import Report
from tests.api_client import login
from tests.factories import PASSWORD, Tree

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(tree: Tree) -> str:
    return integration_app_create(agency_code="kutim", name="SIPADU Kutim").token


def test_submit_creates_one_integration_report_in_the_agency_pool(tree: Tree, token: str) -> None:
    response = post_report(token, report_body(), "key-0001")
    assert response.status_code == 201, response.content
    data = response.json()
    assert response["Cache-Control"] == "no-store"
    assert "Idempotent-Replayed" not in response
    report = Report.objects.get(tracking_number=data["tracking_number"])
    assert report.channel == "integration"
    assert report.tier == tree.kutim  # Kutai Timur is a hub: its own verification pool
    assert data["reference_id"] == "KTM-2026-0001"
    assert data["agency"] == "kutim"
    assert data["status"] == "submitted"
    assert len(data["access_code"]) == 19
    assert data["track_url"].endswith(f"/lacak/{report.tracking_number}/")
    submission = IntegrationSubmission.objects.get(report=report)
    assert submission.reference_id == "KTM-2026-0001"
    # The reporter's acknowledgement goes through the outbox (e-mail given).
    assert OutboxMessage.objects.filter(report=report, audience="reporter",
                                        channel="email").count() == 1


def test_same_key_same_body_replays_the_stored_answer(token: str) -> None:
    body = report_body()
    first = post_report(token, body, "key-a")
    # Same fields in another order and spacing: the same body.
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=2).encode()
    second = post_report(token, None, "key-a", raw=reordered)
    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert Report.objects.count() == 1


def test_same_key_other_body_is_422_and_stores_nothing(token: str) -> None:
    post_report(token, report_body(), "key-b")
    other = post_report(token, report_body(title="Lampu jalan padam di Jalan Pendidikan"),
                        "key-b")
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert Report.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_missing_key_is_400(token: str) -> None:
    response = post_report(token, report_body(), None)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"
    assert Report.objects.count() == 0
    bad = post_report(token, report_body(), "spaces are not allowed")
    assert bad.status_code == 422
    assert bad.json()["field"] == "Idempotency-Key"


def test_new_key_for_an_old_reference_is_409_with_the_tracking_number(token: str) -> None:
    first = post_report(token, report_body("REF-9"), "key-c1").json()
    again = post_report(token, report_body("REF-9"), "key-c2")
    assert again.status_code == 409
    assert again.json()["code"] == "reference_exists"
    assert again.json()["detail"] == {"tracking_number": first["tracking_number"]}
    assert Report.objects.count() == 1


def test_reference_ids_are_per_application(tree: Tree, token: str) -> None:
    other = integration_app_create(agency_code="samarinda", name="Samarinda app").token
    assert post_report(token, report_body("SAME-1"), "k1").status_code == 201
    response = post_report(other, report_body("SAME-1"), "k1")
    assert response.status_code == 201
    assert Report.objects.get(tracking_number=response.json()["tracking_number"]).tier == \
        tree.samarinda


def test_refused_request_stores_nothing_and_its_key_can_be_reused(token: str) -> None:
    bad = post_report(token, report_body(region_code="99.99"), "key-d")
    assert bad.status_code == 422
    assert bad.json()["code"] == "unknown_region"
    assert Report.objects.count() == IdempotencyRecord.objects.count() == 0
    assert IntegrationSubmission.objects.count() == 0
    fixed = post_report(token, report_body(), "key-d")
    assert fixed.status_code == 201


@pytest.mark.parametrize("body", [
    {"reference_id": "R1"},  # fields missing
    {**report_body(), "channel": "web"},  # unknown field
    {**report_body(), "reference_id": "../etc"},  # not a reference
    {**report_body(), "reference_id": "2026/001"},  # no slash: it is a path segment
    {**report_body(), "reporter_email": "not-an-address"},
    [1, 2, 3],
])
def test_bad_bodies_are_422(token: str, body: object) -> None:
    response = post_report(token, body, "key-e")
    assert response.status_code == 422
    assert response.json()["code"] in ("validation_error", "invalid_email")
    assert Report.objects.count() == 0


def test_emoji_and_other_scripts_pass_and_replay_identically(token: str) -> None:
    body = report_body("UTF-1", title="Jalan rusak 🚧 道路损坏", body="Lubang besar 🕳️ di jalan, "
                       "الطريق مكسور, дорога сломана.")
    first = post_report(token, body, "utf-key")
    assert first.status_code == 201
    report = Report.objects.get()
    assert report.title == "Jalan rusak 🚧 道路损坏"
    assert post_report(token, body, "utf-key").json() == first.json()


def test_oversized_and_too_deep_bodies_are_refused(token: str) -> None:
    big = report_body(body="x" * 3_000_000)
    assert post_report(token, big, "big").status_code == 413
    deep: object = "x"
    for _ in range(40):
        deep = {"a": deep}
    assert post_report(token, {**report_body(), "address": deep}, "deep").status_code == 422
    assert Report.objects.count() == 0


def test_invalid_json_and_encoding_are_4xx(token: str) -> None:
    assert post_report(token, None, "k", raw=b"{not json").status_code in (400, 422)
    assert post_report(token, None, "k", raw=b'{"title": "\xff"}').status_code == 422
    assert Report.objects.count() == 0


def test_tokens_missing_wrong_or_revoked_are_401(tree: Tree) -> None:
    created = integration_app_create(agency_code="kutim", name="Old app")
    assert post_report("", report_body(), "k").status_code == 401
    assert post_report("lapp_wrong", report_body(), "k").status_code == 401
    integration_app_revoke(app_id=created.app.pk)
    response = post_report(created.token, report_body(), "k")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert Report.objects.count() == 0


def test_a_staff_bearer_token_is_not_an_application_token(tree: Tree) -> None:
    staff = login("hub", PASSWORD)
    assert post_report(staff.token or "", report_body(), "k").status_code == 401


def test_neither_the_key_nor_the_access_code_is_stored_in_clear(token: str) -> None:
    answer = post_report(token, report_body(), "my-secret-key-123").json()
    record = IdempotencyRecord.objects.get()
    assert "my-secret-key-123" not in record.key_digest
    assert answer["access_code"] not in record.response
    assert answer["access_code"].replace("-", "") not in record.response


def test_expired_answer_is_not_replayed_but_the_reference_still_protects(token: str) -> None:
    first = post_report(token, report_body(), "key-f").json()
    with clock.frozen(clock.now() + timedelta(hours=25)):
        again = post_report(token, report_body(), "key-f")
    assert again.status_code == 409
    assert again.json()["detail"]["tracking_number"] == first["tracking_number"]


def test_status_by_reference_is_the_applications_own(tree: Tree, token: str) -> None:
    answer = post_report(token, report_body("OWN-1"), "k").json()
    other = integration_app_create(agency_code="samarinda", name="Samarinda app").token
    headers = {"Authorization": f"Bearer {token}"}
    mine = Client().get("/api/v1/integration/reports/OWN-1", headers=headers)
    assert mine.status_code == 200
    assert mine.json()["tracking_number"] == answer["tracking_number"]
    assert mine.json()["status"] == "submitted"
    theirs = Client().get("/api/v1/integration/reports/OWN-1",
                          headers={"Authorization": f"Bearer {other}"})
    assert theirs.status_code == 404


def test_coordinates_without_a_region_give_the_kecamatan(tree: Tree, token: str) -> None:
    body = report_body(latitude="0.5036", longitude="117.5406")
    del body["region_code"]
    response = post_report(token, body, "key-geo")
    assert response.status_code == 201, response.content
    report = Report.objects.get(tracking_number=response.json()["tracking_number"])
    assert report.region_id == "64.08.04"  # Sangatta Utara, from the point (issue 19)
    singapore = post_report(token, {**body, "reference_id": "KTM-SG", "latitude": "1.29",
                                    "longitude": "103.85"}, "key-geo-2")
    assert singapore.status_code == 422
    assert singapore.json()["code"] == "location_outside_indonesia"
