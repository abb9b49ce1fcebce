"""Submitting a report: validation, tracking number, one-time access code, first deadline."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.db import IntegrityError, transaction
from stdnum import verhoeff

from lapor.categories.models import Category
from lapor.core import clock, ratelimit
from lapor.core.contact import valid_email, valid_phone
from lapor.core.errors import FieldErrors, NotAuthenticated, ValidationFailed
from lapor.core.text import clean_text
from lapor.notifications.report_events import notify_report_event
from lapor.orgs.actors import Actor, ActorKind, reporter_actor
from lapor.orgs.models import NodeKind, OrgNode
from lapor.orgs.selectors import report_receiver
from lapor.privacy.identity import identity_store
from lapor.regions import bbox
from lapor.regions.bbox import in_indonesia
from lapor.regions.geo import LocationOutsideIndonesia
from lapor.regions.models import Region
from lapor.regions.selectors import district_for_point
from lapor.reports import numbering, replication
from lapor.reports.deadlines import clock_for, staff_due_at, verify_deadline
from lapor.reports.events import event_append
from lapor.reports.models import Channel, Report, ReportType, Visibility
from lapor.reports.states import Action, Status

TITLE_MAX, BODY_MAX, ADDRESS_MAX, NAME_MAX = 200, 10_000, 300, 120
TITLE_MIN, BODY_MIN = 5, 10
# Reports about events older than this are refused as "wildly wrong" dates.
INCIDENT_MAX_AGE_DAYS = 5 * 366
# Indonesia's bounding box with a margin for its outer islands' waters.
LAT_RANGE, LON_RANGE = bbox.LAT_RANGE, bbox.LON_RANGE

# Crockford's base-32 alphabet (no I, L, O, U): read aloud or copied from an SMS without
# mistakes. 16 symbols x 5 bits = 80 bits of randomness, shown as XXXX-XXXX-XXXX-XXXX.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
ACCESS_CODE_LENGTH = 16
# Entered codes: look-alikes read as Crockford does (O -> 0, I/L -> 1); separators ignored.
_CODE_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None})
# Separators a tracking number may be written with: "#", spaces and dashes of any kind.
_TRACKING_SEPARATORS = re.compile(r"[#\s\-\u2010-\u2015]")
NIK_LENGTH = 16


@dataclass(frozen=True)
class SubmittedReport:
    report: Report
    access_code: str


def _access_code_digest(code: str, key: bytes | None = None) -> str:
    """Keyed hash of an access code: a stolen database alone can't be used to test guesses.

    ``key``: the key the federated instances share (lapor.reports.replication), else the
    local key derived from ``SECRET_KEY``."""
    if key is None:
        key = hashlib.sha256(f"lapor.access-code:{settings.SECRET_KEY}".encode()).digest()
    normalised = code.strip().upper().translate(_CODE_LOOKALIKES)
    return hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()


def access_code_digest_new(code: str) -> str:
    """The digest stored for a new report's access code: with the shared key once the
    instance is federated (so the code works on every instance holding the report), else
    with the local key."""
    return _access_code_digest(code, replication.shared_access_code_key())


def _new_access_code() -> str:
    raw = "".join(secrets.choice(_CODE_ALPHABET) for _ in range(ACCESS_CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, ACCESS_CODE_LENGTH, 4))


def normalise_tracking_number(value: str) -> str:
    """A tracking number as typed ("#1234 5678-9012") reduced to its digits' string."""
    return _TRACKING_SEPARATORS.sub("", value)


# Eleven-digit bodies, first digit non-zero: 10,000,000,000 … 99,999,999,999
# (lapor.reports.numbering.TRACKING_SPACE, cut into lanes for federated instances).
TRACKING_SPACE = numbering.TRACKING_SPACE


def tracking_number_of(value: int) -> str:
    """The tracking number of the ``value``-th body (``0 <= value < TRACKING_SPACE``): twelve
    digits, eleven (first non-zero) and a Verhoeff check digit, which catches every single-digit
    typo and every swap of two neighbouring digits. Live numbers pick ``value`` at random; the
    benchmark seed (lapor.demo.seed) from a permutation of the report id."""
    if not 0 <= value < TRACKING_SPACE:
        raise ValueError(f"tracking number body out of range: {value}")
    body = str(10**10 + value)
    return body + verhoeff.calc_check_digit(body)


def new_tracking_number() -> str:
    """A random tracking number (:func:`tracking_number_of`): volumes can't be inferred.

    Federated instances draw in their own lane of the space only, a national instance never
    in a lane it gave away, and neither ever a number another instance issued (reserved:
    the national's numbers in a region's lane, a region's numbers from before its link;
    :mod:`lapor.reports.numbering`): no two instances issue the same number. One indexed
    lookup per draw (an empty table answers at once without federation)."""
    mine, given = numbering.lanes()
    for _ in range(100):
        number = tracking_number_of(numbering.draw_value(mine, given))
        if not numbering.number_reserved(number):
            return number
    raise RuntimeError("no free tracking number in this instance's lane")  # pragma: no cover


def tracking_number_valid(value: str) -> bool:
    """Twelve ASCII digits with a valid Verhoeff check, after removing "#", spaces, dashes."""
    value = normalise_tracking_number(value)
    return len(value) == 12 and value.isascii() and value.isdigit() and verhoeff.is_valid(value)


def reporter_authenticate(*, tracking_number: str, access_code: str) -> Actor:
    """A reporter actor for the report, if the access code matches (constant-time compare)."""
    tracking_number = normalise_tracking_number(tracking_number)
    report = Report.objects.filter(tracking_number=tracking_number).only(
        "pk", "access_code_hash"
    ).first()
    stored = report.access_code_hash if report is not None else "0" * 64
    # The local key's digest or (federated instances) the shared key's: both compared, in
    # constant time, whatever the first answer.
    matches = hmac.compare_digest(stored, _access_code_digest(access_code))
    shared = replication.shared_access_code_key()
    if shared is not None:
        matches |= hmac.compare_digest(stored, _access_code_digest(access_code, shared))
    if not matches or report is None:
        raise NotAuthenticated("invalid_access_code")
    return reporter_actor(report_id=report.pk)


def _clean_phone(raw: str) -> str:
    return valid_phone(raw, field="reporter_phone") if raw.strip() else ""


def _clean_email(raw: str) -> str:
    return valid_email(raw, field="reporter_email") if raw.strip() else ""


def _clean_nik(raw: str) -> str:
    """A NIK is optional; when given it is exactly 16 digits (spaces, dots, dashes ignored)."""
    nik = re.sub(r"[\s.\-]", "", raw)
    if not nik:
        return ""
    if len(nik) != NIK_LENGTH or not nik.isascii() or not nik.isdigit():
        raise ValidationFailed("invalid_nik", field="reporter_nik")
    return nik


def _check_coordinates(latitude: Decimal | None, longitude: Decimal | None) -> None:
    if latitude is None and longitude is None:
        return
    if latitude is None or longitude is None:
        raise ValidationFailed("invalid_coordinates", field="latitude")
    if not LAT_RANGE[0] <= latitude <= LAT_RANGE[1]:
        raise ValidationFailed("invalid_coordinates", field="latitude")
    if not LON_RANGE[0] <= longitude <= LON_RANGE[1]:
        raise ValidationFailed("invalid_coordinates", field="longitude")


def _region(region_code: str, latitude: Decimal | None, longitude: Decimal | None) -> Region:
    """The region named, else the district (kecamatan) of the point.

    A given ``region_code`` always wins, even when the point lies elsewhere: the citizen (or
    the operator's form) chose it, and the point is kept as sent; staff see both. Without a
    code, a point inside Indonesia's bounding box gives its district
    (:func:`lapor.regions.selectors.district_for_point`, the one rule: the polygon it lies
    in, else the operator's nearest reference point or the nearest boundary within 5 km on
    the coast); a point in no district is ``location_outside_indonesia``. A point
    outside the box is refused by the coordinates check, and the region is then "required".
    """
    code = region_code.strip()
    if not code:
        if latitude is None or longitude is None or not in_indonesia(latitude, longitude):
            raise ValidationFailed("required", field="region_code")
        try:
            code = district_for_point(latitude, longitude).code
        except LocationOutsideIndonesia:
            raise LocationOutsideIndonesia(field="region_code") from None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationFailed("unknown_region", field="region_code")
    return region


def _category(category_code: str | None) -> Category | None:
    if not category_code:
        return None
    category = Category.objects.filter(code=category_code, is_active=True).first()
    if category is None:
        raise ValidationFailed("unknown_category", field="category_code")
    return category


def _target(target_agency_code: str | None, *, practice: bool) -> OrgNode | None:
    """The agency picked, with its training space if it is one (lapor.training; read through
    the reverse relation's name so this app does not import that one). The target decides and
    ``practice`` must agree: real reports never enter a sandbox."""
    if not target_agency_code:
        target = None
    else:
        target = OrgNode.objects.filter(
            code=target_agency_code, kind=NodeKind.AGENCY, is_active=True
        ).select_related("training_space").first()
        if target is None:
            raise ValidationFailed("unknown_node", field="target_agency_code")
    in_space = target is not None and getattr(target, "training_space", None) is not None
    if in_space != practice:
        raise ValidationFailed("unknown_node", field="target_agency_code")
    return target


def _required_text(value: str | None, *, field: str, max_length: int, min_length: int,
                   multiline: bool = False) -> str:
    """An empty required text says what is missing (``required``), not "too short"."""
    if not (value or "").strip():
        raise ValidationFailed("required", field=field)
    return clean_text(value, field=field, max_length=max_length, min_length=min_length,
                      multiline=multiline)


def _check_incident_date(incident_date: date | None, now: datetime) -> None:
    if incident_date is None:
        return
    # Allow "today" anywhere in Indonesia (WIT is UTC+9).
    if incident_date > (now + timedelta(hours=9)).date():
        raise ValidationFailed("date_in_future", field="incident_date")
    if incident_date < (now - timedelta(days=INCIDENT_MAX_AGE_DAYS)).date():
        raise ValidationFailed("date_too_old", field="incident_date")


@dataclass(frozen=True)
class CheckedReport:
    """What :func:`report_validate` accepted, cleaned: ready to be written."""

    type: str
    channel: str
    title: str
    body: str
    address: str
    name: str
    email: str
    phone: str
    nik: str
    region: Region
    category: Category | None
    target: OrgNode | None


def report_validate(
    *,
    type: str | None,
    title: str | None,
    body: str | None,
    region_code: str | None,
    channel: str = Channel.WEB,
    category_code: str | None = None,
    incident_date: date | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    address: str = "",
    target_agency_code: str | None = None,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    reporter_nik: str = "",
    practice: bool = False,
) -> CheckedReport:
    """Check every field of a report and refuse them all at once.

    One :class:`ValidationFailed` lists every refusal in ``errors`` (each with its field and
    stable code; a missing required field is ``required``, a text out of bounds carries its
    limit and length), so a form or an API client corrects everything in one round trip.
    The limits are this module's ``*_MIN``/``*_MAX`` constants, the only place they are set.
    Writes nothing; :func:`report_submit` calls it first.
    """
    errors = FieldErrors()
    cleaned: dict[str, object] = {}
    with errors.field():
        if not type:
            raise ValidationFailed("required", field="type")
        if type not in ReportType.values:
            raise ValidationFailed("validation_error", field="type")
    with errors.field():
        if channel not in Channel.values:
            raise ValidationFailed("validation_error", field="channel")
    checks: dict[str, Callable[[], object]] = {
        "title": lambda: _required_text(title, field="title", max_length=TITLE_MAX,
                                        min_length=TITLE_MIN),
        "body": lambda: _required_text(body, field="body", max_length=BODY_MAX,
                                       min_length=BODY_MIN, multiline=True),
        "region": lambda: _region(region_code or "", latitude, longitude),
        "incident_date": lambda: _check_incident_date(incident_date, clock.now()),
        "address": lambda: clean_text(address, field="address", max_length=ADDRESS_MAX),
        "coordinates": lambda: _check_coordinates(latitude, longitude),
        "category": lambda: _category(category_code),
        "target": lambda: _target(target_agency_code, practice=practice),
        "name": lambda: clean_text(reporter_name, field="reporter_name", max_length=NAME_MAX),
        "email": lambda: _clean_email(reporter_email),
        "phone": lambda: _clean_phone(reporter_phone),
        "nik": lambda: _clean_nik(reporter_nik),
    }
    for key, check in checks.items():
        with errors.field():
            cleaned[key] = check()
    errors.raise_any()
    return CheckedReport(
        type=str(type), channel=channel, title=str(cleaned["title"]), body=str(cleaned["body"]),
        address=str(cleaned["address"]), name=str(cleaned["name"]),
        email=str(cleaned["email"]), phone=str(cleaned["phone"]), nik=str(cleaned["nik"]),
        region=cast(Region, cleaned["region"]), category=cast(Category | None,
                                                              cleaned["category"]),
        target=cast(OrgNode | None, cleaned["target"]),
    )


def _senders(*, user_id: int | None, email: str, phone: str) -> list[str]:
    """The typed identities a report gives for the per-sender limits."""
    found = [f"user:{user_id}"] if user_id is not None else []
    if email:
        found.append(f"email:{email.lower()}")
    if phone:
        found.append(f"phone:{phone}")
    return found


def report_submit(
    *,
    actor: Actor,
    type: str,
    title: str,
    body: str,
    region_code: str,
    channel: str = Channel.WEB,
    category_code: str | None = None,
    incident_date: date | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    address: str = "",
    target_agency_code: str | None = None,
    is_anonymous: bool = False,
    is_confidential: bool = False,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    reporter_nik: str = "",
    phone_updates: bool = False,
    practice: bool = False,
    origin: ratelimit.Origin | None = None,
) -> SubmittedReport:
    """Record a citizen's report and start the verification clock: :func:`report_prepare`
    (the checks and the submission limits), then the write it returns, at once."""
    return report_prepare(
        actor=actor, type=type, title=title, body=body, region_code=region_code, channel=channel,
        category_code=category_code, incident_date=incident_date, latitude=latitude,
        longitude=longitude, address=address, target_agency_code=target_agency_code,
        is_anonymous=is_anonymous, is_confidential=is_confidential, reporter_name=reporter_name,
        reporter_email=reporter_email, reporter_phone=reporter_phone, reporter_nik=reporter_nik,
        phone_updates=phone_updates, practice=practice, origin=origin,
    )()


def report_prepare(
    *,
    actor: Actor,
    type: str,
    title: str,
    body: str,
    region_code: str,
    channel: str = Channel.WEB,
    category_code: str | None = None,
    incident_date: date | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    address: str = "",
    target_agency_code: str | None = None,
    is_anonymous: bool = False,
    is_confidential: bool = False,
    reporter_name: str = "",
    reporter_email: str = "",
    reporter_phone: str = "",
    reporter_nik: str = "",
    phone_updates: bool = False,
    practice: bool = False,
    origin: ratelimit.Origin | None = None,
) -> Callable[[], SubmittedReport]:
    """Check a citizen's report and count it against the submission limits; returns the
    write (call it to record the report and start the verification clock).

    The two halves are apart so that a caller holding a transaction for the write (the
    idempotent ``POST /api/v1/reports``, lapor.reports.submission_once) runs the checks and
    the rate limit before it, in their own transactions: a refusal stores nothing, and the
    counter rows are never locked until the report commits.

    "No wrong door": a report naming a hub agency waits in that agency's verification pool; one
    naming no agency waits in the pool of the hub that receives its region's reports (the
    regency/city's, else the province's; an SOP setting), else in the national pool
    (:func:`lapor.orgs.selectors.report_receiver`, the one routing rule of every way in).

    ``practice`` (only :mod:`lapor.training` passes it): a practice report for the training
    space whose hub is the target; it gets ``is_training``. The target decides and the flag
    must agree: a real report naming a training hub, or a practice one naming anything else,
    is refused as an unknown unit, so real reports never enter a sandbox.

    ``origin``: every public door (web form, API, Open311, integration, e-mail, messaging
    channels) says where the report came in, and a valid report is then counted against the
    submission limits (:func:`lapor.core.ratelimit.throttle_submission`) with the account,
    phone and e-mail it gives; over a limit it is refused (429) before anything is written.
    Staff entry (walk-in, phone), practice reports and the demo pass none.

    ``phone_updates``: the reporter asked for status messages by SMS to the phone number they
    gave (the web form's and the API's opt-in); kept only when a number was given.
    """
    # Check.
    checked = report_validate(
        type=type, title=title, body=body, region_code=region_code, channel=channel,
        category_code=category_code, incident_date=incident_date, latitude=latitude,
        longitude=longitude, address=address, target_agency_code=target_agency_code,
        reporter_name=reporter_name, reporter_email=reporter_email,
        reporter_phone=reporter_phone, reporter_nik=reporter_nik, practice=practice)
    title, body, address, name = checked.title, checked.body, checked.address, checked.name
    email, phone, nik = checked.email, checked.phone, checked.nik
    region, category, target = checked.region, checked.category, checked.target
    now = clock.now()
    reporter_user = actor.user if actor.kind == ActorKind.REPORTER else None
    if origin is not None:
        ratelimit.throttle_submission(channel=channel, origin=origin, senders=_senders(
            user_id=reporter_user.pk if reporter_user is not None else None,
            email=email, phone=phone))

    # Do (when the caller says so).
    def create() -> SubmittedReport:
        tier = report_receiver(target=target, region_code=region.code)
        sop, calendar = clock_for(tier, around=now)
        verify_due = verify_deadline(sop, calendar, now)
        access_code = _new_access_code()
        for attempt in range(5):
            try:
                with transaction.atomic():
                    report = Report.objects.create(
                        tracking_number=new_tracking_number(),
                        access_code_hash=access_code_digest_new(access_code),
                        type=type,
                        title=title,
                        body=body,
                        incident_date=incident_date,
                        region=region,
                        latitude=latitude,
                        longitude=longitude,
                        address=address,
                        category=category,
                        target_agency=target,
                        channel=channel,
                        is_anonymous=is_anonymous,
                        is_confidential=is_confidential,
                        # An opt-in without a number means nothing: stored only with a phone.
                        phone_updates=phone_updates and bool(phone),
                        is_training=practice,
                        reporter_user=reporter_user,
                        status=Status.SUBMITTED,
                        tier=tier,
                        agency=tier if tier.kind == NodeKind.AGENCY else None,
                        current_node=tier,
                        submitted_at=now,
                        verify_due_at=verify_due,
                        staff_due_at=staff_due_at(Status.SUBMITTED, verify_due_at=verify_due),
                        updated_at=now,
                    )
                    identity_store(report=report, name=name, email=email, phone=phone, nik=nik)
                    event = event_append(
                        report=report,
                        kind=Action.SUBMIT,
                        actor=reporter_actor(report_id=report.pk, user=reporter_user),
                        to_status=Status.SUBMITTED,
                        visibility=Visibility.PUBLIC,
                        payload={"channel": channel, "tier": tier.code},
                    )
                    # The acknowledgement to the reporter, in the same transaction (outbox).
                    notify_report_event(report=report, event=event)
                break
            except IntegrityError:
                # A tracking-number collision (1 in ~10^11 per pair): draw again.
                if attempt == 4:
                    raise
        return SubmittedReport(report=report, access_code=access_code)

    return create
