"""Fixtures shared by every test directory (tests/ and each app's tests/)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from lapor.regions.loader import load_shipped_regions
from tests.factories import Tree, make_tree

# Browser tests drive a live server from the test thread (see STACK-NOTES.md).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def tree(db: None) -> Tree:
    """A small organisation tree with one user per role (see tests/factories.py)."""
    return make_tree()


@pytest.fixture
def regions(transactional_db: None) -> None:
    """The shipped regions, for transactional tests: they empty every table afterwards, the
    regions loaded by the data migration included, so each one loads them again."""
    load_shipped_regions()


@pytest.fixture(autouse=True)
def attachment_root(tmp_path: Path) -> Iterator[Path]:
    """Every test stores attachments in its own empty directory, never under var/."""
    root = tmp_path / "attachments"
    storages = {**settings.STORAGES, "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": root},
    }}
    with override_settings(STORAGES=storages, LAPOR_CLAMAV_SOCKET=None):
        yield root
