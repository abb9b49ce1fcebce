"""Staged files (the portal's similar-reports step): taken at most once, swept without a
new staging, and never a 500 when another request removed a file first."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.sessions.models import Session

from lapor.attachments.staging import staged_add, staged_drop, staged_sweep, staged_take
from lapor.attachments.tests import files
from lapor.config.scheduler import tick
from lapor.core import clock

pytestmark = pytest.mark.django_db


def _storage(settings: Any, location: Path, backend: str) -> None:
    settings.STORAGES = {**settings.STORAGES, "attachments": {
        "BACKEND": backend, "OPTIONS": {"location": str(location)}}}


@pytest.fixture
def disk(settings: Any, tmp_path: Path) -> Path:
    _storage(settings, tmp_path, "django.core.files.storage.FileSystemStorage")
    return tmp_path


@pytest.fixture
def racing(settings: Any, tmp_path: Path) -> Path:
    _storage(settings, tmp_path, "lapor.attachments.tests.fakes.RacingStorage")
    return tmp_path


def _age(path: Path, hours: int) -> None:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))


def test_a_file_taken_by_another_request_meanwhile_is_gone_not_an_error(racing: Path) -> None:
    token = "A" * 32
    (racing / "staged").mkdir()
    (racing / "staged" / token).write_bytes(files.png())
    assert staged_take(token) is None  # the file vanished between exists and open
    (racing / "staged" / token).write_bytes(files.png())
    assert staged_sweep() == 0  # listed, then taken by someone else before its age was read


def test_the_scheduler_sweeps_old_staged_files_and_expired_sessions(disk: Path) -> None:
    old = staged_add(data=files.png())
    fresh = staged_add(data=files.png())
    _age(disk / "staged" / old.token, hours=3)
    expired = Session.objects.create(session_key="x" * 32, session_data="e30:",
                                     expire_date=clock.now() - timedelta(days=1))
    live = Session.objects.create(session_key="y" * 32, session_data="e30:",
                                  expire_date=clock.now() + timedelta(days=1))
    tick("worker-a")
    assert not (disk / "staged" / old.token).exists()
    assert (disk / "staged" / fresh.token).exists()
    assert not Session.objects.filter(pk=expired.pk).exists()
    assert Session.objects.filter(pk=live.pk).exists()


def test_dropping_a_token_deletes_its_file(disk: Path) -> None:
    kept, dropped = staged_add(data=files.png()), staged_add(data=files.png())
    staged_drop([dropped.token, "../not-a-token", "B" * 32])
    assert not (disk / "staged" / dropped.token).exists()
    assert (disk / "staged" / kept.token).exists()
