"""The federation app's answers to the report tier (lapor.reports.replication).

* **Who holds a shared report** (:func:`held_elsewhere`): the instance whose tree holds its
  ``current_node``. On the national instance (``peer`` links) a shared report is held by the
  region while its ``current_node`` is inside the link's agency subtree; on a regional
  instance (the ``upstream`` link) it is held by the national instance while its
  ``current_node`` is *not* inside its own agency subtree (handed back "bukan wewenang",
  passed up to the root). Only shared reports (a :class:`MirroredReport` row) are ever held
  elsewhere.
* **Which reports are shared** (:func:`report_changed`, at every timeline entry): on a region,
  every non-training report filed after the link was made; on the national instance, a
  non-training report whose ``current_node`` enters a peer's agency subtree (from then on);
  on either side a report received from the other (lapor.federation.mirror). A shared
  report's every change is journalled for the other side, in the caller's transaction.
  Entries written while a received entry is applied (:func:`applying`) are not journalled
  back.

Cheap when there is no federation: whether any link exists is cached per process for
:data:`LINKS_TTL` seconds (and forgotten at once when a link is saved or deleted in this
process), so an instance without links pays no query at all.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.db.models.signals import post_delete, post_save

from lapor.core import clock
from lapor.federation import journal, keys
from lapor.federation.models import EntryKind, Link, LinkRole, MirroredReport, Origin
from lapor.reports import replication
from lapor.reports.models import ReporterContact

if TYPE_CHECKING:
    from lapor.orgs.models import OrgNode
    from lapor.reports.models import Report, ReportEvent

# A link made by another process (the ``lapor federation`` CLI) is seen within this time.
LINKS_TTL = 5.0
_any_link_cache: list[tuple[float, bool]] = []
_applying: ContextVar[bool] = ContextVar("lapor_federation_applying", default=False)


def _forget_links(**_: Any) -> None:
    _any_link_cache.clear()


def any_link() -> bool:
    """Whether this instance has an active link (cached per process, :data:`LINKS_TTL`)."""
    now = time.monotonic()
    if _any_link_cache and now - _any_link_cache[0][0] < LINKS_TTL:
        return _any_link_cache[0][1]
    found = Link.objects.filter(is_active=True).exists()
    _any_link_cache[:] = [(now, found)]
    return found


def active_links() -> list[Link]:
    if not any_link():
        return []
    return list(Link.objects.filter(is_active=True).select_related("agency"))


@contextmanager
def applying() -> Iterator[None]:
    """While a received entry is written (lapor.federation.mirror): nothing is journalled."""
    token = _applying.set(True)
    try:
        yield
    finally:
        _applying.reset(token)


def held_by_other(link: Link, node: OrgNode) -> bool:
    """The ownership rule for a report shared over ``link`` sitting at ``node``."""
    inside = link.agency.contains(node)
    return inside if link.role == LinkRole.PEER else not inside


def _mirror_row(report: Report) -> MirroredReport | None:
    return (MirroredReport.objects.filter(report_id=report.pk)
            .select_related("link__agency").first())


def held_elsewhere(report: Report) -> bool:
    if not any_link():
        return False
    row = _mirror_row(report)
    if row is None or not row.link.is_active:
        return False
    return held_by_other(row.link, report.current_node)


def held_elsewhere_q() -> Q | None:
    condition: Q | None = None
    for link in active_links():
        shared = Q(pk__in=MirroredReport.objects.filter(link=link).values("report_id"))
        inside = Q(current_node__path__startswith=link.agency.path)
        held = shared & (inside if link.role == LinkRole.PEER else ~inside)
        condition = held if condition is None else condition | held
    return condition


def _sharing_link(report: Report) -> Link | None:
    """The link a not-yet-shared ``report`` is now to be shared over, if any."""
    for link in active_links():
        if link.role == LinkRole.UPSTREAM:
            # Reports filed before the link are not shared (docs/federation.md).
            if report.submitted_at >= link.created_at:
                return link
        elif link.agency.contains(report.current_node):
            return link
    return None


def report_changed(report: Report, event: ReportEvent) -> None:
    if _applying.get() or report.is_training or not any_link():
        return
    row = _mirror_row(report)
    if row is None:
        link = _sharing_link(report)
        if link is None:
            return
        row = MirroredReport.objects.create(report=report, link=link, origin=Origin.HERE,
                                            created_at=clock.now())
    if not row.link.is_active:
        return
    if row.origin == Origin.PEER and report.is_anonymous:
        # Made anonymous here, on the instance it was not filed on: its copy of the
        # reporter's identity goes (as when the change arrives, lapor.federation.mirror).
        ReporterContact.objects.filter(report_id=report.pk).delete()
    journal.journal_append(link=row.link, report=report, kind=EntryKind.REPORT)


def filed_elsewhere(report: Report) -> bool:
    if not any_link():
        return False
    row = _mirror_row(report)
    return row is not None and row.link.is_active and row.origin == Origin.PEER


def shared_access_code_key() -> bytes | None:
    if not any_link():
        return None
    return keys.shared_access_code_key()


class FederationReplicator:
    """The :class:`lapor.reports.replication.Replicator` of this app."""

    def held_elsewhere(self, report: Report) -> bool:
        return held_elsewhere(report)

    def report_changed(self, report: Report, event: ReportEvent) -> None:
        report_changed(report, event)

    def held_elsewhere_q(self) -> Q | None:
        return held_elsewhere_q()

    def shared_access_code_key(self) -> bytes | None:
        return shared_access_code_key()

    def filed_elsewhere(self, report: Report) -> bool:
        return filed_elsewhere(report)


def connect() -> None:
    """Register the replicator (lapor.reports.replication); forget the cached "any link?"
    whenever a link is saved or deleted in this process."""
    replication.register(FederationReplicator())
    post_save.connect(_forget_links, sender=Link, dispatch_uid="federation_links_saved")
    post_delete.connect(_forget_links, sender=Link, dispatch_uid="federation_links_deleted")
