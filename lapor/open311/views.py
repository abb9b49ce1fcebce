"""GeoReport v2 views under ``/open311/v2/``: parse, check, call one function, render.

Every refusal is the specification's error list (HTTP 400, 403 or 404; 405 for a wrong
method), in the format the URL asked for. The views are exempt from Django's CSRF check: the
one that changes anything (POST ``requests.{format}``) is authenticated by an API key in the
form, never by a cookie or session, and the others refuse every method but GET and HEAD with
a 405 in the spec's error format instead of Django's HTML 403 page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
)
from django.http import HttpRequest, HttpResponse, QueryDict, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from lapor.core import clock
from lapor.open311 import queries, submit
from lapor.open311.params import check_jurisdiction, comma_list, date_window
from lapor.open311.render import Open311Error, error_response, respond

View = Callable[..., HttpResponse]
# Django's refusals of an unreadable request (too many fields, too large, broken multipart).
# Django 6.1 raises BadRequest for a form declared in a charset other than UTF-8.
_BAD_REQUEST = (RequestDataTooBig, TooManyFieldsSent, MultiPartParserError, UnreadablePostError,
                SuspiciousOperation, BadRequest)
_BAD_BODY = (*_BAD_REQUEST, UnicodeDecodeError, ValueError)


def open311_view(*methods: str) -> Callable[[View], View]:
    """Check the method and the jurisdiction; turn :class:`Open311Error` into an error list."""

    def decorate(view: View) -> View:
        @csrf_exempt
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, fmt: str = "xml", **kwargs: Any
                    ) -> HttpResponse:
            try:
                if request.method not in methods:
                    response = error_response(fmt, Open311Error(
                        405, f"method not allowed; use {', '.join(methods)}"))
                    response["Allow"] = ", ".join(methods)
                    return response
                check_jurisdiction(request.GET)
                return view(request, *args, fmt=fmt, **kwargs)
            except Open311Error as exc:
                return error_response(fmt, exc)
            except _BAD_REQUEST:
                return error_response(fmt, Open311Error(400, "the request could not be read"))

        return wrapper

    return decorate


def _endpoint_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/open311/v2/").rstrip("/")


@open311_view("GET", "HEAD")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(fmt, "discovery", queries.discovery(_endpoint_url(request)))


@open311_view("GET", "HEAD")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    return respond(fmt, "services", queries.services())


@open311_view("GET", "HEAD")
def service_definition(request: HttpRequest, service_code: str, fmt: str) -> HttpResponse:
    return respond(fmt, "service_definition", queries.service_definition(service_code))


def _form(request: HttpRequest) -> QueryDict:
    try:
        data = request.POST
    except _BAD_BODY:
        raise Open311Error(400, "the request body could not be read as a form") from None
    # Django decodes form bodies leniently: bytes that were not UTF-8 arrive as U+FFFD. The
    # spec's clients send UTF-8, so such a value is refused rather than stored mangled.
    if any("\ufffd" in value for values in data.lists() for value in values[1]):
        raise Open311Error(400, "the request body is not valid UTF-8")
    return data


@open311_view("GET", "HEAD", "POST")
def requests(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        data = _form(request)
        check_jurisdiction(data)
        key = submit.authenticate(data, request.GET)
        return respond(fmt, "service_requests", submit.request_create(data=data, key=key))
    statuses = comma_list(request.GET, "status")
    if set(statuses) - {queries.OPEN, queries.CLOSED}:
        raise Open311Error(400, "status must be open, closed or both (comma separated)")
    found = queries.requests_search(
        request, ids=comma_list(request.GET, "service_request_id"),
        codes=comma_list(request.GET, "service_code"), statuses=statuses,
        window=date_window(request.GET, clock.now()),
    )
    return respond(fmt, "service_requests", found)


@open311_view("GET", "HEAD")
def request_detail(request: HttpRequest, service_request_id: str, fmt: str) -> HttpResponse:
    return respond(fmt, "service_requests", queries.request_one(request, service_request_id))


@open311_view("GET", "HEAD")
def token(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    return respond(fmt, "service_requests", queries.token_lookup(token))


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Anything else under /open311/v2/: a 404 in the spec's format (XML unless .json)."""
    fmt = "json" if path.endswith(".json") else "xml"
    return error_response(fmt, Open311Error(404, "no such GeoReport v2 resource; see "
                                            "discovery.xml"))

