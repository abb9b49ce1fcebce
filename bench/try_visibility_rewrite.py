"""Compare the staff inbox query of today with the visibility rewrite proposed in
docs/performance.md ("Where the time goes", 1): same rows, planning and execution time.

Read-only; the rewrite lives only in this file (the application is not changed).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lapor_bench \\
        .venv/bin/python bench/try_visibility_rewrite.py [--pages 150]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from explain_inbox import explain_sql, setup_django


def visible_rewritten(actor: Any) -> Any:
    """reports_visible_to() with ids instead of joined paths and a current-node arm first."""
    from django.db.models import Exists, OuterRef, Q  # noqa: PLC0415

    from lapor.orgs.actors import READER_ROLES, ActorKind  # noqa: PLC0415
    from lapor.orgs.models import NodeKind, OrgNode  # noqa: PLC0415
    from lapor.reports.models import Disposition, Report  # noqa: PLC0415

    qs = Report.objects.all()
    if actor.kind != ActorKind.STAFF:
        return qs.none()
    readers = [a for a in actor.assignments if a.role in READER_ROLES]
    if not readers:
        return qs.none()
    if any(a.node_kind == NodeKind.ROOT for a in readers):
        return qs
    condition = Q()
    for path in {a.node_path for a in readers}:
        ids = OrgNode.objects.filter(path__startswith=path).values("id")
        condition |= (
            Q(current_node_id__in=ids) | Q(tier_id__in=ids) | Q(agency_id__in=ids)
            | Exists(Disposition.objects.filter(report=OuterRef("pk"), node_id__in=ids))
        )
    return qs.filter(condition)


def measure(user: str, node_code: str, pages: int, repeat: int) -> None:
    from django.db import connection  # noqa: PLC0415

    from lapor.accounts.models import User  # noqa: PLC0415
    from lapor.orgs.actors import actor_for_user  # noqa: PLC0415
    from lapor.orgs.selectors import node_get  # noqa: PLC0415
    from lapor.reports import selectors  # noqa: PLC0415

    actor = actor_for_user(User.objects.get(username=user))
    node = node_get(node_code)
    filters = selectors.InboxFilters()
    today = selectors.reports_visible_to
    seen: dict[str, list[int]] = {}
    for label, scoper in (("today", today), ("rewrite", visible_rewritten)):
        selectors.reports_visible_to = scoper  # type: ignore[assignment]
        try:
            cursor = None
            for _ in range(pages):
                page = selectors.inbox(actor, node=node, filters=filters, cursor=cursor,
                                       limit=50)
                cursor = page.next_cursor
            captured: list[tuple[str, Any]] = []

            def capture(execute: Any, sql: str, params: Any, many: bool, ctx: Any) -> Any:
                if "reports_report" in sql and "ORDER BY" in sql:
                    captured.append((sql, params))  # noqa: B023 (used within this iteration)
                return execute(sql, params, many, ctx)

            with connection.execute_wrapper(capture):
                rows = selectors.inbox(actor, node=node, filters=filters, cursor=cursor,
                                       limit=50).items
        finally:
            selectors.reports_visible_to = today
        sql, params = captured[0]
        runs = [explain_sql(sql, params, repeat=1) for _ in range(repeat)]

        def ms(pattern: str, plans: list[str] = runs) -> float:
            return statistics.median(
                float(re.search(pattern + r": ([\d.]+) ms", p).group(1))  # type: ignore[union-attr]
                for p in plans)

        seen[label] = [r.pk for r in rows]
        same = "" if label == "today" else (
            "  same rows" if seen[label] == seen["today"] else "  DIFFERENT ROWS")
        print(f"{node_code:12s} page {pages + 1:>4}  {label:8s} planning "
              f"{ms('Planning Time'):6.2f} ms  execution {ms('Execution Time'):6.2f} ms  "
              f"({len(seen[label])} rows){same}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--pages", type=int, default=150, help="also compare after N pages")
    p.add_argument("--repeat", type=int, default=7, help="EXPLAIN runs per query (median)")
    args = p.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("set DATABASE_URL to the PostgreSQL benchmark database")
    setup_django()
    for user, node in (("kominfo", "kutim"), ("pupr", "kutim-pupr")):
        for pages in (0, args.pages):
            measure(user, node, pages, args.repeat)


if __name__ == "__main__":
    main()
