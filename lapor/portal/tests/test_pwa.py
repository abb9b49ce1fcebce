"""The citizen app (issue 19): manifest, worker, icons, offline page, "Laporan di sekitar saya"."""

from __future__ import annotations

import json
import re
import struct
from decimal import Decimal

import pytest
from django.test import Client, override_settings

from lapor.portal import pwa
from lapor.reports import feed
from lapor.reports.models import Report
from tests.factories import Tree, drive

STRONG = "kopi-tubruk-sangatta-2026"

pytestmark = pytest.mark.django_db

# Sangatta Utara (64.08.04), where the factories' reports are.
SANGATTA = (0.5036, 117.5406)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_manifest_is_installable_in_both_languages(client: Client) -> None:
    response = client.get("/manifest.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["lang"] == "id"
    assert data["name"].startswith("LAPOR!")
    assert "Pengaduan" in data["name"]
    assert data["short_name"] == "LAPOR!"
    assert data["display"] == "standalone"
    assert data["start_url"] == "/?source=pwa"
    assert data["scope"] == "/"
    assert data["id"] == "/"
    assert data["theme_color"] == pwa.THEME_COLOR
    assert data["background_color"]
    english = json.loads(client.get("/manifest.json?lang=en").content)
    assert english["lang"] == "en"
    assert english["id"] == data["id"]
    assert english["description"] != data["description"]
    purposes = {(icon["sizes"], icon["purpose"]) for icon in data["icons"]}
    assert purposes == {("192x192", "any"), ("512x512", "any"),
                        ("192x192", "maskable"), ("512x512", "maskable")}
    for icon in data["icons"]:
        image = client.get(icon["src"])
        assert image.status_code == 200
        size = int(icon["sizes"].split("x")[0])
        assert _png_size(b"".join(image.streaming_content)) == (size, size)  # type: ignore[attr-defined]


@override_settings(LAPOR_APP_NAME="LAPOR! Kutim")
def test_manifest_name_comes_from_the_setting(client: Client) -> None:
    data = json.loads(client.get("/manifest.json").content)
    assert data["name"].startswith("LAPOR! Kutim · ")
    assert data["short_name"] == "LAPOR! Kutim"


def test_favicon_and_apple_touch_icon_at_the_root(client: Client) -> None:
    ico = client.get("/favicon.ico")
    assert ico.status_code == 200
    assert ico["Content-Type"] == "image/vnd.microsoft.icon"
    assert ico.content[:4] == b"\x00\x00\x01\x00"  # ICONDIR, type 1 (icon)
    assert struct.unpack("<H", ico.content[4:6])[0] == 3  # 16, 32 and 48 px
    apple = client.get("/apple-touch-icon.png")
    assert apple.status_code == 200
    assert _png_size(apple.content) == (180, 180)


def test_portal_pages_link_the_app(client: Client) -> None:
    html = client.get("/").content.decode()
    assert '<link rel="manifest" href="/manifest.json">' in html
    assert '<meta name="theme-color" content="#b3261e">' in html
    assert 'rel="apple-touch-icon" href="/apple-touch-icon.png"' in html
    assert re.search(r'<script src="/static/portal/pwa\.js" data-sw="/sw\.js" defer>', html)
    client.cookies["lapor_lang"] = "en"
    assert 'href="/manifest.json?lang=en"' in client.get("/lapor/").content.decode()


def test_service_worker_is_served_from_the_root(client: Client) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    text = response.content.decode()
    config = json.loads(re.search(r"var CONFIG = (\{.*\});", text).group(1))  # type: ignore[union-attr]
    assert config["pages"] == ["/", "/lapor/", "/luring/"]
    assert "/static/portal/vendor/leaflet/leaflet.js" in config["static"]
    assert "/static/portal/report-app.js" in config["static"]
    assert "/static/portal/vendor/exifr/exifr-mini.umd.js" in config["static"]
    for prefix in ("/api/", "/lacak/", "/petugas/", "/akun/"):
        assert prefix in config["never"]
    assert config["parts"] == ["/static/portal/app-queue.js", "/static/portal/sw-queue.js",
                              "/static/portal/sw-push.js"]
    assert f"version {config['version']}" in text
    for url in config["static"]:
        assert client.get(url).status_code == 200, url


@override_settings(LAPOR_APP_NAME="LAPOR! Kutim")
def test_the_worker_names_the_app_and_waits_a_short_while_for_a_shell_page(
    client: Client,
) -> None:
    """A notification without a title says the site's name (sw-push.js, not a fixed
    "LAPOR!"); a shell page on a weak signal opens from its kept copy after 3.5 s."""
    text = client.get("/sw.js").content.decode()
    config = json.loads(re.search(r"var CONFIG = (\{.*\});", text).group(1))  # type: ignore[union-attr]
    assert config["appName"] == "LAPOR! Kutim"
    assert config["shellWait"] == 3500
    assert "name: CONFIG.appName" in text
    assert "CONFIG.shellWait" in text


def test_the_form_page_tells_the_app_whether_the_citizen_is_signed_in(
    client: Client, tree: Tree,
) -> None:
    """Signed in, report-app.js leaves the server form alone (the API would file the report
    without the account)."""
    def flag() -> bool:
        html = client.get("/lapor/").content.decode()
        block = re.search(r'<script id="app-config" type="application/json">(.*?)</script>', html)
        assert block is not None
        return bool(json.loads(block.group(1))["signed_in"])

    assert flag() is False
    client.force_login(tree.users["citizen"])
    assert flag() is True


def test_worker_text_changes_with_its_parts(client: Client, monkeypatch: pytest.MonkeyPatch,
                                            ) -> None:
    before = client.get("/sw.js").content.decode()
    monkeypatch.setattr(pwa, "SW_PARTS", ["portal/pwa.js"])
    after = client.get("/sw.js").content.decode()
    assert after != before
    assert 'importScripts.apply(self, CONFIG.parts)' in after
    assert '"parts": ["/static/portal/pwa.js"]' in after
    monkeypatch.setattr(pwa, "SHELL_STATIC", [*pwa.SHELL_STATIC[:-1]])
    assert client.get("/sw.js").content.decode() != after


def test_offline_page_says_reports_wait_for_the_signal(client: Client) -> None:
    response = client.get("/luring/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tidak ada koneksi" in html
    assert "terkirim sendiri begitu sinyal kembali" in html
    assert 'href="/lapor/"' in html


def test_shell_pages_are_marked_for_the_worker_only_when_nothing_is_personal(
    client: Client, tree: Tree,
) -> None:
    for path in ("/", "/lapor/", "/luring/"):
        assert client.get(path)[pwa.SHELL_HEADER] == "1"
    # Never the pages with a report or an account, whatever the worker is told.
    assert pwa.SHELL_HEADER not in client.get("/lacak/")
    assert pwa.SHELL_HEADER not in client.get("/laporan/")
    # A signed-in citizen's pages carry the account's menu: never kept.
    signed_up = client.post("/akun/daftar/", {
        "display_name": "Budi Santoso", "identifier": "0812-3456-7891",
        "password": STRONG, "password_again": STRONG}, follow=True)
    assert pwa.SHELL_HEADER not in signed_up  # the welcome message
    for path in ("/", "/lapor/", "/luring/"):
        response = client.get(path)
        assert 'action="/akun/keluar/"' in response.content.decode()
        assert pwa.SHELL_HEADER not in response


def test_an_unchanged_shell_page_is_a_304_for_the_worker(client: Client, tree: Tree) -> None:
    """The worker revalidates its kept copy with the page's ETag: the same page (only the CSRF
    token's mask and the CSP nonce differ between answers) is a 304 without the page and
    without a policy; a changed page, or another browser's CSRF cookie, is the whole page."""
    for path in ("/", "/lapor/", "/luring/"):
        first = client.get(path, headers={"Accept-Encoding": "gzip"})
        second = client.get(path)
        etag = first["ETag"]
        assert etag.startswith('W/"')  # compressed: weak, compared weakly
        assert second["ETag"] == etag.removeprefix("W/")
        again = client.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304, path
        assert again.content == b""
        assert "Content-Security-Policy" not in again
    etag = client.get("/")["ETag"]
    drive(tree, "disposed")  # a new public report: the home page's list and figures change
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 200
    # A copy made with another CSRF secret (the worker's install, without cookies) is never
    # confirmed: its token would not match this browser's cookie.
    other = Client().get("/")["ETag"]
    assert client.get("/", headers={"If-None-Match": other}).status_code == 200


def test_a_signed_in_citizen_never_gets_the_kept_copy_confirmed(client: Client) -> None:
    etag = client.get("/")["ETag"]
    client.post("/akun/daftar/", {
        "display_name": "Budi Santoso", "identifier": "0812-3456-7891",
        "password": STRONG, "password_again": STRONG}, follow=True)
    response = client.get("/", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "ETag" not in response


def test_the_worker_revalidates_shell_pages_with_the_kept_etag(client: Client) -> None:
    text = client.get("/sw.js").content.decode()
    assert 'headers.set("If-None-Match", etag)' in text
    assert "response.status === 304" in text


def test_csp_allows_the_worker_and_the_manifest(client: Client) -> None:
    header = client.get("/")["Content-Security-Policy"]
    policy = {part.split()[0]: part.split()[1:] for part in header.split("; ")}
    assert policy["worker-src"] == ["'self'"]
    assert policy["manifest-src"] == ["'self'"]


def test_home_puts_the_report_button_first_and_leaves_room_for_device_reports(
    client: Client,
) -> None:
    html = client.get("/").content.decode()
    main = html[html.index('<main'):]
    assert main.index('href="/lapor/"') < main.index("<h1")
    assert '<section id="device-reports" hidden></section>' in html
    assert 'id="nearby"' in html
    assert "Laporan di sekitar saya" in html
    assert 'data-api="/api/v1/reports/nearby"' in html


# --------------------------------------------------------------- reports near me


def _place(report: Report, lat: float, lon: float) -> Report:
    Report.objects.filter(pk=report.pk).update(latitude=Decimal(f"{lat:.6f}"),
                                               longitude=Decimal(f"{lon:.6f}"))
    return report


def test_nearby_lists_public_reports_only_nearest_first(client: Client, tree: Tree) -> None:
    lat, lon = SANGATTA
    near = _place(drive(tree, "in_progress", title="Lampu jalan mati dekat masjid"),
                  lat + 0.001, lon)
    farther = _place(drive(tree, "responded", title="Drainase tersumbat di pasar"),
                     lat + 0.02, lon)
    secret = _place(drive(tree, "in_progress", title="Pungli di kantor desa",
                          is_confidential=True), lat, lon)
    _place(drive(tree, "archived", title="Spam yang diarsipkan"), lat, lon)
    _place(drive(tree, "disposed", title="Jauh sekali di Bengalon"), lat + 0.3, lon)
    response = client.get(f"/api/v1/reports/nearby?lat={lat}&lon={lon}&radius_km=3")
    assert response.status_code == 200
    data = response.json()
    assert data["radius_km"] == 3
    numbers = [item["tracking_number"] for item in data["items"]]
    assert numbers == [near.tracking_number, farther.tracking_number]
    assert secret.tracking_number not in numbers
    first = data["items"][0]
    assert first["region"] == {"code": "64.08.04", "name": "Sangatta Utara"}
    assert first["status_label"]
    assert not {"latitude", "longitude"} & set(first)
    assert first["distance_m"] % 100 == 0
    # 0.02° north of here is 0.5236, snapped to 0.52: 0.0164° ≈ 1.8 km.
    assert data["items"][1]["distance_m"] == 1800


def test_nearby_never_reveals_more_than_the_grid(tree: Tree) -> None:
    """Two reports in one grid cell answer the same distance from anywhere, however small the
    radius: trilateration finds the cell, not the point."""
    lat, lon = 0.5000, 117.5400  # a grid point
    a = _place(drive(tree, "in_progress"), lat + 0.0001, lon - 0.0004)
    b = _place(drive(tree, "in_progress"), lat - 0.0045, lon + 0.0045)
    for here in ((lat + 0.013, lon - 0.007), (lat - 0.004, lon + 0.002), (lat, lon)):
        found = {n.report.pk: n.distance_m for n in feed.public_nearby(
            latitude=here[0], longitude=here[1], radius_km=5)}
        assert found[a.pk] == found[b.pk]
    assert feed.public_nearby(latitude=lat, longitude=lon, radius_km=1)[0].distance_m == 0


def test_nearby_clamps_the_radius_and_validates(client: Client) -> None:
    assert client.get("/api/v1/reports/nearby?lat=0.5&lon=117.5&radius_km=40").json()[
        "radius_km"] == 10
    assert client.get("/api/v1/reports/nearby?lat=0.5&lon=117.5&radius_km=0.2").json()[
        "radius_km"] == 1
    assert client.get("/api/v1/reports/nearby?lat=95&lon=117.5").status_code == 422
    assert client.get("/api/v1/reports/nearby?lon=117.5").status_code == 422


def test_nearby_is_in_the_openapi_schema(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/reports/nearby"]["get"]
    assert "snapped" in operation["description"]
    assert {p["name"] for p in operation["parameters"]} == {"lat", "lon", "radius_km"}
