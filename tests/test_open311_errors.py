"""Every documented GeoReport v2 error, against a live server, in both formats: the
specification's error list with HTTP 400, 403 or 404 (405 for a wrong method), never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from lapor.open311.keys import open311_key_create, open311_key_revoke
from lapor.reports.models import Report
from tests.open311_support import World, get, http, make_world

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(live_server: Any) -> World:
    return make_world()


@pytest.fixture
def root(live_server: Any) -> str:
    return f"{live_server.url}/open311/v2"


def _form(world: World, **changes: str) -> dict[str, str]:
    form = {"api_key": world.key, "service_code": "jalan", "lat": "0.51", "long": "117.65",
            "description": "Saluran air tersumbat dan meluap ke jalan setiap hujan.",
            "attribute[region_code]": "64.08.04"}
    form.update(changes)
    return {k: v for k, v in form.items() if v != "<absent>"}


def _error(answer: Any, fmt: str, status: int) -> str:
    """The single error's description, after checking the status and the spec's shape."""
    assert answer.status == status, answer.text
    if fmt == "json":
        assert answer.content_type == "application/json"
        body = answer.json()
        assert isinstance(body, list)
        assert len(body) == 1
        assert body[0]["code"] == status
        return str(body[0]["description"])
    assert answer.content_type == "text/xml; charset=utf-8"
    assert answer.body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    element = answer.xml()
    assert element.tag == "errors"
    assert [child.tag for child in element] == ["error"]
    assert element.findtext("error/code") == str(status)
    return element.findtext("error/description") or ""


POST_ERRORS = [
    # (changes to a valid form, HTTP status, words in the description)
    ({"api_key": "<absent>"}, 403, "api_key was not provided"),
    ({"api_key": ""}, 403, "api_key was not provided"),
    ({"api_key": "l311_not-a-real-key"}, 403, "api_key is not valid"),
    ({"api_key": "garbage"}, 403, "api_key is not valid"),
    ({"service_code": "<absent>"}, 400, "service_code was not provided"),
    ({"service_code": "no-such-service"}, 404, "service_code provided was not found"),
    ({"jurisdiction_id": "other.city.gov"}, 404, "jurisdiction_id provided was not found"),
    ({"description": "<absent>"}, 400, "description was not provided"),
    ({"description": "x" * 4001}, 400, "longer than 4000"),
    ({"description": "Jalan rusak <b>parah</b> sekali di sini."}, 400, "HTML"),
    ({"description": "<script>alert(1)</script> jalan rusak"}, 400, "HTML"),
    ({"lat": "abc"}, 400, "lat must be a decimal"),
    ({"lat": "NaN"}, 400, "lat is out of range"),
    ({"lat": "95"}, 400, "lat is out of range"),
    ({"long": "<absent>"}, 400, "lat and long must be sent together"),
    ({"lat": "48.85", "long": "2.35"}, 400, "Coordinates must lie in Indonesia"),
    ({"lat": "<absent>", "long": "<absent>"}, 400, "location"),
    ({"lat": "<absent>", "long": "<absent>", "address_id": "12"}, 400, "address_id"),
    ({"attribute[region_code]": "<absent>", "lat": "<absent>", "long": "<absent>",
      "address_string": "Jl. Yos Sudarso"}, 400, "attribute[region_code] was not provided"),
    ({"attribute[region_code]": "<absent>", "lat": "1.29", "long": "103.85"}, 400,
     "(location_outside_indonesia)"),
    ({"attribute[region_code]": "99.99"}, 400, "Unknown region"),
    ({"attribute[report_type]": "praise"}, 400, "report_type"),
    ({"attribute[colour]": "red"}, 400, "unknown attribute"),
    ({"email": "not-an-email"}, 400, "email"),
    ({"phone": "12"}, 400, "phone"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
    ({"address_string": "a" * 301, "lat": "<absent>", "long": "<absent>"}, 400,
     "address_string"),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_errors(world: World, root: str, fmt: str) -> None:
    before = Report.objects.count()
    for changes, status, words in POST_ERRORS:
        description = _error(http("POST", f"{root}/requests.{fmt}", _form(world, **changes)),
                             fmt, status)
        assert words in description, (changes, description)
    assert Report.objects.count() == before  # nothing was created


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_every_refusal_of_a_request_is_listed(world: World, root: str, fmt: str) -> None:
    """Issue 18: one answer names every field's problem, one entry of the error list each."""
    before = Report.objects.count()
    answer = http("POST", f"{root}/requests.{fmt}", _form(
        world, **{"attribute[region_code]": "99.99", "email": "not-an-email", "phone": "12"}))
    assert answer.status == 400
    if fmt == "json":
        descriptions = [e["description"] for e in answer.json()]
        assert {e["code"] for e in answer.json()} == {400}
    else:
        descriptions = [e.findtext("description") for e in answer.xml()]
    assert len(descriptions) == 3, descriptions
    assert any(d.startswith("attribute[region_code]: ") for d in descriptions)
    assert any(d.startswith("email: ") for d in descriptions)
    assert any(d.startswith("phone: ") for d in descriptions)
    assert Report.objects.count() == before


def test_api_key_in_query_string_and_revoked_key(world: World, root: str) -> None:
    form = _form(world, api_key="<absent>")
    answer = http("POST", f"{root}/requests.json?api_key={world.key}", form)
    assert answer.status == 200, answer.text
    created = open311_key_create(name="Old client")
    open311_key_revoke(key_id=created.key.pk)
    answer = http("POST", f"{root}/requests.json", _form(world, api_key=created.raw))
    assert "api_key is not valid" in _error(answer, "json", 403)


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_read_errors(world: World, root: str, fmt: str) -> None:
    cases = [
        (get(f"{root}/services.{fmt}", jurisdiction_id="nope.go.id"), 404, "jurisdiction_id"),
        (get(f"{root}/discovery.{fmt}", jurisdiction_id="nope.go.id"), 404, "jurisdiction_id"),
        (get(f"{root}/services/no-such.{fmt}"), 404, "service_code"),
        (get(f"{root}/services/bad.code.{fmt}"), 404, "resource"),
        (get(f"{root}/requests/123456789012.{fmt}"), 404, "service_request_id"),
        (get(f"{root}/requests/abc.{fmt}"), 404, "resource"),
        (get(f"{root}/tokens/123456789012.{fmt}"), 404, "token"),
        (get(f"{root}/requests.{fmt}", start_date="yesterday"), 400, "start_date"),
        (get(f"{root}/requests.{fmt}", start_date="2026-01-01T00:00:00"), 400, "time zone"),
        (get(f"{root}/requests.{fmt}", end_date="2026-01-01"), 400, "end_date"),
        (get(f"{root}/requests.{fmt}", start_date="0001-01-01T00:00:00Z"), 400, "start_date"),
        (get(f"{root}/requests.{fmt}", start_date="2026-01-01T00:00:00Z",
             end_date="2026-06-01T00:00:00Z"), 400, "90 days"),
        (get(f"{root}/requests.{fmt}", start_date="2026-02-01T00:00:00Z",
             end_date="2026-01-01T00:00:00+08:00"), 400, "before"),
        (get(f"{root}/requests.{fmt}", status="pending"), 400, "status"),
        (get(f"{root}/requests.{fmt}", service_request_id=",".join(["1"] * 101)), 400,
         "at most"),
        (http("DELETE", f"{root}/requests.{fmt}"), 405, "method"),
        (http("POST", f"{root}/services.{fmt}", {}), 405, "method"),
        (get(f"{root}/nothing.{fmt}"), 404, "resource"),
    ]
    for answer, status, words in cases:
        description = _error(answer, fmt, status)
        assert words in description, (status, words, description)


def test_unknown_format_and_garbage_are_clean_errors(world: World, root: str) -> None:
    _error(get(f"{root}/services.html"), "xml", 404)
    _error(get(f"{root}/requests.yaml"), "xml", 404)
    garbage = [
        http("POST", f"{root}/requests.json", raw=b"\xff\xfe\x00garbage",
             content_type="application/x-www-form-urlencoded"),
        http("POST", f"{root}/requests.json", raw=b"--x\r\nbroken",
             content_type="multipart/form-data; boundary=x"),
        http("POST", f"{root}/requests.json", raw=b'{"api_key": "x"}',
             content_type="application/json"),
        http("POST", f"{root}/requests.json", raw=b"<xml>no</xml>", content_type="text/xml"),
        get(f"{root}/requests.json", start_date="\u0661\u0662"),
        get(f"{root}/requests.json", service_request_id="%%%,,,"),
        get(f"{root}/requests.json", status=",,,"),
        http("GET", f"{root}/requests.json?" + "&".join(f"f{i}=1" for i in range(1200))),
        http("POST", f"{root}/requests.json", raw="&".join(f"f{i}=1" for i in range(1200))
             .encode()),
    ]
    for answer in garbage:
        assert answer.status in (200, 400, 403), answer.text
        assert answer.content_type == "application/json"


def test_empty_optional_parameters_count_as_absent(world: World, root: str) -> None:
    plain = get(f"{root}/requests.json").json()
    empty = get(f"{root}/requests.json", service_request_id="", service_code="", start_date="",
                end_date="", status="", jurisdiction_id="").json()
    assert plain == empty
    assert len(plain) == 3
    assert get(f"{root}/services.json", jurisdiction_id="").status == 200
    assert get(f"{root}/services.json", jurisdiction_id="lapor.go.id").status == 200
    # In a POST, empty optional fields are ignored (address_string empty, lat/long given).
    answer = http("POST", f"{root}/requests.json",
                  _form(world, address_string="", address_id="", media_url="", email="",
                        first_name="", last_name="", phone="", device_id="", account_id="",
                        jurisdiction_id="", **{"attribute[report_type]": ""}))
    assert answer.status == 200, answer.text
    report = Report.objects.get(tracking_number=answer.json()[0]["service_request_id"])
    assert report.is_anonymous
    assert report.type == "complaint"
