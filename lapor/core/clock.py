"""The one place the application asks for the current time.

Services call :func:`now`; tests and the demo generator move time with :func:`frozen`.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from datetime import datetime

from django.utils import timezone

_local = threading.local()


def now() -> datetime:
    """Current aware UTC datetime (or the frozen one inside :func:`frozen`)."""
    frozen_at: datetime | None = getattr(_local, "frozen_at", None)
    return frozen_at if frozen_at is not None else timezone.now()


@contextlib.contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Make :func:`now` return ``at`` in this thread until the block ends."""
    if timezone.is_naive(at):
        raise ValueError("clock.frozen needs an aware datetime")
    previous = getattr(_local, "frozen_at", None)
    _local.frozen_at = at
    try:
        yield
    finally:
        _local.frozen_at = previous
