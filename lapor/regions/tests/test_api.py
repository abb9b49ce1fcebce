"""GET /api/v1/regions/locate and /api/v1/regions/{regency}/boundaries."""

from __future__ import annotations

import gzip
import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
LOCATE = "/api/v1/regions/locate"


def test_locate_inside_a_kecamatan(client: Client) -> None:
    answer = client.get(LOCATE, {"lat": "0.5036", "lon": "117.5406"})
    assert answer.status_code == 200
    assert answer.json() == {
        "code": "64.08.04", "name": "Sangatta Utara", "regency_code": "64.08",
        "regency_name": "Kabupaten Kutai Timur", "province_code": "64",
        "province_name": "Kalimantan Timur", "exact": True, "distance_m": 0.0}
    assert answer["Cache-Control"] == "public, max-age=86400"


def test_locate_at_sea_near_the_coast(client: Client) -> None:
    body = client.get(LOCATE, {"lat": "0.12", "lon": "117.55"}).json()
    assert (body["code"], body["regency_name"], body["exact"]) == (
        "64.74.01", "Kota Bontang", False)
    assert 1_500 < body["distance_m"] < 1_800


@pytest.mark.parametrize(("lat", "lon"), [("1.29", "103.85"), ("0.0", "118.5"),
                                          ("48.8566", "2.3522")])
def test_locate_outside_indonesia_is_400(client: Client, lat: str, lon: str) -> None:
    answer = client.get(LOCATE, {"lat": lat, "lon": lon}, headers={"Accept-Language": "en"})
    assert answer.status_code == 400
    assert answer.json()["code"] == "location_outside_indonesia"
    assert answer.json()["message"].startswith("This location is not in any Indonesian")
    indonesian = client.get(LOCATE, {"lat": lat, "lon": lon}).json()["message"]
    assert indonesian.startswith("Lokasi ini tidak berada di kecamatan mana pun")


@pytest.mark.parametrize("query", [
    {"lat": "abc", "lon": "117.5"}, {"lat": "nan", "lon": "117.5"},
    {"lat": "0.5", "lon": "inf"}, {"lat": "91", "lon": "117.5"}, {"lat": "0.5"},
    {"lat": "1e400", "lon": "117.5"}, {"lat": "", "lon": ""},
])
def test_locate_bad_numbers_are_422(client: Client, query: dict[str, str]) -> None:
    answer = client.get(LOCATE, query)
    assert answer.status_code == 422
    assert answer.json()["code"] == "validation_error"


def test_boundaries_of_kutai_timur(client: Client) -> None:
    answer = client.get("/api/v1/regions/64.08/boundaries")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/geo+json"
    assert answer["Cache-Control"] == "public, max-age=86400"
    body = json.loads(answer.content)
    assert body["type"] == "FeatureCollection"
    assert len(body["features"]) == 18
    sangatta = next(f for f in body["features"] if f["properties"]["code"] == "64.08.04")
    assert sangatta["properties"] == {"code": "64.08.04", "name": "Sangatta Utara"}
    assert sangatta["geometry"]["type"] in ("Polygon", "MultiPolygon")
    assert len(answer.content) < 40_000  # 31 kB measured (docs/performance.md)

    zipped = client.get("/api/v1/regions/64.08/boundaries",
                        headers={"Accept-Encoding": "gzip, deflate, br"})
    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert len(zipped.content) < 12_000  # 9 kB measured
    assert gzip.decompress(zipped.content) == answer.content
    assert zipped["ETag"] != answer["ETag"]


def test_boundaries_answer_304_to_their_etag(client: Client) -> None:
    url = "/api/v1/regions/64.08/boundaries"
    etag = client.get(url)["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize(("code", "status"), [("99.99", 404), ("64", 422), ("64.08.04", 422),
                                               ("xx.yy", 422)])
def test_boundaries_of_an_unknown_regency(client: Client, code: str, status: int) -> None:
    assert client.get(f"/api/v1/regions/{code}/boundaries").status_code == status


def test_both_are_in_the_openapi_schema(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    locate = paths["/api/v1/regions/locate"]["get"]
    assert locate["summary"] == "The kecamatan (district) of a point"
    assert {"200", "400", "422"} <= set(locate["responses"])
    boundaries = paths["/api/v1/regions/{regency_code}/boundaries"]["get"]
    assert {"200", "304", "404"} <= set(boundaries["responses"])
