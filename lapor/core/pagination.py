"""Keyset (cursor) pagination: pages cost the same at page 1 and page 1,000 (no OFFSET).

A cursor is an opaque URL-safe token holding the sort key of the last row of the previous page.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from lapor.core.errors import ValidationFailed


@dataclass(frozen=True)
class Page[T]:
    items: list[T]
    next_cursor: str | None


def encode_cursor(moment: datetime, pk: int) -> str:
    raw = json.dumps([moment.isoformat(), pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(token: str) -> tuple[datetime, int]:
    try:
        padded = token + "=" * (-len(token) % 4)
        moment_text, pk = json.loads(base64.urlsafe_b64decode(padded.encode()))
        moment = datetime.fromisoformat(moment_text)
        if moment.tzinfo is None or not isinstance(pk, int):
            raise ValueError("bad cursor")
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationFailed("invalid_cursor", field="cursor") from exc
    return moment, pk


def keyset_page(
    qs: QuerySet[Any], *, field: str, cursor: str | None, limit: int
) -> Page[Any]:
    """Newest first by ``(field, id)``; ``limit`` rows after ``cursor``."""
    if cursor:
        moment, pk = decode_cursor(cursor)
        # The plain `<=` bound lets the index range-scan from the cursor (an OR alone would make
        # PostgreSQL walk the index from the top and filter: page 1,000 would cost 1,000 pages).
        qs = qs.filter(**{f"{field}__lte": moment}).filter(
            Q(**{f"{field}__lt": moment}) | Q(pk__lt=pk)
        )
    rows = list(qs.order_by(f"-{field}", "-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor(getattr(rows[-1], field), rows[-1].pk) if more and rows else None
    return Page(items=rows, next_cursor=next_cursor)
