"""Submission limits (issue #7 "spam/iseng"): new reports counted per sender, per client
address, per application and optionally per channel (lapor.core.ratelimit.throttle_submission).

Every public door is tried: the JSON API, the portal form, the integration API, Open311 and
e-mail (the messaging channels are in lapor/channels/tests/test_limits.py). A refusal is an
answer the sender sees (429 with a stable code and Retry-After) and stores nothing; only valid
reports count; one phone number or e-mail is one sender whichever door it uses.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from prometheus_client import REGISTRY

from lapor.core import clock
from lapor.core.env import env_ceilings
from lapor.core.errors import TooManyRequests
from lapor.core.ratelimit import Origin
from lapor.intake.applications import integration_app_create
from lapor.intake.email_inbox import inbound_email_record
from lapor.intake.email_intake import inbound_email_process
from lapor.intake.models import IdempotencyRecord, InboundEmail
from lapor.intake.tests.mailtools import citizen_mail
from lapor.intake.tests.support import post_report, report_body
from lapor.notifications.models import OutboxMessage
from lapor.open311.keys import open311_key_create
from lapor.reports.models import Report
from tests.factories import Tree, make_tree, submit
from tests.races import race

pytestmark = pytest.mark.usefixtures("rate_window")

API = "/api/v1/reports"


def _body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "complaint", "title": "Jalan berlubang di depan pasar",
        "body": "Jalan di depan Pasar Induk Sangatta berlubang besar dan membahayakan.",
        "region_code": "64.08.04", "target_agency_code": "kutim",
    }
    body.update(overrides)
    return body


def _post(body: dict[str, Any], *, ip: str = "198.51.100.20") -> Any:
    return Client().post(API, body, content_type="application/json", REMOTE_ADDR=ip)


def _refused(metric_limit: str, channel: str = "web") -> float:
    value = REGISTRY.get_sample_value("lapor_submissions_refused_total",
                                      {"channel": channel, "limit": metric_limit})
    return value or 0.0


@override_settings(LAPOR_RATE_REPORTS_PER_SENDER_HOUR=2)
def test_one_sender_is_limited_per_hour_whatever_address_it_uses(tree: Tree) -> None:
    before = _refused("sender-hour")
    for n in range(2):
        answer = _post(_body(reporter_email="Siti@Example.org"), ip=f"203.0.113.{n}")
        assert answer.status_code == 201, answer.content
    reports, outbox = Report.objects.count(), OutboxMessage.objects.count()
    third = _post(_body(reporter_email="siti@example.org"), ip="203.0.113.9")
    assert third.status_code == 429
    assert third.json()["code"] == "too_many_reports"
    assert third.json()["message"] == "Terlalu banyak laporan dari pengirim yang sama. " \
        "Coba lagi nanti."
    assert 0 < int(third["Retry-After"]) <= 3600
    # Nothing of the refused report is stored: no report, no acknowledgement.
    assert (Report.objects.count(), OutboxMessage.objects.count()) == (reports, outbox)
    assert _refused("sender-hour") == before + 1
    # Someone else, from the same address, is not affected.
    assert _post(_body(reporter_email="budi@example.org"), ip="203.0.113.9").status_code == 201
    # The next hour the sender may report again.
    with clock.frozen(clock.now() + timedelta(hours=1)):
        assert _post(_body(reporter_email="siti@example.org")).status_code == 201


@override_settings(LAPOR_RATE_REPORTS_PER_SENDER_HOUR=100, LAPOR_RATE_REPORTS_PER_SENDER_DAY=3)
def test_the_daily_limit_holds_across_hours(tree: Tree) -> None:
    start = clock.now().replace(hour=1)  # UTC; the day window runs midnight to midnight UTC
    for hour in range(3):
        with clock.frozen(start + timedelta(hours=hour)):
            assert _post(_body(reporter_phone="0812-1111-2222")).status_code == 201
    with clock.frozen(start + timedelta(hours=5)):
        refused = _post(_body(reporter_phone="+62 812 1111 2222"))
        assert refused.status_code == 429
        assert refused.json()["code"] == "too_many_reports"
        assert int(refused["Retry-After"]) > 3600  # until the day ends
    with clock.frozen(start + timedelta(days=1)):
        assert _post(_body(reporter_phone="081211112222")).status_code == 201


@override_settings(LAPOR_RATE_REPORTS_PER_ADDRESS_HOUR=3)
def test_anonymous_reports_are_limited_per_client_address(tree: Tree) -> None:
    for _ in range(3):
        assert _post(_body(is_anonymous=True), ip="192.0.2.50").status_code == 201
    refused = _post(_body(is_anonymous=True), ip="192.0.2.50")
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_reports"
    assert _post(_body(is_anonymous=True), ip="192.0.2.51").status_code == 201


@override_settings(LAPOR_RATE_REPORTS_PER_SENDER_HOUR=1)
def test_invalid_reports_do_not_use_up_the_allowance(tree: Tree) -> None:
    # Refused by the service itself (after the schema), before the limits are counted.
    invalid = _post(_body(region_code="99.99", reporter_email="rina@example.org"))
    assert invalid.status_code == 422
    assert invalid.json()["code"] == "unknown_region"
    assert _post(_body(reporter_email="rina@example.org")).status_code == 201
    assert _post(_body(reporter_email="rina@example.org")).status_code == 429


@override_settings(LAPOR_RATE_REPORTS_PER_SENDER_HOUR=0, LAPOR_RATE_REPORTS_PER_SENDER_DAY=0,
                   LAPOR_RATE_REPORTS_PER_ADDRESS_HOUR=0)
def test_a_limit_of_zero_is_off(tree: Tree) -> None:
    for _ in range(5):
        assert _post(_body(reporter_email="rina@example.org")).status_code == 201


@override_settings(LAPOR_RATE_REPORTS_PER_SENDER_HOUR=2)
def test_a_phone_number_is_one_sender_on_every_door(tree: Tree) -> None:
    """An SMS (the channel passes the typed handle) and the web form with the same number in
    another spelling share one counter; staff entry on the citizen's behalf is not counted."""
    submit(tree, reporter_phone="", reporter_email="", channel="sms",
           origin=Origin(handle="phone:+6281234567890"))
    # Staff entry on the citizen's behalf (walk-in) passes no origin and is not counted.
    submit(tree, reporter_phone="0812-3456-7890", reporter_email="", channel="walk_in")
    assert _post(_body(reporter_phone="0812-3456-7890")).status_code == 201
    refused = _post(_body(reporter_phone="+62 812 3456 7890"))
    assert refused.status_code == 429
    with pytest.raises(TooManyRequests) as raised:
        submit(tree, reporter_phone="", reporter_email="", channel="whatsapp",
               origin=Origin(handle="phone:+6281234567890"))
    assert raised.value.code == "too_many_reports"


@override_settings(LAPOR_RATE_REPORTS_PER_CHANNEL_MINUTE={"web": 2})
def test_a_channel_ceiling_refuses_with_channel_busy(tree: Tree) -> None:
    before = _refused("channel-minute")
    assert _post(_body(reporter_email="a@example.org"), ip="192.0.2.1").status_code == 201
    assert _post(_body(reporter_email="b@example.org"), ip="192.0.2.2").status_code == 201
    busy = _post(_body(reporter_email="c@example.org"), ip="192.0.2.3")
    assert busy.status_code == 429
    assert busy.json()["code"] == "channel_busy"
    assert 0 < int(busy["Retry-After"]) <= 60
    assert _refused("channel-minute") == before + 1
    # Other channels have no ceiling here.
    assert _post(_body(reporter_email="d@example.org", channel="mobile")).status_code == 201
    with clock.frozen(clock.now() + timedelta(minutes=1)):
        assert _post(_body(reporter_email="c@example.org")).status_code == 201


@override_settings(LAPOR_RATE_REPORTS_PER_ADDRESS_HOUR=1)
def test_the_portal_form_comes_back_with_the_text_and_the_reason(tree: Tree) -> None:
    form = {"type": "complaint", "title": "Lampu jalan mati di Jalan Pendidikan",
            "body": "Sudah dua minggu lampu jalan mati total dan jalan menjadi gelap.",
            "region_code": "64.08.04", "target_agency": "kutim", "action": "submit_anyway"}
    client = Client(REMOTE_ADDR="192.0.2.80")
    first = client.post("/lapor/", form)
    assert first.status_code == 302, first.content.decode()[:2000]
    reports = Report.objects.count()
    second = client.post("/lapor/", {**form, "title": "Lampu jalan mati lagi di Jalan Pendidikan"})
    assert second.status_code == 429
    assert int(second["Retry-After"]) > 0
    page = second.content.decode()
    assert "Terlalu banyak laporan dari pengirim yang sama" in page
    assert "Lampu jalan mati lagi di Jalan Pendidikan" in page  # what was typed is kept
    assert Report.objects.count() == reports


@override_settings(LAPOR_RATE_REPORTS_PER_APPLICATION_MINUTE=2)
def test_an_integration_application_is_limited_and_may_retry_the_same_key(tree: Tree) -> None:
    token = integration_app_create(agency_code="kutim", name="SIPADU Kutim").token
    for n in range(2):
        answer = post_report(token, report_body(f"KTM-{n}", reporter_email=f"w{n}@example.org"),
                             f"key-{n}")
        assert answer.status_code == 201, answer.content
    body = report_body("KTM-9", reporter_email="w9@example.org")
    refused = post_report(token, body, "key-9")
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_reports"
    assert int(refused["Retry-After"]) <= 60
    # The refusal is not remembered as the key's answer: the same request later succeeds.
    assert not IdempotencyRecord.objects.filter(status_code=429).exists()
    assert IdempotencyRecord.objects.count() == 2
    with clock.frozen(clock.now() + timedelta(minutes=1)):
        later = post_report(token, body, "key-9")
        assert later.status_code == 201, later.content
        assert "Idempotent-Replayed" not in later
    # Another application has its own allowance.
    other = integration_app_create(agency_code="kutim", name="Aplikasi Desa").token
    assert post_report(other, report_body("DESA-1", reporter_email="x@example.org"),
                       "key-x").status_code == 201


@override_settings(LAPOR_RATE_REPORTS_PER_APPLICATION_MINUTE=1)
def test_open311_answers_429_in_the_specifications_error_list(tree: Tree) -> None:
    key = open311_key_create(name="Kota app").raw
    form = {"api_key": key, "service_code": "jalan", "lat": "0.51", "long": "117.65",
            "description": "Saluran air tersumbat dan meluap ke jalan setiap hujan.",
            "attribute[region_code]": "64.08.04"}
    first = Client().post("/open311/v2/requests.json", form)
    assert first.status_code == 200, first.content
    reports = Report.objects.count()
    second = Client().post("/open311/v2/requests.json", form)
    assert second.status_code == 429
    assert int(second["Retry-After"]) > 0
    assert second.json() == [{"code": 429, "description":
                              "Too many reports from the same sender. Please try again later."}]
    assert Report.objects.count() == reports


@override_settings(LAPOR_RATE_REPORTS_PER_SENDER_HOUR=1, LAPOR_EMAIL_DEFAULT_REGION="64")
def test_a_mail_over_the_limit_is_recorded_as_refused_not_lost(tree: Tree) -> None:
    outcomes = []
    for subject in ("Jalan rusak di Sangatta Utara", "Lampu jalan mati di Sangatta Selatan"):
        raw = citizen_mail(subject=subject).as_bytes()
        assert inbound_email_record(raw=raw, source="smtp", recipients=["kutim@lapor.test"])
        row = InboundEmail.objects.order_by("-pk").first()
        assert row is not None
        inbound_email_process(email_id=row.pk)
        row.refresh_from_db()
        outcomes.append((row.status, row.outcome, row.report_id is not None))
    assert outcomes == [("new_report", "new_report", True),
                        ("ignored", "too_many_reports", False)]
    assert Report.objects.filter(channel="email").count() == 1


def test_channel_ceilings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAPOR_RATE_REPORTS_PER_CHANNEL_MINUTE", "sms=300, whatsapp=600")
    assert env_ceilings("LAPOR_RATE_REPORTS_PER_CHANNEL_MINUTE") == {"sms": 300,
                                                                     "whatsapp": 600}
    monkeypatch.setenv("LAPOR_RATE_REPORTS_PER_CHANNEL_MINUTE", "sms")
    with pytest.raises(ImproperlyConfigured):
        env_ceilings("LAPOR_RATE_REPORTS_PER_CHANNEL_MINUTE")
    monkeypatch.delenv("LAPOR_RATE_REPORTS_PER_CHANNEL_MINUTE")
    assert env_ceilings("LAPOR_RATE_REPORTS_PER_CHANNEL_MINUTE") == {}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(LAPOR_RATE_REPORTS_PER_SENDER_HOUR=5)
def test_concurrent_submissions_from_one_sender_stop_exactly_at_the_limit(
        regions: None) -> None:
    """Twenty submissions with one phone number at the same moment on PostgreSQL: the counter
    is one atomic upsert, so exactly five are accepted and fifteen refused."""
    tree = make_tree()

    def one() -> object:
        return submit(tree, reporter_email="", origin=Origin(address="192.0.2.99"))

    results = race(*[one] * 20)
    refused = [r for r in results if isinstance(r, TooManyRequests)]
    accepted = [r for r in results if not isinstance(r, BaseException)]
    assert len(accepted) == 5, results
    assert len(refused) == 15
    assert {r.code for r in refused} == {"too_many_reports"}
    assert Report.objects.count() == 5
