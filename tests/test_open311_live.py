"""Open311 GeoReport v2 against a live server: the PyPI client ``georeport`` for the reads
(JSON and XML), plain HTTP (urllib) for discovery, tokens and POST, which it does not cover."""

from __future__ import annotations

from typing import Any

import pytest
from georeport import GeoReport

from lapor.open311.models import Submission
from lapor.reports import services
from lapor.reports.models import Channel, Report
from tests.open311_support import (
    CONFIDENTIAL_BODY,
    CONFIDENTIAL_TITLE,
    PLANTED_TEXTS,
    World,
    get,
    http,
    make_world,
)

pytestmark = pytest.mark.django_db(transaction=True)
XML_DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>'
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name",
                  "service_code", "description", "agency_responsible", "service_notice",
                  "requested_datetime", "updated_datetime", "expected_datetime", "address",
                  "lat", "long", "media_url"}


@pytest.fixture
def world(live_server: Any) -> World:
    return make_world()


@pytest.fixture
def root(live_server: Any) -> str:
    return f"{live_server.url}/open311/v2"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _assert_format(answer: Any, fmt: str) -> None:
    if fmt == "xml":
        assert answer.content_type == "text/xml; charset=utf-8"
        assert answer.body.startswith(XML_DECLARATION)
        answer.xml()  # well-formed
    else:
        assert answer.content_type == "application/json"
        answer.json()
    # The site's security headers hold here too.
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in answer.headers["Content-Security-Policy"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_client_reads_services_and_definitions(world: World, root: str, fmt: str) -> None:
    client = GeoReport(root, jurisdiction="lapor.go.id", output_format=fmt)
    services_list = _as_list(client.get_service_list())
    by_code = {s["service_code"]: s for s in services_list}
    assert set(by_code) == {"jalan", "darurat"}
    jalan = by_code["jalan"]
    assert jalan["service_name"] == "Jalan"
    assert str(jalan["metadata"]).lower() == "true"
    assert jalan["type"] == "realtime"
    assert {"description", "keywords", "group"} <= set(jalan)

    definition = client.get_service_definition("jalan")
    assert definition["service_code"] == "jalan"
    attributes = _as_list(definition["attributes"]["attribute"] if fmt == "xml"
                          else definition["attributes"])
    codes = {a["code"]: a for a in attributes}
    assert set(codes) == {"region_code", "report_type"}
    values = codes["report_type"]["values"]
    values = _as_list(values["value"]) if fmt == "xml" else values
    assert {v["key"] for v in values} == {"complaint", "aspiration", "information_request"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_client_reads_public_requests_only(world: World, root: str, fmt: str) -> None:
    client = GeoReport(root, output_format=fmt)
    found = _as_list(client.get_service_requests())
    ids = {r["service_request_id"] for r in found}
    public = {world.responded.tracking_number, world.closed.tracking_number,
              world.anonymous.tracking_number}
    assert ids == public  # no confidential, unverified or archived (spam) report

    responded = next(r for r in found if r["service_request_id"]
                     == world.responded.tracking_number)
    assert set(responded) == REQUEST_FIELDS
    assert responded["status"] == "open"
    assert responded["status_notes"] == "Lubang sudah ditambal pada hari Senin."
    assert responded["agency_responsible"] == "Pemerintah Kabupaten Kutai Timur"
    assert responded["service_code"] == "jalan"
    assert responded["address"] == "Jl. Yos Sudarso No. 1, Sangatta Utara"
    assert float(responded["lat"]) == pytest.approx(0.512345)
    assert float(responded["long"]) == pytest.approx(117.654321)
    assert "/laporan/lampiran/" in responded["media_url"]
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert responded[field].endswith("Z") or responded[field][-6] in "+-"
    closed = next(r for r in found if r["service_request_id"] == world.closed.tracking_number)
    assert closed["status"] == "closed"

    assert {r["service_request_id"] for r in _as_list(client.get_service_requests(
        status="closed"))} == {world.closed.tracking_number}
    assert world.closed.tracking_number not in {r["service_request_id"] for r in _as_list(
        client.get_service_requests(status="open"))}
    assert len(_as_list(client.get_service_requests(status="open,closed"))) == 3
    assert _as_list(client.get_service_requests(service_code="jalan,darurat"))
    picked = _as_list(client.get_service_requests(
        service_request_id=f"{world.closed.tracking_number},{world.confidential.tracking_number}"
    ))
    assert [r["service_request_id"] for r in picked] == [world.closed.tracking_number]

    one = client.get_service_request(world.responded.tracking_number)
    assert one["service_request_id"] == world.responded.tracking_number


def test_request_json_is_an_array_of_one(world: World, root: str) -> None:
    answer = get(f"{root}/requests/{world.closed.tracking_number}.json")
    assert answer.status == 200
    body = answer.json()
    assert isinstance(body, list)
    assert len(body) == 1
    assert body[0]["status"] == "closed"
    xml = get(f"{root}/requests/{world.closed.tracking_number}.xml")
    _assert_format(xml, "xml")
    requests_el = xml.xml()
    assert requests_el.tag == "service_requests"
    assert [child.tag for child in requests_el] == ["request"]
    assert requests_el.findtext("request/service_request_id") == world.closed.tracking_number


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_every_endpoint_answers_in_both_formats(world: World, root: str, fmt: str) -> None:
    urls = [f"{root}/discovery.{fmt}", f"{root}/services.{fmt}",
            f"{root}/services/jalan.{fmt}", f"{root}/requests.{fmt}",
            f"{root}/requests/{world.responded.tracking_number}.{fmt}"]
    for url in urls:
        answer = get(url)
        assert answer.status == 200, (url, answer.text)
        _assert_format(answer, fmt)
    discovery = get(f"{root}/discovery.{fmt}")
    if fmt == "json":
        endpoint = discovery.json()["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"] == root
        assert endpoint["formats"] == ["text/xml", "application/json"]
    else:
        element = discovery.xml()
        assert element.tag == "discovery"
        assert element.findtext("endpoints/endpoint/specification") == \
            "http://wiki.open311.org/GeoReport_v2"
        assert [f.text for f in element.findall("endpoints/endpoint/formats/format")] == \
            ["text/xml", "application/json"]
        assert element.findtext("endpoints/endpoint/type") == "production"
        assert element.find("changeset") is not None
        services_el = get(f"{root}/services.xml").xml()
        assert {child.tag for child in services_el} == {"service"}
        assert {c.tag for c in services_el[0]} == {"service_code", "service_name", "description",
                                                   "metadata", "type", "keywords", "group"}
        definition = get(f"{root}/services/jalan.xml").xml()
        assert definition.tag == "service_definition"
        assert {c.tag for c in definition.find("attributes/attribute")} >= {
            "variable", "code", "datatype", "required", "datatype_description", "order",
            "description"}


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_creates_an_integration_report_then_tracks_it(world: World, root: str,
                                                           fmt: str) -> None:
    form = {"api_key": world.key, "jurisdiction_id": "lapor.go.id", "service_code": "jalan",
            "lat": "0.5123", "long": "117.6543", "address_string": "Jl. Ahmad Yani",
            "description": "Lampu jalan di depan sekolah mati sejak seminggu.\nMohon dicek.",
            "attribute[region_code]": "64.08.04", "attribute[report_type]": "complaint",
            "email": "", "first_name": "", "last_name": "", "phone": "", "device_id": "",
            "account_id": "acc-17", "media_url": "https://example.org/foto.jpg"}
    answer = http("POST", f"{root}/requests.{fmt}", form)
    assert answer.status == 200, answer.text
    _assert_format(answer, fmt)
    if fmt == "json":
        item = answer.json()[0]
    else:
        element = answer.xml().find("request")
        assert element is not None
        item = {child.tag: child.text for child in element}
    assert set(item) == {"service_request_id", "service_notice", "account_id"}
    assert item["account_id"] == "acc-17"
    report = Report.objects.get(tracking_number=item["service_request_id"])
    assert report.channel == Channel.INTEGRATION
    assert report.is_anonymous  # no email, name or phone: empty fields count as absent
    assert report.category is not None
    assert report.category.code == "jalan"
    assert report.region_id == "64.08.04"
    assert report.address == "Jl. Ahmad Yani"
    assert report.body.endswith("Mohon dicek.")
    submission = Submission.objects.get(report=report)
    assert submission.media_url == "https://example.org/foto.jpg"
    assert submission.api_key.name == "Test client"

    # The token resource maps the id back; the request is not public until verified.
    token = get(f"{root}/tokens/{report.tracking_number}.{fmt}")
    assert token.status == 200
    _assert_format(token, fmt)
    assert get(f"{root}/requests/{report.tracking_number}.{fmt}").status == 404
    # Without LAPOR_OPEN311_AGENCY, a request waits for the hub of its region (Kutai Timur's).
    assert report.tier_id == world.tree.kutim.pk
    services.report_dispose(actor=world.tree.actor("hub"), report_id=report.pk,
                            node_code=world.tree.pupr.code)
    assert get(f"{root}/requests/{report.tracking_number}.{fmt}").status == 200


def test_post_with_identity_is_named_and_identity_never_shown(world: World, root: str) -> None:
    form = {"api_key": world.key, "service_code": "darurat", "address_string": "Pasar Induk",
            "description": "Pohon tumbang menutup jalan di depan pasar induk.",
            "attribute[region_code]": "64.08.04", "first_name": "Budi", "last_name": "Santoso",
            "email": "budi.santoso@example.org", "phone": "0812-1111-2222"}
    answer = http("POST", f"{root}/requests.json", form)
    assert answer.status == 200, answer.text
    report = Report.objects.get(tracking_number=answer.json()[0]["service_request_id"])
    assert not report.is_anonymous
    assert "Budi" not in report.contact.name  # stored encrypted (vault)
    # Without LAPOR_OPEN311_AGENCY, a request waits for the hub of its region (Kutai Timur's).
    assert report.tier_id == world.tree.kutim.pk
    services.report_dispose(actor=world.tree.actor("hub"), report_id=report.pk,
                            node_code=world.tree.pupr.code)
    for fmt in ("json", "xml"):
        for url in (f"{root}/requests.{fmt}", f"{root}/requests/{report.tracking_number}.{fmt}"):
            text = get(url).text
            assert report.tracking_number in text
            for leak in ("Budi", "Santoso", "budi.santoso", "81211112222"):
                assert leak not in text


def test_privacy_across_every_answer(world: World, root: str) -> None:
    hidden = (world.confidential, world.unverified, world.spam)
    texts = []
    for fmt in ("json", "xml"):
        texts += [get(f"{root}/requests.{fmt}").text,
                  get(f"{root}/requests.{fmt}", status="open,closed").text,
                  get(f"{root}/requests/{world.anonymous.tracking_number}.{fmt}").text,
                  get(f"{root}/services.{fmt}").text, get(f"{root}/discovery.{fmt}").text]
        for report in hidden:
            answer = get(f"{root}/requests/{report.tracking_number}.{fmt}")
            assert answer.status == 404
            texts.append(answer.text)
            texts.append(get(f"{root}/requests.{fmt}",
                             service_request_id=report.tracking_number).text)
    everything = "\n".join(texts)
    assert world.anonymous.tracking_number in everything
    for leak in PLANTED_TEXTS:
        assert leak not in everything
    for report in hidden:
        assert report.tracking_number not in everything
    assert CONFIDENTIAL_TITLE not in everything
    assert CONFIDENTIAL_BODY not in everything


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_with_only_coordinates_gets_the_kecamatan(world: World, root: str,
                                                       fmt: str) -> None:
    # A standard client sends lat/long and nothing about the region (issue 19). `georeport`
    # has no POST method: the POST is plain HTTP, the request is then read with the client.
    form = {"api_key": world.key, "service_code": "jalan", "lat": "0.5036", "long": "117.5406",
            "description": "Jalan berlubang di depan puskesmas, berbahaya untuk motor."}
    answer = http("POST", f"{root}/requests.{fmt}", form)
    assert answer.status == 200, answer.text
    number = (answer.json()[0]["service_request_id"] if fmt == "json"
              else answer.xml().findtext("request/service_request_id"))
    report = Report.objects.get(tracking_number=number)
    assert report.region_id == "64.08.04"  # Sangatta Utara, from the point
    assert report.tier_id == world.tree.kutim.pk  # so it waits for Kutai Timur's hub
    services.report_dispose(actor=world.tree.actor("hub"), report_id=report.pk,
                            node_code=world.tree.pupr.code)
    item = GeoReport(root, output_format=fmt).get_service_request(number)
    assert item["service_request_id"] == number
    assert float(item["lat"]) == pytest.approx(0.5036)
    assert float(item["long"]) == pytest.approx(117.5406)

    refused = http("POST", f"{root}/requests.{fmt}", {**form, "lat": "1.29", "long": "103.85"})
    assert refused.status == 400  # Singapore
    text = (refused.json()[0]["description"] if fmt == "json"
            else refused.xml().findtext("error/description"))
    assert text is not None
    assert text.endswith("(location_outside_indonesia)")
