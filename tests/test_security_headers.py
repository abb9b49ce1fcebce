"""Security headers on every response: CSP (Django's own), referrer, opener, framing, HSTS."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client, override_settings

from lapor.core.maps import tiles_origin


def _csp(response: object) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


def _assert_headers(response: object) -> None:
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert response["Referrer-Policy"] == "same-origin"  # type: ignore[index]
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"  # type: ignore[index]
    assert response["X-Content-Type-Options"] == "nosniff"  # type: ignore[index]
    assert response["X-Frame-Options"] == "DENY"  # type: ignore[index]


@pytest.mark.django_db
def test_api_response_carries_the_security_headers(client: Client) -> None:
    response = client.get("/api/v1/categories")
    assert response.status_code == 200
    _assert_headers(response)
    assert "Strict-Transport-Security" not in response  # plain HTTP: no HSTS


@pytest.mark.django_db
def test_error_response_carries_the_security_headers(client: Client) -> None:
    response = client.get("/api/v1/inbox?node=x")
    assert response.status_code == 401
    _assert_headers(response)


@pytest.mark.django_db
def test_healthz_carries_the_security_headers(client: Client) -> None:
    response = client.get("/healthz")
    assert response.status_code in (200, 503)  # 503 without a running worker
    _assert_headers(response)


@pytest.mark.django_db
def test_api_docs_work_under_the_strict_policy(client: Client) -> None:
    """Swagger UI is served from Ninja's own static files; its settings are a JSON data block
    (not executed), so the page needs no inline script and no exemption."""
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    _assert_headers(response)
    html = response.content.decode()
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert all('type="application/json"' in attrs for attrs in inline), inline
    assert "cdn." not in html


@pytest.mark.django_db
@override_settings(SECURE_HSTS_SECONDS=31_536_000,
                   SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_hsts_over_https(client: Client) -> None:
    response = client.get("/api/v1/categories", headers={"X-Forwarded-Proto": "https"})
    assert response["Strict-Transport-Security"] == "max-age=31536000"


def test_https_settings_mark_cookies_secure(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib  # noqa: PLC0415

    from lapor.config import settings as module  # noqa: PLC0415

    monkeypatch.setenv("LAPOR_HTTPS", "1")
    monkeypatch.setenv("LAPOR_SECRET_KEY", "x" * 50)
    try:
        fresh = importlib.reload(module)
        assert fresh.SESSION_COOKIE_SECURE
        assert fresh.CSRF_COOKIE_SECURE
        assert fresh.SESSION_COOKIE_HTTPONLY
        assert fresh.CSRF_COOKIE_HTTPONLY
        assert fresh.SESSION_COOKIE_SAMESITE == "Lax"
        assert fresh.SECURE_HSTS_SECONDS == 31_536_000
    finally:
        monkeypatch.delenv("LAPOR_HTTPS")
        importlib.reload(module)


def test_map_tiles_add_only_their_origin_to_img_src() -> None:
    """LAPOR_MAP_TILES_URL (the citizen app's map) widens img-src by the tiles' origin only;
    without it the policy stays 'self' data:."""
    assert tiles_origin("") is None
    assert tiles_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == \
        "https://tile.openstreetmap.org"
    assert tiles_origin("https://{s}.tiles.example.id:8443/{z}/{x}/{y}.png") == \
        "https://*.tiles.example.id:8443"
    assert tiles_origin("/peta/{z}/{x}/{y}.png") is None  # same origin: 'self' covers it
    assert tiles_origin("javascript:alert(1)") is None

    def img_src(tiles: str) -> list[str]:
        env = {**os.environ, "LAPOR_MAP_TILES_URL": tiles, "LAPOR_SECRET_KEY": "x" * 50}
        code = ("import json; from lapor.config import settings as s; "
                "print(json.dumps(s.SECURE_CSP['img-src']))")
        out = subprocess.run([sys.executable, "-c", code], env=env, check=True,  # noqa: S603
                             capture_output=True, text=True).stdout
        return json.loads(out.strip().splitlines()[-1])

    assert img_src("") == ["'self'", "data:"]
    assert img_src("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == \
        ["'self'", "data:", "https://tile.openstreetmap.org"]


def test_static_files_carry_the_policy_only_when_they_can_be_a_document() -> None:
    """WhiteNoise answers before the security and CSP middleware: a script or image goes with
    nosniff only (the other headers do nothing there), a style sheet adds the referrer policy
    (its url() requests), an SVG, which a browser can open as a page, gets the page's headers."""
    add = settings.WHITENOISE_ADD_HEADERS_FUNCTION
    headers: dict[str, str] = {}
    add(headers, "/x/lapor.js", "/static/lapor/js/lapor.js")
    assert headers == {"X-Content-Type-Options": "nosniff"}
    headers = {}
    add(headers, "/x/lapor.css", "/static/lapor/css/lapor.css")
    assert headers == {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
    headers = {}
    add(headers, "/x/f.svg", "/static/lapor/favicon.svg")
    assert "script-src 'self';" in headers["Content-Security-Policy"]
    assert "nonce" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    middleware = list(settings.MIDDLEWARE)
    whitenoise = middleware.index("whitenoise.middleware.WhiteNoiseMiddleware")
    assert whitenoise < middleware.index("django.middleware.csp.ContentSecurityPolicyMiddleware")
    assert whitenoise < middleware.index("django.middleware.security.SecurityMiddleware")
    assert not settings.WHITENOISE_ALLOW_ALL_ORIGINS


@pytest.mark.django_db
def test_pages_still_carry_every_header_after_static_files_moved_first(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    _assert_headers(response)
