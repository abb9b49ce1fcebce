"""Fixtures shared by every test directory (tests/ and each app's tests/)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from whitenoise.middleware import WhiteNoiseMiddleware

from lapor.core import clock
from lapor.regions.loader import load_shipped_regions
from lapor.regions.models import Region
from lapor.reports import presenters
from lapor.search import backends as search_backends
from tests.factories import Tree, make_tree

# Browser tests drive a live server from the test thread (see STACK-NOTES.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# Server processes started by tests (granian, `lapor worker`) read an env file before their
# settings (lapor.core.envfile): never the developer's `var/lapor.env` written by `make run`,
# but an empty one. Tests of the env file itself set their own.
_NO_ENV_FILE = Path(tempfile.gettempdir()) / "lapor-tests-empty.env"
_NO_ENV_FILE.touch(exist_ok=True)
os.environ["LAPOR_ENV_FILE"] = str(_NO_ENV_FILE)

# Django's test client loads the middleware afresh for every client, and WhiteNoise (serving
# from the finders in tests, lapor.config.settings_test) then stats and builds an entry for
# every static file: about 230 files, a tenth of a second per client, thousands of clients a
# run. The entries depend only on the settings below and the files, which no test changes:
# each process scans once per combination of those settings, and every later middleware gets
# the same entries the scan gave the first one (the same dictionary lookups serve them).
_FINDER_FILES: dict[str, dict[str, Any]] = {}
_scan_finders = WhiteNoiseMiddleware.add_files_from_finders


def _add_files_from_finders_once(self: WhiteNoiseMiddleware) -> None:
    # (Only the static files' storage: every test has its own attachment storage.)
    key = repr((self.static_prefix, settings.STORAGES.get("staticfiles"), sorted(
        (name, repr(getattr(settings, name))) for name in dir(settings)
        if name.startswith("WHITENOISE_") or name in {
            "DEBUG", "STATIC_URL", "STATIC_ROOT", "FORCE_SCRIPT_NAME", "STATICFILES_DIRS",
            "STATICFILES_FINDERS", "INSTALLED_APPS"})))
    files = _FINDER_FILES.get(key)
    if files is None:
        before = dict(self.files)
        _scan_finders(self)
        files = {url: entry for url, entry in self.files.items() if before.get(url) is not entry}
        _FINDER_FILES[key] = files
    self.files.update(files)


WhiteNoiseMiddleware.add_files_from_finders = _add_files_from_finders_once  # type: ignore[method-assign]


@pytest.fixture
def tree(db: None) -> Tree:
    """A small organisation tree with one user per role (see tests/factories.py)."""
    return make_tree()


@pytest.fixture
def rate_window() -> Iterator[None]:
    """Rate counters use fixed windows (a minute, an hour): a test that straddles a boundary
    counts in two windows and sees no limit. Run the test five seconds into an hour."""
    with clock.frozen(clock.now().replace(minute=0, second=5, microsecond=0)):
        yield


# The rows load_shipped_regions() gives an empty table, kept after its first such load.
_SHIPPED_REGIONS: list[tuple[Any, ...]] = []


@pytest.fixture
def regions(transactional_db: None) -> None:
    """The shipped regions, for transactional tests: they empty every table afterwards, the
    regions loaded by the data migration included, so each one loads them again.

    The loader builds 7,800 model instances each time (half a second and more); the rows it
    gives an empty table are always the same, so the later loads write the first load's rows
    again with plain multi-row INSERTs (same codes, names, levels, parents)."""
    if _SHIPPED_REGIONS and not Region.objects.exists():
        _insert_regions(_SHIPPED_REGIONS)
        return
    empty = not Region.objects.exists()
    load_shipped_regions()
    if empty:
        _SHIPPED_REGIONS.extend(Region.objects.order_by("level", "code").values_list(
            *(field.attname for field in Region._meta.concrete_fields)))


def _insert_regions(rows: list[tuple[Any, ...]]) -> None:
    columns = [connection.ops.quote_name(field.column) for field in Region._meta.concrete_fields]
    per = min(1000, (connection.features.max_query_params or 10_000) // len(columns))
    values = "(" + ", ".join(["%s"] * len(columns)) + ")"
    table = connection.ops.quote_name(Region._meta.db_table)
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(rows), per):  # parents (lower levels) first
            batch = rows[start:start + per]
            cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608
                           + ", ".join([values] * len(batch)),
                           [value for row in batch for value in row])


def _transactional(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(marker and marker.kwargs.get("transaction")) or any(
        name in fixtures for name in ("transactional_db", "live_server"))


@pytest.fixture(autouse=True)
def _regions_after_flush(request: pytest.FixtureRequest) -> None:
    """Every transactional test starts with the shipped regions (see ``regions``)."""
    if _transactional(request.node):
        request.getfixturevalue("regions")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # serialized_rollback cannot be mixed with plain transactional tests: a plain one's flush
    # re-creates content types, which the next serialized restore then inserts twice
    # (PostgreSQL) or restores with dangling foreign keys (SQLite). Reload data instead.
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("serialized_rollback"):
            raise pytest.UsageError(
                f"{item.nodeid}: use transaction=True without serialized_rollback "
                "(conftest.py reloads the shipped regions for transactional tests)")


@pytest.fixture(autouse=True)
def attachment_root(tmp_path: Path) -> Iterator[Path]:
    """Every test stores attachments (and SOP PDFs) in its own empty directory, never under
    var/."""
    root = tmp_path / "attachments"
    storages = {**settings.STORAGES, "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": root},
    }}
    # Approved SOP PDFs (lapor.sopdoc) and Renaksi evidence go to the test's own directory too.
    with override_settings(STORAGES=storages, LAPOR_CLAMAV_SOCKET=None,
                           SOP_STORAGE_ROOT=tmp_path / "sop",
                           RENAKSI_EVIDENCE_ROOT=tmp_path / "renaksi"):
        yield root


@pytest.fixture(autouse=True)
def _public_views_forgotten() -> None:
    """Each test starts without cached public views (lapor.reports.presenters) and without
    the search's cached word statistics (lapor.search.backends): test databases give the same
    ids to other reports and are re-analysed within minutes, which a real database never is."""
    presenters.public_views_clear()
    search_backends.word_stats_clear()
