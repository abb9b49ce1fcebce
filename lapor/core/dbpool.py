"""The check a PostgreSQL connection gets before a request uses it again (issue #21): the
pool's before handing one out, and Django's per-request health check of a persistent
connection (:mod:`lapor.core.postgresql`).

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


def server_sent_nothing(conn: Any) -> bool:
    """True when the open psycopg connection ``conn`` has received nothing since its last
    query (a system call, no round trip): then it is as usable as it was. False when it is
    closed, something came in (the server's last message before it closed the socket, or a
    notice), or the platform has no ``poll``: the caller runs the real check."""
    poll = getattr(select, "poll", None)
    if conn.closed or poll is None:
        return False
    poller = poll()
    poller.register(conn.fileno(), select.POLLIN | select.POLLERR | select.POLLHUP)
    return not poller.poll(0)


def check_idle_connection(conn: Any) -> None:
    """Raise if ``conn`` (a pooled psycopg connection) is no longer usable; no round trip
    unless the server has sent something since the connection was last used."""
    if not server_sent_nothing(conn):
        ConnectionPool.check_connection(conn)  # raises for a closed or dead connection
