"""Merging a duplicate into the report it repeats (DOMAIN.md "Lifecycle", archive reason
"duplicate → merged into another").

One verifier action, one transaction: the duplicate is archived with reason ``duplicate``
(its reporter is told, through the ordinary archive event); its reporter starts following
the surviving report (its later public events reach them too, see
:mod:`lapor.notifications.report_events`); the duplicate's supports move to the survivor and
its reporter counts as one more supporter; the survivor gets an internal ``merge`` event.
Nothing is deleted: both timelines and every outbox row stay.
"""

from __future__ import annotations

from django.db import transaction

from lapor.core import clock
from lapor.core.errors import NotFound, ValidationFailed
from lapor.orgs.actors import Actor
from lapor.reports import permissions as perms
from lapor.reports import services
from lapor.reports.feed import supporter_key_for
from lapor.reports.models import Report, ReportFollow, Support, Visibility
from lapor.reports.states import ArchiveReason, EventKind, Status

MERGE_EVENT = EventKind.MERGE


def _lock_both(first: int, second: int) -> None:
    """Lock both rows in id order, so two verifiers merging A→B and B→A at once queue up
    instead of deadlocking."""
    list(Report.objects.select_for_update().filter(pk__in=(first, second)).order_by("pk")
         .values_list("pk", flat=True))


def _combine_supports(duplicate: Report, survivor: Report) -> int:
    """Move the duplicate's supports to the survivor (each supporter once) and add its
    reporter as a supporter; returns the survivor's new support count."""
    now = clock.now()
    held = set(Support.objects.filter(report=survivor).values_list("supporter_key", flat=True))
    who = (f"user:{duplicate.reporter_user_id}" if duplicate.reporter_user_id
           else f"report:{duplicate.pk}")
    keys = [*Support.objects.filter(report=duplicate).values_list("supporter_key", flat=True),
            supporter_key_for(who)]
    fresh = [Support(report=survivor, supporter_key=k, created_at=now)
             for k in dict.fromkeys(keys) if k not in held]
    Support.objects.bulk_create(fresh)
    return Support.objects.filter(report=survivor).count()


def _follow(duplicate: Report, survivor: Report) -> None:
    """The duplicate's reporter, and whoever followed the duplicate, follow the survivor.
    A confidential survivor is followed by nobody new: its content must not reach another
    citizen."""
    if survivor.is_confidential:
        return
    now = clock.now()
    followers = [duplicate.pk, *ReportFollow.objects.filter(report=duplicate)
                 .values_list("follower_id", flat=True)]
    for follower_id in dict.fromkeys(followers):
        if follower_id != survivor.pk:
            ReportFollow.objects.get_or_create(report=survivor, follower_id=follower_id,
                                               defaults={"created_at": now})


@transaction.atomic
def report_merge(*, actor: Actor, report_id: int, into: str, note: str = "",
                 expected_version: int | None = None) -> Report:
    """Merge report ``report_id`` (still waiting for verification) into the report with
    tracking number ``into``. Only a verifier of the duplicate's tier; the survivor must be a
    report they can read, not archived, not the duplicate, from the same world (training or
    not). Returns the survivor."""
    duplicate = perms.reports_visible_to(actor).filter(pk=report_id).first()
    if duplicate is None:
        raise NotFound("not_found")
    survivor = perms.reports_visible_to(actor).filter(tracking_number=into).first()
    if survivor is None:
        raise ValidationFailed("merge_invalid", field="into")
    _lock_both(duplicate.pk, survivor.pk)
    survivor = Report.objects.select_related("tier", "current_node", "agency").get(
        pk=survivor.pk)
    if (survivor.pk == duplicate.pk or survivor.status == Status.ARCHIVED
            or survivor.is_training != duplicate.is_training):
        raise ValidationFailed("merge_invalid", field="into")
    # The survivor changes too (supports, followers, an event): only on its holder.
    services._not_held_elsewhere(survivor)
    # Checks the verifier, the version and the move (submitted/on hold → archived), then
    # archives and tells the reporter.
    # No free-text note on the archive: the duplicate's reporter reads it, and the merge
    # note is staff-only (lapor.reports.visibility); it stays on the internal merge event.
    services.report_archive(actor=actor, report_id=duplicate.pk, reason=ArchiveReason.DUPLICATE,
                            duplicate_of=survivor.tracking_number,
                            expected_version=expected_version)
    duplicate.refresh_from_db()
    survivor.support_count = _combine_supports(duplicate, survivor)
    _follow(duplicate, survivor)
    grant = perms.verifier_for(actor, duplicate)
    services._save(survivor, ["support_count"])
    services._emit(
        report=survivor, kind=MERGE_EVENT, actor=actor, assignment=grant,
        visibility=Visibility.INTERNAL, body=note,
        payload={"merged": duplicate.tracking_number, "support_count": survivor.support_count},
    )
    return survivor
