"""The reporter's door by tracking number: one look-up and one access-code gate for every
surface (the portal's /lacak/ pages and the API's /track/ endpoints call these, never the rate
limits or :func:`~lapor.reports.submission.reporter_authenticate` themselves).

Why it is shaped this way (docs/security.md "Rate limits"): tracking numbers are public, so a
limit that any stranger can fill must never stand between a reporter and their report.

* :func:`tracked_report` counts a look-up per client address and *distinct* tracking number
  (scanning is trying number after number; reading one report again is not scanning).
* :func:`reporter_by_access_code` refuses only the client address that typed wrong codes
  (per tracking number and over all numbers, per hour); the right code from any other address
  is accepted at once. Nothing about a tracking number alone ever refuses a code.

``address`` is :func:`lapor.core.ratelimit.client_ip` of the request (``REMOTE_ADDR``, or the
address the outermost of ``LAPOR_PROXY_COUNT`` trusted proxies saw), taken by the adapter.

The portal's pages (lapor.portal.views.track) use :func:`report_from_request`,
:func:`reporter_by_access_code` and :func:`reporter_by_account` with the browser's session in
place of the header.

The API's reporter endpoints (``/track/{n}/…`` in lapor.api) all go through
:func:`lapor.api.auth.reporter_from_request` with its ``AccessCode`` header (the access code,
or the bearer token of the account that owns the report), which calls these. They never
re-implement the gate.
"""

from __future__ import annotations

from django.http import HttpRequest

from lapor.core import ratelimit
from lapor.core.errors import NotAuthenticated, NotFound
from lapor.orgs.actors import Actor, reporter_actor
from lapor.reports import selectors, submission
from lapor.reports.models import Report
from lapor.reports.permissions import is_reporter_of


def _counted_number(tracking_number: str, address: str) -> str:
    """The normalised number, after counting the look-up for ``address``."""
    ratelimit.throttle_lookup(address, tracking_number)
    number = submission.normalise_tracking_number(tracking_number)
    if not submission.tracking_number_valid(number):
        raise NotFound("not_found", field="tracking_number")
    return number


def tracked_report(*, tracking_number: str, address: str) -> Report:
    """The report for a typed tracking number (any spacing or ``#``), after counting the
    look-up for ``address`` (429 ``rate_limited`` when it scans). Unknown or invalid: 404."""
    return selectors.report_by_tracking(_counted_number(tracking_number, address))


def looked_up_report(*, tracking_number: str, address: str) -> Report:
    """:func:`tracked_report` for the public view (the same counting and refusals): the
    report from :func:`lapor.reports.selectors.report_for_lookup`, one precompiled query with
    only what the public view and its cache need (issue #21)."""
    return selectors.report_for_lookup(_counted_number(tracking_number, address))


def reporter_by_access_code(*, tracking_number: str, access_code: str, address: str) -> Actor:
    """The reporter actor when ``access_code`` opens the report.

    Refusals: 429 ``access_code_attempts`` while ``address`` is over its wrong-code limits
    (before the code is even compared, so guessing from that address cannot go on), 401
    ``invalid_access_code`` for a wrong code (counted for ``address`` only)."""
    number = submission.normalise_tracking_number(tracking_number)
    ratelimit.access_code_guard(address=address, tracking_number=number)
    try:
        return submission.reporter_authenticate(tracking_number=number, access_code=access_code)
    except NotAuthenticated:
        ratelimit.access_code_failed(address=address, tracking_number=number)
        raise


def reporter_by_account(account: Actor, report: Report) -> Actor | None:
    """The reporter actor when the signed-in citizen ``account`` filed ``report``
    (:func:`lapor.reports.permissions.is_reporter_of`), else ``None``: the API's bearer token
    and the portal's session sign-in both ask this."""
    if account.user is None or not is_reporter_of(account, report):
        return None
    return reporter_actor(report_id=report.pk, user=account.user)


def report_from_request(request: HttpRequest, tracking_number: str) -> Report:
    """:func:`tracked_report` for the client address of ``request``."""
    return tracked_report(tracking_number=tracking_number, address=ratelimit.client_ip(request))


def looked_up_from_request(request: HttpRequest, tracking_number: str) -> Report:
    """:func:`looked_up_report` for the client address of ``request``."""
    return looked_up_report(tracking_number=tracking_number,
                            address=ratelimit.client_ip(request))
