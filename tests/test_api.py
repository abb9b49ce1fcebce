"""The JSON API end to end: citizen, reporter and staff flows, errors and their codes."""

from __future__ import annotations

import json
import re
from typing import Any
from unittest import mock

import pytest
from ninja.responses import NinjaJSONEncoder

from lapor.api.reports.schemas import InboxOut, ReportListItemOut
from lapor.privacy import vault
from lapor.reports import services
from lapor.reports.models import Report, ReportEvent
from tests.api_client import ApiClient, login
from tests.factories import PASSWORD, Tree

pytestmark = pytest.mark.django_db

SUBMISSION: dict[str, Any] = {
    "type": "complaint",
    "title": "Lampu jalan mati di Jalan Yos Sudarso",
    "body": "Sudah dua minggu lampu jalan di depan SDN 001 Sangatta Utara mati total.",
    "region_code": "64.08.04",
    "category_code": "jalan",
    "target_agency_code": "kutim",
    "reporter_name": "Budi Santoso",
    "reporter_email": "budi@example.org",
    "reporter_phone": "081234567890",
}


def _submit(client: ApiClient | None = None, **overrides: Any) -> dict[str, Any]:
    response = (client or ApiClient()).post("/reports", {**SUBMISSION, **overrides})
    assert response.status_code == 201, response.content
    return response.json()


def test_submit_returns_tracking_number_and_access_code_once(tree: Tree) -> None:
    data = _submit()
    assert len(data["tracking_number"]) == 12
    assert data["status"] == "submitted"
    report = Report.objects.get(tracking_number=data["tracking_number"])
    assert data["access_code"] not in report.access_code_hash
    assert report.tier == tree.kutim
    assert vault.decrypt(report.contact.phone) == "+6281234567890"


def test_public_tracking_shows_status_and_public_timeline_only(tree: Tree) -> None:
    data = _submit()
    response = ApiClient().get(f"/track/{data['tracking_number']}")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "submitted"
    assert body["status_label"] == "Belum Terverifikasi"
    assert [e["kind"] for e in body["timeline"]] == ["submit"]
    assert "title" not in body
    assert "Budi" not in response.content.decode()
    english = ApiClient(language="en").get(f"/track/{data['tracking_number']}").json()
    assert english["status_label"] == "Not yet verified"


def test_tracking_number_with_bad_check_digit_is_404(tree: Tree) -> None:
    number = _submit()["tracking_number"]
    wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
    response = ApiClient().get(f"/track/{wrong}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_reporter_view_needs_the_access_code(tree: Tree) -> None:
    data = _submit()
    path = f"/track/{data['tracking_number']}/full"
    denied = ApiClient(language="en").get(path, headers={"X-Access-Code": "AAAA-BBBB-CCCC"})
    assert denied.status_code == 401
    assert denied.json() == {"code": "invalid_access_code", "message": "Wrong access code.",
                             "field": None, "detail": None}
    # The code is accepted without dashes and in lower case, as people type it.
    relaxed = data["access_code"].replace("-", "").lower()
    ok = ApiClient().get(path, headers={"X-Access-Code": relaxed})
    assert ok.status_code == 200
    assert ok.json()["title"] == SUBMISSION["title"]


def test_whole_lifecycle_through_the_api(tree: Tree) -> None:
    data = _submit()
    number, code = data["tracking_number"], data["access_code"]
    report_id = Report.objects.get(tracking_number=number).pk
    hub = login("hub", PASSWORD)
    liaison = login("liaison_pupr", PASSWORD)

    inbox = hub.get("/inbox", {"node": "kutim"}).json()
    assert [item["tracking_number"] for item in inbox["items"]] == [number]

    held = hub.post(f"/reports/{report_id}/hold", {"question": "Di nomor rumah berapa?"})
    assert held.status_code == 200
    assert held.json()["status"] == "on_hold"
    reporter = ApiClient()
    answered = reporter.post(f"/track/{number}/messages", {"body": "Depan rumah nomor 12."},
                             headers={"X-Access-Code": code})
    assert answered.json()["status"] == "submitted"

    disposed = hub.post(f"/reports/{report_id}/dispose", {"node": "kutim-pupr"}).json()
    assert disposed["status"] == "disposed"
    assert disposed["current_node"]["code"] == "kutim-pupr"
    assert disposed["deadlines"]["followup_due_at"] is not None

    assert liaison.post(f"/reports/{report_id}/acknowledge", {}).json()["status"] == (
        "in_progress"
    )
    note = liaison.post(f"/reports/{report_id}/notes", {"body": "Cek ke lapangan Senin."})
    assert note.status_code == 200
    final = liaison.post(f"/reports/{report_id}/follow-ups",
                         {"body": "Lampu sudah diganti.", "final": True}).json()
    assert final["status"] == "responded"
    assert final["deadlines"]["reply_due_at"] is not None

    view = reporter.get(f"/track/{number}/full", headers={"X-Access-Code": code}).json()
    kinds = [event["kind"] for event in view["timeline"]]
    assert "note" not in kinds
    assert "respond" in kinds
    closed = reporter.post(f"/track/{number}/reply", {"accept": True, "rating": 5},
                           headers={"X-Access-Code": code})
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    assert closed.json()["rating"] == 5

    detail = hub.get(f"/reports/{report_id}").json()
    assert [d["state"] for d in detail["dispositions"]] == ["ended"]
    assert detail["reporter"]["name"] == "Budi Santoso"
    assert [e["kind"] for e in detail["events"]] == [
        "submit", "hold", "provide_info", "dispose", "acknowledge", "note", "respond", "accept",
    ]


def test_invalid_transition_is_409_with_code_in_both_languages(tree: Tree) -> None:
    data = _submit()
    report_id = Report.objects.get(tracking_number=data["tracking_number"]).pk
    hub = login("hub", PASSWORD)
    response = hub.post(f"/reports/{report_id}/close", {"reason": "Selesai"})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert response.json()["message"].startswith("Tindakan ini tidak dapat")
    hub.language = "en"
    response = hub.post(f"/reports/{report_id}/close", {"reason": "Done"})
    assert response.json()["message"].startswith("This action is not allowed")


def test_stale_version_is_409_concurrent_update(tree: Tree) -> None:
    data = _submit()
    report_id = Report.objects.get(tracking_number=data["tracking_number"]).pk
    hub = login("hub", PASSWORD)
    hub.post(f"/reports/{report_id}/hold", {"question": "Lokasi tepatnya?", "expected_version": 1})
    stale = hub.post(f"/reports/{report_id}/dispose",
                     {"node": "kutim-pupr", "expected_version": 1})
    assert stale.status_code == 409
    assert stale.json()["code"] == "concurrent_update"


def test_other_agency_gets_404_not_403(tree: Tree) -> None:
    data = _submit()
    report_id = Report.objects.get(tracking_number=data["tracking_number"]).pk
    other = login("hub_samarinda", PASSWORD)
    assert other.get(f"/reports/{report_id}").status_code == 404
    response = other.post(f"/reports/{report_id}/dispose", {"node": "samarinda-dishub"})
    assert response.status_code == 404
    assert other.get("/inbox", {"node": "kutim"}).status_code == 404


def test_unit_officer_may_not_dispose(tree: Tree) -> None:
    data = _submit()
    report_id = Report.objects.get(tracking_number=data["tracking_number"]).pk
    hub = login("hub", PASSWORD)
    hub.post(f"/reports/{report_id}/dispose", {"node": "kutim-pupr"})
    officer = login("officer_pupr", PASSWORD)
    response = officer.post(f"/reports/{report_id}/forward", {"node": "kutim-pupr-binamarga"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_anonymous_reporter_identity_never_reaches_staff(tree: Tree) -> None:
    data = _submit(is_anonymous=True)
    report_id = Report.objects.get(tracking_number=data["tracking_number"]).pk
    for username in ("national", "hub", "auditor", "supervisor_kutim"):
        response = login(username, PASSWORD).get(f"/reports/{report_id}")
        assert response.status_code == 200
        assert response.json()["reporter"] is None
        text = response.content.decode()
        assert "Budi" not in text
        assert "081234567890" not in text
        assert "+6281234567890" not in text
        assert "budi@example.org" not in text


def test_confidential_report_shows_no_content_publicly(tree: Tree) -> None:
    data = _submit(is_confidential=True)
    report_id = Report.objects.get(tracking_number=data["tracking_number"]).pk
    login("hub", PASSWORD).post(f"/reports/{report_id}/dispose",
                                {"node": "kutim-pupr", "note": "Tolong cek lokasi."})
    public = ApiClient().get(f"/track/{data['tracking_number']}")
    body = public.json()
    assert body["agency"] is None
    assert all(event["body"] == "" for event in body["timeline"])
    assert "Tolong" not in public.content.decode()
    assert ApiClient().post(f"/track/{data['tracking_number']}/support").status_code == 404


def test_support_counts_each_supporter_once(tree: Tree) -> None:
    data = _submit()
    report_id = Report.objects.get(tracking_number=data["tracking_number"]).pk
    public = ApiClient()
    assert public.post(f"/track/{data['tracking_number']}/support").status_code == 409
    login("hub", PASSWORD).post(f"/reports/{report_id}/dispose", {"node": "kutim-pupr"})
    first = public.post(f"/track/{data['tracking_number']}/support")
    assert first.json() == {"support_count": 1}
    again = public.post(f"/track/{data['tracking_number']}/support")
    assert again.status_code == 409
    assert again.json()["code"] == "already_supported"


def test_inbox_filters_and_cursor_pagination(tree: Tree) -> None:
    numbers = [_submit(title=f"Laporan nomor {i:02d}")["tracking_number"] for i in range(7)]
    _submit(channel="sms", title="Laporan lewat SMS")
    hub = login("hub", PASSWORD)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"node": "kutim", "limit": 3, "channel": "web"}
        if cursor:
            params["cursor"] = cursor
        page = hub.get("/inbox", params).json()
        seen += [item["tracking_number"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert sorted(seen) == sorted(numbers)
    assert len(set(seen)) == 7
    sms = hub.get("/inbox", {"node": "kutim", "channel": "sms"}).json()["items"]
    assert [item["title"] for item in sms] == ["Laporan lewat SMS"]
    assert hub.get("/inbox", {"node": "kutim", "overdue": True}).json()["items"] == []
    bad = hub.get("/inbox", {"node": "kutim", "cursor": "not-a-cursor"})
    assert bad.status_code == 422
    assert bad.json()["code"] == "invalid_cursor"


def test_login_errors_and_me(tree: Tree) -> None:
    wrong = ApiClient().post("/auth/login", {"username": "hub", "password": "nope"})
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "invalid_credentials"
    hub = login("hub", PASSWORD)
    me = hub.get("/auth/me").json()
    assert me["roles"] == [{"role": "hub_verifier", "node": "kutim"}]
    assert hub.post("/auth/logout").status_code == 204
    assert hub.get("/auth/me").status_code == 401
    assert ApiClient(token="forged").get("/inbox", {"node": "kutim"}).status_code == 401


def test_sop_settings_are_capped_at_national_maxima(tree: Tree) -> None:
    hub = login("hub", PASSWORD)
    shorter = hub.patch("/orgs/kutim/sop", {"verify_days": 2, "sms_keyword": "kutim"})
    assert shorter.status_code == 200
    assert shorter.json()["verify_days"] == 2
    assert shorter.json()["sms_keyword"] == "KUTIM"
    longer = hub.patch("/orgs/kutim/sop", {"verify_days": 4})
    assert longer.status_code == 422
    assert longer.json()["field"] == "verify_days"
    day_off = hub.post("/orgs/kutim/days-off", {"date": "2026-10-12",
                                                "reason": "HUT Kabupaten Kutai Timur"})
    assert day_off.json()["days_off"] == ["2026-10-12"]
    rules = hub.put("/orgs/kutim/routing-rules", [
        {"category": "jalan", "target": "kutim-pupr"},
        {"category": "jalan", "region_prefix": "64.08.04", "target": "kutim-pupr-binamarga"},
    ])
    assert rules.status_code == 200
    outside = hub.put("/orgs/kutim/routing-rules", [{"target": "samarinda-dishub"}])
    assert outside.status_code == 422
    liaison = login("liaison_pupr", PASSWORD)
    assert liaison.patch("/orgs/kutim/sop", {"verify_days": 1}).status_code == 403


def test_routing_suggestion_uses_the_most_specific_rule(tree: Tree) -> None:
    hub = login("hub", PASSWORD)
    hub.put("/orgs/kutim/routing-rules", [
        {"category": "jalan", "target": "kutim-pupr"},
        {"category": "jalan", "region_prefix": "64.08.04", "target": "kutim-pupr-binamarga"},
        {"region_prefix": "64.08", "target": "kutim-dinkes"},
    ])
    data = _submit()
    report_id = Report.objects.get(tracking_number=data["tracking_number"]).pk
    suggestion = hub.get(f"/reports/{report_id}/routing-suggestion").json()
    assert suggestion["node"]["code"] == "kutim-pupr-binamarga"


def test_reference_data(tree: Tree) -> None:
    client = ApiClient()
    districts = client.get("/regions", {"parent": "64.08"}).json()
    assert len(districts) == 18
    assert client.get("/regions/64.08.04").json()["name"] == "Sangatta Utara"
    assert client.get("/regions/99.99").status_code == 404
    categories = {c["code"]: c["resolution_days"] for c in client.get("/categories").json()}
    assert categories == {"darurat": 2, "jalan": 14}
    agencies = client.get("/orgs", {"kind": "agency"}).json()
    assert {a["code"] for a in agencies} == {"kutim", "samarinda"}


# ---------------------------------------------------------------- bad input stores nothing

BAD_BODIES: list[tuple[str, bytes, str, str | None]] = [
    ("invalid utf-8", b'{"title": "\xff\xfe"}', "invalid_encoding", None),
    ("not json", b"{type: complaint", "invalid_json", None),
    ("json array", b"[1, 2, 3]", "validation_error", None),
    ("json string", b'"hello"', "validation_error", None),
    ("deep nesting", b'{"a":' * 60 + b"1" + b"}" * 60, "invalid_json", None),
]


@pytest.mark.parametrize(("label", "raw", "code", "field"), BAD_BODIES,
                         ids=[b[0] for b in BAD_BODIES])
def test_malformed_bodies_are_4xx_and_store_nothing(
    tree: Tree, label: str, raw: bytes, code: str, field: str | None
) -> None:
    response = ApiClient().post("/reports", raw=raw)
    assert 400 <= response.status_code < 500
    assert response.json()["code"] == code
    assert Report.objects.count() == 0
    assert ReportEvent.objects.count() == 0


BAD_FIELDS: list[tuple[dict[str, Any], int, str, str]] = [
    ({"type": "complaint!"}, 422, "validation_error", "type"),
    ({"type": ""}, 422, "required", "type"),
    ({"title": 42}, 422, "validation_error", "title"),
    ({"title": "abc"}, 422, "text_too_short", "title"),
    ({"title": "   "}, 422, "required", "title"),
    ({"body": "x" * 10_001}, 422, "text_too_long", "body"),
    ({"region_code": ""}, 422, "required", "region_code"),
    ({"title": "Judul dengan \x00 null"}, 422, "invalid_characters", "title"),
    ({"body": "Isi laporan \x07 dengan bel"}, 422, "invalid_characters", "body"),
    ({"region_code": "99.99.99"}, 422, "unknown_region", "region_code"),
    ({"category_code": "tidak-ada"}, 422, "unknown_category", "category_code"),
    ({"target_agency_code": "kutim-pupr"}, 422, "unknown_node", "target_agency_code"),
    ({"incident_date": "2999-01-01"}, 422, "date_in_future", "incident_date"),
    ({"incident_date": "1900-01-01"}, 422, "date_too_old", "incident_date"),
    ({"incident_date": "2026-02-30"}, 422, "validation_error", "incident_date"),
    ({"latitude": "0.5"}, 422, "invalid_coordinates", "latitude"),
    ({"latitude": "48.85", "longitude": "2.35"}, 422, "invalid_coordinates", "latitude"),
    ({"latitude": "95", "longitude": "117"}, 422, "validation_error", "latitude"),
    ({"reporter_phone": "12345"}, 422, "invalid_phone", "reporter_phone"),
    ({"reporter_email": "bukan-email"}, 422, "invalid_email", "reporter_email"),
    ({"channel": "fax"}, 422, "validation_error", "channel"),
]


@pytest.mark.parametrize(("override", "status", "code", "field"), BAD_FIELDS,
                         ids=[f"{b[3]}-{b[2]}" for b in BAD_FIELDS])
def test_bad_fields_are_named_and_store_nothing(
    tree: Tree, override: dict[str, Any], status: int, code: str, field: str
) -> None:
    response = ApiClient().post("/reports", {**SUBMISSION, **override})
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code
    assert body["field"] == field
    assert Report.objects.count() == 0


def test_every_field_error_comes_back_at_once(tree: Tree) -> None:
    """One 422 names every problem (issue 18: three round trips for an empty form), each with
    its stable code; the limits are named with what was sent."""
    response = ApiClient().post("/reports", {
        **SUBMISSION, "title": "x" * 766, "body": "", "region_code": "99.99.99",
        "reporter_email": "bukan-email", "latitude": "0.5"})
    assert response.status_code == 422
    body = response.json()
    found = {(e["field"], e["code"]) for e in body["errors"]}
    assert found == {("title", "text_too_long"), ("body", "required"),
                     ("region_code", "unknown_region"), ("reporter_email", "invalid_email"),
                     ("latitude", "invalid_coordinates")}
    assert (body["code"], body["field"]) == (body["errors"][0]["code"], body["errors"][0]["field"])
    title = next(e for e in body["errors"] if e["field"] == "title")
    assert title["detail"] == {"max_length": 200, "length": 766}
    assert title["message"] == "Terlalu panjang: 766 karakter, paling banyak 200."
    assert next(e for e in body["errors"] if e["field"] == "body")["message"] == (
        "Tulis isi laporan: apa yang terjadi, di mana, kapan.")
    assert Report.objects.count() == 0


def test_missing_required_fields_are_all_named(tree: Tree) -> None:
    response = ApiClient().post("/reports", {})
    assert response.status_code == 422
    found = {(e["field"], e["code"]) for e in response.json()["errors"]}
    # region_code may be left out when latitude/longitude are sent (issue 19), so the schema
    # does not require it; without either, the service names it with the other fields.
    assert found == {("type", "required"), ("title", "required"), ("body", "required")}
    response = ApiClient().post("/reports", {"type": "", "title": "", "body": ""})
    found = {(e["field"], e["code"]) for e in response.json()["errors"]}
    assert found == {("type", "required"), ("title", "required"), ("body", "required"),
                     ("region_code", "required")}


def test_script_and_sql_text_is_stored_verbatim_not_executed(tree: Tree) -> None:
    title = "<script>alert(1)</script>'; DROP TABLE reports_report; --"
    data = _submit(title=title)
    assert Report.objects.get(tracking_number=data["tracking_number"]).title == title
    assert Report.objects.count() == 1


def test_citizen_account_follows_its_reports_without_the_code(tree: Tree) -> None:
    citizen = login("citizen", PASSWORD)
    data = _submit(citizen)
    mine = citizen.get("/me/reports").json()["items"]
    assert [r["tracking_number"] for r in mine] == [data["tracking_number"]]
    view = citizen.get(f"/track/{data['tracking_number']}/full")
    assert view.status_code == 200
    # Someone else's account, or no credentials at all, gets nothing.
    other = _submit()
    assert citizen.get(f"/track/{other['tracking_number']}/full").status_code == 401
    assert ApiClient().get(f"/track/{data['tracking_number']}/full").status_code == 401


def test_citizen_token_cannot_open_staff_views(tree: Tree) -> None:
    citizen = login("citizen", PASSWORD)
    data = _submit(citizen)
    report_id = Report.objects.get(tracking_number=data["tracking_number"]).pk
    login("hub", PASSWORD).post(f"/reports/{report_id}/notes", {"body": "Catatan internal."})
    response = citizen.get(f"/reports/{report_id}")
    assert response.status_code == 403
    assert "Catatan internal" not in response.content.decode()
    assert citizen.get("/inbox", {"node": "kutim"}).status_code == 403


def _whole_milliseconds(data: object) -> object:
    """The JSON encoder keeps milliseconds: a time less than 1 ms past a second reads
    ``….000Z``, which parses back to the whole second and is written ``…Z``; both are the same
    moment (the PostgreSQL pass of `make test` hit it once)."""
    return json.loads(re.sub(r'\.000(?=(Z|[+-]\d\d:\d\d)")', "", json.dumps(data)))


def test_inbox_body_is_what_schema_validation_would_produce(tree: Tree) -> None:
    """The inbox skips re-validating its rows (lapor.core.api.shaped_response): its body must
    be exactly what Ninja's validated path gives, with no key beyond the schema's (the schema
    is the privacy filter too)."""
    _submit()
    _submit(anonymous=True, category_code=None, title="Laporan tanpa kategori")
    hub = login("hub", PASSWORD)
    response = hub.get("/inbox", {"node": "kutim", "limit": 1})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["next_cursor"]
    body["items"] += hub.get("/inbox", {"node": "kutim", "cursor": body["next_cursor"]}
                             ).json()["items"]
    validated = json.loads(json.dumps(InboxOut.model_validate(body).model_dump(),
                                      cls=NinjaJSONEncoder))
    assert _whole_milliseconds(validated) == _whole_milliseconds(body)
    assert len(body["items"]) == 2
    for item in body["items"]:
        assert set(item) == set(ReportListItemOut.model_fields)
        for ref in (item["region"], item["current_node"], item["category"]):
            assert ref is None or set(ref) == {"code", "name"}
    assert {item["category"] is None for item in body["items"]} == {True, False}


def test_reporter_messages_go_through_report_reporter_write(tree: Tree) -> None:
    """``POST /track/{n}/messages`` asks the one rule (``report_reporter_write``): on hold an
    answer, else a message, refused with 409 once the report is archived."""
    data = _submit()
    number, code = data["tracking_number"], data["access_code"]
    report = Report.objects.get(tracking_number=number)
    reporter = ApiClient()
    with mock.patch.object(services, "report_reporter_write",
                           wraps=services.report_reporter_write) as write:
        sent = reporter.post(f"/track/{number}/messages", {"body": "Masih mati."},
                             headers={"X-Access-Code": code})
        assert sent.status_code == 200
        services.report_archive(actor=tree.actor("hub"), report_id=report.pk, reason="spam")
        refused = reporter.post(f"/track/{number}/messages", {"body": "Kenapa diarsipkan?"},
                                headers={"X-Access-Code": code})
    assert refused.status_code == 409
    assert refused.json()["code"] == "invalid_transition"
    assert write.call_count == 2
    assert list(ReportEvent.objects.filter(report=report, kind="reporter_message")
                .values_list("body", flat=True)) == ["Masih mati."]
