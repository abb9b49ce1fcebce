"""Fault-injection tests (issue #11): run only by ``make test-faults`` (``LAPOR_FAULTS=1``),
sequentially, on PostgreSQL.

They restart the PostgreSQL cluster or kill processes, so the ordinary test run (``make test``,
parallel workers sharing the server) never collects them: without ``LAPOR_FAULTS=1`` this
directory is ignored. With it, every test here is marked ``faults`` and skipped unless the
database is PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.db import connection


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if os.environ.get("LAPOR_FAULTS") != "1":
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.faults)


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):
        pytest.fail("fault tests run sequentially: no -n")
    if connection.vendor != "postgresql":
        pytest.skip("fault injection needs PostgreSQL")
