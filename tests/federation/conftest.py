"""One national and one regional instance per test module (tests/federation/harness.py).

Only in the PostgreSQL pass: the national instance runs on a fresh PostgreSQL database of its
own (``lapor_fed_nat_<pid>``, dropped afterwards), the regional one on SQLite in its data
directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.federation.harness import Pair, federation_pair


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        pytest.skip("the national instance of the federation tests runs on PostgreSQL")
    root: Path = tmp_path_factory.mktemp("federation")
    with federation_pair(root, database=f"lapor_fed_nat_{os.getpid()}") as linked:
        yield linked
