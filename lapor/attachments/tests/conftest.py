from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

# The shared organisation tree fixture (tests/conftest.py only covers tests/).
from tests.conftest import tree  # noqa: F401


@pytest.fixture(autouse=True)
def attachment_root(tmp_path: Path) -> Iterator[Path]:
    """Every test stores attachments in its own empty directory."""
    root = tmp_path / "attachments"
    storages = {**settings.STORAGES, "attachments": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": root},
    }}
    with override_settings(STORAGES=storages, LAPOR_CLAMAV_SOCKET=None):
        yield root


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []
