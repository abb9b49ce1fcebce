"""The Renaksi API end to end (issue #23): the hub writes plans and activities, pimpinan and
auditors read, a liaison sees its own unit, another agency gets 404; every refusal has its
stable code and stores nothing; evidence goes up and comes down; readiness has its shape; every
output field and endpoint is described in the OpenAPI schema."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, settings
from PIL import Image
from schemathesis.specs.openapi.checks import positive_data_acceptance

from lapor.audit.models import AuditEntry
from lapor.config.wsgi import application
from lapor.core import clock
from lapor.renaksi.models import Activity, Evidence, Indicator, Plan
from tests.api_client import API, ApiClient, login
from tests.factories import PASSWORD, Tree

pytestmark = pytest.mark.django_db


def _client(name: str) -> ApiClient:
    return login(name, PASSWORD)


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json() if status != 204 else None


def _refused(response: Any, status: int, code: str, field: str | None = None) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    if field is not None:
        assert body["field"] == field, body


def _plan(hub: ApiClient, **overrides: Any) -> dict[str, Any]:
    body = {"agency": "kutim", "title": "Renaksi SP4N-LAPOR! Kutai Timur 2023-2026",
            "start_year": 2023, "end_year": 2026, **overrides}
    return _ok(hub.post("/renaksi/plans", body), 201)


def _activity(hub: ApiClient, plan_id: int, **overrides: Any) -> dict[str, Any]:
    body = {"kind": "sosialisasi", "title": "Sosialisasi SP4N-LAPOR! Dinas PUPR",
            "units": ["kutim-pupr"], "planned_start": "2024-02-01",
            "planned_end": "2024-02-28", **overrides}
    return _ok(hub.post(f"/renaksi/plans/{plan_id}/activities", body), 201)


def _png(shade: int = 30) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, shade, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def hub(tree: Tree) -> ApiClient:
    return _client("hub")


@pytest.fixture
def programme(hub: ApiClient) -> dict[str, Any]:
    """Kutai Timur's plan: a PUPR activity (late: planned in 2024, still planned), a Dinkes
    Bimtek proved by the training indicator, and a done SOP activity for both units."""
    plan = _plan(hub)
    pupr = _activity(hub, plan["id"])
    dinkes = _activity(hub, plan["id"], kind="bimtek", title="Bimtek Dinas Kesehatan",
                       units=["kutim-dinkes"], planned_start="2025-03-01",
                       planned_end="2025-03-03", proof_indicator="training", owner="hub")
    sop = _activity(hub, plan["id"], kind="sop", title="Penyusunan SOP pengaduan",
                    units=["kutim-pupr", "kutim-dinkes"], planned_start="2023-05-01",
                    planned_end="2023-07-31", status="done", done_on="2023-07-28")
    return {"plan": plan, "pupr": pupr, "dinkes": dinkes, "sop": sop}


# ---------------------------------------------------------------- the hub writes


def test_hub_creates_a_plan_and_activities(hub: ApiClient, programme: dict[str, Any]) -> None:
    plan = programme["plan"]
    assert plan["agency"] == {"code": "kutim", "name": "Pemerintah Kabupaten Kutai Timur"}
    assert (plan["start_year"], plan["end_year"], plan["can_write"]) == (2023, 2026, True)
    assert Plan.objects.get(pk=plan["id"]).created_by.username == "hub"

    sop = programme["sop"]
    assert [u["code"] for u in sop["units"]] == ["kutim-pupr", "kutim-dinkes"]
    assert (sop["status"], sop["done_on"], sop["state"]) == ("done", "2023-07-28", "done")
    assert (sop["proof_indicator"], sop["proof_met"]) == (None, None)
    assert (sop["evidence"], sop["can_write"]) == ([], True)

    pupr = programme["pupr"]
    assert (pupr["status"], pupr["state"], pupr["owner"]) == ("planned", "late", None)
    dinkes = programme["dinkes"]
    assert dinkes["owner"] == {"username": "hub", "name": "Hub"}
    assert dinkes["proof_indicator"] == "training"
    assert isinstance(dinkes["proof_met"], bool)
    assert dinkes["state"] in ("proven", "late")

    listed = _ok(hub.get(f"/renaksi/plans/{plan['id']}/activities"))
    assert [a["id"] for a in listed["items"]] == [sop["id"], pupr["id"], dinkes["id"]]
    assert listed["next_cursor"] is None
    assert AuditEntry.objects.filter(action="renaksi.activity_create").count() == 3


def test_hub_changes_and_removes(hub: ApiClient, programme: dict[str, Any]) -> None:
    plan_id, pupr = programme["plan"]["id"], programme["pupr"]
    changed = _ok(hub.patch(f"/renaksi/plans/{plan_id}",
                            {"title": "Renaksi Kutai Timur 2023-2027", "end_year": 2027}))
    assert (changed["title"], changed["start_year"], changed["end_year"]) == (
        "Renaksi Kutai Timur 2023-2027", 2023, 2027)

    yesterday = (clock.now().date() - timedelta(days=1)).isoformat()
    done = _ok(hub.patch(f"/renaksi/activities/{pupr['id']}",
                         {"status": "done", "done_on": "2024-02-27",
                          "units": ["kutim-pupr", "kutim-dinkes"], "owner": "liaison_pupr"}))
    assert (done["status"], done["done_on"], done["state"]) == ("done", "2024-02-27", "done")
    assert [u["code"] for u in done["units"]] == ["kutim-pupr", "kutim-dinkes"]
    assert done["owner"]["username"] == "liaison_pupr"
    # done_on alone keeps the status; owner null clears it.
    again = _ok(hub.patch(f"/renaksi/activities/{pupr['id']}",
                          {"done_on": yesterday, "owner": None}))
    assert (again["status"], again["done_on"], again["owner"]) == ("done", yesterday, None)
    reopened = _ok(hub.patch(f"/renaksi/activities/{pupr['id']}", {"status": "in_progress"}))
    assert (reopened["status"], reopened["done_on"]) == ("in_progress", None)

    assert hub.delete(f"/renaksi/activities/{pupr['id']}").status_code == 204
    _refused(hub.get(f"/renaksi/activities/{pupr['id']}"), 404, "not_found")
    assert not Activity.objects.filter(pk=pupr["id"]).exists()


# ---------------------------------------------------------------- readers


@pytest.mark.parametrize("reader", ["supervisor_kutim", "auditor", "national"])
def test_pimpinan_and_auditors_read_everything(reader: str,
                                               programme: dict[str, Any]) -> None:
    client = _client(reader)
    plan_id = programme["plan"]["id"]
    plans = _ok(client.get("/renaksi/plans"))
    assert [p["id"] for p in plans["items"]] == [plan_id]
    assert plans["items"][0]["can_write"] is False
    assert _ok(client.get(f"/renaksi/plans/{plan_id}"))["title"].startswith("Renaksi")
    listed = _ok(client.get(f"/renaksi/plans/{plan_id}/activities"))["items"]
    assert [a["can_write"] for a in listed] == [False, False, False]
    assert _ok(client.get(f"/renaksi/activities/{programme['pupr']['id']}"))["state"] == "late"
    rows = _ok(client.get(f"/renaksi/plans/{plan_id}/readiness"))["units"]
    assert [r["unit"]["code"] for r in rows] == ["kutim-pupr", "kutim-dinkes"]


@pytest.mark.parametrize("reader", ["supervisor_kutim", "auditor"])
def test_readers_may_not_write(reader: str, programme: dict[str, Any]) -> None:
    client = _client(reader)
    plan_id, activity_id = programme["plan"]["id"], programme["pupr"]["id"]
    _refused(client.post("/renaksi/plans", {"agency": "kutim", "title": "Renaksi lain",
                                            "start_year": 2024, "end_year": 2025}),
             403, "permission_denied")
    _refused(client.patch(f"/renaksi/plans/{plan_id}", {"title": "Diubah pimpinan"}),
             403, "permission_denied")
    _refused(client.post(f"/renaksi/plans/{plan_id}/activities",
                         {"kind": "workshop", "title": "Workshop pimpinan",
                          "planned_start": "2024-05-01", "planned_end": "2024-05-02"}),
             403, "permission_denied")
    _refused(client.patch(f"/renaksi/activities/{activity_id}", {"status": "cancelled"}),
             403, "permission_denied")
    _refused(client.delete(f"/renaksi/activities/{activity_id}"), 403, "permission_denied")
    upload = client.client.post(
        f"{API}/renaksi/activities/{activity_id}/evidence",
        {"file": SimpleUploadedFile("foto.png", _png(), "image/png"), "kind": "photo"},
        headers={"Authorization": f"Bearer {client.token}"})
    _refused(upload, 403, "permission_denied")
    assert (Plan.objects.count(), Activity.objects.count()) == (1, 3)
    assert Activity.objects.get(pk=activity_id).status == "planned"
    assert not Evidence.objects.exists()


def test_another_agency_gets_404(programme: dict[str, Any]) -> None:
    other = _client("hub_samarinda")
    plan_id, activity_id = programme["plan"]["id"], programme["pupr"]["id"]
    assert _ok(other.get("/renaksi/plans"))["items"] == []
    assert _ok(other.get("/renaksi/plans", {"agency": "kutim"}))["items"] == []
    for response in (
        other.get(f"/renaksi/plans/{plan_id}"),
        other.patch(f"/renaksi/plans/{plan_id}", {"title": "Bukan milik kami"}),
        other.get(f"/renaksi/plans/{plan_id}/activities"),
        other.post(f"/renaksi/plans/{plan_id}/activities",
                   {"kind": "workshop", "title": "Workshop Samarinda",
                    "planned_start": "2024-05-01", "planned_end": "2024-05-02"}),
        other.get(f"/renaksi/plans/{plan_id}/readiness"),
        other.get(f"/renaksi/activities/{activity_id}"),
        other.patch(f"/renaksi/activities/{activity_id}", {"status": "cancelled"}),
        other.delete(f"/renaksi/activities/{activity_id}"),
        other.get("/renaksi/units/kutim-pupr/readiness"),
    ):
        _refused(response, 404, "not_found")
    # Creating a plan for another agency: which agencies exist is public, so 403 says nothing.
    _refused(other.post("/renaksi/plans", {"agency": "kutim", "title": "Renaksi titipan",
                                           "start_year": 2024, "end_year": 2025}),
             403, "permission_denied")
    assert (Plan.objects.count(), Activity.objects.count()) == (1, 3)


def test_liaison_sees_only_its_units_activities(programme: dict[str, Any]) -> None:
    liaison = _client("liaison_pupr")
    plan_id = programme["plan"]["id"]
    assert [p["id"] for p in _ok(liaison.get("/renaksi/plans"))["items"]] == [plan_id]
    listed = _ok(liaison.get(f"/renaksi/plans/{plan_id}/activities"))["items"]
    assert {a["id"] for a in listed} == {programme["pupr"]["id"], programme["sop"]["id"]}
    _refused(liaison.get(f"/renaksi/activities/{programme['dinkes']['id']}"), 404, "not_found")
    rows = _ok(liaison.get(f"/renaksi/plans/{plan_id}/readiness"))["units"]
    assert [r["unit"]["code"] for r in rows] == ["kutim-pupr"]
    own = _ok(liaison.get("/renaksi/units/kutim-pupr/readiness"))
    assert [r["unit"]["code"] for r in own["units"]] == ["kutim-pupr"]
    _refused(liaison.get("/renaksi/units/kutim-dinkes/readiness"), 404, "not_found")
    # A liaison reads but never writes.
    _refused(liaison.patch(f"/renaksi/activities/{programme['pupr']['id']}",
                           {"status": "done", "done_on": "2024-02-20"}),
             403, "permission_denied")
    # Bina Marga's liaison (a sub-unit of PUPR) sees PUPR's activities too.
    binamarga = _client("liaison_binamarga")
    listed = _ok(binamarga.get(f"/renaksi/plans/{plan_id}/activities"))["items"]
    assert {a["id"] for a in listed} == {programme["pupr"]["id"], programme["sop"]["id"]}


def test_citizens_and_strangers_are_refused(programme: dict[str, Any]) -> None:
    _refused(ApiClient().get("/renaksi/plans"), 401, "not_authenticated")
    citizen = login("citizen", PASSWORD)
    _refused(citizen.get("/renaksi/plans"), 403, "permission_denied")
    _refused(citizen.get(f"/renaksi/plans/{programme['plan']['id']}"), 403,
             "permission_denied")


# ---------------------------------------------------------------- validation


def test_bad_plans_are_refused_and_nothing_is_stored(hub: ApiClient) -> None:
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"agency": "tidak-ada"}, "unknown_node", "agency"),
        ({"agency": "kutim-pupr"}, "validation_error", "agency"),
        ({"start_year": 2026, "end_year": 2023}, "validation_error", "end_year"),
        ({"start_year": 1999}, "validation_error", "start_year"),
        ({"end_year": 2101}, "validation_error", "end_year"),
        ({"start_year": "dua ribu"}, "validation_error", "start_year"),
        ({"title": "R"}, "text_too_short", "title"),
        ({"title": "R" * 201}, "text_too_long", "title"),
        ({"title": None}, "validation_error", "title"),
    ]
    for overrides, code, field in cases:
        body = {"agency": "kutim", "title": "Renaksi Kutai Timur", "start_year": 2023,
                "end_year": 2026, **overrides}
        _refused(hub.post("/renaksi/plans", body), 422, code, field)
    missing = hub.post("/renaksi/plans", {"agency": "kutim"})
    _refused(missing, 422, "validation_error")
    assert {(e["code"], e["field"]) for e in missing.json()["errors"]} == {
        ("required", "title"), ("required", "start_year"), ("required", "end_year")}
    assert not Plan.objects.exists()

    plan = _plan(hub)
    for body, code, field in [({"start_year": 2027}, "validation_error", "end_year"),
                              ({"title": None}, "validation_error", "title"),
                              ({"end_year": None}, "validation_error", "end_year")]:
        _refused(hub.patch(f"/renaksi/plans/{plan['id']}", body), 422, code, field)
    for body in ([None, None], "Renaksi", 5):  # not an object: never "no change"
        _refused(hub.patch(f"/renaksi/plans/{plan['id']}", body), 422, "validation_error")
        _refused(hub.patch("/renaksi/activities/0", body), 422, "validation_error")
    stored = Plan.objects.get()
    assert (stored.title, stored.start_year, stored.end_year) == (plan["title"], 2023, 2026)
    _refused(hub.get("/renaksi/plans/999999"), 404, "not_found")
    _refused(hub.get("/renaksi/plans/abc"), 422, "validation_error")


def test_bad_activities_are_refused_and_nothing_is_stored(hub: ApiClient) -> None:
    plan = _plan(hub)
    tomorrow = (clock.now().date() + timedelta(days=2)).isoformat()
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"planned_end": "2024-01-31"}, "dates_out_of_order", "planned_end"),
        ({"planned_start": "2022-12-01"}, "outside_plan_period", "planned_start"),
        ({"planned_end": "2027-01-01"}, "outside_plan_period", "planned_start"),
        ({"planned_start": "2024-02-30"}, "validation_error", "planned_start"),
        ({"planned_start": "kemarin"}, "validation_error", "planned_start"),
        ({"units": ["kutim-tidak-ada"]}, "unknown_node", "units"),
        ({"units": ["samarinda-dishub"]}, "unknown_node", "units"),
        ({"units": ["kutim-pupr-binamarga"]}, "unknown_node", "units"),
        ({"owner": "hub_samarinda"}, "unknown_user", "owner"),
        ({"owner": "tidak-ada"}, "unknown_user", "owner"),
        ({"kind": "rapat"}, "validation_error", "kind"),
        ({"status": "selesai"}, "validation_error", "status"),
        ({"proof_indicator": "budget"}, "validation_error", "proof_indicator"),
        ({"status": "done"}, "required", "done_on"),
        ({"status": "done", "done_on": tomorrow}, "validation_error", "done_on"),
        ({"title": "  "}, "text_too_short", "title"),
        ({"units": "kutim-pupr"}, "validation_error", "units"),
    ]
    for overrides, code, field in cases:
        body = {"kind": "workshop", "title": "Workshop pengelolaan pengaduan",
                "units": ["kutim-pupr"], "planned_start": "2024-02-01",
                "planned_end": "2024-02-28", **overrides}
        _refused(hub.post(f"/renaksi/plans/{plan['id']}/activities", body), 422, code, field)
    assert not Activity.objects.exists()

    activity = _activity(hub, plan["id"])
    for body, code, field in [
        ({"planned_end": "2024-01-01"}, "dates_out_of_order", "planned_end"),
        ({"planned_start": None}, "validation_error", "planned_start"),
        ({"kind": None}, "validation_error", "kind"),
        ({"status": None}, "validation_error", "status"),
        ({"units": None}, "validation_error", "units"),
        ({"units": ["samarinda-dishub"]}, "unknown_node", "units"),
        ({"status": "done"}, "required", "done_on"),
        ({"planned_start": "2030-01-01", "planned_end": "2030-01-02"},
         "outside_plan_period", "planned_start"),
        ({"plan": 5}, "validation_error", None),
    ]:
        response = hub.patch(f"/renaksi/activities/{activity['id']}", body)
        if field is None:  # unknown fields are ignored by the schema, like everywhere else
            assert response.status_code == 200, response.content
            continue
        _refused(response, 422, code, field)
    stored = Activity.objects.get()
    assert (stored.planned_start, stored.planned_end, stored.status) == (
        date(2024, 2, 1), date(2024, 2, 28), "planned")
    assert [u.code for u in stored.units.all()] == ["kutim-pupr"]
    _refused(hub.get(f"/renaksi/plans/{plan['id']}/activities", {"cursor": "%%%"}), 422,
             "invalid_cursor", "cursor")
    _refused(hub.get("/renaksi/plans", {"cursor": "WzEsMl0"}), 422, "invalid_cursor",
             "cursor")
    _refused(hub.get("/renaksi/plans", {"agency": "tidak-ada"}), 404, "unknown_node", "agency")
    _refused(hub.get("/renaksi/units/tidak-ada/readiness"), 404, "unknown_node", "code")
    _refused(hub.get("/renaksi/units/kutim/readiness"), 404, "unknown_node", "code")
    _refused(hub.get("/renaksi/units/kutim-pupr-binamarga/readiness"), 404, "unknown_node")


def test_english_messages(hub: ApiClient) -> None:
    plan = _plan(hub)
    hub.language = "en"
    response = hub.post(f"/renaksi/plans/{plan['id']}/activities",
                        {"kind": "workshop", "title": "Workshop pengaduan",
                         "planned_start": "2024-03-01", "planned_end": "2024-02-01"})
    _refused(response, 422, "dates_out_of_order", "planned_end")
    assert response.json()["message"] == "The end date cannot be before the start date."


# ---------------------------------------------------------------- pages


def test_pages_through_plans_and_activities(hub: ApiClient) -> None:
    plans = [_plan(hub, title=f"Renaksi tahap {i}") for i in range(3)]
    seen, cursor = [], None
    while True:
        page = _ok(hub.get("/renaksi/plans", {"limit": 2, **({"cursor": cursor} if cursor
                                                              else {})}))
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [p["id"] for p in plans]

    plan_id = plans[0]["id"]
    made = [_activity(hub, plan_id, title=f"Sosialisasi gelombang {i}",
                      planned_start=f"2024-0{1 + i % 3}-01", planned_end=f"2024-0{1 + i % 3}-20")
            for i in range(5)]
    seen, cursor = [], None
    while True:
        page = _ok(hub.get(f"/renaksi/plans/{plan_id}/activities",
                           {"limit": 2, **({"cursor": cursor} if cursor else {})}))
        assert len(page["items"]) <= 2
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    expected = sorted(made, key=lambda a: (a["planned_start"], a["planned_end"], a["id"]))
    assert seen == [a["id"] for a in expected]


def test_queries_do_not_grow_with_the_activities(hub: ApiClient) -> None:
    plan = _plan(hub)
    path = f"/renaksi/plans/{plan['id']}/activities"
    liaison = _client("liaison_pupr")

    def counted(client: ApiClient, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            _ok(client.get(url))
        return len(queries)

    def add(n: int) -> None:
        for i in range(n):
            _activity(hub, plan["id"], title=f"Bimtek gelombang {i}", owner="liaison_pupr",
                      units=["kutim-pupr", "kutim-dinkes"], proof_indicator="training")

    add(2)
    few = {who: counted(client, url) for who, client in (("hub", hub), ("liaison", liaison))
           for url in (path, f"/renaksi/plans/{plan['id']}/readiness")}
    add(8)
    many = {who: counted(client, url) for who, client in (("hub", hub), ("liaison", liaison))
            for url in (path, f"/renaksi/plans/{plan['id']}/readiness")}
    assert many == few


# ---------------------------------------------------------------- readiness


def test_readiness_shape(hub: ApiClient, programme: dict[str, Any]) -> None:
    body = _ok(hub.get(f"/renaksi/plans/{programme['plan']['id']}/readiness"))
    assert body["agency"]["code"] == "kutim"
    assert [i["code"] for i in body["indicators"]] == list(Indicator.values)
    assert all(i["label"] for i in body["indicators"])
    assert [r["unit"]["code"] for r in body["units"]] == ["kutim-pupr", "kutim-dinkes"]
    for row in body["units"]:
        assert [c["indicator"] for c in row["cells"]] == list(Indicator.values)
        for cell in row["cells"]:
            assert cell["level"] in ("met", "partial", "not_met", "no_data")
            assert cell["text"]
            assert cell["link"] is None or cell["link"].startswith("/")
        assert row["met_count"] == sum(c["level"] == "met" for c in row["cells"])
        assert isinstance(row["ready"], bool)
    # The liaison cell counts the unit's liaison officers (both enrolled in the test tree).
    pupr = body["units"][0]["cells"][0]
    assert (pupr["indicator"], pupr["level"]) == ("liaison", "met")

    # The words follow Accept-Language (the figures do not change).
    hub.language = "en"
    english = _ok(hub.get(f"/renaksi/plans/{programme['plan']['id']}/readiness"))
    hub.language = "id"
    assert [[c["level"] for c in r["cells"]] for r in english["units"]] == [
        [c["level"] for c in r["cells"]] for r in body["units"]]
    texts = {c["text"] for r in body["units"] for c in r["cells"]}
    assert texts != {c["text"] for r in english["units"] for c in r["cells"]}

    unit = _ok(hub.get("/renaksi/units/kutim-dinkes/readiness"))
    assert unit["agency"]["code"] == "kutim"
    assert [r["unit"]["code"] for r in unit["units"]] == ["kutim-dinkes"]
    assert unit["units"][0] == body["units"][1]


# ---------------------------------------------------------------- evidence


def test_evidence_upload_and_download(hub: ApiClient, programme: dict[str, Any]) -> None:
    activity_id = programme["pupr"]["id"]
    headers = {"Authorization": f"Bearer {hub.token}"}
    response = hub.client.post(
        f"{API}/renaksi/activities/{activity_id}/evidence",
        {"file": SimpleUploadedFile("daftar-hadir.png", _png(), "image/png"),
         "kind": "attendance"}, headers=headers)
    item = _ok(response, 201)
    assert (item["activity_id"], item["kind"], item["content_type"]) == (
        activity_id, "attendance", "image/png")
    assert item["name"].startswith("daftar-hadir")
    listed = _ok(hub.get(f"/renaksi/activities/{activity_id}"))["evidence"]
    assert [e["id"] for e in listed] == [item["id"]]

    for reader in ("hub", "supervisor_kutim", "auditor", "liaison_pupr"):
        client = hub if reader == "hub" else _client(reader)
        download = client.get(f"/renaksi/evidence/{item['id']}")
        assert download.status_code == 200, (reader, download.status_code)
        data = b"".join(download.streaming_content)
        assert (data[:8], len(data)) == (b"\x89PNG\r\n\x1a\n", item["size"])
        assert download["Content-Disposition"].startswith("attachment;")
        assert download["X-Content-Type-Options"] == "nosniff"
    for outsider in ("hub_samarinda", "liaison_dinkes"):
        _refused(_client(outsider).get(f"/renaksi/evidence/{item['id']}"), 404, "not_found")
    _refused(hub.get("/renaksi/evidence/999999"), 404, "not_found")

    # Not a picture, PDF or video: refused by content, nothing stored.
    bad = hub.client.post(
        f"{API}/renaksi/activities/{activity_id}/evidence",
        {"file": SimpleUploadedFile("daftar.png", b"MZ\x90\x00 not an image", "image/png"),
         "kind": "photo"}, headers=headers)
    assert bad.status_code in (415, 422), bad.content
    unknown_kind = hub.client.post(
        f"{API}/renaksi/activities/{activity_id}/evidence",
        {"file": SimpleUploadedFile("foto.png", _png(99), "image/png"), "kind": "video"},
        headers=headers)
    _refused(unknown_kind, 422, "validation_error", "kind")
    missing = hub.client.post(f"{API}/renaksi/activities/{activity_id}/evidence",
                              {"kind": "photo"}, headers=headers)
    _refused(missing, 422, "validation_error", "file")
    assert missing.json()["errors"][0]["code"] == "required"
    assert Evidence.objects.count() == 1

    # The same file again (a retried upload) answers the first one; readers may not remove it.
    again = hub.client.post(
        f"{API}/renaksi/activities/{activity_id}/evidence",
        {"file": SimpleUploadedFile("ulang.png", _png(), "image/png")}, headers=headers)
    assert _ok(again, 201)["id"] == item["id"]
    _refused(_client("supervisor_kutim").delete(f"/renaksi/evidence/{item['id']}"), 403,
             "permission_denied")
    _refused(_client("hub_samarinda").delete(f"/renaksi/evidence/{item['id']}"), 404,
             "not_found")
    second = hub.client.post(
        f"{API}/renaksi/activities/{activity_id}/evidence",
        {"file": SimpleUploadedFile("foto-kegiatan.png", _png(120), "image/png")},
        headers=headers)
    photo = _ok(second, 201)
    assert photo["kind"] == "document"  # the default kind
    assert hub.delete(f"/renaksi/evidence/{photo['id']}").status_code == 204
    _refused(hub.get(f"/renaksi/evidence/{photo['id']}"), 404, "not_found")
    assert Evidence.objects.count() == 1

    # Removed with its activity.
    assert hub.delete(f"/renaksi/activities/{activity_id}").status_code == 204
    assert not Evidence.objects.exists()
    _refused(hub.get(f"/renaksi/evidence/{item['id']}"), 404, "not_found")


# ---------------------------------------------------------------- printing


def test_printouts_for_readers_of_the_whole_plan(programme: dict[str, Any]) -> None:
    plan_id = programme["plan"]["id"]
    bupati = _client("supervisor_kutim")
    pdf = bupati.get(f"/renaksi/plans/{plan_id}/report.pdf")
    assert pdf.status_code == 200, pdf.content[:300]
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith('attachment; filename="renaksi-kutim-2023-2026-')
    assert pdf["Cache-Control"] == "private, no-store"
    xlsx = _client("auditor").get(f"/renaksi/plans/{plan_id}/report.xlsx")
    assert xlsx.status_code == 200, xlsx.content[:300]
    assert xlsx.content.startswith(b"PK")
    # A liaison officer reads only its unit: no printout; another agency: nothing at all.
    _refused(_client("liaison_pupr").get(f"/renaksi/plans/{plan_id}/report.pdf"), 404,
             "not_found")
    _refused(_client("hub_samarinda").get(f"/renaksi/plans/{plan_id}/report.xlsx"), 404,
             "not_found")


# ---------------------------------------------------------------- OpenAPI


def test_every_renaksi_endpoint_and_output_field_is_described() -> None:
    schema = ApiClient().get("/openapi.json").json()
    components = schema["components"]["schemas"]
    operations = {(method.upper(), path.removeprefix(API)): op
                  for path, ops in schema["paths"].items() if path.startswith(f"{API}/renaksi")
                  for method, op in ops.items()}
    assert set(operations) >= {
        ("GET", "/renaksi/plans"), ("POST", "/renaksi/plans"),
        ("GET", "/renaksi/plans/{plan_id}"), ("PATCH", "/renaksi/plans/{plan_id}"),
        ("GET", "/renaksi/plans/{plan_id}/activities"),
        ("POST", "/renaksi/plans/{plan_id}/activities"),
        ("GET", "/renaksi/activities/{activity_id}"),
        ("PATCH", "/renaksi/activities/{activity_id}"),
        ("DELETE", "/renaksi/activities/{activity_id}"),
        ("POST", "/renaksi/activities/{activity_id}/evidence"),
        ("GET", "/renaksi/evidence/{evidence_id}"),
        ("GET", "/renaksi/plans/{plan_id}/readiness"),
        ("GET", "/renaksi/plans/{plan_id}/report.pdf"),
        ("GET", "/renaksi/plans/{plan_id}/report.xlsx"),
        ("GET", "/renaksi/units/{code}/readiness"),
    }
    undescribed = []
    seen: set[str] = set()

    def walk(ref: str) -> None:
        name = ref.rsplit("/", 1)[-1]
        if name in seen or name in {"ErrorOut", "FieldErrorOut"}:
            return
        seen.add(name)
        for prop, spec in components[name].get("properties", {}).items():
            if not spec.get("description"):
                undescribed.append(f"{name}.{prop}")
            for nested in _refs(spec):
                walk(nested)

    for (method, path), op in operations.items():
        assert op["operationId"].startswith("lapor_renaksi_api_"), op["operationId"]
        assert op.get("summary"), (method, path)
        assert op.get("description"), (method, path)
        assert op.get("tags") == ["renaksi"]
        for status, answer in op["responses"].items():
            if status.startswith("2"):
                for content in answer.get("content", {}).values():
                    for ref in _refs(content.get("schema", {})):
                        walk(ref)
    assert {"PlanOut", "ActivityOut", "EvidenceOut", "ReadinessOut", "CellOut"} <= seen
    assert not undescribed, undescribed


def _refs(spec: Any) -> list[str]:
    if isinstance(spec, dict):
        found = [spec["$ref"]] if "$ref" in spec else []
        for value in spec.values():
            found += _refs(value)
        return found
    if isinstance(spec, list):
        return [ref for item in spec for ref in _refs(item)]
    return []


# ---------------------------------------------------------------- generated requests

_SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
_SCHEMA.config.generation.update(allow_extra_parameters=False)
# The printouts take no input but the plan's id (and a PDF takes a second to make).
RENAKSI_SCHEMA = _SCHEMA.include(tag="renaksi").exclude(path_regex=r"/report\.")


@pytest.fixture
def hub_world(programme: dict[str, Any], hub: ApiClient) -> Iterator[dict[str, Any]]:
    """Kutai Timur's programme with one evidence file, and the hub's token; request signals
    disconnected as in tests/test_openapi_contract.py (the WSGI app would close the test's
    connection)."""
    upload = hub.client.post(
        f"{API}/renaksi/activities/{programme['pupr']['id']}/evidence",
        {"file": SimpleUploadedFile("hadir.png", _png(), "image/png")},
        headers={"Authorization": f"Bearer {hub.token}"})
    world = {"plan_id": programme["plan"]["id"], "activity_id": programme["pupr"]["id"],
             "evidence_id": _ok(upload, 201)["id"], "code": "kutim-pupr",
             "headers": {"Authorization": f"Bearer {hub.token}",
                         "Accept-Encoding": "identity"}}
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield world
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@RENAKSI_SCHEMA.parametrize()
@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
def test_generated_requests_on_real_objects(case: Any, hub_world: dict[str, Any]) -> None:
    """Generated bodies and queries (valid and not) against the hub's real plan, activity and
    evidence, not only unknown ids: never a 5xx, always a documented answer, and a request
    that violates the schema is refused. (A generated DELETE may remove the activity: later
    examples then get the documented 404.)"""
    # Positive cases address the real objects; a negative one keeps what was generated (its
    # invalid part may be the path parameter itself).
    if case.path_parameters and case.meta is not None and case.meta.generation.mode == "positive":
        case.path_parameters = {name: hub_world.get(name, value)
                                for name, value in case.path_parameters.items()}
    case.call_and_validate(headers=hub_world["headers"],
                           excluded_checks=[positive_data_acceptance])
