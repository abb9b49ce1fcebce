"""Deadline notices, issued by the periodic sweep (DOMAIN.md "Deadlines"):

* **reminders**, to whoever holds the report, about the deadline it must meet
  (``Report.staff_due_at``): ``reminder`` on the working day before the due day and
  ``reminder-due`` on the due day itself. **Decision:** when days off lie between that working
  day and the due day for more than a long weekend (the working day before is more than
  :data:`REMINDER_MAX_LEAD_DAYS` calendar days earlier: Nyepi and Idul Fitri leave before a
  Wednesday deadline put it eight days ahead), the first reminder is left out: the due
  morning's comes when people are back;
* **overdue**: once the deadline has passed, to the disposer and the unit's supervisor (for
  a report still waiting for verification: the tier's verifiers and supervisors). Every
  deadline has its own: the resolution deadline passing while the first follow-up is still
  missing is told too (``deadline_kind`` "resolution"), and an on-hold report archived for
  want of an answer is told to the tier's verifiers (:func:`hold_expired`);
* **escalation level N**: after N × ``Sop.escalate_after_days`` working days overdue, to the
  N-th step of the agency's escalation chain above the holder (``EscalationStep``, else up the
  tree to the agency; :func:`lapor.notifications.recipients.escalation_chain`).

Notices are issued when they fall due by the clock (a day's reminders at its local midnight,
an overdue notice when the deadline passes) and delivered in office hours of the recipient's
working day (08:00 in their zone, by their agency's calendar, lapor.notifications.office);
overdue notices and escalations about an urgent report (the SOP's ``urgent_max_days``) go out
at once, any hour. Reminders always wait for office hours: the deadline is still ahead.

Each notice exists once per stored deadline: a :class:`DeadlineNotice` row, unique on
``(report, due_at, level)``, is written in the same transaction as its outbox rows, so two
sweeps at once (or twice in a slot) issue it once; a new deadline (reopened, returned) gets
its own notices.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery

from lapor.accounts.models import User
from lapor.core import clock
from lapor.notifications import recipients
from lapor.notifications.models import DeadlineNotice
from lapor.notifications.office import StaffCalendars
from lapor.notifications.outbox import outbox_add, staff_messages, wake_dispatcher
from lapor.notifications.report_events import due_text, report_context
from lapor.orgs.models import OrgNode, Sop
from lapor.orgs.selectors import node_agency_or_root
from lapor.reports import replication
from lapor.reports.deadlines import clock_for
from lapor.reports.models import (
    DEADLINE_OPEN,
    ESCALATION_WATCH,
    LATE_UNNOTICED,
    RESOLUTION_UNNOTICED,
    Report,
)
from lapor.reports.services import report_record_notice
from lapor.reports.states import Status
from lapor.workdays.calendar import WorkCalendar

logger = logging.getLogger(__name__)
OPEN = DEADLINE_OPEN
# The working day before the due day gets a reminder when it is at most this many calendar
# days earlier: a weekend plus one day off (Friday before a Tuesday after a Monday holiday).
REMINDER_MAX_LEAD_DAYS = 4
# Reports further off than this cannot be due a reminder yet (one day of slack for zones).
REMINDER_WINDOW = timedelta(days=REMINDER_MAX_LEAD_DAYS + 2)
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


def is_urgent(report: Report, sop: Sop) -> bool:
    """The SOP's rule: a resolution tier (the report's, else its category's) of at most
    ``Sop.urgent_max_days`` HK (0: nothing is urgent)."""
    days = report.resolution_days
    if days is None and report.category is not None:
        days = report.category.resolution_days
    return bool(sop.urgent_max_days) and days is not None and days <= sop.urgent_max_days


class _Calendars:
    """One SOP and calendar per agency per sweep, and the recipients' calendars."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._cache: dict[int, tuple[Sop, WorkCalendar]] = {}
        self.staff = StaffCalendars(now)

    def get(self, report: Report) -> tuple[Sop, WorkCalendar]:
        owner = node_agency_or_root(report.current_node)
        if owner.pk not in self._cache:
            self._cache[owner.pk] = clock_for(owner, around=self.now)
        return self._cache[owner.pk]


@dataclass(frozen=True)
class _Notice:
    level: str
    event: str
    due: datetime
    kind: str
    urgent: bool = False
    next_check_at: datetime | None = None


def _issue(report: Report, notice: _Notice, users: list[User], extra: dict[str, object],
           calendars: _Calendars) -> bool:
    context = report_context(report)
    context.update(extra)
    context["deadline"] = due_text(report, notice.due)
    cause = f"sla:r{report.pk}:{int(notice.due.timestamp())}:{notice.level}"
    agency = node_agency_or_root(report.current_node)

    def deliver_at(user: User) -> datetime:
        return calendars.staff.deliver_at(user, fallback=agency, urgent=notice.urgent)

    try:
        with transaction.atomic():
            DeadlineNotice.objects.create(report=report, due_at=notice.due,
                                          deadline_kind=notice.kind, level=notice.level,
                                          created_at=calendars.now,
                                          next_check_at=notice.next_check_at)
            outbox_add(staff_messages(
                cause=cause, event=notice.event, users=_unique(users), report_id=report.pk,
                agency=agency, context=context, deliver_at=deliver_at,
            ), ignore_conflicts=True, wake=False)
    except IntegrityError:
        return False  # another sweep issued it
    return True


def _unique(users: list[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        seen.setdefault(user.pk, user)
    return list(seen.values())


def _held_here(reports: QuerySet[Report]) -> QuerySet[Report]:
    """``reports`` without those another instance holds (lapor.reports.replication): their
    deadline notices and escalations are the holder's, so they happen once."""
    held = replication.held_elsewhere_q()
    return reports if held is None else reports.exclude(held)


def _notice_exists(level: str) -> Exists:
    return Exists(DeadlineNotice.objects.filter(report=OuterRef("pk"),
                                                due_at=OuterRef("staff_due_at"), level=level))


def _due_morning(calendar: WorkCalendar, due: datetime) -> date:
    """The due day, else (a day off) the last working day before it: ``reminder-due``'s day."""
    due_day = due.astimezone(calendar.tz).date()
    return due_day if calendar.is_working_day(due_day) else calendar.previous_working_day(due_day)


def reminder_level(calendar: WorkCalendar, due: datetime, now: datetime) -> str | None:
    """Which reminder about ``due`` falls on ``now``'s local day, if any: ``reminder-due`` on
    the due day (the last working day up to it, should the due day be a day off),
    ``reminder`` on the working day before it (unless that is more than
    :data:`REMINDER_MAX_LEAD_DAYS` calendar days earlier)."""
    due_day = due.astimezone(calendar.tz).date()
    today = now.astimezone(calendar.tz).date()
    morning = _due_morning(calendar, due)
    if today >= morning:
        return "reminder-due"
    before = calendar.previous_working_day(morning)
    if today == before and (due_day - before).days <= REMINDER_MAX_LEAD_DAYS:
        return "reminder"
    return None


def _reminders(now: datetime, calendars: _Calendars, limit: int) -> int:
    """The batch leaves out every report whose reminder for this moment is issued: those
    with ``reminder-due``, and those with ``reminder`` until the local midnight of their due
    morning (its ``next_check_at``), so a batch never fills up with reports already told and
    the ones after them get their turn."""
    issued = 0
    reminded = Exists(DeadlineNotice.objects.filter(
        report=OuterRef("pk"), due_at=OuterRef("staff_due_at"), level="reminder",
        next_check_at__gt=now))
    candidates = list(_held_here(Report.objects.filter(status__in=OPEN, staff_due_at__gt=now,
                                                       staff_due_at__lte=now + REMINDER_WINDOW))
                      .exclude(_notice_exists("reminder-due"))
                      .exclude(reminded)
                      .select_related("current_node", "tier", "agency", "category")
                      .order_by("staff_due_at", "id")[:limit])
    done = {(n.report_id, n.due_at, n.level) for n in DeadlineNotice.objects.filter(
        report__in=[r.pk for r in candidates], level="reminder")}
    for report in candidates:
        _, calendar = calendars.get(report)
        due = report.staff_due_at
        assert due is not None  # noqa: S101  (filtered above)
        level = reminder_level(calendar, due, now)
        if level is None or (report.pk, due, level) in done:
            continue
        event = "staff.due_today" if level == "reminder-due" else "staff.reminder"
        # The "reminder" row is looked at again only from the due morning's midnight.
        again = (datetime.combine(_due_morning(calendar, due), time(0, 0), tzinfo=calendar.tz)
                 if level == "reminder" else None)
        issued += _issue(report, _Notice(level, event, due, deadline_kind(report),
                                         next_check_at=again),
                         recipients.holders(report), {}, calendars)
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
    """Late reports whose deadline has no overdue notice yet, then those whose next
    escalation is due, each list read from its own partial index (``LATE_UNNOTICED``,
    ``ESCALATION_WATCH``): a report that has had every notice it can get for now is not read
    again, however many late reports there are."""
    related = ("current_node", "tier", "agency", "category")
    fresh = list(_held_here(Report.objects.filter(LATE_UNNOTICED, staff_due_at__lt=now))
                 .select_related(*related).order_by("staff_due_at", "id")[:limit])
    due_again = (_held_here(Report.objects.filter(ESCALATION_WATCH,
                                                  escalation_check_at__lte=now))
                 .select_related(*related).order_by("escalation_check_at", "id"))
    return fresh + list(due_again[: max(0, limit - len(fresh))])


def _late(now: datetime, calendars: _Calendars, limit: int) -> tuple[int, int]:
    overdue = escalations = 0
    late = _late_candidates(now, limit)
    done = {(n.report_id, n.due_at, n.level)
            for n in DeadlineNotice.objects.filter(report__in=[r.pk for r in late])}
    for report in late:
        due = report.staff_due_at
        assert due is not None  # noqa: S101  (filtered above)
        sop, calendar = calendars.get(report)
        urgent = is_urgent(report, sop)
        days = -calendar.working_days_left(now, due)
        extra: dict[str, object] = {"days_overdue": days}
        if (report.pk, due, "overdue") not in done:
            users = recipients.disposer(report) + recipients.supervisors(report)
            if report.status == Status.SUBMITTED:
                users += recipients.holders(report)
            overdue += _issue(report, _Notice("overdue", "staff.overdue", due,
                                              deadline_kind(report), urgent),
                              users, extra, calendars)
        step = max(1, sop.escalate_after_days)
        chain = recipients.escalation_chain(report)
        reached = min(days // step, len(chain))
        for level in range(1, reached + 1):
            if (report.pk, due, f"escalation-{level}") in done:
                continue
            targets = recipients.escalation_targets(chain[level - 1])
            escalations += _issue(report, _Notice(f"escalation-{level}", "staff.escalation",
                                                  due, deadline_kind(report), urgent),
                                  targets, {**extra, "level": level}, calendars)
        again = _next_check(calendar, due, reached, step, len(chain))
        DeadlineNotice.objects.filter(report=report, due_at=due, level="overdue").update(
            next_check_at=again)
        report_record_notice(report_id=report.pk, staff_due=due, escalation_check_at=again)
    return overdue, escalations


def _resolution_late(now: datetime, calendars: _Calendars, limit: int) -> int:
    """The resolution deadline passed while the holder's deadline is still the first
    follow-up (none posted yet): its own overdue notice, to the same people. Its row is due
    for a look at once, so that when a first follow-up makes the resolution deadline the
    holder's, the escalation of that deadline carries on from it."""
    issued = 0
    late = (_held_here(Report.objects.filter(RESOLUTION_UNNOTICED, resolution_due_at__lt=now))
            .select_related("current_node", "tier", "agency", "category")
            .order_by("resolution_due_at", "id")[:limit])
    for report in late:
        due = report.resolution_due_at
        assert due is not None  # noqa: S101  (filtered above)
        if report.staff_due_at != due:  # else it is the holder's deadline: _late's
            sop, calendar = calendars.get(report)
            users = recipients.disposer(report) + recipients.supervisors(report)
            issued += _issue(report, _Notice("overdue", "staff.overdue", due, "resolution",
                                             is_urgent(report, sop), next_check_at=now),
                             users, {"days_overdue": -calendar.working_days_left(now, due)},
                             calendars)
        report_record_notice(report_id=report.pk, resolution_due=due)
    return issued


def hold_expired(*, report_id: int, due: datetime) -> bool:
    """The reporter's on-hold window ``due`` passed and the sweep archived the report as
    incomplete: the tier's verifiers (who asked the question) are told, once."""
    report = (Report.objects.select_related("current_node", "tier", "agency", "category")
              .get(pk=report_id))
    calendars = _Calendars(clock.now())
    sop, _ = calendars.get(report)
    return _issue(report, _Notice("overdue", "staff.hold_expired", due, "hold",
                                  is_urgent(report, sop)),
                  recipients.people_on(report.tier, recipients.VERIFIER_ROLES), {}, calendars)


def sweep_notices(*, limit: int = BATCH) -> NoticeResult:
    """Issue the reminders, overdue notices and escalations due now (idempotent)."""
    now = clock.now()
    calendars = _Calendars(now)
    reminders = _reminders(now, calendars, limit)
    overdue, escalations = _late(now, calendars, limit)
    overdue += _resolution_late(now, calendars, limit)
    if reminders or overdue or escalations:
        wake_dispatcher()  # once for the whole sweep (its notices committed one by one)
        logger.info("deadline notices: reminders=%d overdue=%d escalations=%d",
                    reminders, overdue, escalations)
    return NoticeResult(reminders=reminders, overdue=overdue, escalations=escalations)


class _NodeClocks:
    """For :func:`notices_settle`'s rows, which carry node ids: the SOP and calendar of a
    node's agency (one look-up per agency) and the length of its escalation chain (one per
    node, wanted only for late reports)."""

    def __init__(self, calendars: _Calendars) -> None:
        self.calendars = calendars
        self.agency_of: dict[int, int | None] = dict(
            OrgNode.objects.values_list("id", "agency_id"))
        self.clocks: dict[int | None, tuple[Sop, WorkCalendar]] = {}
        self.nodes: dict[int, tuple[Sop, WorkCalendar, int]] = {}

    def calendar(self, node_id: int) -> tuple[Sop, WorkCalendar]:
        agency = self.agency_of.get(node_id)
        if agency not in self.clocks:
            node = OrgNode.objects.select_related("agency").get(pk=node_id)
            self.clocks[agency] = self.calendars.get(Report(current_node=node))
        return self.clocks[agency]

    def with_chain(self, node_id: int) -> tuple[Sop, WorkCalendar, int]:
        if node_id not in self.nodes:
            node = OrgNode.objects.select_related("agency").get(pk=node_id)
            chain = len(recipients.escalation_chain(Report(current_node=node)))
            self.nodes[node_id] = (*self.calendar(node_id), chain)
        return self.nodes[node_id]


def notices_settle(*, now: datetime | None = None, batch: int = 5000) -> NoticeResult:
    """Record as issued every notice :func:`sweep_notices` would have issued by ``now``,
    without their messages: for data loaded in bulk (``lapor seed``, the benchmark), whose
    deadlines passed while nobody ran the sweep. Without this, the first sweeps after a load
    work through every late report at once (at 100,000 reports about 21,750, some 2,000
    outbox rows a minute for a quarter of an hour), which is not what a running deployment
    does. The rows are the sweep's own (:class:`DeadlineNotice`, the same levels, kinds and
    ``next_check_at``), so the live sweep then carries on from them: the next escalation
    when it falls due, a new deadline's notices when a report moves. Idempotent."""
    now = now or clock.now()
    calendars = _Calendars(now)
    clocks = _NodeClocks(calendars)
    node_clock, node_calendar = clocks.with_chain, clocks.calendar

    rows: list[DeadlineNotice] = []
    counts = {"reminders": 0, "overdue": 0, "escalations": 0}

    def add(report_id: int, due: datetime, kind: str, level: str, *, counter: str,
            next_check_at: datetime | None = None) -> None:
        rows.append(DeadlineNotice(report_id=report_id, due_at=due, deadline_kind=kind,
                                   level=level, created_at=now, next_check_at=next_check_at))
        counts[counter] += 1
        if len(rows) >= batch:
            flush()

    def flush() -> None:
        DeadlineNotice.objects.bulk_create(rows, ignore_conflicts=True)
        rows.clear()

    fields = ("id", "status", "staff_due_at", "first_followup_at", "followup_due_at",
              "resolution_due_at", "current_node_id")
    # The work lists first (each a partial index): on a settled database they are empty and
    # this costs nothing; after a load they hold every loaded report, which the notices decide.
    late = (Report.objects.filter(LATE_UNNOTICED, staff_due_at__lt=now)
            .exclude(_notice_exists("overdue")).order_by("id").values_list(*fields))
    for pk, status, due, first_followup, followup_due, _, node_id in late.iterator(batch):
        sop, calendar, chain = node_clock(node_id)
        kind = deadline_kind(Report(status=status, first_followup_at=first_followup,
                                    staff_due_at=due, followup_due_at=followup_due))
        step = max(1, sop.escalate_after_days)
        reached = min(-calendar.working_days_left(now, due) // step, chain)
        add(pk, due, kind, "overdue", counter="overdue",
            next_check_at=_next_check(calendar, due, reached, step, chain))
        for level in range(1, reached + 1):
            add(pk, due, kind, f"escalation-{level}", counter="escalations")
    resolution = (Report.objects.filter(RESOLUTION_UNNOTICED, resolution_due_at__lt=now)
                  .exclude(staff_due_at=F("resolution_due_at"))
                  .exclude(Exists(DeadlineNotice.objects.filter(
                      report=OuterRef("pk"), due_at=OuterRef("resolution_due_at"),
                      level="overdue")))
                  .order_by("id").values_list("id", "resolution_due_at"))
    for pk, resolution_due in resolution.iterator(batch):
        assert resolution_due is not None  # noqa: S101  (filtered above)
        add(pk, resolution_due, "resolution", "overdue", counter="overdue", next_check_at=now)
    soon = (Report.objects.filter(status__in=OPEN, staff_due_at__gt=now,
                                  staff_due_at__lte=now + REMINDER_WINDOW)
            .exclude(_notice_exists("reminder-due"))
            .exclude(Exists(DeadlineNotice.objects.filter(
                report=OuterRef("pk"), due_at=OuterRef("staff_due_at"), level="reminder",
                next_check_at__gt=now)))
            .order_by("id").values_list(*fields))
    levels: dict[tuple[int, datetime], str | None] = {}  # deadlines share a few moments a day
    for pk, status, due, first_followup, followup_due, _, node_id in soon.iterator(batch):
        _, calendar = node_calendar(node_id)
        key = (id(calendar), due)
        if key not in levels:
            levels[key] = reminder_level(calendar, due, now)
        reminder = levels[key]
        if reminder is None:
            continue
        kind = deadline_kind(Report(status=status, first_followup_at=first_followup,
                                    staff_due_at=due, followup_due_at=followup_due))
        again = (datetime.combine(_due_morning(calendar, due), time(0, 0), tzinfo=calendar.tz)
                 if reminder == "reminder" else None)
        add(pk, due, kind, reminder, counter="reminders", next_check_at=again)
    flush()
    _record_settled()
    return NoticeResult(**counts)


def _record_settled() -> None:
    """The settled notices written on their reports, as :func:`_late` and
    :func:`_resolution_late` write them one by one (``report_record_notice``): one statement
    each for a bulk load, which nothing else writes to meanwhile."""
    staff = DeadlineNotice.objects.filter(report=OuterRef("pk"), level="overdue",
                                          due_at=OuterRef("staff_due_at"))
    Report.objects.filter(LATE_UNNOTICED, Exists(staff)).update(
        noticed_staff_due_at=F("staff_due_at"),
        escalation_check_at=Subquery(staff.values("next_check_at")[:1]))
    resolution = DeadlineNotice.objects.filter(report=OuterRef("pk"), level="overdue",
                                               due_at=OuterRef("resolution_due_at"))
    Report.objects.filter(RESOLUTION_UNNOTICED, Exists(resolution)).update(
        noticed_resolution_due_at=F("resolution_due_at"))
