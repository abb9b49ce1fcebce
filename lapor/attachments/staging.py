"""Files chosen for a report that is not sent yet (the portal's "similar reports" step).

A browser cannot keep a chosen file when a page comes back from the server, so a reporter
who is shown similar reports before sending would lose their photo. The portal stages each
file here instead: checked and cleaned first (metadata such as GPS position is gone before
anything is kept), written through the attachments storage (so every application machine
sees it) under ``staged/<token>``, and attached by :func:`lapor.attachments.services.
attachment_add` when the report is sent. The token is random (192 bits) and the portal
accepts only tokens its own session staged; the original file name stays in that session,
never in the storage name. Staged files nobody sent are deleted after ``STAGED_MAX_AGE``
(every staging and the scheduler's hourly slot sweep the old ones); a file the reporter
unticks is deleted at once (:func:`staged_drop`). Another request may delete a file between
two storage calls (a double submit, a sweep): such a file counts as gone, never as an error.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.files.base import ContentFile

from lapor.attachments import content
from lapor.attachments.services import attachment_storage
from lapor.core import clock

STAGED_DIR = "staged"
STAGED_MAX_AGE = timedelta(hours=2)
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32}$")


@dataclass(frozen=True)
class StagedFile:
    token: str
    size: int
    content_type: str


def _path(token: str) -> str | None:
    return f"{STAGED_DIR}/{token}" if _TOKEN.fullmatch(token) else None


def staged_add(*, data: bytes) -> StagedFile:
    """Check and clean ``data`` (the same checks as an attachment: 413/415/422 refusals) and
    keep the cleaned copy under a new token."""
    cleaned = content.check_and_clean(data)
    staged_sweep()
    token = secrets.token_urlsafe(24)
    attachment_storage().save(f"{STAGED_DIR}/{token}", ContentFile(cleaned.data))
    return StagedFile(token=token, size=len(cleaned.data),
                      content_type=cleaned.type.content_type)


def staged_take(token: str) -> bytes | None:
    """The staged bytes, removed from staging; ``None`` if unknown or expired."""
    path = _path(token)
    storage = attachment_storage()
    if path is None:
        return None
    try:
        if not storage.exists(path):
            return None
        with storage.open(path, "rb") as handle:
            data: bytes = handle.read()
        storage.delete(path)
    except OSError:  # taken by a concurrent request (a double submit) or swept meanwhile
        return None
    return data


def staged_drop(tokens: list[str]) -> None:
    """Delete the staged files of ``tokens`` (unticked by the reporter) now."""
    storage = attachment_storage()
    for token in tokens:
        path = _path(token)
        if path is None:
            continue
        try:
            storage.delete(path)
        except OSError:
            continue


def staged_sweep() -> int:
    """Delete staged files older than ``STAGED_MAX_AGE``; returns how many."""
    storage = attachment_storage()
    try:
        _, names = storage.listdir(STAGED_DIR)
    except FileNotFoundError:
        return 0
    cutoff = clock.now() - STAGED_MAX_AGE
    removed = 0
    for name in names:
        path = _path(name)
        if path is None:
            continue
        try:
            if storage.get_modified_time(path) < cutoff:
                storage.delete(path)
                removed += 1
        except OSError:  # taken or swept by another request meanwhile
            continue
    return removed
