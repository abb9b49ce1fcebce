"""``lapor check --database default``: whether PostgreSQL search has its RUM index (issue 21).

Without it search still works, ranked through the GIN index, but a broad query reads every
match and is refused past ``LAPOR_SEARCH_MAX_MATCHES`` (docs/search.md, "RUM").
"""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import connections

from lapor.search.backends import RUM_INDEX, forget_rum, rum_ready


@register(Tags.database)
def rum_index_check(app_configs: Any = None, databases: Any = None,
                    **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    for alias in databases or []:
        if connections[alias].vendor != "postgresql":
            continue
        forget_rum()
        if not rum_ready(alias):
            found.append(Warning(
                f"PostgreSQL database {alias!r} has no valid RUM index {RUM_INDEX}: search "
                "ranks every match through the GIN index and refuses broad queries.",
                hint="apt-get install postgresql-15-rum, then the CREATE EXTENSION and "
                     "CREATE INDEX CONCURRENTLY of docs/search.md ('RUM'), then restart.",
                id="search.W001"))
    return found
