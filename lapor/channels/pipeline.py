"""What every channel shares once a message is verified and recorded: commands, routing and
report creation, each answered on the channel the message came from.

Commands (case-insensitive, with or without a leading ``/`` as Telegram sends them):

* ``CEK <number>``: the report's status (what the public tracking page shows);
* ``BALAS <number> <text>``: a message to the staff handling the sender's own report (the
  answer to a "tunda" question when the report is on hold);
* ``PUAS <number> <1-5>``: accept the final follow-up with a rating (the report closes);
* ``BELUM <number> <text>``: not resolved yet (the report reopens with a new deadline).

Only the channel identity a report came from may use the last three (DOMAIN.md: "reading
content or replying needs … the same channel identity"); to anyone else the report does not
exist. Reports are created through :func:`lapor.reports.submission.report_submit` with the
channel recorded, in the transaction that processes the inbound message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from lapor.channels.identities import link_report, normalised_handle, owns
from lapor.channels.models import ChannelIdentity
from lapor.channels.replies import Reply
from lapor.core.errors import ApplicationError
from lapor.core.ratelimit import Origin
from lapor.federation.commands import command_forward
from lapor.orgs.actors import PUBLIC, reporter_actor
from lapor.orgs.models import NodeKind, OrgNode, Sop
from lapor.reports import selectors, services
from lapor.reports.models import Report
from lapor.reports.states import Action, reporter_write_action
from lapor.reports.submission import (
    normalise_tracking_number,
    report_submit,
    tracking_number_valid,
)

TITLE_WORDS_MAX = 80


@dataclass(frozen=True)
class Incoming:
    """One provider message, parsed: who, what, and what came with it."""

    provider: str
    channel: str  # sms, whatsapp, telegram, x (Report.channel and the outbox channel)
    handle: str  # phone number, chat id, account id
    text: str = ""
    name: str = ""  # the profile name the provider shows (never asked for)
    media: tuple[str, ...] = ()  # provider media ids (photos)
    button: str = ""  # the id of a tapped button
    public_post_id: str = ""  # an X mention: the public post
    # A shared location (WhatsApp ``type: location``, Telegram ``message.location``): WGS84
    # (latitude, longitude) as the provider sent them, not yet checked.
    location: tuple[float, float] | None = None


@dataclass
class Outcome:
    code: str
    replies: list[Reply] = field(default_factory=list)
    report_id: int | None = None
    media: tuple[str, ...] = ()  # to attach to ``report_id`` after commit

    def add(self, other: Outcome) -> Outcome:
        self.replies += other.replies
        self.code = other.code
        self.report_id = other.report_id or self.report_id
        self.media = other.media or self.media
        return self


@dataclass(frozen=True)
class Command:
    name: str
    number: str = ""
    rest: str = ""


_COMMAND = re.compile(r"^/?(cek|balas|puas|belum|lapor|batal|start|help|bantuan)(?:@\w+)?\b\s*",
                      re.IGNORECASE)
_NUMBER = re.compile(r"^#?\s*([0-9][0-9 \-]{10,20}[0-9])\b\s*")


def parse_command(text: str) -> Command | None:
    match = _COMMAND.match(text.strip())
    if match is None:
        return None
    name = match.group(1).lower()
    rest = text.strip()[match.end():]
    number_match = _NUMBER.match(rest)
    number = ""
    if number_match is not None:
        number = normalise_tracking_number(number_match.group(1))
        rest = rest[number_match.end():]
    return Command(name=name, number=number, rest=rest.strip())


def check_hint(channel: str, number: str) -> str:
    verb = "/cek" if channel == "telegram" else "CEK"
    return f"{verb} {number}"


def error_text(exc: ApplicationError) -> str:
    return exc.message(settings.LAPOR_NOTIFY_LANGUAGE)


# ---------------------------------------------------------------- status and reporter answers


def status_answer(channel: str, number: str) -> Outcome:
    """The public status of report ``number`` (any sender may ask, as on the tracking page)."""
    if not tracking_number_valid(number):
        return Outcome("status_invalid", [Reply(_(
            "That is not a valid tracking number. Send %(example)s with the 12 digits of "
            "your report.") % {"example": check_hint(channel, "123456789012")})])
    try:
        report = selectors.report_by_tracking(normalise_tracking_number(number))
    except ApplicationError:
        return Outcome("status_not_found", [Reply(
            _("Report #%(number)s was not found.") % {"number": number})])
    return Outcome("status_answered", [Reply(
        _("Report #%(number)s: %(status)s. Last update %(date)s.") % {
            "number": report.tracking_number, "status": report.get_status_display(),
            "date": f"{report.updated_at:%d-%m-%Y}"})])


def _own_report(identity: ChannelIdentity, number: str) -> Report | None:
    if not tracking_number_valid(number):
        return None
    report = Report.objects.filter(tracking_number=normalise_tracking_number(number)).first()
    if report is None or not owns(identity, report.pk):
        return None
    return report


def reporter_answer(identity: ChannelIdentity, command: Command) -> Outcome:
    """BALAS / PUAS / BELUM on the sender's own report, through the reporters' services."""
    report = _own_report(identity, command.number)
    if report is None:
        return Outcome("reply_not_found", [Reply(_(
            "No report #%(number)s sent from this account was found. Write the number as "
            "in our answer.") % {"number": command.number or "-"})])
    actor = reporter_actor(report_id=report.pk)
    try:
        if command.name == "puas":
            digits = re.findall(r"[1-5]", command.rest)
            services.report_reporter_reply(actor=actor, report_id=report.pk, accept=True,
                                           rating=int(digits[0]) if digits else None)
            text = _("Thank you. Report #%(number)s is closed with your rating.")
        elif command.name == "belum":
            services.report_reporter_reply(actor=actor, report_id=report.pk, accept=False,
                                           body=command.rest)
            text = _("Report #%(number)s is reopened; the agency will follow it up again.")
        else:
            answers = reporter_write_action(report.status) == Action.PROVIDE_INFO
            services.report_reporter_write(actor=actor, report_id=report.pk, body=command.rest)
            text = (_("Thank you. Your answer was added to report #%(number)s.") if answers
                    else _("Your message was added to report #%(number)s."))
    except ApplicationError as exc:
        if exc.code == "held_by_peer":
            # Handled on the other federated instance: the action goes there.
            _forward(report, command)
            return Outcome("reply_forwarded", [Reply(_(
                "Sent to the system of the agency handling report #%(number)s; the status "
                "updates in a moment.") % {"number": report.tracking_number},
                report_id=report.pk)], report_id=report.pk)
        return Outcome(f"reply_refused_{exc.code}"[:40], [Reply(
            f"#{report.tracking_number}: {error_text(exc)}", report_id=report.pk)],
            report_id=report.pk)
    return Outcome("reply_added", [Reply(text % {"number": report.tracking_number},
                                         report_id=report.pk)], report_id=report.pk)


def _forward(report: Report, command: Command) -> None:
    """BALAS / PUAS / BELUM on a report another instance holds (lapor.federation.commands)."""
    if command.name == "puas":
        digits = re.findall(r"[1-5]", command.rest)
        args: dict[str, object] = {"accept": True,
                                   "rating": int(digits[0]) if digits else None, "body": ""}
        command_forward(report=report, action="reply", args=args)
    elif command.name == "belum":
        command_forward(report=report, action="reply",
                        args={"accept": False, "rating": None, "body": command.rest})
    else:
        command_forward(report=report, action="write", args={"body": command.rest})


def command_answer(channel: str, identity: ChannelIdentity, command: Command) -> Outcome | None:
    """The answer to CEK, BALAS, PUAS or BELUM; ``None`` for other commands."""
    if command.name == "cek":
        return status_answer(channel, command.number)
    if command.name in ("balas", "puas", "belum"):
        return reporter_answer(identity, command)
    return None


# ---------------------------------------------------------------- routing and new reports


def keyword_agency(text: str) -> tuple[OrgNode | None, str]:
    """``KUTIM jalan rusak …``: the agency whose SOP has the first word as its SMS keyword,
    and the text without it; ``(None, text)`` when the first word is no keyword."""
    first, _sep, rest = text.strip().partition(" ")
    keyword = first.strip().upper()
    if not keyword.isalnum():
        return None, text.strip()
    sop = Sop.objects.select_related("node").filter(sms_keyword=keyword,
                                                     node__is_active=True).first()
    if sop is None:
        return None, text.strip()
    return sop.node, rest.strip()


def title_from(text: str) -> str:
    """The first sentence or line, at most ~80 characters cut at a word."""
    first = re.split(r"(?<=[.!?])\s|\n", text.strip(), maxsplit=1)[0].strip()
    if len(first) <= TITLE_WORDS_MAX:
        return first
    cut = first[:TITLE_WORDS_MAX].rsplit(" ", 1)[0].rstrip(",;:-")
    return (cut or first[:TITLE_WORDS_MAX]) + "…"


@dataclass(frozen=True)
class NewReport:
    text: str
    region_code: str
    type: str = "complaint"
    target: OrgNode | None = None
    anonymous: bool = False
    media: tuple[str, ...] = ()
    latitude: Decimal | None = None  # a shared location (the report's point)
    longitude: Decimal | None = None


def report_create(incoming: Incoming, identity: ChannelIdentity, new: NewReport) -> Outcome:
    """A report from a channel message, linked to the sender's identity, and its
    acknowledgement with the tracking number. Refusals (text too short, …) are answered."""
    phone = incoming.handle if incoming.channel in ("sms", "whatsapp") else ""
    # One phone number is one sender on SMS, WhatsApp and the web form alike.
    sender = (f"phone:{normalised_handle(incoming.channel, phone)}" if phone
              else f"{incoming.channel}:{incoming.handle}")
    try:
        title = title_from(new.text)
        submitted = report_submit(
            actor=PUBLIC, type=new.type, title=title if len(title) >= 5 else new.text[:80],
            body=new.text, region_code=new.region_code, channel=incoming.channel,
            latitude=new.latitude, longitude=new.longitude,
            target_agency_code=new.target.code if new.target is not None else None,
            is_anonymous=new.anonymous,
            reporter_name="" if new.anonymous else incoming.name[:120],
            reporter_phone=normalised_handle(incoming.channel, phone) if phone else "",
            origin=Origin(handle=sender))
    except ApplicationError as exc:
        return Outcome(f"report_refused_{exc.code}"[:40], [Reply(
            _("Your report could not be recorded: %(reason)s") % {"reason": error_text(exc)},
            public_post_id=incoming.public_post_id)])
    report = submitted.report
    link_report(report_id=report.pk, identity=identity,
                public_post_id=incoming.public_post_id)
    # Named by its keyword, else where report_submit routed it (its region's hub or national).
    receiver = new.target if new.target is not None else report.tier
    where = (_("the national LAPOR! desk") if receiver.kind == NodeKind.ROOT
             else receiver.name)
    text = _("LAPOR! Your report was received with number #%(number)s and goes to "
             "%(where)s. Status: send %(hint)s.") % {
        "number": report.tracking_number, "where": where,
        "hint": check_hint(incoming.channel, report.tracking_number)}
    return Outcome("report_created", [Reply(text, report_id=report.pk,
                                            public_post_id=incoming.public_post_id)],
                   report_id=report.pk, media=new.media)


def unroutable(channel: str) -> Outcome:
    example = Sop.objects.exclude(sms_keyword=None).values_list("sms_keyword", flat=True).first()
    return Outcome("unroutable", [Reply(_(
        "Start your report with the keyword of your region, for example: %(example)s "
        "jalan rusak di depan pasar.") % {"example": example or "KUTIM"})])


def default_region() -> str:
    region: str = settings.LAPOR_CHANNELS_DEFAULT_REGION
    return region
