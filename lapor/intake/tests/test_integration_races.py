"""Concurrent deliveries of one application request on PostgreSQL: one report."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from lapor.intake.applications import integration_app_create
from lapor.intake.models import IdempotencyRecord, IntegrationSubmission
from lapor.intake.tests.support import post_report, report_body
from lapor.reports.models import Report
from tests.factories import make_tree
from tests.races import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
CONCURRENT = 20


def test_twenty_concurrent_requests_with_one_key_create_one_report() -> None:
    make_tree()
    token = integration_app_create(agency_code="kutim", name="SIPADU").token
    body = report_body("RACE-1")

    def call() -> Any:
        return post_report(token, body, "race-key", client=Client())

    responses = race(*[call] * CONCURRENT)
    assert all(not isinstance(r, Exception) for r in responses), responses
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["tracking_number"] for r in responses}) == 1
    assert len({r.json()["access_code"] for r in responses}) == 1
    assert sum(r.has_header("Idempotent-Replayed") for r in responses) == CONCURRENT - 1
    assert Report.objects.count() == 1
    assert IdempotencyRecord.objects.count() == IntegrationSubmission.objects.count() == 1


def test_concurrent_keys_for_one_reference_create_one_report() -> None:
    make_tree()
    token = integration_app_create(agency_code="kutim", name="SIPADU").token

    def call(key: str) -> Any:
        return lambda: post_report(token, report_body("RACE-2"), key, client=Client())

    responses = race(*[call(f"key-{i}") for i in range(8)])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * 7
    assert Report.objects.count() == 1
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"reference_exists"}
