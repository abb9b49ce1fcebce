"""The answer formats and parameter rules, without a server."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest
from django.http import QueryDict
from django.test import override_settings

from lapor.open311.params import check_jurisdiction, comma_list, date_window, optional
from lapor.open311.render import Open311Error, error_response, respond, w3c, xml_bytes

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


def test_xml_is_built_with_the_spec_names_and_escapes_text() -> None:
    body = xml_bytes("service_requests", [{"service_request_id": "1", "description":
                                           "a < b & <script>", "lat": Decimal("0.5"),
                                           "requested_datetime": NOW, "media_url": None}])
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n<service_requests>')
    root = ET.fromstring(body)  # noqa: S314  (our own output)
    assert root.findtext("request/description") == "a < b & <script>"
    assert root.findtext("request/requested_datetime") == "2026-11-29T03:00:00Z"
    assert root.findtext("request/media_url") == ""
    assert ET.fromstring(xml_bytes("service_requests", [])).tag == "service_requests"  # noqa: S314


def test_json_and_errors() -> None:
    answer = respond("json", "service_requests", [{"lat": Decimal("0.5"), "at": NOW}])
    assert answer["Content-Type"] == "application/json"
    assert json.loads(answer.content) == [{"lat": 0.5, "at": "2026-11-29T03:00:00Z"}]
    error = error_response("xml", Open311Error(403, "api_key is not valid"))
    assert error.status_code == 403
    assert error["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(error.content)  # noqa: S314
    assert [(e.findtext("code"), e.findtext("description")) for e in root] == [
        ("403", "api_key is not valid")]


def test_datetimes_always_carry_an_offset() -> None:
    wita = timezone(timedelta(hours=8))
    assert w3c(datetime(2026, 1, 1, 8, 0, 0, 123, tzinfo=wita)) == "2026-01-01T00:00:00Z"


def test_empty_optional_parameter_is_absent() -> None:
    data = QueryDict("status=&service_code=%20&x=1")
    assert optional(data, "status") is None
    assert optional(data, "service_code") is None
    assert optional(data, "missing") is None
    assert comma_list(data, "status") == []
    assert comma_list(QueryDict("s=a,,b&s=c"), "s") == ["a", "b", "c"]
    assert date_window(QueryDict("start_date=&end_date="), NOW) == (NOW - timedelta(days=90),
                                                                    NOW)


def test_date_window_rules() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert date_window(QueryDict("start_date=2026-01-01T00:00:00Z"), NOW) == (
        start, start + timedelta(days=90))
    assert date_window(QueryDict("end_date=2026-01-01T08:00:00%2B08:00"), NOW) == (
        start - timedelta(days=90), start)
    exact = QueryDict("start_date=2026-01-01T00:00:00Z&end_date=2026-04-01T00:00:00Z")
    assert date_window(exact, NOW) == (start, start + timedelta(days=90))
    for bad in ("start_date=2026-01-01T00:00:00Z&end_date=2026-04-01T00:00:01Z",
                "start_date=2026-01-01", "start_date=2026-01-01T00:00:00",
                "end_date=9999-12-31T23:59:59Z", "start_date=garbage"):
        with pytest.raises(Open311Error) as caught:
            date_window(QueryDict(bad), NOW)
        assert caught.value.status == 400


@override_settings(LAPOR_OPEN311_JURISDICTION="kutaitimurkab.go.id")
def test_jurisdiction_is_checked() -> None:
    check_jurisdiction(QueryDict(""))
    check_jurisdiction(QueryDict("jurisdiction_id="))
    check_jurisdiction(QueryDict("jurisdiction_id=kutaitimurkab.go.id"))
    with pytest.raises(Open311Error) as caught:
        check_jurisdiction(QueryDict("jurisdiction_id=lapor.go.id"))
    assert caught.value.status == 404
