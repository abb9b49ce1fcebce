"""Log lines with a request id: plain text for a terminal, one JSON object per line in production.

``LAPOR_LOG_FORMAT`` picks the formatter (settings call :func:`logging_config`). Every record gets
a ``request_id`` attribute from :data:`request_id_var` (set by
:class:`lapor.core.middleware.RequestIdMiddleware`; ``-`` outside a request). Imported by the
settings module: no Django models here.

No personal data in logs: log ids, codes, counts and class names, never names, addresses,
phone numbers, NIK, report text or raw paths with query strings (see docs/operations.md).
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

NO_REQUEST = "-"
request_id_var: ContextVar[str] = ContextVar("lapor_request_id", default=NO_REQUEST)

LOG_FORMATS = ("plain", "json")
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


class RequestIdFilter(logging.Filter):
    """Stamp every record with the current request id (never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return True


class JsonFormatter(_BaseJsonFormatter):
    """One JSON object per line: ``timestamp`` (ISO 8601, UTC), ``level``, ``logger``,
    ``message``, ``request_id``, plus any ``extra={...}`` fields and ``exc_info`` text."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("fmt", "{levelname}{name}{message}{request_id}")
        kwargs.setdefault("style", "{")
        kwargs.setdefault("rename_fields", {"levelname": "level", "name": "logger"})
        kwargs.setdefault("timestamp", True)
        super().__init__(*args, **kwargs)

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord,
                   message_dict: dict[str, Any]) -> None:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        super().add_fields(log_data, record, message_dict)


def logging_config(log_format: str, level: str) -> dict[str, Any]:
    """The ``LOGGING`` dict for ``log_format`` (``plain`` or ``json``) at root ``level``."""
    if log_format not in LOG_FORMATS:
        raise ImproperlyConfigured("LAPOR_LOG_FORMAT must be 'plain' or 'json'")
    library = "DEBUG" if level.upper() == "DEBUG" else "WARNING"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "lapor.core.logging.RequestIdFilter"}},
        "formatters": {
            "plain": {"format": PLAIN_FORMAT},
            "json": {"()": "lapor.core.logging.JsonFormatter"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format,
                                 "filters": ["request_id"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            # pikepdf announces its C++ logger bridge at INFO on import (every command), and
            # WeasyPrint logs each layout step of every PDF (the SOP documents, `lapor demo`).
            "pikepdf": {"level": library},
            "weasyprint.progress": {"level": library},
        },
    }
