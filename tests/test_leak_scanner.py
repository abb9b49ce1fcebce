"""Leak scanner (issue #3): a reporter's identity never reaches agency-side roles, a confidential
report never reaches the public, and neither reaches the logs or a plaintext database column.

An anonymous report is submitted by a reporter with a distinctive name, NIK, phone and e-mail,
driven through disposition and follow-ups, and every staff user of the test tree walks every
API endpoint their role can reach for it. Then a confidential report is walked through every
public endpoint.
"""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from PIL import Image

from lapor.notifications.dispatcher import dispatch
from lapor.notifications.models import Notification
from lapor.orgs.models import RoleAssignment
from lapor.reports.models import Report
from lapor.reports.states import Status
from lapor.stats.maintenance import stats_refresh
from tests.api_client import ApiClient, current_totp, login
from tests.factories import PASSWORD, Tree

NAME = "Wiryawan Kusumadewangga"
NIK = "6408041203850001"
PHONE = "+62 812-9876-5432"
EMAIL = "wiryawan.kd@example.org"
IDENTITY_STRINGS = (
    NAME, "Wiryawan", "Kusumadewangga", NIK, "640804 120385 0001",
    PHONE, "+6281298765432", "6281298765432", "081298765432", "81298765432", "812-9876-5432",
    EMAIL, "wiryawan.kd",
)
# Content of the confidential report that the public must never see.
CONFIDENTIAL_TITLE = "Pungutan liar di loket Samsat Sangatta"
CONFIDENTIAL_BODY = "Petugas loket Zulkarnaen-Rahasia meminta uang tambahan tanpa kuitansi resmi."
CONFIDENTIAL_STRINGS = (CONFIDENTIAL_TITLE, "Zulkarnaen-Rahasia", "kuitansi", "Samsat",
                        "Tolong periksa loket")


def _submission(**overrides: Any) -> dict[str, Any]:
    return {
        "type": "complaint",
        "title": "Jalan berlubang di depan pasar",
        "body": "Jalan di depan Pasar Induk Sangatta berlubang besar dan membahayakan.",
        "region_code": "64.08.04",
        "category_code": "jalan",
        "target_agency_code": "kutim",
        "reporter_name": NAME,
        "reporter_nik": NIK,
        "reporter_phone": PHONE,
        "reporter_email": EMAIL,
        **overrides,
    }


class Scanner:
    """Collects every response body and fails on the first forbidden string."""

    def __init__(self, forbidden: tuple[str, ...]) -> None:
        self.forbidden = forbidden
        self.checked = 0

    def check(self, where: str, response: Any) -> Any:
        raw = (b"".join(response.streaming_content) if response.streaming
               else response.content)
        text = raw.decode()
        for secret in self.forbidden:
            assert secret not in text, f"{secret!r} leaked in {where} ({response.status_code})"
        self.checked += 1
        return response


def _submit(body: dict[str, Any]) -> tuple[str, str, int]:
    response = ApiClient().post("/reports", body)
    assert response.status_code == 201, response.content
    data = response.json()
    report_id = Report.objects.get(tracking_number=data["tracking_number"]).pk
    return data["tracking_number"], data["access_code"], report_id


# The column types holding text: char/varchar/text, and JSON (event payloads, outbox rows, task
# arguments), whose strings are plain text too.
_PG_TEXT_TYPES = ("text", "character varying", "character", "json", "jsonb")
_SQLITE_TEXT_AFFINITY = ("CHAR", "CLOB", "TEXT", "JSON")


def _text_columns(cursor: Any) -> dict[str, list[str]]:
    """``{table: [text columns]}`` from the database's own catalogue (so a table added
    tomorrow, Django's and the task queue's included, is read too)."""
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
            "AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE' "
            "WHERE c.table_schema = current_schema() AND c.data_type = ANY(%s) "
            "ORDER BY c.table_name, c.ordinal_position", [list(_PG_TEXT_TYPES)])
        found: dict[str, list[str]] = {}
        for table, column in cursor.fetchall():
            found.setdefault(table, []).append(column)
        return found
    found = {}
    for table in connection.introspection.table_names(cursor):
        cursor.execute(f"PRAGMA table_info({connection.ops.quote_name(table)})")
        names = [row[1] for row in cursor.fetchall()
                 if any(kind in str(row[2]).upper() for kind in _SQLITE_TEXT_AFFINITY)]
        if names:
            found[table] = names
    return found


def plaintext_columns() -> dict[str, list[str]]:
    """Every text, varchar and JSON column of every table, as ``{"table.column": [values]}``,
    read with plain SQL as someone holding a dump of the database would read it."""
    columns: dict[str, list[str]] = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table, names in _text_columns(cursor).items():
            # Names from the database's own catalogue, quoted.
            selected = ", ".join(quote(n) for n in names)
            cursor.execute(f"SELECT {selected} FROM {quote(table)}")  # noqa: S608
            rows = cursor.fetchall()
            for index, name in enumerate(names):
                columns[f"{table}.{name}"] = [str(row[index]) for row in rows
                                              if row[index] is not None]
    return columns


def assert_no_identity_in_plaintext_columns(secrets: tuple[str, ...]) -> dict[str, list[str]]:
    columns = plaintext_columns()
    for where, values in columns.items():
        text = "\n".join(values).casefold()
        for secret in secrets:
            assert secret.casefold() not in text, f"{secret!r} stored in plain text in {where}"
    return columns


def _raw_database_text() -> str:
    """Every value of every table, as text (ciphertext included)."""
    chunks: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            chunks.extend(str(value) for row in cursor.fetchall() for value in row)
    return "\n".join(chunks)


# The file name an anonymous reporter's phone gave a photo of their identity card (issue 18).
NAMED_FILE = f"KTP_{NAME.replace(' ', '_')}_081298765432.png"


def _attach_named_file(number: str, code: str) -> None:
    image = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(image, "PNG")
    upload = ApiClient().client.post(
        f"/api/v1/track/{number}/attachments",
        {"file": SimpleUploadedFile(NAMED_FILE, image.getvalue(), content_type="image/png")},
        headers={"X-Access-Code": code})
    assert upload.status_code == 201, upload.content


def _drive_anonymous(tree: Tree, scan: Scanner, *, named_file: bool = False) -> tuple[
    str, str, int
]:
    """Submit the anonymous report and drive it through disposition, forwarding, follow-ups
    and notes (so timelines exist), ending in progress at Bina Marga after the reporter's
    unsatisfied reply. With ``named_file`` the reporter also attaches a photo whose file name
    names them and their phone (kept, encrypted, in the identity vault)."""
    number, code, report_id = _submit(_submission(is_anonymous=True))
    if named_file:
        _attach_named_file(number, code)
    hub, liaison = login("hub", PASSWORD), login("liaison_pupr", PASSWORD)
    steps: list[tuple[ApiClient, str, dict[str, Any]]] = [
        (hub, "privacy", {"confidential": True}),
        (hub, "notes", {"body": "Cek apakah pelapor pernah melapor sebelumnya."}),
        (hub, "dispose", {"node": tree.pupr.code, "note": "Mohon ditindaklanjuti."}),
        (liaison, "acknowledge", {}),
        (liaison, "follow-ups", {"body": "Tim sudah meninjau lokasi.", "public": True}),
        (login("officer_pupr", PASSWORD), "notes", {"body": "Foto lokasi sudah diambil."}),
        (liaison, "forward", {"node": tree.bina_marga.code, "note": "Untuk Bina Marga."}),
        (login("liaison_binamarga", PASSWORD), "follow-ups",
         {"body": "Lubang sudah ditambal.", "final": True, "public": False}),
    ]
    for client, action, body in steps:
        response = scan.check(action, client.post(f"/reports/{report_id}/{action}", body))
        assert response.status_code == 200, (action, response.content)
    # The reporter talks to the officers through the platform without revealing themselves.
    reporter = ApiClient()
    scan.check("reporter reply", reporter.post(
        f"/track/{number}/reply", {"accept": False, "body": "Belum selesai, masih berlubang."},
        headers={"X-Access-Code": code}))
    assert Report.objects.get(pk=report_id).status == Status.IN_PROGRESS
    return number, code, report_id


def test_anonymous_identity_never_reaches_staff(
    tree: Tree, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    scan = Scanner(IDENTITY_STRINGS)
    _, _, report_id = _drive_anonymous(tree, scan, named_file=True)

    # Every staff user walks every endpoint their role reaches for this report.
    for username, user in tree.users.items():
        client = login(username, PASSWORD)
        scan.check(f"{username} /auth/me", client.get("/auth/me"))
        detail = scan.check(f"{username} detail", client.get(f"/reports/{report_id}"))
        if detail.status_code == 200:
            assert detail.json()["reporter"] is None
        scan.check(f"{username} routing",
                   client.get(f"/reports/{report_id}/routing-suggestion"))
        scan.check(f"{username} reveal", client.post(
            f"/reports/{report_id}/reveal-identity",
            {"reason": "Hanya mencoba apakah identitas bisa dibuka."}))
        nodes = RoleAssignment.objects.filter(user=user).select_related("node")
        for assignment in nodes:
            for params in ({"node": assignment.node.code},
                           {"node": assignment.node.code, "include_subtree": "true"},
                           {"node": assignment.node.code, "include_subtree": "true",
                            "status": list(Status.values)}):
                scan.check(f"{username} inbox {params}", client.get("/inbox", params))
    assert scan.checked > 60

    for secret in IDENTITY_STRINGS:
        assert secret not in caplog.text, f"{secret!r} in the logs"
    database = _raw_database_text()
    for secret in IDENTITY_STRINGS:
        assert secret not in database, f"{secret!r} stored in plaintext"
    assert_no_identity_in_plaintext_columns(IDENTITY_STRINGS)


def test_plaintext_columns_hold_no_identity_of_an_anonymous_reporter(tree: Tree) -> None:
    """Issue 18 (addendum): every text/varchar/JSON column of every table, read as a database
    dump would be, holds none of the anonymous reporter's identity markers, their photo's file
    name (``KTP_<name>_<phone>.png``) included, after the whole loop and the notifications."""
    scan = Scanner(IDENTITY_STRINGS)
    _, _, report_id = _drive_anonymous(tree, scan, named_file=True)
    assert dispatch(worker="leak-scan").sent > 0
    columns = assert_no_identity_in_plaintext_columns(
        (*IDENTITY_STRINGS, NAMED_FILE, "KTP_Wiryawan"))
    # The scanner really read the tables that hold the report and its file ...
    assert "attachments_attachment.original_name_encrypted" in columns
    assert len(columns["attachments_attachment.original_name_encrypted"]) == 1
    assert "reports_reportercontact.name" in columns
    assert columns["notifications_notification.body"]  # the delivered notices
    # ... and would have caught plain text: the report's own (public) title is there.
    title = Report.objects.get(pk=report_id).title
    assert title in columns["reports_report.title"]


def test_confidential_report_never_reaches_the_public(
    tree: Tree, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    number, _, report_id = _submit(_submission(
        is_confidential=True, title=CONFIDENTIAL_TITLE, body=CONFIDENTIAL_BODY))
    hub = login("hub", PASSWORD)
    assert hub.post(f"/reports/{report_id}/dispose",
                    {"node": tree.pupr.code, "note": "Tolong periksa loket."}).status_code == 200
    liaison = login("liaison_pupr", PASSWORD)
    assert liaison.post(f"/reports/{report_id}/follow-ups",
                        {"body": "Tolong periksa loket sudah dilakukan, petugas Samsat ditegur.",
                         "public": True}).status_code == 200

    scan = Scanner(IDENTITY_STRINGS + CONFIDENTIAL_STRINGS)
    public = ApiClient()
    spaced = f"{number[:4]} {number[4:8]} {number[8:]}"
    for form in (number, f"%23{number}", spaced, f"{number[:4]}-{number[4:8]}-{number[8:]}"):
        response = scan.check(f"track {form}", public.get(f"/track/{form}"))
        assert response.status_code == 200, (form, response.content)
        assert response.json()["tracking_number"] == number
    scan.check("full without code", public.get(f"/track/{number}/full"))
    assert scan.check("support", public.post(f"/track/{number}/support")).status_code == 404
    for path in ("/orgs", "/categories", "/regions", f"/orgs/{tree.kutim.code}",
                 f"/orgs/{tree.pupr.code}"):
        scan.check(path, public.get(path))
    # A citizen account is public as far as someone else's report goes.
    citizen = login("citizen", PASSWORD)
    scan.check("citizen track", citizen.get(f"/track/{number}"))
    scan.check("citizen my reports", citizen.get("/me/reports"))
    scan.check("citizen detail", citizen.get(f"/reports/{report_id}"))

    for secret in IDENTITY_STRINGS:
        assert secret not in caplog.text, f"{secret!r} in the logs"


# ---------------------------------------------------------------- staff pages (lapor.workspace)

WORKSPACE_AGENCIES = ("nasional", "kutim", "samarinda")


def _workspace_client(username: str, scan: Scanner) -> Client | None:
    """A browser-like session signed in through the staff sign-in form (password + TOTP)."""
    client = Client()
    response = scan.check(f"{username} sign-in", client.post("/petugas/masuk/", {
        "username": username, "password": PASSWORD, "otp": current_totp(username) or ""}))
    return client if response.status_code == 302 else None


def _walk_workspace(tree: Tree, scan: Scanner, report_ids: list[int]) -> dict[str, int]:
    """Every staff user fetches every workspace page their session reaches: the inbox of each
    node they hold (every tab, subtree, every status), the report pages, the admin pages."""
    statuses: dict[str, int] = {}
    stats_refresh()  # the dashboards' counters, as the worker keeps them
    for username, user in tree.users.items():
        client = _workspace_client(username, scan)
        if client is None:
            assert username == "citizen"
            continue
        pages = ["/petugas/", "/petugas/admin/", "/petugas/notifikasi/", "/petugas/dasbor/",
                 "/petugas/pelatihan/", "/petugas/laporan-langsung/",
                 "/petugas/cari/?q=Pungutan+liar+loket", "/petugas/cari/?q=Jalan+berlubang"]
        for assignment in RoleAssignment.objects.filter(user=user).select_related("node"):
            base = f"/petugas/?node={assignment.node.code}"
            dashboard = f"/petugas/dasbor/{assignment.node.code}/"
            pages += [dashboard, dashboard + "tabel.csv", dashboard + "laporan.csv"]
            pages += [base, base + "&subtree=on"]
            pages += [f"{base}&subtree=on&tab={tab}" for tab in ("today", "soon", "overdue")]
            pages += [f"{base}&subtree=on&status={s}" for s in Status.values]
        for report_id in report_ids:
            pages.append(f"/petugas/laporan/{report_id}/")
            statuses[f"{username} {report_id}"] = scan.check(
                f"{username} report {report_id}", client.get(f"/petugas/laporan/{report_id}/")
            ).status_code
            scan.check(f"{username} reveal", client.post(
                f"/petugas/laporan/{report_id}/reveal/",
                {"reason": "Hanya mencoba apakah identitas bisa dibuka."}))
            scan.check(f"{username} htmx inbox", client.get(
                "/petugas/", {"subtree": "on"},
                headers={"HX-Request": "true", "HX-Target": "inbox-results"}))
        for code in WORKSPACE_AGENCIES:
            pages += [f"/petugas/admin/{code}/sop/", f"/petugas/admin/{code}/pengguna/"]
        for page in pages:
            statuses[f"{username} {page}"] = scan.check(
                f"{username} {page}", client.get(page)).status_code
    return statuses


def test_anonymous_identity_never_reaches_workspace_pages(
    tree: Tree, caplog: pytest.LogCaptureFixture
) -> None:
    """The same planted identity, through the staff pages: never in any page's HTML (hidden
    inputs and attributes included), for any role, even the report's own handlers."""
    caplog.set_level(logging.DEBUG)
    scan = Scanner(IDENTITY_STRINGS)
    _, _, report_id = _drive_anonymous(tree, scan, named_file=True)
    # Deliver the outbox (in-app notices of every step) so the notification centre has content.
    assert dispatch(worker="leak-scan").sent > 0
    assert Notification.objects.filter(report_id=report_id).exists()
    statuses = _walk_workspace(tree, scan, [report_id])
    assert statuses["liaison_binamarga " + str(report_id)] == 200
    assert statuses["hub " + str(report_id)] == 200
    assert statuses["hub_samarinda " + str(report_id)] == 404
    # The pages added with search, statistics and walk-in entry were really read.
    for page in ("/petugas/dasbor/kutim/", "/petugas/dasbor/kutim/laporan.csv",
                 "/petugas/cari/?q=Jalan+berlubang", "/petugas/laporan-langsung/"):
        assert statuses[f"hub {page}"] == 200, page
    assert scan.checked > 150
    for secret in IDENTITY_STRINGS:
        assert secret not in caplog.text, f"{secret!r} in the logs"


def test_confidential_report_never_reaches_other_agencies_pages(tree: Tree) -> None:
    """A confidential report of Kutai Timur: its content never appears on any page of a staff
    member outside its chain (another agency, the system administrator)."""
    _, _, report_id = _submit(_submission(
        is_confidential=True, title=CONFIDENTIAL_TITLE, body=CONFIDENTIAL_BODY))
    login("hub", PASSWORD).post(f"/reports/{report_id}/dispose",
                                {"node": tree.pupr.code, "note": "Tolong periksa loket."})
    scan = Scanner(IDENTITY_STRINGS + CONFIDENTIAL_STRINGS)
    outsiders = Tree(**{**tree.__dict__, "users": {
        k: v for k, v in tree.users.items()
        if k in ("hub_samarinda", "liaison_samarinda", "sysadmin", "liaison_dinkes")}})
    statuses = _walk_workspace(outsiders, scan, [report_id])
    assert {statuses[f"{u} {report_id}"] for u in outsiders.users} == {404}
