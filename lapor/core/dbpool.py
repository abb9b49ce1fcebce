"""The check the PostgreSQL connection pool runs before handing out a connection (issue #21).

psycopg_pool's own check (``ConnectionPool.check_connection``, what Django uses with
``CONN_HEALTH_CHECKS``) sends an empty query: a round trip on every request, which is what the
pool is meant to save. An idle connection should receive nothing; when the server ends it (a
restart, ``pg_terminate_backend``, an idle timeout), PostgreSQL sends its last message and
closes the socket, which then reads as ready. So: look at the socket without waiting (a system
call, no round trip), and only if something came in run the real check, which fails for a dead
connection; the pool then drops it and hands out another or opens a new one. A connection cut
without the server saying so (a network partition) is found by the request's own query, as
before, which fails and answers 503.
"""

from __future__ import annotations

import select
from typing import Any

from psycopg_pool import ConnectionPool


def check_idle_connection(conn: Any) -> None:
    """Raise if ``conn`` (a pooled psycopg connection) is no longer usable; no round trip
    unless the server has sent something since the connection was last used."""
    if conn.closed:
        ConnectionPool.check_connection(conn)  # raises for a closed connection
        return
    poll = getattr(select, "poll", None)
    if poll is None:  # not on Linux: always the real check
        ConnectionPool.check_connection(conn)
        return
    poller = poll()
    poller.register(conn.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    if poller.poll(0):
        ConnectionPool.check_connection(conn)
