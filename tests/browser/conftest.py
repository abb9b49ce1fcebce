"""Browser tests: Playwright for Python driving Debian's chromium against the live server.

Every page visited is watched for console errors (a Content-Security-Policy violation is one),
screenshots go to ``$LAPOR_TEST_ARTIFACTS`` (default ``var/test-artifacts``), and
:func:`axe_check` runs the shipped axe-core against the page.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.api_client import current_totp
from tests.factories import PASSWORD

ASSETS = Path(__file__).parent / "assets"
AXE_SOURCE = (ASSETS / "axe-4.14.1.min.js").read_text(encoding="utf-8")
ARTIFACTS = Path(os.environ.get(
    "LAPOR_TEST_ARTIFACTS", Path(__file__).resolve().parents[2] / "var" / "test-artifacts"))
CHROMIUM = os.environ.get("LAPOR_CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1280, "height": 900}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium` "
                    "(.ci/run and `make browser` do this) or set LAPOR_CHROMIUM")
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--headless", "--no-sandbox", "--disable-gpu"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    # A citizen on a phone in Kutai Timur: 360 px wide, Indonesian, WITA.
    return {**browser_context_args, "viewport": PHONE, "locale": "id-ID",
            "timezone_id": "Asia/Makassar"}


@pytest.fixture(autouse=True)
def _console_watch(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail a browser test whose pages logged an error (CSP violations, script errors)."""
    if "page" not in request.fixturenames:
        yield
        return
    page: Page = request.getfixturevalue("page")
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield
    # Chromium logs a refused download of a missing favicon or a 4xx answer the test asked for
    # as "Failed to load resource"; those are checked by the tests themselves.
    real = [p for p in problems if not re.search(r"Failed to load resource", p)]
    assert not real, f"browser console errors: {real}"


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot as a test artifact and return its path."""
    path = ARTIFACTS / "screenshots" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def axe_check(page: Page, *, context: str = "document") -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.1 A/AA rules) and fail on serious or critical violations.

    axe is evaluated through the DevTools protocol, so the page's CSP (no inline scripts)
    stays in force. Returns every violation found, minor ones included, for the caller to log.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        """async (context) => await axe.run(context === 'document' ? document : context,
            {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
             resultTypes: ['violations']})""",
        context,
    )
    violations: list[dict[str, Any]] = result["violations"]
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                    for n in v["nodes"][:5])
        for v in violations if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"axe-core violations on {page.url}:\n" + "\n".join(bad)
    return violations


def sign_in(page: Page, base: str, username: str, next_path: str = "") -> None:
    """Sign a demo officer in through the staff login (password and TOTP), then go on to
    ``next_path``."""
    page.goto(f"{base}/petugas/masuk/" + (f"?next={next_path}" if next_path else ""))
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_label("Kode verifikasi").fill(current_totp(username) or "")
    page.get_by_role("button", name="Masuk", exact=True).click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Masuk petugas")


@pytest.fixture
def plain_form(page: Page) -> Page:
    """The report form without the citizen app's script (report-app.js answered empty): the
    server-rendered form, as a browser without IndexedDB or fetch gets it. The no-JavaScript
    path is tested this way; tests/browser/test_report_app.py tests the app. Routed on the
    context so the service worker's own fetches (its precache) get the empty script too."""
    page.context.route(re.compile(r"/static/portal/report-app(\.[0-9a-f]+)?\.js$"),
               lambda route: route.fulfill(body="/* plain form */",
                                           content_type="application/javascript"))
    return page


def worker_ready(page: Page, *, register: bool = False, timeout_ms: int = 20_000) -> None:
    """Wait until the site's service worker is active for ``page`` (registering ``/sw.js``
    first when ``register``), failing after ``timeout_ms``: ``page.evaluate`` has no timeout
    of its own, and a worker that never registers would hang the run."""
    start = ("navigator.serviceWorker.register('/sw.js', {scope: '/'})"
             ".then(() => navigator.serviceWorker.ready)" if register
             else "navigator.serviceWorker.ready")
    ready = page.evaluate(f"""() => Promise.race([
        {start}.then(() => true),
        new Promise(resolve => setTimeout(() => resolve(false), {timeout_ms}))])""")
    assert ready, f"no active service worker after {timeout_ms} ms"
