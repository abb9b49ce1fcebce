"""Inbound e-mail: recorded raw (unique by Message-ID), then processed by the task worker
into a new report (channel ``email``) or a reporter reply. docs/intake.md "E-mail".

Decisions:

* **New report.** Sent to ``<agency code>@<intake domain>`` (``kutim@…``): to that agency (its
  pool when it is a hub), in its region; any other address: the national pool, in
  ``LAPOR_EMAIL_DEFAULT_REGION``. Title: the subject (else the start of the text); body: the
  text (HTML-only mail converted to text); attachments through lapor.attachments (type checks,
  metadata stripping, virus scan; a refused file is skipped, the report stays). The sender
  is the reporter's e-mail (encrypted, blind-indexed), so the acknowledgement with the
  tracking number goes back through the outbox like every reporter message.
* **Reply.** The subject names a valid tracking number, or In-Reply-To/References names a
  message we sent about a report: it is a reply **only if the sender's address has the same
  blind index as the report's reporter e-mail** (nothing is decrypted to compare). Then it is
  what the reporter writes on every channel (``report_reporter_write``): on hold → the answer
  to the verifier's question (verification resumes); submitted, disposed, in progress,
  responded → a message to the staff; closed or archived → ignored (``report_closed``).
* **Reply from another address** (someone who knows a tracking number, which is public): never
  attached to that report, and nothing about it is revealed. It becomes a new report of its
  own with its own acknowledgement; verifiers merge it as a duplicate if it is one.
* Automatic mail (``Auto-Submitted``, bounces, lists) and mail without a usable sender or
  text is ignored; nothing is sent back to it (no mail loops).

The raw message is emptied once processed: only the outcome and the report link remain.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.db import transaction

from lapor.attachments.services import attachment_add
from lapor.core import clock
from lapor.core.contact import valid_email
from lapor.core.errors import ApplicationError, Conflict
from lapor.core.ratelimit import Origin
from lapor.federation.commands import command_forward
from lapor.intake.mail import ParsedMail, parse, strip_quoted
from lapor.intake.models import InboundEmail, InboundStatus
from lapor.notifications.models import OutboxMessage
from lapor.notifications.senders import message_id
from lapor.orgs.actors import SYSTEM, reporter_actor
from lapor.orgs.models import NodeKind, OrgNode
from lapor.privacy import vault
from lapor.privacy.identity import reports_with_contact
from lapor.reports import services
from lapor.reports.models import Channel, Report
from lapor.reports.states import reporter_write_action
from lapor.reports.submission import (
    BODY_MIN,
    TITLE_MAX,
    TITLE_MIN,
    normalise_tracking_number,
    report_submit,
    tracking_number_valid,
)

logger = logging.getLogger(__name__)
_TRACKING = re.compile(r"#?\b(\d{4}[\s-]?\d{4}[\s-]?\d{4})\b")
TITLE_WORDS = 100
CANDIDATE_REPORTS = 50


def _agency_for(recipients: list[str]) -> OrgNode | None:
    for address in recipients:
        local = address.partition("@")[0].strip().lower()
        if not local:
            continue
        agency = OrgNode.objects.filter(code=local, kind=NodeKind.AGENCY,
                                        is_active=True).first()
        if agency is not None:
            return agency
    return None


def _named_reports(mail: ParsedMail) -> list[Report]:
    """Reports the mail says it answers: tracking numbers in the subject, then messages we
    sent (Message-IDs derived from the outbox delivery keys, docs/notifications.md) among the
    sender's own reports."""
    found: list[Report] = []
    for candidate in _TRACKING.findall(mail.subject):
        number = normalise_tracking_number(candidate)
        if tracking_number_valid(number):
            report = Report.objects.filter(tracking_number=number).first()
            if report is not None:
                found.append(report)
    if mail.replies_to and mail.sender:
        mine = list(reports_with_contact(email=mail.sender).order_by("-submitted_at")
                    .values_list("pk", flat=True)[:CANDIDATE_REPORTS])
        keys = OutboxMessage.objects.filter(report_id__in=mine, channel="email",
                                            audience="reporter").values_list("key", "report_id")
        wanted = set(mail.replies_to)
        ids = [report_id for key, report_id in keys if message_id(key) in wanted]
        found.extend(Report.objects.filter(pk__in=ids))
    return found


def _same_reporter(report: Report, sender: str) -> bool:
    index = vault.email_index(sender)
    stored = (type(report).objects.filter(pk=report.pk)
              .values_list("contact__email_index", flat=True).first())
    return bool(index) and stored == index


def _reply(report: Report, mail: ParsedMail) -> str:
    text = strip_quoted(mail.text) or mail.text
    actor = reporter_actor(report_id=report.pk)
    if reporter_write_action(report.status) is None:
        return "report_closed"
    try:
        services.report_reporter_write(actor=actor, report_id=report.pk, body=text)
    except Conflict as exc:
        if exc.code != "held_by_peer":
            raise
        # Handled on the other federated instance: the reply goes there (its attachments
        # stay here, on this instance's copy).
        command_forward(report=report, action="write", args={"body": text})
    _attach(report, mail)
    return "reply"


def _title(mail: ParsedMail) -> str:
    subject = mail.subject[:TITLE_MAX]
    if len(subject) >= TITLE_MIN:
        return subject
    words = " ".join(mail.text.split())
    return words if len(words) <= TITLE_WORDS else words[: TITLE_WORDS - 1] + "…"


def _new_report(mail: ParsedMail, recipients: list[str]) -> Report | str:
    agency = _agency_for(recipients)
    region = (agency.region_id if agency is not None else None) or \
        settings.LAPOR_EMAIL_DEFAULT_REGION
    if not region:
        return "no_region"
    if len(mail.text) < BODY_MIN:
        return "text_too_short"
    submitted = report_submit(
        actor=SYSTEM, type="complaint", title=_title(mail), body=mail.text,
        region_code=region, channel=Channel.EMAIL,
        target_agency_code=agency.code if agency is not None else None,
        reporter_name=mail.sender_name[:120], reporter_email=mail.sender,
        origin=Origin(handle=f"email:{mail.sender.lower()}"))
    _attach(submitted.report, mail)
    return submitted.report


def _attach(report: Report, mail: ParsedMail) -> None:
    actor = reporter_actor(report_id=report.pk)
    for item in mail.attachments[: settings.LAPOR_ATTACHMENTS_PER_REPORT]:
        try:
            attachment_add(actor=actor, report_id=report.pk, data=item.data,
                           filename=item.filename)
        except ApplicationError as exc:  # a refused file is skipped; the report stays
            logger.info("inbound e-mail attachment refused: %s", exc.code)


def _decide(mail: ParsedMail, recipients: list[str]) -> tuple[str, str, Report | None]:
    if mail.auto_submitted:
        return InboundStatus.IGNORED, "auto_submitted", None
    try:
        mail.sender = valid_email(mail.sender, field="from") if mail.sender else ""
    except ApplicationError:
        mail.sender = ""
    if not mail.sender:
        return InboundStatus.IGNORED, "no_sender", None
    for report in _named_reports(mail):
        if _same_reporter(report, mail.sender):
            outcome = _reply(report, mail)
            status = InboundStatus.REPLY if outcome == "reply" else InboundStatus.IGNORED
            return status, outcome, report
    created = _new_report(mail, recipients)
    if isinstance(created, str):
        return InboundStatus.IGNORED, created, None
    return InboundStatus.NEW_REPORT, "new_report", created


def inbound_email_process(*, email_id: int) -> str:
    """Turn one recorded message into a report or a reply; idempotent (a processed row is
    left alone, and the row lock keeps two workers from processing it together)."""
    with transaction.atomic():
        row = InboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if row is None or row.status != InboundStatus.RECEIVED:
            return row.status if row is not None else "missing"
        recipients = [r for r in row.recipients.split(",") if r]
        mail = parse(bytes(row.raw))
        try:
            with transaction.atomic():
                status, outcome, report = _decide(mail, recipients)
        except ApplicationError as exc:  # the text or subject refused by the services
            status, outcome, report = InboundStatus.IGNORED, exc.code, None
        row.status, row.outcome, row.report = status, outcome[:60], report
        row.raw, row.processed_at = b"", clock.now()
        row.save(update_fields=["status", "outcome", "report", "raw", "processed_at"])
    logger.info("inbound e-mail %s: %s (%s)", email_id, status, outcome)
    return str(status)


def inbound_email_process_waiting(*, limit: int = 1000) -> list[str]:
    """Process messages still ``received`` (their task was lost); ``lapor intake
    mail-retry``. Safe next to running workers (row lock, status check)."""
    ids = list(InboundEmail.objects.filter(status=InboundStatus.RECEIVED)
               .order_by("received_at", "id").values_list("pk", flat=True)[:limit])
    return [inbound_email_process(email_id=pk) for pk in ids]
