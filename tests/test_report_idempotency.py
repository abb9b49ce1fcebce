"""``POST /api/v1/reports`` with an ``Idempotency-Key`` (the citizen app's offline queue):
same key + same body -> the same 201 answer, once; same key + another body -> 422; a 429
stores nothing; concurrent retries create one report (PostgreSQL). The generic part is
lapor.core.idempotency, shared with the integration API (lapor/intake/tests)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from lapor.core.models import RateCounter
from lapor.reports.models import Report, SubmissionReplay
from tests.factories import Tree, make_tree
from tests.races import race

API = "/api/v1/reports"


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "complaint", "title": "Jalan berlubang di depan pasar",
        "body": "Jalan di depan Pasar Induk Sangatta berlubang besar dan membahayakan.",
        "region_code": "64.08.04", "reporter_email": "siti@example.org",
    }
    body.update(overrides)
    return body


def _post(body: Any, key: str | None, *, client: Client | None = None,
          raw: str | None = None) -> Any:
    headers = {"Idempotency-Key": key} if key is not None else {}
    return (client or Client()).post(API, raw if raw is not None else json.dumps(body),
                                     content_type="application/json", headers=headers)


@pytest.mark.django_db
def test_same_key_and_body_replays_the_first_answer(tree: Tree) -> None:
    first = _post(_body(), "6f1c2a4e-0000-4000-8000-000000000001")
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    assert first["Cache-Control"] == "no-store"
    # Key order and spacing do not matter: the canonical JSON is compared.
    raw = json.dumps(dict(reversed(list(_body().items()))), indent=2)
    second = _post(None, "6f1c2a4e-0000-4000-8000-000000000001", raw=raw)
    assert second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == first.json()
    assert second.json()["access_code"]
    assert Report.objects.count() == 1
    record = SubmissionReplay.objects.get()
    # Neither the key nor the access code is readable from the database.
    assert "6f1c2a4e" not in record.key_digest
    assert first.json()["access_code"] not in record.response


@pytest.mark.django_db
def test_same_key_with_another_body_is_refused(tree: Tree) -> None:
    assert _post(_body(), "key-1").status_code == 201
    reused = _post(_body(title="Lain sama sekali, jalan rusak"), "key-1")
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_without_a_key_every_request_creates_a_report(tree: Tree) -> None:
    assert _post(_body(), None).status_code == 201
    assert _post(_body(), None).status_code == 201
    assert Report.objects.count() == 2
    assert SubmissionReplay.objects.count() == 0


@pytest.mark.django_db
def test_a_refused_request_stores_nothing_and_the_key_may_be_sent_again(tree: Tree) -> None:
    refused = _post(_body(region_code="99.99.99"), "key-2")
    assert refused.status_code in (400, 422)
    assert SubmissionReplay.objects.count() == 0
    assert _post(_body(), "key-2").status_code == 201


@pytest.mark.django_db
def test_a_malformed_key_is_refused(tree: Tree) -> None:
    answer = _post(_body(), "with space")
    assert answer.status_code == 422
    assert Report.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.usefixtures("rate_window")
@override_settings(LAPOR_RATE_REPORTS_PER_SENDER_HOUR=1)
def test_a_rate_limited_request_keeps_its_key_for_later(tree: Tree) -> None:
    assert _post(_body(), "key-a").status_code == 201
    limited = _post(_body(title="Lampu jalan mati di depan pasar"), "key-b")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) > 0
    assert SubmissionReplay.objects.count() == 1
    # The first key still replays (a replay is not a new report, so it is not limited).
    assert _post(_body(), "key-a")["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_the_rate_limit_is_counted_before_the_keys_transaction(tree: Tree) -> None:
    # The submission limit runs before the transaction that holds the key (as without a key):
    # its counter rows commit on their own and are never held locked until the report
    # commits (lapor.core.ratelimit: "never in a caller's"). A replay counts nothing.
    counters, replays = RateCounter._meta.db_table, SubmissionReplay._meta.db_table
    with CaptureQueriesContext(connection) as queries:
        assert _post(_body(), "key-order").status_code == 201
    sql = [q["sql"] for q in queries.captured_queries]
    counted = next(i for i, q in enumerate(sql) if "INSERT" in q and counters in q)
    held = next(i for i, q in enumerate(sql) if "INSERT" in q and replays in q)
    assert counted < held
    with CaptureQueriesContext(connection) as queries:
        assert _post(_body(), "key-order")["Idempotent-Replayed"] == "true"
    assert not any(counters in q["sql"] for q in queries.captured_queries)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_key_create_one_report() -> None:
    make_tree()
    body = _body()

    def call() -> Any:
        return _post(body, "race-key", client=Client())

    responses = race(*[call] * 12)
    assert all(not isinstance(r, Exception) for r in responses), responses
    assert {r.status_code for r in responses} == {201}
    assert len({r.json()["tracking_number"] for r in responses}) == 1
    assert sum(r.has_header("Idempotent-Replayed") for r in responses) == 11
    assert Report.objects.count() == SubmissionReplay.objects.count() == 1
