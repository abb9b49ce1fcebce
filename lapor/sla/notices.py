"""Deadline notices, issued by the periodic sweep (DOMAIN.md "Deadlines"):

* **reminder**: one working day before a deadline (when at most one working day is left:
  the working day before, or any day off before it), to whoever holds the report;
* **overdue**: once the deadline has passed, to the disposer and the unit's supervisor (for
  a report still waiting for verification: the tier's supervisors);
* **escalation level N**: after N × ``Sop.escalate_after_days`` working days overdue, to the
  N-th step of the agency's escalation chain (``EscalationStep``, else up the tree to the
  agency).

Each notice exists once per stored deadline: a :class:`DeadlineNotice` row, unique on
``(report, due_at, level)``, is written in the same transaction as its outbox rows, so two
sweeps at once (or twice in a slot) issue it once; a new deadline (reopened, returned) gets
its own notices.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef

from lapor.accounts.models import User
from lapor.core import clock
from lapor.notifications import recipients
from lapor.notifications.models import DeadlineNotice
from lapor.notifications.outbox import outbox_add, staff_messages, wake_dispatcher
from lapor.notifications.report_events import due_text, report_context
from lapor.orgs.models import Sop
from lapor.orgs.selectors import node_agency_or_root
from lapor.reports.models import Report
from lapor.reports.states import Status
from lapor.sla.calendar import WorkCalendar
from lapor.sla.deadlines import clock_for

logger = logging.getLogger(__name__)
OPEN = (Status.SUBMITTED, Status.DISPOSED, Status.IN_PROGRESS)
# Long enough to cover the longest run of days off before a deadline (Idul Fitri leave).
REMINDER_WINDOW = timedelta(days=14)
BATCH = 500


@dataclass(frozen=True)
class NoticeResult:
    reminders: int = 0
    overdue: int = 0
    escalations: int = 0


def deadline_kind(report: Report) -> str:
    if report.status == Status.SUBMITTED:
        return "verify"
    if report.first_followup_at is None and report.staff_due_at == report.followup_due_at:
        return "followup"
    return "resolution"


class _Calendars:
    """One SOP and calendar per agency per sweep."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._cache: dict[int, tuple[Sop, WorkCalendar]] = {}

    def get(self, report: Report) -> tuple[Sop, WorkCalendar]:
        owner = node_agency_or_root(report.current_node)
        if owner.pk not in self._cache:
            self._cache[owner.pk] = clock_for(owner, around=self.now)
        return self._cache[owner.pk]


def _issue(report: Report, level: str, event: str, users: list[User],
           extra: dict[str, object]) -> bool:
    due = report.staff_due_at
    assert due is not None  # noqa: S101  (callers select reports with a deadline)
    context = report_context(report)
    context.update(extra)
    context["deadline"] = due_text(report, due)
    cause = f"sla:r{report.pk}:{int(due.timestamp())}:{level}"
    try:
        with transaction.atomic():
            DeadlineNotice.objects.create(report=report, due_at=due,
                                          deadline_kind=deadline_kind(report), level=level,
                                          created_at=clock.now())
            outbox_add(staff_messages(
                cause=cause, event=event, users=_unique(users), report_id=report.pk,
                agency=node_agency_or_root(report.current_node), context=context,
            ), ignore_conflicts=True, wake=False)
    except IntegrityError:
        return False  # another sweep issued it
    return True


def _unique(users: list[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        seen.setdefault(user.pk, user)
    return list(seen.values())


def _notice_exists(level: str) -> Exists:
    return Exists(DeadlineNotice.objects.filter(report=OuterRef("pk"),
                                                due_at=OuterRef("staff_due_at"), level=level))


def _reminders(now: datetime, calendars: _Calendars, limit: int) -> int:
    issued = 0
    candidates = (Report.objects.filter(status__in=OPEN, staff_due_at__gt=now,
                                        staff_due_at__lte=now + REMINDER_WINDOW)
                  .exclude(_notice_exists("reminder"))
                  .select_related("current_node", "tier", "agency")
                  .order_by("staff_due_at", "id")[:limit])
    for report in candidates:
        _, calendar = calendars.get(report)
        assert report.staff_due_at is not None  # noqa: S101  (filtered above)
        if calendar.working_days_left(now, report.staff_due_at) > 1:
            continue
        issued += _issue(report, "reminder", "staff.reminder", recipients.holders(report), {})
    return issued


def _next_check(calendar: WorkCalendar, due: datetime, level: int, step: int,
                chain_length: int) -> datetime | None:
    """Local midnight of the day level ``level + 1`` falls due, or ``None`` past the chain."""
    if level >= chain_length:
        return None
    due_day = due.astimezone(calendar.tz).date()
    day = calendar.add_working_days(due_day, (level + 1) * step)
    return datetime.combine(day, time(0, 0), tzinfo=calendar.tz)


def _late_candidates(now: datetime, limit: int) -> list[Report]:
    """Late reports never noticed, then those whose next escalation is due: a report that
    has had every notice it can get is not read again (an indexed look-up per minute)."""
    base = (Report.objects.filter(status__in=OPEN, staff_due_at__lt=now)
            .select_related("current_node", "tier", "agency").order_by("staff_due_at", "id"))
    fresh = list(base.exclude(_notice_exists("overdue"))[:limit])
    due_again = Exists(DeadlineNotice.objects.filter(
        report=OuterRef("pk"), due_at=OuterRef("staff_due_at"), level="overdue",
        next_check_at__lte=now))
    return fresh + list(base.filter(due_again)[: max(0, limit - len(fresh))])


def _late(now: datetime, calendars: _Calendars, limit: int) -> tuple[int, int]:
    overdue = escalations = 0
    late = _late_candidates(now, limit)
    done = {(n.report_id, n.due_at, n.level)
            for n in DeadlineNotice.objects.filter(report__in=[r.pk for r in late])}
    for report in late:
        due = report.staff_due_at
        assert due is not None  # noqa: S101  (filtered above)
        sop, calendar = calendars.get(report)
        days = -calendar.working_days_left(now, due)
        extra: dict[str, object] = {"days_overdue": days}
        if (report.pk, due, "overdue") not in done:
            users = recipients.disposer(report) + recipients.supervisors(report)
            if report.status == Status.SUBMITTED:
                users += recipients.holders(report)
            overdue += _issue(report, "overdue", "staff.overdue", users, extra)
        step = max(1, sop.escalate_after_days)
        chain = recipients.escalation_chain(report)
        reached = min(days // step, len(chain))
        for level in range(1, reached + 1):
            if (report.pk, due, f"escalation-{level}") in done:
                continue
            targets = recipients.escalation_targets(chain[level - 1])
            escalations += _issue(report, f"escalation-{level}", "staff.escalation", targets,
                                  {**extra, "level": level})
        DeadlineNotice.objects.filter(report=report, due_at=due, level="overdue").update(
            next_check_at=_next_check(calendar, due, reached, step, len(chain)))
    return overdue, escalations


def sweep_notices(*, limit: int = BATCH) -> NoticeResult:
    """Issue the reminders, overdue notices and escalations due now (idempotent)."""
    now = clock.now()
    calendars = _Calendars(now)
    reminders = _reminders(now, calendars, limit)
    overdue, escalations = _late(now, calendars, limit)
    if reminders or overdue or escalations:
        wake_dispatcher()  # once for the whole sweep (its notices committed one by one)
        logger.info("deadline notices: reminders=%d overdue=%d escalations=%d",
                    reminders, overdue, escalations)
    return NoticeResult(reminders=reminders, overdue=overdue, escalations=escalations)
