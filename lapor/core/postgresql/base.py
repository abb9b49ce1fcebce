"""Django's PostgreSQL backend, whose persistent connections are checked without a query.

With ``CONN_HEALTH_CHECKS`` Django checks a persistent connection at the first query of every
request by sending ``SELECT 1`` (``is_usable``): one round trip per request, a quarter of a
tracking lookup's time at 16 connections (docs/performance.md, "One round trip less, one
query less"). A connection the server has ended (a restart, ``pg_terminate_backend``, an idle
timeout) has received the server's last message and its socket reads as ready, so the check
looks at the socket first (:func:`lapor.core.dbpool.server_sent_nothing`, the pool's check)
and sends the query only when something came in. A connection cut without a word (a network
partition) is found by the request's own query, which fails and answers 503 as before; the
next request reconnects.
"""

from __future__ import annotations

from django.db.backends.postgresql import base

from lapor.core.dbpool import server_sent_nothing


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        if self.connection is not None and server_sent_nothing(self.connection):
            return True
        return bool(super().is_usable())
