"""Deployment settings of the Open311 endpoint: default region, receiving agency."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from lapor.open311.keys import open311_key_create
from lapor.reports.models import Report
from tests.factories import Tree

pytestmark = pytest.mark.django_db
FORM = {"service_code": "jalan", "address_string": "Jl. Pendidikan, Sangatta",
        "description": "Jembatan kayu di ujung jalan sudah lapuk dan berbahaya."}


@override_settings(LAPOR_OPEN311_DEFAULT_REGION="64.08", LAPOR_OPEN311_AGENCY="kutim")
def test_default_region_and_receiving_agency(client: Client, tree: Tree) -> None:
    definition = client.get("/open311/v2/services/jalan.json").json()
    region = next(a for a in definition["attributes"] if a["code"] == "region_code")
    assert region["required"] is False
    key = open311_key_create(name="Kutim app").raw
    answer = client.post("/open311/v2/requests.json", {**FORM, "api_key": key})
    assert answer.status_code == 200, answer.content
    report = Report.objects.get(tracking_number=answer.json()[0]["service_request_id"])
    assert report.region_id == "64.08"
    assert report.tier == tree.kutim  # waits in Kutai Timur's verification pool
    assert report.latitude is None


def test_region_is_required_without_a_default(client: Client, tree: Tree) -> None:
    definition = client.get("/open311/v2/services/jalan.xml")
    assert b"<code>region_code</code>" in definition.content
    assert b"<required>true</required>" in definition.content
    key = open311_key_create(name="App").raw
    answer = client.post("/open311/v2/requests.json", {**FORM, "api_key": key})
    assert answer.status_code == 400
    assert "region_code" in answer.json()[0]["description"]


def test_head_and_csrf_free_post(tree: Tree) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.head("/open311/v2/services.xml").status_code == 200
    key = open311_key_create(name="App").raw
    answer = strict.post("/open311/v2/requests.xml",
                         {**FORM, "api_key": key, "attribute[region_code]": "64.08.04"})
    assert answer.status_code == 200
    assert answer["Content-Type"] == "text/xml; charset=utf-8"
