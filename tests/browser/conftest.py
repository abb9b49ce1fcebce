"""Browser tests: Playwright for Python driving Debian's chromium against the live server.

Every page visited is watched for console errors (a Content-Security-Policy violation is one),
screenshots go to ``$LAPOR_TEST_ARTIFACTS`` (default ``var/test-artifacts``), and
:func:`axe_check` runs the shipped axe-core against the page.
"""

from __future__ import annotations

import fcntl
import os
import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
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
    # A browser test checks what the browser makes of the pages (scripts, CSP, layout,
    # accessibility); the server's answers behind them are tested on both databases by the
    # HTTP tests. So `make test` runs the browser tests once, in the SQLite pass (`one_pass`).
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.one_pass)


type Restore = Callable[[str, Callable[[], None]], None]


@pytest.fixture(scope="session")
def _snapshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One directory for the whole run, shared by the xdist workers (each has its own base
    temporary directory under the run's)."""
    base = tmp_path_factory.getbasetemp()
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "db-snapshots"
    root.mkdir(exist_ok=True)
    return root


@pytest.fixture
def restored(_snapshot_dir: Path, transactional_db: None) -> Restore:
    """``restored(key, build)``: the data ``build()`` makes (the demo, say), built once per
    run and copied back before each later test that asks for the same key. Transactional
    tests empty every table afterwards, so without this every test built the same demo again
    (30 s and more each on this machine).

    On SQLite (the in-memory test database) the first test to ask builds, then saves a copy
    with SQLite's backup API to a file every xdist worker reads (a lock makes the others wait
    for it instead of building too); later tests get the copy back page for page: the same
    rows, ids and sequences as right after ``build()``, whatever the test before changed. On
    another database every test builds anew."""

    def restore(key: str, build: Callable[[], None]) -> None:
        if connection.vendor != "sqlite" or not connection.is_in_memory_db():
            build()
            return
        connection.ensure_connection()
        live = connection.connection
        assert live is not None
        path = _snapshot_dir / f"{key}.sqlite3"
        with (_snapshot_dir / f"{key}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not path.exists():
                build()
                part = path.with_suffix(".part")
                with closing(sqlite3.connect(part)) as copy:
                    live.backup(copy)
                part.rename(path)
                return
        with closing(sqlite3.connect(path)) as copy:
            copy.backup(live)
        # Cached content types were those the last flush re-created; the copy has its own.
        ContentType.objects.clear_cache()

    return restore


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
