"""EXPLAIN (ANALYZE, BUFFERS) of the staff inbox query, exactly as the application builds it.

Calls :func:`lapor.reports.selectors.inbox` for a user and node, captures the report query it
sends (``connection.execute_wrapper``) and runs it again under EXPLAIN. Read-only.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_bench \\
        .venv/bin/python bench/explain_inbox.py --user kominfo --node kutim [--pages 200]

``--pages N`` follows the cursor N pages first (the "deep page" of bench/run.py).
``--json`` prints ``{"sql": ..., "plan": ..., "execution_ms": ...}`` per query instead of text.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
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


def capture_inbox_sql(user: str, node_code: str, pages: int, limit: int) -> tuple[
    list[tuple[str, Any]], str | None
]:
    """The report queries ``selectors.inbox`` sends for page ``pages + 1``, and its cursor."""
    from django.db import connection  # noqa: PLC0415

    from lapor.accounts.models import User  # noqa: PLC0415
    from lapor.orgs.actors import actor_for_user  # noqa: PLC0415
    from lapor.orgs.selectors import node_get  # noqa: PLC0415
    from lapor.reports import selectors  # noqa: PLC0415

    actor = actor_for_user(User.objects.get(username=user))
    node = node_get(node_code)
    if node is None:
        sys.exit(f"unknown node {node_code}")
    filters = selectors.InboxFilters()
    cursor = None
    for _ in range(pages):
        page = selectors.inbox(actor, node=node, filters=filters, cursor=cursor, limit=limit)
        cursor = page.next_cursor
        if cursor is None:
            break
    captured: list[tuple[str, Any]] = []

    def capture(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if "reports_report" in sql and "ORDER BY" in sql:
            captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        selectors.inbox(actor, node=node, filters=filters, cursor=cursor, limit=limit)
    return captured, cursor


def explain_sql(sql: str, params: Any, repeat: int = 3) -> str:
    """EXPLAIN ANALYZE ``repeat`` times on one connection and keep the last plan: the first
    run pays for cold catalog caches that a long-lived server connection has already warmed."""
    from django.db import connection  # noqa: PLC0415

    plan = ""
    with connection.cursor() as cur:
        for _ in range(repeat):
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, SETTINGS) " + sql, params)
            plan = "\n".join(row[0] for row in cur.fetchall())
    return plan


def _ms(pattern: str, plan: str) -> float | None:
    found = re.search(pattern + r": ([\d.]+) ms", plan)
    return float(found.group(1)) if found else None


def explain(user: str, node_code: str, pages: int, limit: int) -> list[dict[str, Any]]:
    captured, cursor = capture_inbox_sql(user, node_code, pages, limit)
    out = []
    for sql, params in captured:
        plan = explain_sql(sql, params)
        out.append({"user": user, "node": node_code, "pages_skipped": pages,
                    "cursor": cursor, "sql": sql, "params": [str(p) for p in params],
                    "plan": plan, "planning_ms": _ms("Planning Time", plan),
                    "execution_ms": _ms("Execution Time", plan)})
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--user", default="kominfo")
    p.add_argument("--node", default="kutim")
    p.add_argument("--pages", type=int, default=0, help="follow the cursor this many pages")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    args = p.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("set DATABASE_URL to the PostgreSQL benchmark database")
    setup_django()
    results = explain(args.user, args.node, args.pages, args.limit)
    if args.json:
        print(json.dumps(results))
        return
    for r in results:
        print(f"-- {r['user']} @ {r['node']}, after {r['pages_skipped']} pages")
        print(r["sql"])
        print(r["params"])
        print(r["plan"])


if __name__ == "__main__":
    main()
