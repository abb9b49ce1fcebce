"""Querysets compiled to SQL once and run again with other values (issue #21).

Compiling a queryset (resolving the joins, the columns, the WHERE tree) costs a few hundred
microseconds of Python on every call; for a hot read such as the public tracking lookup it
is a large share of the request. :class:`Precompiled` builds the queryset once per database
connection (Django connections are per thread) with a marker in place of each argument,
keeps the SQL and its parameters, and later runs the same SQL with the arguments put where
the markers were. The rows go through the compiler's own converters, so they are exactly the
values the queryset itself gives (``values_list`` tuples).

Django has no prepared statements of its own, and psycopg's server-side preparation needs
server-side binding (which PgBouncer in transaction mode does not allow): this keeps the
Python part and leaves the plan to PostgreSQL.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet


class _Marker(str):
    """A parameter value that stands for argument ``index`` while compiling."""

    __slots__ = ("slot",)
    slot: int


def _marker(index: int) -> _Marker:
    marker = _Marker(f"\x00precompiled-argument-{index}\x00")
    marker.slot = index
    return marker


class Precompiled:
    """``build(*arguments)`` is a queryset of ``model`` whose arguments appear only as string
    parameters (filter values, not names or slices); :meth:`rows` runs it for new arguments
    without compiling again, on the database the routers choose for reading ``model`` (a
    replica for the requests that read there, lapor.core.dbrouting)."""

    def __init__(self, model: type[Model], build: Callable[..., QuerySet[Any]],
                 arity: int = 1) -> None:
        self.model = model
        self.build = build
        self.arity = arity
        # One compiled form per connection wrapper (per thread), dropped with it.
        self._compiled: weakref.WeakKeyDictionary[Any, tuple[Any, str, list[Any],
                                                             list[int | None]]]
        self._compiled = weakref.WeakKeyDictionary()

    def _compile(self, connection: Any) -> tuple[Any, str, list[Any], list[int | None]]:
        found = self._compiled.get(connection)
        if found is None:
            markers = [_marker(i) for i in range(self.arity)]
            compiler = self.build(*markers).query.get_compiler(connection=connection)
            sql, params = compiler.as_sql()
            slots = [p.slot if isinstance(p, _Marker) else None for p in params]
            if sorted(i for i in slots if i is not None) != list(range(self.arity)):
                raise ValueError("each argument must appear exactly once as a parameter")
            found = (compiler, sql, list(params), slots)
            self._compiled[connection] = found
        return found

    def rows(self, *arguments: Any) -> list[tuple[Any, ...]]:
        """The queryset's ``values_list`` rows for ``arguments``."""
        connection = connections[router.db_for_read(self.model)]
        compiler, sql, params, slots = self._compile(connection)
        values = [p if i is None else arguments[i] for p, i in zip(params, slots, strict=True)]
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            fetched = cursor.fetchall()
        return list(compiler.results_iter(results=[fetched], tuple_expected=True))
