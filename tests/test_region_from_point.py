"""A report with coordinates and no region gets the kecamatan of the point (issue 19), through
the service every door shares and through POST /api/v1/reports."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.test import Client

from lapor.core.errors import ValidationFailed
from lapor.open311.keys import open311_key_create
from lapor.orgs.actors import PUBLIC
from lapor.regions.geo import LocationOutsideIndonesia
from lapor.regions.points import import_points
from lapor.regions.selectors import district_for_point
from lapor.reports.models import Report
from lapor.reports.submission import report_submit, report_validate
from tests.api_client import ApiClient
from tests.factories import Tree

pytestmark = pytest.mark.django_db
SANGATTA_UTARA = {"latitude": "0.5036", "longitude": "117.5406"}
SUBMISSION: dict[str, Any] = {
    "type": "complaint", "title": "Lampu jalan mati di Jalan Yos Sudarso",
    "body": "Sudah dua minggu lampu jalan di depan SDN 001 Sangatta Utara mati total.",
}


def test_the_api_takes_the_region_from_the_point(tree: Tree) -> None:
    response = ApiClient().post("/reports", {**SUBMISSION, **SANGATTA_UTARA})
    assert response.status_code == 201, response.content
    report = Report.objects.get(tracking_number=response.json()["tracking_number"])
    assert report.region_id == "64.08.04"
    assert report.tier_id == tree.kutim.pk  # routed to Kutai Timur's hub like a picked region
    assert (report.latitude, report.longitude) == (Decimal("0.5036"), Decimal("117.5406"))

    empty = ApiClient().post("/reports", {**SUBMISSION, **SANGATTA_UTARA, "region_code": ""})
    assert empty.status_code == 201, empty.content


def test_a_given_region_code_wins_and_the_point_is_kept(tree: Tree) -> None:
    submitted = report_submit(actor=PUBLIC, type="complaint", title=SUBMISSION["title"],
                              body=SUBMISSION["body"], region_code="64.72.04",
                              latitude=Decimal("0.5036"), longitude=Decimal("117.5406"))
    report = submitted.report
    assert report.region_id == "64.72.04"
    assert report.latitude == Decimal("0.5036")


@pytest.mark.parametrize(("latitude", "longitude", "errors"), [
    # Singapore: inside the bounding box, in no kecamatan.
    ("1.29", "103.85", {("region_code", "location_outside_indonesia")}),
    # Far at sea in the Makassar Strait.
    ("0.0", "118.5", {("region_code", "location_outside_indonesia")}),
    # Outside the box: the coordinates are refused, and the region is then missing.
    ("48.85", "2.35", {("latitude", "invalid_coordinates"), ("region_code", "required")}),
])
def test_a_point_in_no_kecamatan_is_refused_with_the_other_errors(
        tree: Tree, latitude: str, longitude: str, errors: set[tuple[str, str]]) -> None:
    response = ApiClient().post("/reports", {**SUBMISSION, "latitude": latitude,
                                             "longitude": longitude, "body": ""})
    assert response.status_code == 422
    found = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert found == {*errors, ("body", "required")}
    assert not Report.objects.exists()


def test_without_region_or_point_the_region_is_required(tree: Tree) -> None:
    with pytest.raises(ValidationFailed) as refused:
        report_validate(type="complaint", title=SUBMISSION["title"], body=SUBMISSION["body"],
                        region_code="", latitude=Decimal("0.5036"), longitude=None)
    found = {(e.field, e.code) for e in refused.value.errors or []}
    assert found == {("region_code", "required"), ("latitude", "invalid_coordinates")}


def test_the_sea_near_bontang_gets_the_nearest_kecamatan(tree: Tree) -> None:
    checked = report_validate(type="complaint", title=SUBMISSION["title"],
                              body=SUBMISSION["body"], region_code=None,
                              latitude=Decimal("0.12"), longitude=Decimal("117.55"))
    assert checked.region.code == "64.74.01"


# Made-up reference points near the real towns (not survey points): Bontang Selatan's is put
# off the coast on purpose, so it is the nearest to the sea point below.
POINTS = ("code,latitude,longitude\n"
          "64.74.01,0.17,117.49\n"
          "64.74.02,0.115,117.55\n")
AT_SEA_NEAR_BONTANG = {"latitude": "0.12", "longitude": "117.55"}


def test_one_rule_for_every_door(tree: Tree) -> None:
    # Reviewer's finding on issue 19: Open311 preferred the operator's reference points near
    # the coast and the API did not. lapor.regions.selectors.district_for_point is the rule;
    # the API, Open311 and the locate endpoint give the same district for the same point.
    import_points(StringIO(POINTS))
    expected = district_for_point(Decimal("0.12"), Decimal("117.55"))
    assert (expected.code, expected.exact) == ("64.74.02", False)  # the nearest point wins

    response = ApiClient().post("/reports", {**SUBMISSION, **AT_SEA_NEAR_BONTANG})
    assert response.status_code == 201, response.content
    api = Report.objects.get(tracking_number=response.json()["tracking_number"])

    key = open311_key_create(name="Kutim app").raw
    answer = Client().post("/open311/v2/requests.json", {
        "api_key": key, "service_code": "jalan", "lat": "0.12", "long": "117.55",
        "description": "Jembatan kayu di ujung dermaga sudah lapuk dan berbahaya."})
    assert answer.status_code == 200, answer.content
    open311 = Report.objects.get(tracking_number=answer.json()[0]["service_request_id"])

    located = ApiClient().get("/regions/locate?lat=0.12&lon=117.55")
    assert located.status_code == 200, located.content
    assert api.region_id == open311.region_id == located.json()["code"] == "64.74.02"


def test_reference_points_never_stretch_indonesia_into_the_sea(tree: Tree) -> None:
    # Far at sea in the Makassar Strait, a loaded point nearby changes nothing: refused.
    import_points(StringIO("code,latitude,longitude\n64.74.02,0.0,118.45\n"))
    with pytest.raises(LocationOutsideIndonesia):
        district_for_point(Decimal("0.0"), Decimal("118.5"))
    # Inside a polygon the polygon wins over a nearer reference point.
    import_points(StringIO("code,latitude,longitude\n64.08.12,0.5036,117.5406\n"))
    assert district_for_point(0.5036, 117.5406).code == "64.08.04"
