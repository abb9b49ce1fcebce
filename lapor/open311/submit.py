"""POST requests: a GeoReport v2 service request becomes a Lapor report (channel
``integration``) through :func:`lapor.reports.submission.report_submit`.

Decisions (docs/open311.md): the report's title is the start of the description; a request
without email, name or phone is anonymous; the region comes from ``attribute[region_code]``,
else from ``lat``/``long`` (the shipped kecamatan boundary the point lies in; near the coast
the operator's reference points from ``lapor regions import-points`` or the nearest boundary
within 5 km; refused outside Indonesia), else ``LAPOR_OPEN311_DEFAULT_REGION``;
``address_string`` is kept as text; ``description`` is plain text, and text with HTML tags is
refused; ``media_url`` is kept for staff as text and never fetched.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.http import QueryDict

from lapor.core import clock
from lapor.core.errors import ApplicationError, TooManyRequests, ValidationFailed, message_for
from lapor.core.ratelimit import Origin
from lapor.open311.keys import open311_key_authenticate
from lapor.open311.models import ApiKey, Submission
from lapor.open311.params import optional
from lapor.open311.queries import REGION_ATTRIBUTE, TYPE_ATTRIBUTE, service_get
from lapor.open311.render import Open311Error
from lapor.orgs.actors import PUBLIC
from lapor.regions.geo import LocationOutsideIndonesia
from lapor.regions.selectors import district_for_point
from lapor.reports.models import Channel, ReportType
from lapor.reports.submission import report_submit

DESCRIPTION_MAX = 4000
TITLE_LENGTH = 100
MEDIA_URL_MAX = 500
# A tag: "<" directly followed by a letter, "/", "!" or "?" and closed by ">". Plain text
# such as "a < b" or "3<5 and 6>4" is not a tag.
_TAG = re.compile(r"<[A-Za-z!/?][^<>]*>")
_ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_.-]{1,60})\](\[\])?$")
_COORDINATE_PLACES = Decimal("0.000001")
_NOTICE = ("Laporan diterima dan menunggu verifikasi (3 hari kerja). Simpan nomor ini untuk "
           "melacak statusnya.")


def authenticate(data: QueryDict, query: QueryDict) -> ApiKey:
    """The client's key, from the form field ``api_key`` (or the query string)."""
    raw = optional(data, "api_key") or optional(query, "api_key")
    if raw is None:
        raise Open311Error(403, "api_key was not provided")
    key = open311_key_authenticate(raw)
    if key is None:
        raise Open311Error(403, "api_key is not valid")
    return key


def _attributes(data: QueryDict) -> dict[str, str]:
    found: dict[str, str] = {}
    for name in data:
        match = _ATTRIBUTE.match(name)
        if match is None:
            if name.startswith("attribute"):
                raise Open311Error(400, f"malformed attribute parameter: {name[:80]}")
            continue
        code = match.group(1)
        if code not in (REGION_ATTRIBUTE, TYPE_ATTRIBUTE):
            raise Open311Error(400, f"unknown attribute: {code}")
        value = (data.get(name) or "").strip()
        if value:
            found[code] = value
    return found


def _coordinate(value: str, name: str, limit: int) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise Open311Error(400, f"{name} must be a decimal number (WGS84)") from None
    if not number.is_finite() or not -limit <= number <= limit:
        raise Open311Error(400, f"{name} is out of range")
    return number.quantize(_COORDINATE_PLACES)


def _location(data: QueryDict) -> tuple[Decimal | None, Decimal | None, str]:
    lat, long = optional(data, "lat"), optional(data, "long")
    address = optional(data, "address_string") or ""
    if (lat is None) != (long is None):
        raise Open311Error(400, "lat and long must be sent together")
    if lat is None and not address:
        if optional(data, "address_id") is not None:
            raise Open311Error(400, "address_id is not supported: send lat/long or "
                               "address_string")
        raise Open311Error(400, "a location (lat and long, or address_string) was not "
                           "provided")
    if lat is None or long is None:
        return None, None, address
    return _coordinate(lat, "lat", 90), _coordinate(long, "long", 180), address


def _description(data: QueryDict) -> str:
    text = optional(data, "description")
    if text is None:
        raise Open311Error(400, "description was not provided")
    if len(text) > DESCRIPTION_MAX:
        raise Open311Error(400, f"description is longer than {DESCRIPTION_MAX} characters")
    if _TAG.search(text):
        raise Open311Error(400, "description must be plain text: HTML is not accepted")
    return text


def _title(description: str) -> str:
    words = " ".join(description.split())
    if len(words) <= TITLE_LENGTH:
        return words
    return words[: TITLE_LENGTH - 1].rsplit(" ", 1)[0] + "…"


def _media_url(data: QueryDict) -> str:
    url = optional(data, "media_url") or ""
    if not url:
        return ""
    try:
        if len(url) > MEDIA_URL_MAX:
            raise DjangoValidationError("too long")
        URLValidator(schemes=["http", "https"])(url)
    except DjangoValidationError:
        raise Open311Error(400, "media_url must be an http(s) URL of at most "
                           f"{MEDIA_URL_MAX} characters") from None
    return url


def _identity(data: QueryDict) -> tuple[str, str, str]:
    """Name, email and phone (validated and encrypted by report_submit's identity vault)."""
    name = " ".join(p for p in (optional(data, "first_name"), optional(data, "last_name")) if p)
    return name, optional(data, "email") or "", optional(data, "phone") or ""


def _refusal_text(exc: ApplicationError) -> str:
    text = exc.message("en")  # with its limit, e.g. "Too long: 766 characters, at most 200."
    field = {"body": "description", "address": "address_string", "reporter_name": "first_name",
             "reporter_email": "email", "reporter_phone": "phone", "region_code":
             f"attribute[{REGION_ATTRIBUTE}]", "latitude": "lat", "longitude": "long",
             "title": "description"}.get(exc.field or "", exc.field)
    return f"{field}: {text}" if field else text


def _refusal(exc: ValidationFailed) -> Open311Error:
    """Every refusal of the report, one entry of the error list each."""
    found = list(dict.fromkeys(_refusal_text(e) for e in exc.errors or [exc]))
    return Open311Error(400, found[0], more=tuple(found[1:]))


def _region(extra: dict[str, str], latitude: Decimal | None,
            longitude: Decimal | None) -> str:
    """The report's region (docs/open311.md "Region from coordinates"):
    ``attribute[region_code]`` when sent (the point is kept as sent); else the district of
    the point by the one rule every channel uses
    (:func:`lapor.regions.selectors.district_for_point`), its refusal mapped to Open311's 400;
    without coordinates, ``LAPOR_OPEN311_DEFAULT_REGION``, else a 400.
    """
    explicit = extra.get(REGION_ATTRIBUTE)
    if explicit:
        return explicit
    if latitude is not None and longitude is not None:
        try:
            return district_for_point(latitude, longitude).code
        except LocationOutsideIndonesia as exc:
            raise Open311Error(400, f"lat/long: {exc.message('en')} ({exc.code})") from None
    region: str = settings.LAPOR_OPEN311_DEFAULT_REGION
    if not region:
        raise Open311Error(400, f"attribute[{REGION_ATTRIBUTE}] was not provided")
    return region


def request_create(*, data: QueryDict, key: ApiKey) -> list[dict[str, Any]]:
    """Create the report; the answer is the specification's ``[{service_request_id, …}]``."""
    code = optional(data, "service_code")
    if code is None:
        raise Open311Error(400, "service_code was not provided")
    category = service_get(code)
    extra = _attributes(data)
    report_type = extra.get(TYPE_ATTRIBUTE, ReportType.COMPLAINT)
    if report_type not in ReportType.values:
        raise Open311Error(400, f"attribute[{TYPE_ATTRIBUTE}] must be one of "
                           + ", ".join(ReportType.values))
    latitude, longitude, address = _location(data)
    region = _region(extra, latitude, longitude)
    description = _description(data)
    media_url = _media_url(data)
    name, email, phone = _identity(data)
    try:
        with transaction.atomic():
            submitted = report_submit(
                actor=PUBLIC, type=report_type, title=_title(description), body=description,
                region_code=region, channel=Channel.INTEGRATION, category_code=category.code,
                latitude=latitude, longitude=longitude, address=address,
                target_agency_code=settings.LAPOR_OPEN311_AGENCY or None,
                is_anonymous=not (name or email or phone), reporter_name=name,
                reporter_email=email, reporter_phone=phone,
                origin=Origin(application=f"open311:{key.pk}"),
            )
            Submission.objects.create(report=submitted.report, api_key=key,
                                      received_at=clock.now(), media_url=media_url)
    except ValidationFailed as exc:
        raise _refusal(exc) from None
    except TooManyRequests as exc:
        raise Open311Error(429, message_for(exc.code, "en"), retry_after=exc.retry_after) from None
    return [{
        "service_request_id": submitted.report.tracking_number,
        "service_notice": _NOTICE,
        "account_id": optional(data, "account_id"),
    }]
