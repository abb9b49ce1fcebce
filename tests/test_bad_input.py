"""The catalogue of bad input (issue #11): each entry is sent to a way in and must get a clear
4xx (with its stable error code where the interface has one) and store nothing.

"Nothing stored" is checked by counting, before and after, the reports, their events, reporter
identities, attachments and the files under the attachment root. Text that is merely hostile
(HTML/script, SQL) is different: it is a legitimate complaint text, so it is stored as typed and
must come back escaped wherever it is rendered, never executed (see the last section).

Ways in: the JSON API (submission and staff actions), the portal forms (report form, access
code, reply), the attachment upload and the Open311 POST.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client, override_settings

from lapor.attachments.models import Attachment
from lapor.attachments.presenters import original_name
from lapor.attachments.tests import files
from lapor.open311.keys import open311_key_create
from lapor.reports.models import Report, ReporterContact, ReportEvent
from tests.api_client import ApiClient, login
from tests.factories import PASSWORD, Tree, drive

pytestmark = pytest.mark.django_db

VALID: dict[str, Any] = {
    "type": "complaint",
    "title": "Lampu jalan mati di Jalan Poros",
    "body": "Sudah dua minggu lampu jalan di Jalan Poros Sangatta mati, rawan kecelakaan.",
    "region_code": "64.08.04",
    "target_agency_code": "kutim",
    "category_code": "jalan",
}
SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
SQL = "'; DROP TABLE reports_report; -- \" OR 1=1 --"
RTL_NAME = "foto\u202egnp.exe"  # shows as "fotoexe.png"


def _stored(root: Path) -> tuple[int, int, int, int, int]:
    files_under_root = sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0
    return (Report.objects.count(), ReportEvent.objects.count(),
            ReporterContact.objects.count(), Attachment.objects.count(), files_under_root)


@pytest.fixture
def nothing_stored(attachment_root: Path) -> Callable[[], None]:
    """Call at the end of a refusal test: the counts are those at the fixture's start."""
    before = _stored(attachment_root)

    def check() -> None:
        assert _stored(attachment_root) == before

    return check


def _error(response: Any, status: int, code: str | None) -> None:
    assert response.status_code == status, response.content[:500]
    if code is not None:
        assert response.json()["code"] == code, response.content[:500]


# ====================================================================== JSON API: submission

SUBMIT_BAD_JSON: list[tuple[str, dict[str, Any], int, str]] = [
    # (case, changes to a valid body, HTTP status, error code)
    ("NUL byte in title", {"title": "Lampu\x00 jalan mati"}, 422, "invalid_characters"),
    ("NUL byte in body", {"body": "x\x00" * 20}, 422, "invalid_characters"),
    ("NUL byte in a key", {"ti\x00tle": "x"}, 422, "invalid_characters"),
    ("lone surrogate", {"title": "Lampu \ud800 jalan mati"}, 422, "invalid_characters"),
    ("title too long", {"title": "x" * 201}, 422, "validation_error"),
    ("body too long", {"body": "x" * 10_001}, 422, "validation_error"),
    ("title is a list", {"title": ["a"] * 50_000}, 422, "validation_error"),
    ("title is an object", {"title": {"$ne": None}}, 422, "validation_error"),
    ("unknown type", {"type": "<script>"}, 422, "validation_error"),
    ("SQL in region code", {"region_code": "64' OR '1'='1"}, 422, "unknown_region"),
    ("path in category", {"category_code": "../../etc/passwd"}, 422, "unknown_category"),
    ("path in agency", {"target_agency_code": "../kutim"}, 422, "unknown_node"),
    ("year 0001", {"incident_date": "0001-01-01"}, 422, "date_too_old"),
    ("year 9999", {"incident_date": "9999-12-31"}, 422, "date_in_future"),
    ("30 February", {"incident_date": "2026-02-30"}, 422, "validation_error"),
    ("year 0000", {"incident_date": "0000-01-01"}, 422, "validation_error"),
    ("year 10000", {"incident_date": "10000-01-01"}, 422, "validation_error"),
    ("date as a number", {"incident_date": 1e308}, 422, "validation_error"),
    ("latitude NaN", {"latitude": "NaN", "longitude": "117.5"}, 422, "validation_error"),
    ("latitude inf", {"latitude": "inf", "longitude": "117.5"}, 422, "validation_error"),
    ("latitude -Infinity", {"latitude": "-Infinity", "longitude": "117.5"}, 422,
     "validation_error"),
    ("latitude 1e308", {"latitude": 1e308, "longitude": 117.5}, 422, "validation_error"),
    ("latitude a string", {"latitude": "utara", "longitude": "117.5"}, 422, "validation_error"),
    ("latitude 10 digits", {"latitude": "0.1234567891", "longitude": "117.5"}, 422,
     "validation_error"),
    ("latitude alone", {"latitude": "0.5"}, 422, "invalid_coordinates"),
    ("outside Indonesia", {"latitude": "48.85", "longitude": "2.35"}, 422,
     "invalid_coordinates"),
    ("bad e-mail with script", {"reporter_email": f"a{SCRIPT}@x.org"}, 422, "invalid_email"),
    ("phone with SQL", {"reporter_phone": "0812'; --"}, 422, "invalid_phone"),
    ("NIK with letters", {"reporter_nik": "64080<script>1234"}, 422, "invalid_nik"),
    ("unknown channel", {"channel": "carrier-pigeon"}, 422, "validation_error"),
]


@pytest.mark.parametrize(("changes", "status", "code"),
                         [c[1:] for c in SUBMIT_BAD_JSON], ids=[c[0] for c in SUBMIT_BAD_JSON])
def test_submit_refuses_bad_json_fields(
    tree: Tree, nothing_stored: Callable[[], None], changes: dict[str, Any], status: int,
    code: str,
) -> None:
    body = {**VALID, **changes}
    raw = json.dumps(body, allow_nan=True).encode("utf-8", "surrogatepass")
    _error(ApiClient().post("/reports", raw=raw), status, code)
    nothing_stored()


def _nested(depth: int) -> bytes:
    return b'{"title":' + b"[" * depth + b"]" * depth + b"}"


SUBMIT_BAD_BODIES: list[tuple[str, bytes, str, int, str]] = [
    # (case, raw body, content type, HTTP status, error code)
    ("invalid UTF-8", json.dumps(VALID).encode().replace(b"Lampu", b"L\xff\xfempu"),
     "application/json", 422, "invalid_encoding"),
    ("Latin-1 text", json.dumps(VALID, ensure_ascii=False).replace("Lampu", "Lämpu")
     .encode("latin-1"), "application/json", 422, "invalid_encoding"),
    ("UTF-16", json.dumps(VALID).encode("utf-16"), "application/json", 422, "invalid_encoding"),
    ("nested 30 deep", _nested(30), "application/json", 422, "invalid_json"),
    ("nested 100000 deep", _nested(100_000), "application/json", 422, "invalid_json"),
    ("truncated JSON", json.dumps(VALID).encode()[:-5], "application/json", 422,
     "invalid_json"),
    ("empty body", b"", "application/json", 422, "validation_error"),
    ("a JSON string", b'"laporan"', "application/json", 422, "validation_error"),
    ("a JSON array", b"[1, 2, 3]", "application/json", 422, "validation_error"),
    ("NaN literal", json.dumps(VALID).encode()[:-1] + b', "latitude": NaN}', "application/json",
     422, "validation_error"),
    ("huge number", json.dumps(VALID).encode()[:-1] + b', "latitude": 1' + b"0" * 5000 + b"}",
     "application/json", 422, "invalid_json"),
    ("form-encoded", b"type=complaint&title=Lampu+jalan+mati", "application/x-www-form-urlencoded",
     422, "invalid_json"),
    ("XML", b"<report><title>Lampu</title></report>", "application/xml", 422, "invalid_json"),
    ("multipart", b"--x\r\nContent-Disposition: form-data; name=title\r\n\r\nLampu\r\n--x--\r\n",
     "multipart/form-data; boundary=x", 422, "invalid_json"),
]


@pytest.mark.parametrize("case", SUBMIT_BAD_BODIES, ids=[c[0] for c in SUBMIT_BAD_BODIES])
def test_submit_refuses_bad_bodies(
    tree: Tree, nothing_stored: Callable[[], None], case: tuple[str, bytes, str, int, str],
) -> None:
    _, raw, content_type, status, code = case
    _error(ApiClient().post("/reports", raw=raw, content_type=content_type), status, code)
    nothing_stored()


def test_submit_refuses_an_oversized_body(tree: Tree, nothing_stored: Callable[[], None]) -> None:
    """More than ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB): refused before it is parsed."""
    raw = json.dumps({**VALID, "body": "x" * 3_000_000}).encode()
    _error(ApiClient().post("/reports", raw=raw), 413, "request_too_large")
    nothing_stored()


# ====================================================================== JSON API: staff actions


@pytest.fixture
def submitted(tree: Tree) -> tuple[Report, ApiClient]:
    report = drive(tree, "submitted")
    return report, login("hub", PASSWORD)


STAFF_BAD: list[tuple[str, str, Any, int, str]] = [
    # (case, action, body, HTTP status, error code)
    ("hold: NUL in question", "hold", {"question": "Di\x00mana?"}, 422, "invalid_characters"),
    ("hold: empty question", "hold", {"question": ""}, 422, "validation_error"),
    ("hold: 10001 characters", "hold", {"question": "x" * 10_001}, 422, "validation_error"),
    ("hold: only control characters", "hold", {"question": "\x07\x08\x1b"}, 422,
     "invalid_characters"),
    ("archive: script as reason", "archive", {"reason": SCRIPT}, 422, "validation_error"),
    ("archive: SQL as reason", "archive", {"reason": SQL}, 422, "validation_error"),
    ("archive: duplicate of a path", "archive",
     {"reason": "duplicate", "duplicate_of": "../../etc/passwd"}, 422, "validation_error"),
    ("archive: duplicate of itself", "archive", {"reason": "duplicate", "duplicate_of": "x"},
     422, "not_found"),
    ("dispose: path as node", "dispose", {"node": "../../kutim-pupr"}, 422, "unknown_node"),
    ("dispose: SQL as node", "dispose", {"node": SQL}, 422, "unknown_node"),
    ("dispose: huge resolution days", "dispose", {"node": "kutim-pupr",
                                                  "resolution_days": 10**30}, 422,
     "validation_error"),
    ("dispose: 9 resolution days", "dispose", {"node": "kutim-pupr", "resolution_days": 9}, 422,
     "validation_error"),
    ("dispose: version as text", "dispose", {"node": "kutim-pupr",
                                             "expected_version": "satu"}, 422,
     "validation_error"),
    ("dispose: stale version", "dispose", {"node": "kutim-pupr", "expected_version": 999}, 409,
     "concurrent_update"),
    ("dispose: nested node", "dispose", {"node": {"code": "kutim-pupr"}}, 422,
     "validation_error"),
    ("privacy: strings for booleans", "privacy", {"anonymous": "maybe"}, 422,
     "validation_error"),
    ("note: NUL", "notes", {"body": "\x00"}, 422, "invalid_characters"),
]


@pytest.mark.parametrize("case", STAFF_BAD, ids=[c[0] for c in STAFF_BAD])
def test_staff_actions_refuse_bad_input(
    submitted: tuple[Report, ApiClient], nothing_stored: Callable[[], None],
    case: tuple[str, str, Any, int, str],
) -> None:
    _, action, body, status, code = case
    report, hub = submitted
    _error(hub.post(f"/reports/{report.pk}/{action}", body), status, code)
    nothing_stored()
    report.refresh_from_db()
    assert (report.status, report.version) == ("submitted", 1)


@pytest.mark.parametrize("report_id", ["abc", "-1", "99999999999999999999999", "1%00",
                                       "..%2F..%2Fetc"])
def test_staff_actions_refuse_bad_report_ids(
    submitted: tuple[Report, ApiClient], nothing_stored: Callable[[], None], report_id: str,
) -> None:
    _, hub = submitted
    response = hub.post(f"/reports/{report_id}/hold", {"question": "Di mana?"})
    assert response.status_code in (400, 404, 422), response.content
    assert "code" in response.json()
    nothing_stored()


# ====================================================================== portal forms

PORTAL_FORM = {
    "type": "complaint",
    "title": VALID["title"],
    "body": VALID["body"],
    "region_code": "64.08.04",
    "target_agency": "kutim",
    "category": "jalan",
}

PORTAL_BAD: list[tuple[str, dict[str, str], str]] = [
    # (case, changes to a valid form, the field whose error is shown)
    ("NUL in title", {"title": "Lampu\x00 jalan mati"}, "title"),
    ("NUL in body", {"body": "Sudah dua minggu\x00 lampu jalan mati."}, "body"),
    ("title too long", {"title": "x" * 201}, "title"),
    ("body too long", {"body": "x" * 10_001}, "body"),
    ("year 0001", {"incident_date": "0001-01-01"}, "incident_date"),
    ("year 9999", {"incident_date": "9999-12-31"}, "incident_date"),
    ("30 February", {"incident_date": "2026-02-30"}, "incident_date"),
    ("latitude NaN", {"latitude": "NaN", "longitude": "117.5"}, "latitude"),
    ("latitude inf", {"latitude": "inf", "longitude": "117.5"}, "latitude"),
    ("latitude 1e308", {"latitude": "1e308", "longitude": "117.5"}, "latitude"),
    ("latitude a word", {"latitude": "utara", "longitude": "117.5"}, "latitude"),
    ("SQL as region", {"region_code": SQL}, "region_code"),
    ("script as agency", {"target_agency": SCRIPT}, "target_agency"),
    ("script in e-mail", {"reporter_email": f"a{SCRIPT}@x.org"}, "reporter_email"),
]


@pytest.mark.parametrize(("changes", "field"), [c[1:] for c in PORTAL_BAD],
                         ids=[c[0] for c in PORTAL_BAD])
def test_report_form_refuses_bad_input(
    tree: Tree, nothing_stored: Callable[[], None], changes: dict[str, str], field: str,
) -> None:
    """The portal answers a refused form with the form again (HTTP 200, the PRG pattern's
    "show the errors" branch) and the error next to the field; nothing is stored."""
    response = Client().post("/lapor/", {**PORTAL_FORM, **changes})
    assert response.status_code == 200, response.status_code
    form = response.context["form"]
    assert field in form.errors or "__all__" in form.errors, form.errors
    nothing_stored()


def test_report_form_refuses_invalid_utf8(tree: Tree, nothing_stored: Callable[[], None]) -> None:
    """Bytes that are not UTF-8 are decoded by Django as U+FFFD replacement characters: never
    a crash. A title made only of them is too short; nothing is stored."""
    raw = (b"type=complaint&title=%FF%FE%FF%FE%FF&body=" + b"%C0%AF" * 20
           + b"&region_code=64.08.04&target_agency=kutim")
    response = Client().post("/lapor/", raw, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert response.context["form"].errors
    nothing_stored()


def test_report_form_refuses_an_oversized_body(
    tree: Tree, nothing_stored: Callable[[], None],
) -> None:
    response = Client().post("/lapor/", {**PORTAL_FORM, "body": "x" * 3_000_000})
    assert 400 <= response.status_code < 500, response.status_code
    nothing_stored()


@pytest.fixture
def responded(tree: Tree) -> Report:
    return drive(tree, "responded")


@pytest.mark.parametrize("code", ["\x00" * 16, "A" * 5000, SCRIPT, SQL, "ABCD-EFGH-JKMN-PQR\u202e",
                                  "%FF%FE"])
def test_access_code_form_refuses_bad_codes(
    responded: Report, nothing_stored: Callable[[], None], code: str,
) -> None:
    client = Client()
    response = client.post(f"/lacak/{responded.tracking_number}/kode/", {"access_code": code})
    assert response.status_code in (200, 400), response.status_code
    assert response.context["code_form"].errors
    assert SCRIPT.encode() not in response.content
    # Not proven: the reply form stays closed.
    reply = client.post(f"/lacak/{responded.tracking_number}/tanggapan/",
                        {"decision": "accept", "rating": "5"})
    assert reply.status_code == 302
    responded.refresh_from_db()
    assert responded.status == "responded"
    nothing_stored()


@pytest.mark.parametrize("tracking", ["..%2F..%2Fetc%2Fpasswd", "1%00", "9" * 30,
                                      "%3Cscript%3E"])
def test_track_pages_refuse_bad_tracking_numbers(tree: Tree, tracking: str) -> None:
    for path in (f"/lacak/{tracking}/", f"/laporan/{tracking}/"):
        response = Client().get(path)
        assert response.status_code in (400, 404), (path, response.status_code)
    response = Client().post(f"/lacak/{tracking}/kode/", {"access_code": "ABCD"})
    assert response.status_code in (400, 404)


REPLY_BAD: list[tuple[str, dict[str, str]]] = [
    ("rating as a word", {"decision": "accept", "rating": "lima"}),
    ("rating 99", {"decision": "accept", "rating": "99"}),
    ("rating 0", {"decision": "accept", "rating": "0"}),
    ("no rating", {"decision": "accept"}),
    ("script as decision", {"decision": SCRIPT}),
    ("reopen without text", {"decision": "reopen", "body": ""}),
    ("reopen with NUL", {"decision": "reopen", "body": "belum\x00"}),
    ("reopen too long", {"decision": "reopen", "body": "x" * 10_001}),
    ("accept, comment not UTF-8", {"decision": "accept", "rating": "5",
                                   "body": "bagus \ufffd\ufffd"}),
]


@pytest.mark.parametrize("data", [c[1] for c in REPLY_BAD], ids=[c[0] for c in REPLY_BAD])
def test_reply_form_refuses_bad_input(
    responded: Report, nothing_stored: Callable[[], None], data: dict[str, str],
) -> None:
    from lapor.portal import support  # noqa: PLC0415  (the session key's one definition)

    client = Client()
    session = client.session
    session[support.PROVEN_KEY] = [responded.pk]
    session.save()
    response = client.post(f"/lacak/{responded.tracking_number}/tanggapan/", data)
    assert response.status_code == 200, response.status_code
    assert response.context["reply_form"].errors
    assert SCRIPT.encode() not in response.content
    responded.refresh_from_db()
    assert (responded.status, responded.version) == ("responded", 4)
    nothing_stored()


def test_message_form_refuses_text_that_was_not_utf8(
    responded: Report, nothing_stored: Callable[[], None],
) -> None:
    from lapor.portal import support  # noqa: PLC0415

    client = Client()
    session = client.session
    session[support.PROVEN_KEY] = [responded.pk]
    session.save()
    raw = b"body=Ada+kabar%FF%FE%FF+terbaru%3F"
    response = client.post(f"/lacak/{responded.tracking_number}/pesan/", raw,
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200, response.status_code
    assert response.context["message_form"].errors
    responded.refresh_from_db()
    assert responded.version == 4
    nothing_stored()


# ====================================================================== attachment upload


@pytest.fixture
def own_report(tree: Tree) -> tuple[Report, str]:
    from tests.factories import submit  # noqa: PLC0415

    result = submit(tree)
    return result.report, result.access_code


def _upload(report: Report, code: str, name: str, data: bytes,
            content_type: str = "application/octet-stream") -> Any:
    """A hand-made multipart body, so the file name reaches the server byte for byte."""
    boundary = "lapor-bad-input-boundary"
    raw = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"'
           f"\r\nContent-Type: {content_type}\r\n\r\n").encode("utf-8", "surrogatepass")
    raw += data + f"\r\n--{boundary}--\r\n".encode()
    return Client().post(
        f"/api/v1/track/{report.tracking_number}/attachments", raw,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"X-Access-Code": code},
    )


UPLOAD_BAD: list[tuple[str, str, Callable[[], bytes], str, int, str]] = [
    # (case, file name, content, claimed content type, HTTP status, error code)
    ("HTML named .png", "foto.png", f"<html>{SCRIPT}</html>".encode, "image/png", 415,
     "attachment_type_not_allowed"),
    ("script named .jpg", "x.jpg", lambda: b"#!/bin/sh\nrm -rf /\n", "image/jpeg", 415,
     "attachment_type_not_allowed"),
    ("SVG with script", "x.svg", f"<svg>{SCRIPT}</svg>".encode, "image/svg+xml", 415,
     "attachment_type_not_allowed"),
    ("empty file", "kosong.png", lambda: b"", "image/png", 422, "attachment_unreadable"),
    ("truncated PNG", "rusak.png", lambda: files.png()[:40], "image/png", 422,
     "attachment_unreadable"),
    ("PNG header, then junk", "junk.png", lambda: files.png()[:16] + b"\x00" * 5000, "image/png",
     422, "attachment_unreadable"),
    ("path in name, HTML inside", "../../etc/passwd", lambda: b"root:x:0:0", "text/plain", 415,
     "attachment_type_not_allowed"),
]


@pytest.mark.parametrize("case", UPLOAD_BAD, ids=[c[0] for c in UPLOAD_BAD])
def test_upload_refuses_bad_files(
    own_report: tuple[Report, str], nothing_stored: Callable[[], None],
    case: tuple[str, str, Callable[[], bytes], str, int, str],
) -> None:
    _, name, make, content_type, status, code = case
    report, access_code = own_report
    _error(_upload(report, access_code, name, make(), content_type), status, code)
    nothing_stored()


def test_upload_refuses_an_oversized_file(
    own_report: tuple[Report, str], nothing_stored: Callable[[], None],
) -> None:
    report, access_code = own_report
    with override_settings(LAPOR_ATTACHMENT_MAX_BYTES=4096):
        response = _upload(report, access_code, "besar.png", files.png(width=400, height=400)
                           + b"\x00" * 8192, "image/png")
    _error(response, 413, "attachment_too_large")
    nothing_stored()


def test_upload_refuses_a_body_that_is_not_multipart(
    own_report: tuple[Report, str], nothing_stored: Callable[[], None],
) -> None:
    report, access_code = own_report
    response = Client().post(f"/api/v1/track/{report.tracking_number}/attachments",
                             files.png(), content_type="image/png",
                             headers={"X-Access-Code": access_code})
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"
    nothing_stored()


def test_upload_refuses_a_wrong_access_code(
    own_report: tuple[Report, str], nothing_stored: Callable[[], None],
) -> None:
    report, _ = own_report
    _error(_upload(report, "\x00" * 16, "foto.png", files.png(), "image/png"), 401,
           "invalid_access_code")
    nothing_stored()


PATH_TRICKS = [
    "../../etc/passwd.png",
    "..\\..\\windows\\system32\\foto.png",
    "/etc/cron.d/foto.png",
    "foto\x00.png",
    RTL_NAME,
    "a" * 5000 + ".png",
    f"{SCRIPT}.png",
    "CON.png",
    ".png",
    "foto.png/",
]


@pytest.mark.parametrize("name", PATH_TRICKS)
def test_upload_file_names_are_display_text_only(
    own_report: tuple[Report, str], attachment_root: Path, tmp_path: Path, name: str,
) -> None:
    """A valid image with a tricky name is accepted, but the name never builds a path: the
    file lands under the attachment root with a generated name, and the display name is one
    cleaned path component (no separators, no control or bidi characters, bounded)."""
    report, access_code = own_report
    response = _upload(report, access_code, name, files.png(), "image/png")
    assert response.status_code in (201, 400, 422), response.content
    if response.status_code != 201:
        # A multipart header Django will not parse (400), or a name without a last component
        # that Django drops with the file (422 "file" missing): refused whole.
        assert response.json()["code"] == "validation_error"
        assert Attachment.objects.count() == 0
        assert [p for p in attachment_root.rglob("*") if p.is_file()] == []
        return
    attachment = Attachment.objects.get()
    name = original_name(attachment)
    assert "/" not in name
    assert "\\" not in name
    assert "\x00" not in name
    assert "\u202e" not in name
    assert len(name) <= 120
    stored = [p for p in attachment_root.rglob("*") if p.is_file()]
    assert [p.name for p in stored] == [attachment.stored_name]
    assert attachment.stored_name.removesuffix(".png").isalnum()
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and attachment_root not in p.parents]
    assert outside == []


# ====================================================================== Open311 POST


@pytest.fixture
def open311_key(tree: Tree) -> str:
    return open311_key_create(name="Bad input").raw


def _open311_form(key: str, **changes: str) -> dict[str, str]:
    form = {"api_key": key, "service_code": "jalan", "lat": "0.51", "long": "117.65",
            "description": "Saluran air tersumbat dan meluap ke jalan setiap hujan.",
            "attribute[region_code]": "64.08.04"}
    form.update(changes)
    return form


OPEN311_BAD: list[tuple[str, dict[str, str]]] = [
    ("NUL in description", {"description": "Saluran air\x00 tersumbat dan meluap."}),
    ("description too long", {"description": "x" * 10_001}),
    ("lat NaN", {"lat": "NaN"}),
    ("lat inf", {"lat": "inf"}),
    ("lat -Infinity", {"lat": "-Infinity"}),
    ("lat 1e308", {"lat": "1e308"}),
    ("lat a word", {"lat": "utara"}),
    ("long 1e-400", {"long": "1e-400", "lat": "1e400"}),
    ("outside Indonesia", {"lat": "48.85", "long": "2.35"}),
    ("SQL as service code", {"service_code": SQL}),
    ("script as service code", {"service_code": SCRIPT}),
    ("path as region", {"attribute[region_code]": "../../etc/passwd"}),
    ("NUL in e-mail", {"email": "a\x00@example.org"}),
    ("script in e-mail", {"email": f"{SCRIPT}@example.org"}),
    ("media_url javascript:", {"media_url": "javascript:alert(1)"}),
    ("media_url file:", {"media_url": "file:///etc/passwd"}),
    ("unknown attribute", {"attribute[<script>]": "1"}),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("changes", [c[1] for c in OPEN311_BAD], ids=[c[0] for c in OPEN311_BAD])
def test_open311_post_refuses_bad_input(
    open311_key: str, nothing_stored: Callable[[], None], changes: dict[str, str], fmt: str,
) -> None:
    response = Client().post(f"/open311/v2/requests.{fmt}", _open311_form(open311_key, **changes))
    assert 400 <= response.status_code < 500, response.content
    _open311_error_shape(response, fmt)
    nothing_stored()


OPEN311_BAD_BODIES: list[tuple[str, bytes, str]] = [
    ("invalid UTF-8", b"service_code=jalan&lat=0.51&long=117.65&attribute%5Bregion_code%5D="
     b"64.08.04&description=Saluran+%FF%FE%FF%FE%FF%FE+tersumbat+dan+meluap+ke+jalan.",
     "application/x-www-form-urlencoded"),
    ("JSON body", json.dumps({"service_code": "jalan"}).encode(), "application/json"),
    ("XML body", b"<request><service_code>jalan</service_code></request>", "application/xml"),
    ("oversized", b"description=" + b"x" * 3_000_000, "application/x-www-form-urlencoded"),
]


@pytest.mark.parametrize(("raw", "content_type"), [
    pytest.param(*c[1:], id=c[0]) for c in OPEN311_BAD_BODIES])
def test_open311_post_refuses_bad_bodies(
    open311_key: str, nothing_stored: Callable[[], None], raw: bytes, content_type: str,
) -> None:
    response = Client().post(f"/open311/v2/requests.json?api_key={open311_key}", raw,
                             content_type=content_type)
    assert 400 <= response.status_code < 500, response.content[:300]
    _open311_error_shape(response, "json")
    nothing_stored()


def _open311_error_shape(response: Any, fmt: str) -> None:
    """GeoReport v2 errors: a list of ``{code, description}`` (JSON) or ``<errors>`` (XML)."""
    if fmt == "json":
        body = json.loads(response.content)
        assert isinstance(body, list)
        assert body
        assert all(set(e) == {"code", "description"} for e in body)
        assert body[0]["code"] == response.status_code
        assert response["Content-Type"].startswith("application/json")
    else:
        from xml.etree import ElementTree as ET  # noqa: PLC0415

        root = ET.fromstring(response.content)  # noqa: S314  (our own answer)
        assert root.tag == "errors"
        assert root.findtext("error/code") == str(response.status_code)
        assert b"<script>" not in response.content


# ====================================================================== hostile text is text

HOSTILE = [SCRIPT, SQL, "{{ settings.SECRET_KEY }} {% debug %}", "${jndi:ldap://x/a}",
           "Robert'); DELETE FROM reports_reportevent;--"]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_stored_as_typed_and_rendered_escaped(tree: Tree, text: str) -> None:
    """Script, SQL and template syntax in every text field of the submission: accepted as the
    complaint's text (it might be what the citizen saw), stored exactly, never executed, and
    escaped on the reporter's page."""
    body = {**VALID, "title": f"Lampu {text}"[:200], "body": f"Isi laporan: {text}",
            "address": f"Jl. {text}"[:300], "reporter_name": f"Nama {text}"[:120]}
    response = ApiClient().post("/reports", body)
    assert response.status_code == 201, response.content
    created = response.json()
    report = Report.objects.get(tracking_number=created["tracking_number"])
    assert report.title == body["title"]
    assert report.body == body["body"]
    assert report.address == body["address"]
    # The tables the SQL names are intact.
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM reports_reportevent")
        assert cursor.fetchone()[0] >= 1
    client = Client()
    response = client.post(f"/lacak/{report.tracking_number}/kode/",
                           {"access_code": created["access_code"]})
    assert response.status_code == 302
    page = client.get(f"/lacak/{report.tracking_number}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<script>alert" not in html
    assert "onerror=alert" not in html or "&lt;img" in html
    assert "SECRET_KEY" not in html or "{{ settings.SECRET_KEY }}" in html
    if "<" in text:
        assert "&lt;script&gt;" in html or "&lt;" in html
