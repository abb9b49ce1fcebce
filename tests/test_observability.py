"""Operations endpoints and signals: /readyz, request ids, JSON logs without personal data, and
Prometheus metrics at /metrics (lapor.config.health, lapor.core.logging, lapor.core.middleware,
lapor.config.metrics)."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.test import Client, override_settings

from lapor.accounts.models import User
from lapor.config import metrics
from lapor.config.health import heartbeat
from lapor.core import clock
from lapor.core.logging import JsonFormatter, RequestIdFilter, logging_config
from lapor.notifications.models import Audience, Channel, OutboxMessage
from lapor.reports.models import Report
from lapor.reports.states import OPEN_STATUSES
from tests.factories import Tree, drive, submit
from tests.test_security_headers import _assert_headers

# ---------------------------------------------------------------- /readyz


def _due_outbox_rows(count: int) -> None:
    now = clock.now()
    user = User.objects.create_user(username="penerima", password="x" * 12)
    OutboxMessage.objects.bulk_create(
        OutboxMessage(key=f"test:{i}", event="test", audience=Audience.STAFF,
                      channel=Channel.INAPP, recipient_user=user,
                      next_attempt_at=now - timedelta(minutes=1), created_at=now)
        for i in range(count))


@pytest.mark.django_db
def test_readyz_needs_a_worker_heartbeat(client: Client) -> None:
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["problems"] == ["worker_not_alive"]
    assert body["outbox"] == {"pending": 0, "sent": 0, "dead": 0, "due": 0}
    assert body["worker_heartbeat_age_seconds"] is None
    _assert_headers(response)
    assert response["Cache-Control"] == "no-store"

    heartbeat("worker-1")
    response = client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert body["problems"] == []
    assert body["max_queue"] == 10_000
    assert 0 <= body["worker_heartbeat_age_seconds"] < 5
    _assert_headers(response)


@pytest.mark.django_db
def test_readyz_refuses_a_deep_queue_and_healthz_does_not(client: Client) -> None:
    heartbeat("worker-1")
    _due_outbox_rows(3)
    with override_settings(LAPOR_READY_MAX_QUEUE=3):
        response = client.get("/readyz")
        assert response.status_code == 503
        body = response.json()
        assert body["problems"] == ["queue_too_deep"]
        assert body["outbox"]["due"] == 3
        assert body["outbox"]["pending"] == 3
        # Liveness is unchanged: the process and a worker are alive.
        assert client.get("/healthz").status_code == 200
    with override_settings(LAPOR_READY_MAX_QUEUE=4):
        assert client.get("/readyz").status_code == 200


@pytest.mark.django_db
def test_readyz_answers_503_not_500_when_the_database_fails(
        client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    heartbeat("worker-1")

    def broken() -> dict[str, int]:
        raise DatabaseError("connection lost")

    monkeypatch.setattr("lapor.notifications.dispatcher.outbox_counts", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["problems"] == ["database_unavailable"]
    assert client.post("/readyz").status_code == 405


# ---------------------------------------------------------------- request ids


@pytest.mark.django_db
def test_request_id_is_echoed_generated_or_replaced(client: Client) -> None:
    response = client.get("/api/v1/categories", headers={"X-Request-ID": "lb-1234.abc_DEF"})
    assert response["X-Request-ID"] == "lb-1234.abc_DEF"

    generated = client.get("/api/v1/categories")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert client.get("/api/v1/categories")["X-Request-ID"] != generated

    for unsafe in ("a" * 65, "id with spaces", "x\u00e9", "<script>", "a\r\nInjected: 1", ""):
        response = client.get("/api/v1/categories", headers={"X-Request-ID": unsafe})
        assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"]), unsafe
    # On errors and on refusals by other middleware too.
    assert client.get("/no/such/page", headers={"X-Request-ID": "r-404"})["X-Request-ID"] == \
        "r-404"
    assert client.get("/api/v1/categories?q=%00", headers={"X-Request-ID": "r-nul"})[
        "X-Request-ID"] == "r-nul"


# ---------------------------------------------------------------- JSON logs


@pytest.fixture
def json_logs(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog formatting every record as production does with LAPOR_LOG_FORMAT=json."""
    caplog.handler.setFormatter(JsonFormatter())
    request_ids = RequestIdFilter()
    caplog.handler.addFilter(request_ids)
    caplog.set_level(logging.INFO)
    try:
        yield caplog
    finally:
        caplog.handler.removeFilter(request_ids)


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [json.loads(line) for line in caplog.text.splitlines() if line.strip()]


@pytest.mark.django_db
def test_json_log_lines_carry_the_request_id(client: Client,
                                             json_logs: pytest.LogCaptureFixture) -> None:
    client.get("/api/v1/categories", headers={"X-Request-ID": "trace-42"})
    client.get("/no/such/page", headers={"X-Request-ID": "trace-43"})
    lines = _lines(json_logs)
    assert lines
    for line in lines:
        assert {"timestamp", "level", "logger", "message", "request_id"} <= set(line)
        datetime.fromisoformat(str(line["timestamp"]))
    access = [line for line in lines if line["logger"] == "lapor.request"]
    assert [(line["request_id"], line["route"], line["status"]) for line in access] == [
        ("trace-42", "api-v1:categories", 200), ("trace-43", "unmatched", 404)]
    # Django's own "Not Found" warning is logged after the middleware returned: same id.
    warnings = [line for line in lines if line["logger"] == "django.request"]
    assert warnings
    assert all(line["request_id"] == "trace-43" for line in warnings)
    # Outside a request the id is "-".
    logging.getLogger("lapor.test").info("outside")
    assert _lines(json_logs)[-1]["request_id"] == "-"


def test_log_format_is_chosen_by_setting() -> None:
    assert logging_config("json", "INFO")["handlers"]["console"]["formatter"] == "json"
    assert logging_config("plain", "INFO")["handlers"]["console"]["formatter"] == "plain"
    with pytest.raises(ImproperlyConfigured):
        logging_config("xml", "INFO")


PLANTED = {
    "reporter_name": "Zulkarnain Wiraatmadja",
    "reporter_email": "zulkarnain.pii@example.org",
    "reporter_phone": "081298765432",
    "reporter_nik": "6408047112900003",
}


@pytest.mark.django_db
def test_no_personal_data_in_logs(tree: Tree, client: Client,
                                  json_logs: pytest.LogCaptureFixture) -> None:
    payload = {
        "type": "complaint", "title": "Jalan rusak di Sangatta Utara",
        "body": "Jalan rusak parah, sudah tiga bulan tidak diperbaiki oleh dinas terkait.",
        "region_code": "64.08.04", "category_code": tree.category.code,
        "target_agency_code": tree.kutim.code, **PLANTED,
    }
    accepted = client.post("/api/v1/reports", payload, content_type="application/json")
    assert accepted.status_code == 201
    # A refusal (bad NIK) logs a warning: still nothing personal in it.
    refused = client.post("/api/v1/reports", {**payload, "reporter_nik": "12345"},
                          content_type="application/json")
    assert refused.status_code == 422
    tracking = accepted.json()["tracking_number"]
    client.get(f"/api/v1/track/{tracking}")

    assert json_logs.records
    lines = _lines(json_logs)
    assert any(line["level"] == "WARNING" for line in lines)
    everything = json_logs.text + "".join(repr(vars(record)) for record in json_logs.records)
    digits = re.sub(r"\D", "", everything)
    for value in PLANTED.values():
        assert value not in everything
        assert value.lower() not in everything.lower()
    assert "Wiraatmadja" not in everything
    assert PLANTED["reporter_phone"][1:] not in digits  # not even as +6281…
    assert PLANTED["reporter_nik"] not in digits


# ---------------------------------------------------------------- /metrics


@pytest.fixture(autouse=True)
def _fresh_metrics_cache() -> Iterator[None]:
    metrics.reset_cache()
    yield
    metrics.reset_cache()


@pytest.mark.django_db
def test_metrics_only_for_allowed_addresses_or_the_token(client: Client) -> None:
    allowed = client.get("/metrics")
    assert allowed.status_code == 200
    assert allowed["Content-Type"].startswith("text/plain")
    _assert_headers(allowed)

    outsider = {"REMOTE_ADDR": "203.0.113.9"}
    refused = client.get("/metrics", **outsider)  # type: ignore[arg-type]
    assert refused.status_code == 404
    _assert_headers(refused)
    assert b"lapor_" not in refused.content

    with override_settings(LAPOR_METRICS_TOKEN="s3cret-scrape-token"):
        good = client.get("/metrics", headers={"Authorization": "Bearer s3cret-scrape-token"},
                          **outsider)  # type: ignore[arg-type]
        assert good.status_code == 200
        bad = client.get("/metrics", headers={"Authorization": "Bearer wrong"},
                         **outsider)  # type: ignore[arg-type]
        assert bad.status_code == 404
    with override_settings(LAPOR_METRICS_ALLOW=["203.0.113.0/24"]):
        assert client.get("/metrics", **outsider).status_code == 200  # type: ignore[arg-type]
        assert client.get("/metrics").status_code == 404
    # Behind a reverse proxy the proxy's own address does not count.
    with override_settings(LAPOR_PROXY_COUNT=1):
        proxied = client.get("/metrics", headers={"X-Forwarded-For": "198.51.100.7"})
        assert proxied.status_code == 404
    assert client.post("/metrics").status_code == 404


def _sample(page: str, name: str, labels: str = "") -> float:
    match = re.search(rf"^{re.escape(name + labels)} (\S+)$", page, re.MULTILINE)
    assert match, f"{name}{labels} not in page"
    return float(match.group(1))


@pytest.mark.django_db
def test_metrics_label_routes_never_paths(tree: Tree, client: Client) -> None:
    report = submit(tree).report
    assert client.get(f"/api/v1/track/{report.tracking_number}").status_code == 200
    assert client.get("/api/v1/track/999999999999").status_code == 404
    page = client.get("/metrics").content.decode()
    labels = " ".join(re.findall(r"\{[^}]*\}", page))
    assert 'route="api-v1:track"' in labels
    assert report.tracking_number not in labels
    assert "999999999999" not in labels
    assert "/api/v1/track" not in labels
    count = _sample(page, "lapor_http_requests_total",
                    '{method="GET",route="api-v1:track",status="2xx"}')
    assert count >= 1
    assert 'lapor_http_request_duration_seconds_bucket{le="0.005",method="GET",' \
           'route="api-v1:track",status="4xx"}' in page
    assert "lapor_outbox_messages{status=" in page
    assert "lapor_database_up 1.0" in page


@pytest.mark.django_db
def test_overdue_gauge_equals_an_independent_count(tree: Tree, client: Client) -> None:
    long_ago = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    drive(tree, "disposed", at=long_ago)  # overdue
    drive(tree, "in_progress", at=long_ago)  # overdue
    drive(tree, "submitted", at=long_ago)  # verification deadline passed: overdue
    drive(tree, "closed", at=long_ago)  # closed: never overdue
    submit(tree)  # due in the future
    heartbeat("worker-1")

    now = clock.now()
    expected = sum(1 for report in Report.objects.all()
                   if report.staff_due_at is not None and report.staff_due_at < now
                   and report.status in OPEN_STATUSES)
    assert expected >= 3
    page = client.get("/metrics").content.decode()
    assert _sample(page, "lapor_reports_overdue") == expected
    assert 0 <= _sample(page, "lapor_worker_heartbeat_age_seconds") < 5

    # Remembered for LAPOR_METRICS_CACHE_SECONDS: one more overdue report shows up later.
    drive(tree, "disposed", at=long_ago)
    page = client.get("/metrics").content.decode()
    assert _sample(page, "lapor_reports_overdue") == expected
    metrics.reset_cache()
    page = client.get("/metrics").content.decode()
    assert _sample(page, "lapor_reports_overdue") == expected + 1


@pytest.mark.django_db
def test_metrics_answer_without_the_database(client: Client,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> dict[str, int]:
        raise DatabaseError("connection lost")

    monkeypatch.setattr("lapor.notifications.dispatcher.outbox_counts", broken)
    response = client.get("/metrics")
    assert response.status_code == 200
    page = response.content.decode()
    assert "lapor_database_up 0.0" in page
    assert "lapor_reports_overdue" not in page
    assert "lapor_http_requests_total" in page
