"""The report form and its one-time confirmation page (POST/redirect/GET)."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import InvalidToken
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from lapor.attachments.content import detect
from lapor.attachments.filetypes import ALLOWED_CONTENT_TYPES
from lapor.attachments.services import attachment_add
from lapor.attachments.staging import staged_add, staged_drop, staged_take
from lapor.categories.selectors import categories_active
from lapor.channels.outbound import contact_sms_available
from lapor.core import ratelimit
from lapor.core.errors import (
    ApplicationError,
    Conflict,
    PayloadTooLarge,
    TooManyRequests,
    UnsupportedMediaType,
    ValidationFailed,
)
from lapor.core.language import active_language
from lapor.notifications import push
from lapor.orgs.actors import reporter_actor
from lapor.orgs.models import NodeKind
from lapor.orgs.selectors import home_regency_code, nodes_list
from lapor.portal import support
from lapor.portal.appstrings import app_strings
from lapor.portal.forms import ReportForm
from lapor.portal.views.regions import picker_context
from lapor.privacy import vault
from lapor.reports.submission import (
    BODY_MIN,
    TITLE_MIN,
    report_submit,
    report_validate,
)
from lapor.search.duplicates import similar_public_draft

PICKER_ACTIONS = ("region_search", "region_children")
# token -> file name (encrypted: the original name can identify the reporter, and a session
# is signed, not encrypted) of the files this session staged for the similar-reports step.
STAGED_KEY = "portal_staged"


def _choices() -> dict[str, Any]:
    lang = active_language()
    return {
        "categories": [(c.code, c.name(lang)) for c in categories_active()],
        "agencies": list(nodes_list(kind=NodeKind.AGENCY).order_by("name")
                         .values_list("code", "name")),
        "phone_updates": contact_sms_available(),
    }


def _limits() -> dict[str, Any]:
    """The attachment limits the page shows and its script checks before sending."""
    max_bytes = settings.LAPOR_ATTACHMENT_MAX_BYTES
    return {"max_files": settings.LAPOR_ATTACHMENTS_PER_REPORT, "max_bytes": max_bytes,
            "max_megabytes": max_bytes // (1024 * 1024), "accept": ",".join(ALLOWED_CONTENT_TYPES)}


def _app(request: HttpRequest) -> dict[str, Any]:
    """The citizen app's settings for its script (report-app.js): the map and the API.

    ``signed_in``: the app's outbox sends through the public API, which files a report under
    an account only with a bearer token; a signed-in citizen keeps the server form, so the
    report is theirs (docs/portal.md "The citizen app")."""
    regency = home_regency_code(settings.LAPOR_OPEN311_DEFAULT_REGION)
    return {"app": {
        "signed_in": bool(request.user.is_authenticated),
        "tiles_url": settings.LAPOR_MAP_TILES_URL,
        "tiles_attribution": settings.LAPOR_MAP_TILES_ATTRIBUTION,
        "boundaries_url": f"/api/v1/regions/{regency}/boundaries" if regency else "",
        "locate_url": "/api/v1/regions/locate",
        "reports_url": "/api/v1/reports",
        "attachments_url": "/api/v1/track/NUMBER/attachments",
        "track_url": reverse("portal:track", args=["000000000000"]).replace(
            "000000000000", "NUMBER"),
        # Named here: Leaflet guesses its icon's folder from its CSS, which fails on the
        # hashed file names of the static files manifest. The 2x image on every screen
        # (drawn at 25x41): one file for the worker to keep instead of two.
        "marker_icon": static("portal/vendor/leaflet/images/marker-icon-2x.png"),
        "marker_icon_2x": static("portal/vendor/leaflet/images/marker-icon-2x.png"),
        "marker_shadow": static("portal/vendor/leaflet/images/marker-shadow.png"),
        # Web Push on the confirmation card: the VAPID key when configured, and the public
        # API's opt-in (the access code in the outbox entry proves the reporter).
        "push_key": push.public_key() if push.configured() else "",
        "push_url": "/api/v1/track/NUMBER/push",
        "max_side": 1600, "jpeg_quality": 0.85,
        "title_min": TITLE_MIN, "body_min": BODY_MIN,
    }, "app_strings": app_strings()}


# Where each field's error links to in the summary (the region picker's search box).
_ANCHORS = {"region_code": "id_region_q"}


def _summary(form: ReportForm, file_errors: list[str]) -> list[dict[str, str]]:
    """Every refusal of the submission, in form order, for the list on top of the page."""
    items = []
    for name, errors in form.errors.items():
        if name == NON_FIELD_ERRORS:
            continue
        label = str(form.fields[name].label or _("Region where it happened"))
        items += [{"anchor": _ANCHORS.get(name, f"id_{name}"), "label": label,
                   "message": str(e)} for e in errors]
    items += [{"anchor": "id_attachments", "label": str(_("Photos and documents")),
               "message": e} for e in file_errors]
    return items


def _render(request: HttpRequest, form: ReportForm, *, file_errors: list[str] | None = None,
            **extra: Any) -> HttpResponse:
    data = form.data if form.is_bound else {}
    picker = picker_context(query=str(data.get("region_q", "")),
                            code=str(data.get("region_code", "")),
                            action=str(data.get("action", "")))
    file_errors = file_errors or []
    return render(request, "portal/report_form.html", {
        "form": form, **picker, **_limits(), **_app(request), "file_errors": file_errors,
        "error_summary": _summary(form, file_errors) if form.is_bound else [], **extra,
    })


def _megabytes(size: int) -> str:
    text = f"{size / (1024 * 1024):.1f}"
    return text.replace(".", ",") if active_language() == "id" else text


def _too_large(upload: UploadedFile) -> PayloadTooLarge:
    return PayloadTooLarge("attachment_too_large", field="file", detail={
        "size_mb": _megabytes(upload.size or 0),
        "max_mb": settings.LAPOR_ATTACHMENT_MAX_BYTES // (1024 * 1024)})


def _read(upload: UploadedFile) -> bytes:
    if upload.size is not None and upload.size > settings.LAPOR_ATTACHMENT_MAX_BYTES:
        raise _too_large(upload)
    return upload.read(settings.LAPOR_ATTACHMENT_MAX_BYTES + 1)


def _file_error(name: str, exc: ApplicationError) -> str:
    return f"{name}: {exc.message(active_language())}"


def check_files(uploads: list[UploadedFile], *, already: int = 0) -> list[str]:
    """What is wrong with the chosen files, checked before the report is sent: count, size
    and type (by content). The browser checks the same before sending (portal/report-form.js);
    this is the check that holds without JavaScript."""
    errors = []
    limit = settings.LAPOR_ATTACHMENTS_PER_REPORT
    if already + len(uploads) > limit:
        errors.append(_("At most %(max_files)s files per report.") % {"max_files": limit})
    for upload in uploads:
        name = upload.name or "?"
        if upload.size is not None and upload.size > settings.LAPOR_ATTACHMENT_MAX_BYTES:
            errors.append(_file_error(name, _too_large(upload)))
            continue
        head = upload.read(16)
        upload.seek(0)
        if detect(head) is None:
            errors.append(_file_error(name, UnsupportedMediaType("attachment_type_not_allowed")))
    return errors


def attach_files(*, report_id: int, uploads: list[UploadedFile], user: Any, limit: int,
                 staged: list[tuple[str, str]] | None = None) -> list[dict[str, str]]:
    """Add each file (the staged ones first, as ``(token, name)``) as the reporter; the
    refusals (file name and why) are returned, never raised: the report is already
    acknowledged and stays."""
    refused: list[dict[str, str]] = []
    actor = reporter_actor(report_id=report_id, user=user)
    files: list[tuple[str, str | UploadedFile]] = [(name, token) for token, name in staged or []]
    files += [(upload.name or "?", upload) for upload in uploads]
    for index, (name, source) in enumerate(files):
        try:
            if index >= limit:
                raise Conflict("attachment_limit_reached")
            data = staged_take(source) if isinstance(source, str) else _read(source)
            if data is None:  # a staged file that expired meanwhile
                raise ValidationFailed("attachment_unreadable", field="file")
            attachment_add(actor=actor, report_id=report_id, data=data, filename=name)
        except ApplicationError as exc:
            refused.append({"name": name, "reason": exc.message(active_language())})
    return refused


def _staged_in_session(request: HttpRequest) -> dict[str, str]:
    staged = request.session.get(STAGED_KEY, {})
    return staged if isinstance(staged, dict) else {}


def _unseal(sealed: str) -> str:
    try:
        return vault.decrypt(sealed)
    except (InvalidToken, ValueError):  # not sealed by this key set (a key rotated away)
        return "?"


def _kept_staged(request: HttpRequest) -> list[tuple[str, str]]:
    """The staged files the form still asks for (ticked), that this session staged, as
    ``(token, file name)``."""
    mine = _staged_in_session(request)
    return [(t, _unseal(mine[t])) for t in dict.fromkeys(request.POST.getlist("staged"))
            if t in mine]


def _stage(request: HttpRequest, uploads: list[UploadedFile]) -> tuple[list[dict[str, Any]],
                                                                        list[str]]:
    """Keep the chosen files server-side for the similar-reports step; returns the staged
    files (token, name, size) with the ones kept before, and the refusals. Staging costs
    storage and work, so it is rate-limited per address (raises ``TooManyRequests``) and
    never holds more than a report's file limit; unticked files are deleted at once."""
    if uploads:
        ratelimit.throttle_requests(request)
    kept = _kept_staged(request)
    mine = _staged_in_session(request)
    limit = settings.LAPOR_ATTACHMENTS_PER_REPORT
    room = max(limit - len(kept), 0)
    errors = []
    if len(uploads) > room:
        errors.append(_("At most %(max_files)s files per report.") % {"max_files": limit})
    for upload in uploads[:room]:
        name = upload.name or "?"
        try:
            staged = staged_add(data=_read(upload))
        except ApplicationError as exc:
            errors.append(_file_error(name, exc))
            continue
        kept.append((staged.token, name))
        mine[staged.token] = vault.encrypt(name)
    keep = dict(kept)
    staged_drop([t for t in mine if t not in keep])
    request.session[STAGED_KEY] = {t: n for t, n in mine.items() if t in keep}
    return [{"token": t, "name": n} for t, n in kept], errors


def _too_many(response: HttpResponse, exc: TooManyRequests) -> HttpResponse:
    response.status_code = 429
    response["Retry-After"] = str(exc.retry_after)
    return response


def _similar_step(request: HttpRequest, form: ReportForm, similar: Any,
                  uploads: list[UploadedFile]) -> HttpResponse:
    """The form again with the similar reports, the chosen files staged."""
    try:
        kept, file_errors = _stage(request, uploads)
    except TooManyRequests as exc:  # the form comes back with everything typed
        support.add_error(form, exc, ReportForm.SERVICE_FIELDS)
        staged = [{"token": t, "name": n} for t, n in _kept_staged(request)]
        return _too_many(_render(request, form, files_dropped=True, staged=staged), exc)
    return _render(request, form, similar=similar, staged=kept, file_errors=file_errors)


def report_form(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render(request, ReportForm(**_choices()))
    form = ReportForm(request.POST, **_choices())
    action = request.POST.get("action", "")
    uploads = request.FILES.getlist("attachments")
    if action in PICKER_ACTIONS:
        # The no-JavaScript region search: the same form back, everything typed kept (files
        # cannot be kept by a browser: the page says so).
        return _render(request, form, files_dropped=bool(uploads))
    form.is_valid()
    data = form.cleaned_data
    # Every field is checked at once: what the form could parse goes to the service's checks
    # too, so one round trip shows every refusal (issue 18).
    try:
        report_validate(
            type=data.get("type") or "", title=data.get("title", ""),
            body=data.get("body", ""), region_code=data.get("region_code", ""),
            incident_date=data.get("incident_date"), latitude=data.get("latitude"),
            longitude=data.get("longitude"), address=data.get("address", ""),
            category_code=data.get("category") or None,
            target_agency_code=data.get("target_agency") or None,
            reporter_name=data.get("reporter_name", ""),
            reporter_email=data.get("reporter_email", ""),
            reporter_phone=data.get("reporter_phone", ""),
            reporter_nik=data.get("reporter_nik", ""))
    except ValidationFailed as exc:
        support.add_error(form, exc, ReportForm.SERVICE_FIELDS)
    staged = _kept_staged(request)
    if form.errors:
        return _render(request, form, file_errors=check_files(uploads, already=len(staged)),
                       staged=[{"token": t, "name": n} for t, n in staged],
                       files_dropped=bool(uploads))
    if action != "submit_anyway":
        # "Similar reports already exist: support one instead?" (lapor.search.duplicates)
        similar = similar_public_draft(title=data["title"], body=data["body"],
                                       region_code=data["region_code"],
                                       category_code=data["category"] or None)
        if similar:
            return _similar_step(request, form, similar, uploads)
    actor = support.citizen(request)
    try:
        result = report_submit(
            actor=actor, type=data["type"] or "", title=data["title"], body=data["body"],
            region_code=data["region_code"], incident_date=data["incident_date"],
            latitude=data["latitude"], longitude=data["longitude"], address=data["address"],
            category_code=data["category"] or None,
            target_agency_code=data["target_agency"] or None,
            is_anonymous=data["is_anonymous"], is_confidential=data["is_confidential"],
            reporter_name=data["reporter_name"], reporter_email=data["reporter_email"],
            reporter_phone=data["reporter_phone"], reporter_nik=data["reporter_nik"],
            phone_updates=bool(data.get("phone_updates")),
            origin=ratelimit.Origin(address=ratelimit.client_ip(request)),
        )
    except ApplicationError as exc:
        support.add_error(form, exc, ReportForm.SERVICE_FIELDS)
        response = _render(request, form, files_dropped=bool(uploads),
                           staged=[{"token": t, "name": n} for t, n in staged])
        if isinstance(exc, TooManyRequests):  # the form comes back with everything typed
            _too_many(response, exc)
        return response
    report = result.report
    refused = attach_files(report_id=report.pk, uploads=uploads, user=actor.user,
                           limit=settings.LAPOR_ATTACHMENTS_PER_REPORT, staged=staged)
    request.session.pop(STAGED_KEY, None)
    request.session[support.SUBMITTED_KEY] = {
        "tracking_number": report.tracking_number, "access_code": result.access_code,
        "refused": refused, "confidential": report.is_confidential,
        "anonymous": report.is_anonymous,
    }
    support.remember_proven(request, report.pk)
    return redirect("portal:submitted")


@never_cache
def submitted(request: HttpRequest) -> HttpResponse:
    """Shows the access code once: it leaves the session as it is read."""
    shown = request.session.pop(support.SUBMITTED_KEY, None)
    return render(request, "portal/submitted.html", {
        "shown": shown, "push_key": push.public_key() if shown else ""})
