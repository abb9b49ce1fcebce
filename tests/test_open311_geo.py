"""Open311 POST: coordinates map to the district with the nearest reference point."""

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
          "64.72.04,-0.50,117.16\n")  # Samarinda Ilir


def _post(client: Client, **changes: str) -> tuple[int, Report | None, str]:
    key = open311_key_create(name="Kutim app").raw
    form = {k: v for k, v in {**FORM, "api_key": key, **changes}.items() if v != "<absent>"}
    answer = client.post("/open311/v2/requests.json", form)
    if answer.status_code != 200:
        return answer.status_code, None, answer.json()[0]["description"]
    number = answer.json()[0]["service_request_id"]
    return 200, Report.objects.get(tracking_number=number), ""


def test_coordinates_map_to_the_nearest_district(client: Client, tree: Tree) -> None:
    import_points(StringIO(POINTS))
    status, report, error = _post(client)
    assert status == 200, error
    assert report is not None
    assert report.region_id == "64.08.04"
    assert (report.latitude, report.longitude) == (Decimal("0.5123"), Decimal("117.54321"))
    assert report.address == "Jl. Yos Sudarso, Sangatta"  # the address stays text

    status, report, error = _post(client, lat="-0.49", long="117.15")
    assert status == 200, error
    assert report is not None
    assert report.region_id == "64.72.04"


@override_settings(LAPOR_OPEN311_DEFAULT_REGION="64.08")
def test_explicit_region_code_wins(client: Client, tree: Tree) -> None:
    import_points(StringIO(POINTS))
    status, report, error = _post(client, **{"attribute[region_code]": "64.72.04"})
    assert status == 200, error
    assert report is not None
    assert report.region_id == "64.72.04"


@override_settings(LAPOR_OPEN311_DEFAULT_REGION="64.08")
def test_default_region_without_points(client: Client, tree: Tree) -> None:
    status, report, error = _post(client)  # no reference points loaded (Lapor ships none)
    assert status == 200, error
    assert report is not None
    assert report.region_id == "64.08"
    assert report.latitude == Decimal("0.5123")


@override_settings(LAPOR_OPEN311_DEFAULT_REGION="64.08")
def test_default_region_for_an_address_only(client: Client, tree: Tree) -> None:
    import_points(StringIO(POINTS))
    status, report, error = _post(client, lat="<absent>", long="<absent>")
    assert status == 200, error
    assert report is not None
    assert report.region_id == "64.08"  # an address string is never geocoded
    assert report.address == "Jl. Yos Sudarso, Sangatta"


def test_without_points_or_default_the_region_is_required(client: Client, tree: Tree) -> None:
    status, _, error = _post(client)
    assert status == 400
    assert error == "attribute[region_code] was not provided"


@override_settings(LAPOR_OPEN311_DEFAULT_REGION="64.08")
def test_coordinates_outside_indonesia_are_refused(client: Client, tree: Tree) -> None:
    import_points(StringIO(POINTS))
    status, _, error = _post(client, lat="48.8566", long="2.3522")
    assert status == 400
    assert "Indonesia" in error
