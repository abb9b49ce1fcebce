"""``python -m lapor.core.dbcheck URL``: exit 0 if that PostgreSQL server accepts a connection.

Used by ``make test`` to decide whether to run the PostgreSQL pass.
"""

from __future__ import annotations

import sys

import psycopg


def reachable(url: str) -> bool:
    # Connect to the maintenance database: the named one may not exist yet (tests create it).
    info = psycopg.conninfo.conninfo_to_dict(url.replace("postgres://", "postgresql://", 1))
    info["dbname"] = "postgres"
    try:
        psycopg.connect(**info, connect_timeout=3).close()  # type: ignore[arg-type]
    except psycopg.OperationalError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(0 if reachable(sys.argv[1]) else 1)
