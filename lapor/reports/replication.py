"""Where the report tier meets federation (issue #22, docs/federation.md), without importing it.

A Lapor instance may share reports with another instance (a national instance and a regional
one that runs one agency's subtree). The report tier only needs three answers, which the
federation app (lapor.federation, a higher tier) gives by registering a :class:`Replicator`
at start-up; without one (no federation configured, or the app not installed) every answer is
"local": nothing is held elsewhere, nothing is journalled, access codes use the local key.

* :func:`held_elsewhere` — the **ownership rule**: a shared report is worked by one instance
  at a time, the one whose tree holds its ``current_node`` (the region while it is in the
  federated agency's subtree, the national instance otherwise). Every lifecycle service
  refuses to change a report held elsewhere with the 409 ``held_by_peer`` — the same answer
  a local race gets — so two instances never change the same report at once.
* :func:`report_changed` — called by :func:`lapor.reports.events.event_append` for every
  timeline entry, in the caller's transaction: the federation app journals the change for
  the other side when the report is (or now becomes) shared.
* :func:`access_code_keys` — the keys an access code's digest may be made with: the local one
  and, once federated, the key the instances share, so one access code works on both.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.db.models import Q

if TYPE_CHECKING:
    from lapor.reports.models import Report, ReportEvent


class Replicator(Protocol):
    def held_elsewhere(self, report: Report) -> bool: ...

    def report_changed(self, report: Report, event: ReportEvent) -> None: ...

    def held_elsewhere_q(self) -> Q | None: ...

    def shared_access_code_key(self) -> bytes | None: ...

    def filed_elsewhere(self, report: Report) -> bool: ...


_REPLICATOR: list[Replicator] = []


def register(replicator: Replicator) -> None:
    """Install ``replicator`` (once; lapor.federation's AppConfig.ready)."""
    _REPLICATOR[:] = [replicator]


def held_elsewhere(report: Report) -> bool:
    """Whether another instance holds ``report`` now (then only it may change it)."""
    return bool(_REPLICATOR) and _REPLICATOR[0].held_elsewhere(report)


def report_changed(report: Report, event: ReportEvent) -> None:
    if _REPLICATOR:
        _REPLICATOR[0].report_changed(report, event)


def held_elsewhere_q() -> Q | None:
    """A filter on ``Report`` matching the reports held by another instance, for the sweeps
    (deadline notices, auto-close, auto-archive) to exclude; None when there are none."""
    return _REPLICATOR[0].held_elsewhere_q() if _REPLICATOR else None


def shared_access_code_key() -> bytes | None:
    """The access-code key the federated instances share, or None (local key only)."""
    return _REPLICATOR[0].shared_access_code_key() if _REPLICATOR else None


def filed_elsewhere(report: Report) -> bool:
    """Whether ``report`` was filed on another instance (a shared report received from it):
    that instance has the reporter's channel and messages them; this one does not."""
    return bool(_REPLICATOR) and _REPLICATOR[0].filed_elsewhere(report)
