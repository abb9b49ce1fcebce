"""EXPLAIN (ANALYZE, BUFFERS) of the search queries, exactly as the application builds them.

Calls :func:`lapor.search.selectors.search_public` and :func:`search_staff` (for each
``--user``) with each ``--query``, captures every statement they send
(``connection.execute_wrapper``) and runs the report statements again under EXPLAIN. Read-only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_bench \\
        .venv/bin/python bench/explain_search.py --user kominfo --user nasional \\
        --query "obat kosong" --query "sampah menumpuk" [--summary]

``--summary`` prints one line per statement (plan nodes, rows, shared buffers, ms) instead of
the whole plan.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lapor.config.settings")
    if not os.environ.get("LAPOR_SECRET_KEY"):
        os.environ["LAPOR_DEMO_MODE"] = "1"
    os.environ.setdefault("LAPOR_DATA_DIR", str(Path(tempfile.gettempdir()) / "lapor-bench-data"))
    sys.path.insert(0, str(REPO))
    import django  # noqa: PLC0415

    django.setup()


def capture(fn: Any) -> tuple[list[tuple[str, Any]], float, str]:
    from django.db import connection  # noqa: PLC0415

    from lapor.core.errors import ValidationFailed  # noqa: PLC0415

    captured: list[tuple[str, Any]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        captured.append((sql, params))
        return execute(sql, params, many, context)

    start = time.perf_counter()
    with connection.execute_wrapper(wrapper):
        try:
            page = fn()
            outcome = f"{len(page.items)} hits" + (", more" if page.next_cursor else "")
        except ValidationFailed as exc:
            outcome = exc.code
    return captured, (time.perf_counter() - start) * 1000, outcome


def _nodes(plan: dict[str, Any], depth: int = 0) -> list[str]:
    name = plan["Node Type"]
    if "Index Name" in plan:
        name += f"({plan['Index Name']})"
    out = [f"{'  ' * depth}{name} rows={plan.get('Actual Rows')}"
           f" loops={plan.get('Actual Loops')}"]
    for child in plan.get("Plans", []):
        out += _nodes(child, depth + 1)
    return out


def explain(sql: str, params: Any, summary: bool) -> None:
    from django.db import connection  # noqa: PLC0415

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
        (doc,) = cursor.fetchone()
        doc = doc if isinstance(doc, list) else json.loads(doc)
        plan = doc[0]["Plan"]
        buffers = plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0)
        print(f"    {doc[0]['Execution Time']:.1f} ms, planning {doc[0]['Planning Time']:.1f} ms,"
              f" {buffers} buffers")
        if summary:
            for line in _nodes(plan):
                print(f"      {line}")
        else:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            for (line,) in cursor.fetchall():
                print(f"      {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--user", action="append", default=[], help="staff user (repeatable)")
    parser.add_argument("--query", action="append", default=[], help="query (repeatable)")
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args()
    setup_django()
    from lapor.accounts.models import User  # noqa: PLC0415
    from lapor.orgs.actors import actor_for_user  # noqa: PLC0415
    from lapor.search import selectors  # noqa: PLC0415

    calls: list[tuple[str, Any]] = []
    for q in args.query or ["obat kosong", "sampah menumpuk"]:
        calls.append((f"public {q!r}", lambda q=q: selectors.search_public(
            q, selectors.SearchFilters())))
        for user in args.user or ["kominfo", "nasional"]:
            actor = actor_for_user(User.objects.get(username=user))
            calls.append((f"staff {user} {q!r}", lambda q=q, a=actor: selectors.search_staff(
                a, q, selectors.SearchFilters())))
    for label, fn in calls:
        capture(fn)  # warm
        captured, ms, outcome = capture(fn)
        print(f"== {label}: {ms:.1f} ms in Python, {outcome}, {len(captured)} statements")
        for sql, params in captured:
            if "reports_report" in sql and sql.lstrip(" (").upper().startswith("SELECT"):
                print(f"  -- {sql[:160]}…" if len(sql) > 160 else f"  -- {sql}")
                explain(sql, params, args.summary)


if __name__ == "__main__":
    main()
