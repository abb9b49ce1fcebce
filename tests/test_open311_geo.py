"""Open311 POST: coordinates map to the kecamatan they lie in (shipped boundaries); near the
coast, to the operator's nearest reference point or the nearest boundary; refused outside
Indonesia (docs/open311.md "Region")."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.test import Client, override_settings

from lapor.open311.keys import open311_key_create
from lapor.regions.points import import_points
from lapor.reports.models import Report
from tests.factories import Tree

pytestmark = pytest.mark.django_db
FORM = {"service_code": "jalan", "lat": "0.512300", "long": "117.543210",
        "address_string": "Jl. Yos Sudarso, Sangatta",
        "description": "Jembatan kayu di ujung jalan sudah lapuk dan berbahaya."}
# Test fixtures, made up near the real towns: not survey points or centroids of any source.
POINTS = ("code,latitude,longitude\n"
          "64.08.04,0.52,117.55\n"  # Sangatta Utara
          "64.08.12,0.43,117.58\n"  # Sangatta Selatan
          "64.72.04,-0.50,117.16\n"  # Samarinda Ilir
          "64.74.02,0.115,117.55\n")  # Bontang Selatan, put off the coast on purpose
# In the sea 1.6 km east of Bontang's coast, in no kecamatan polygon.
AT_SEA_NEAR_BONTANG = {"lat": "0.12", "long": "117.55"}


def _post(client: Client, **changes: str) -> tuple[int, Report | None, str]:
    key = open311_key_create(name="Kutim app").raw
    form = {k: v for k, v in {**FORM, "api_key": key, **changes}.items() if v != "<absent>"}
    answer = client.post("/open311/v2/requests.json", form)
    if answer.status_code != 200:
        return answer.status_code, None, answer.json()[0]["description"]
    number = answer.json()[0]["service_request_id"]
    return 200, Report.objects.get(tracking_number=number), ""


def test_only_coordinates_give_the_kecamatan(client: Client, tree: Tree) -> None:
    # The case: a standard client sends lat/long only, no points were imported, no
    # default region is set.
    status, report, error = _post(client, lat="0.5036", long="117.5406",
                                  address_string="<absent>")
    assert status == 200, error
    assert report is not None
    assert report.region_id == "64.08.04"  # Sangatta Utara
    assert (report.latitude, report.longitude) == (Decimal("0.5036"), Decimal("117.5406"))

    status, report, error = _post(client, lat="-0.49", long="117.15")
    assert status == 200, error
    assert report is not None
    assert report.region_id.startswith("64.72.")  # a kecamatan of Samarinda


def test_a_boundary_hit_wins_over_imported_points(client: Client, tree: Tree) -> None:
    import_points(StringIO(POINTS))
    # Sangatta Selatan's (made-up) point is not nearer here, but even a nearer one would not
    # win: the point lies inside Sangatta Utara's polygon.
    import_points(StringIO("code,latitude,longitude\n64.08.12,0.5036,117.5406\n"))
    status, report, error = _post(client, lat="0.5036", long="117.5406")
    assert status == 200, error
    assert report is not None
    assert report.region_id == "64.08.04"


def test_at_sea_near_the_coast_gets_the_nearest_boundary(client: Client, tree: Tree) -> None:
    status, report, error = _post(client, **AT_SEA_NEAR_BONTANG)
    assert status == 200, error
    assert report is not None
    assert report.region_id == "64.74.01"  # Bontang Utara, its boundary 1.6 km away


def test_at_sea_near_the_coast_the_operators_points_decide(client: Client, tree: Tree) -> None:
    import_points(StringIO(POINTS))
    status, report, error = _post(client, **AT_SEA_NEAR_BONTANG)
    assert status == 200, error
    assert report is not None
    assert report.region_id == "64.74.02"  # the nearest imported point


@override_settings(LAPOR_OPEN311_DEFAULT_REGION="64.08")
def test_explicit_region_code_wins(client: Client, tree: Tree) -> None:
    import_points(StringIO(POINTS))
    status, report, error = _post(client, **{"attribute[region_code]": "64.72.04"})
    assert status == 200, error
    assert report is not None
    assert report.region_id == "64.72.04"
    assert report.latitude == Decimal("0.5123")  # the point is kept as sent


@override_settings(LAPOR_OPEN311_DEFAULT_REGION="64.08")
def test_default_region_for_an_address_only(client: Client, tree: Tree) -> None:
    import_points(StringIO(POINTS))
    status, report, error = _post(client, lat="<absent>", long="<absent>")
    assert status == 200, error
    assert report is not None
    assert report.region_id == "64.08"  # an address string is never geocoded
    assert report.address == "Jl. Yos Sudarso, Sangatta"


def test_without_coordinates_or_default_the_region_is_required(client: Client,
                                                                tree: Tree) -> None:
    status, _, error = _post(client, lat="<absent>", long="<absent>")
    assert status == 400
    assert error == "attribute[region_code] was not provided"


@pytest.mark.parametrize(("lat", "long"), [
    ("48.8566", "2.3522"),  # Paris: outside the bounding box
    ("1.29", "103.85"),  # Singapore: inside the box, in no kecamatan
    ("0.0", "118.5"),  # the middle of the Makassar Strait
])
@override_settings(LAPOR_OPEN311_DEFAULT_REGION="64.08")
def test_coordinates_outside_indonesia_are_refused(client: Client, tree: Tree, lat: str,
                                                   long: str) -> None:
    import_points(StringIO(POINTS))  # loaded points do not stretch Indonesia into the sea
    status, _, error = _post(client, lat=lat, long=long)
    assert status == 400
    assert error.startswith("lat/long: This location is not in any Indonesian district")
    assert error.endswith("(location_outside_indonesia)")
    assert not Report.objects.exists()
